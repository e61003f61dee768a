"""The HTML report is a web page a kommun may publish (lag 2018:1937, WCAG 2.1 AA), checked in a real
Chromium with axe-core: no A/AA violation, no sideways page scroll at 320 px, a readable measure and
charts whose text is about the size of the body text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import browser as chromium
from conftest import Demo

NARROW, PHONE, DESKTOP = 320, 390, 1280


@pytest.fixture(scope="module")
def page(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The demo report (every section) loaded in headless Chromium; the demo is built only when the
    browser is there."""
    lacks = chromium.missing()
    if lacks:
        message = "the browser tests need " + "; ".join(lacks)
        if chromium.required():
            pytest.fail(message + " (LAGESBILD_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    built: Demo = request.getfixturevalue("built")
    with chromium.browser() as driver:
        driver.set_window_size(DESKTOP, 900)
        driver.get((built.report / "lagesbild.html").as_uri())
        yield driver


def at_width(driver: Any, width: int) -> None:
    driver.set_window_size(width, 900)
    assert driver.execute_script("return window.innerWidth") == width


@pytest.mark.parametrize("width", [DESKTOP, NARROW])
def test_axe_finds_no_wcag_2_1_a_or_aa_violation(page: Any, width: int) -> None:
    at_width(page, width)
    violations = chromium.axe_violations(page)
    assert violations == [], "\n".join(f"{v['id']} ({v['impact']}, {v['count']}): {v['nodes']}" for v in violations)


@pytest.mark.parametrize("width", [NARROW, PHONE])
def test_the_page_never_scrolls_sideways_on_a_phone(page: Any, width: int) -> None:
    """WCAG 1.4.10 Reflow: at 320 CSS px only the tables' own regions scroll, never the page."""
    at_width(page, width)
    scroll, client = page.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client
    overflowing = page.execute_script(
        """return [...document.querySelectorAll('main *')]
             .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5
                          && !e.closest('.table-scroll'))
             .map(e => e.tagName + '.' + e.className).slice(0, 5)"""
    )
    assert overflowing == []


def test_wide_tables_scroll_in_their_own_labelled_region(page: Any) -> None:
    at_width(page, NARROW)
    tables = page.execute_script(
        """return [...document.querySelectorAll('table')].map(t => {
             const region = t.closest('.table-scroll');
             return {caption: t.caption ? t.caption.id : null,
                     region: region ? [region.getAttribute('role'), region.tabIndex,
                                       region.getAttribute('aria-labelledby')] : null,
                     wide: region ? region.scrollWidth > region.clientWidth : false};
           })"""
    )
    assert len(tables) > 40
    for table in tables:
        assert table["region"] == ["region", 0, table["caption"]], table
    assert any(t["wide"] for t in tables)  # the 8-column crime table does not fit 320 px and scrolls


def test_paragraphs_keep_a_readable_measure_on_a_wide_screen(page: Any) -> None:
    at_width(page, DESKTOP)
    per_line = page.execute_script(
        """return [...document.querySelectorAll('main p')].map(p => {
             const range = document.createRange(); range.selectNodeContents(p);
             const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
             return tops.size >= 3 ? p.textContent.replace(/\\s+/g, ' ').trim().length / tops.size : 0;
           })"""
    )
    assert 55 < max(per_line) <= 80  # about 70 characters a line


def test_chart_text_is_about_the_size_of_the_body_text(page: Any) -> None:
    at_width(page, DESKTOP)
    ratios = page.execute_script(
        """const body = parseFloat(getComputedStyle(document.body).fontSize);
           return [...document.querySelectorAll('figure svg')].map(svg => {
             const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
             return scale * parseFloat(svg.getAttribute('font-size')) / body;
           })"""
    )
    assert len(ratios) > 15
    assert all(0.7 <= r <= 1.1 for r in ratios), sorted(ratios)


def test_one_main_landmark_and_a_viewport(page: Any) -> None:
    assert page.execute_script("return document.querySelectorAll('main').length") == 1
    viewport = page.execute_script("return document.querySelector('meta[name=viewport]').content")
    assert "width=device-width" in viewport


def test_on_a_phone_the_summarys_key_table_shows_each_columns_meaning_without_scrolling(page: Any) -> None:
    """At 390 px each row of "Läget i korthet"'s table is a small block: every value is labelled with its
    column's name, and nothing is hidden to the side."""
    at_width(page, PHONE)
    region, labels = page.execute_script(
        """const region = document.querySelector('#sammanfattning .key-table');
           const row = region.querySelector('tbody tr:not(.group)');
           return [[region.scrollWidth, region.clientWidth],
                   [...row.querySelectorAll('td')].map(td => getComputedStyle(td, '::before').content)];"""
    )
    assert region[0] <= region[1]
    assert labels == ['"Gagnef: "', '"Jämfört med länet: "', '"Jämfört med riket: "', '"Utveckling: "']


def test_on_a_phone_every_table_wider_than_the_screen_shows_a_cue(page: Any) -> None:
    """At 390 px a table that is wider than its region (the analysis matrix, the crime table) shows a shadow at
    the edge where columns are hidden: the region's background is the scroll cue, and it is painted."""
    at_width(page, PHONE)
    regions = page.execute_script(
        """return [...document.querySelectorAll('.table-scroll')]
             .filter(r => r.scrollWidth > r.clientWidth + 1)
             .map(r => [r.getAttribute('aria-labelledby'), getComputedStyle(r).backgroundImage])"""
    )
    assert any(label == "tab-analysis-1" for label, _ in regions)  # the matrix is wider than a phone
    for label, image in regions:
        assert image.count("gradient(") == 4, label


def test_a_wide_screen_is_used(page: Any) -> None:
    """At 1280 px the report uses the window: the contents beside the text and the charts side by side."""
    at_width(page, DESKTOP)
    main, contents, charts = page.execute_script(
        """const box = e => e.getBoundingClientRect();
           const charts = [...document.querySelectorAll('#omfattning figure.chart')].slice(0, 2).map(f => box(f).top);
           return [box(document.querySelector('main')).width, box(document.querySelector('nav.contents')).right,
                   charts];"""
    )
    assert main >= 0.85 * DESKTOP
    assert contents < 0.3 * DESKTOP  # the contents list is a column on the left
    assert charts[0] == charts[1]  # two small multiples in one row
