"""The län overview as a web page a länsstyrelse may publish: no WCAG 2.1 A/AA violation in axe-core, no sideways
page scroll on a phone (the wide tables scroll in their own region, with a visible cue), chart text legible."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import browser as chromium
from lagesbild_cli import batch
from lagesbild_cli.settings.config import load_config
from lagesbild_cli.settings.kommuner import resolve_lan


@pytest.fixture(scope="module")
def page(loaded_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    lacks = chromium.missing()
    if lacks:
        message = "the browser tests need " + "; ".join(lacks)
        if chromium.required():
            pytest.fail(message + " (LAGESBILD_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("lan-page") / "project"
    shutil.copytree(loaded_dir, folder)
    config = load_config(folder / "lagesbild.toml")
    html = batch.lan_overview(config, resolve_lan("20"), 2024, date(2026, 12, 5), preview=True)
    assert html is not None
    with chromium.browser() as driver:
        driver.set_window_size(1280, 900)
        driver.get(html.as_uri())
        yield driver


def at_width(driver: Any, width: int) -> None:
    driver.set_window_size(width, 900)
    assert driver.execute_script("return window.innerWidth") == width


@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_no_violation(page: Any, width: int) -> None:
    at_width(page, width)
    violations = chromium.axe_violations(page)
    assert violations == [], "\n".join(f"{v['id']} ({v['impact']}, {v['count']}): {v['nodes']}" for v in violations)


def test_on_a_phone_the_page_stays_put_and_the_wide_tables_say_they_scroll(page: Any) -> None:
    at_width(page, 390)
    scroll, client = page.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client  # the symbols' hidden words once widened the page to 1 094 px
    regions = page.execute_script(
        """return [...document.querySelectorAll('.lo-scroll')].map(r => [r.scrollWidth > r.clientWidth,
             r.getAttribute('role'), r.tabIndex])"""
    )
    assert regions == [[True, "region", 0], [True, "region", 0]]
    cues = page.execute_script(
        "return [...document.querySelectorAll('.lo-scroll-cue')].map(c => [c.offsetHeight > 0, c.textContent])"
    )
    assert [shown for shown, _ in cues] == [True, True] and all("dra den i sidled" in text for _, text in cues)


def test_on_a_wide_screen_no_cue_says_a_table_scrolls_when_it_does_not(page: Any) -> None:
    at_width(page, 1280)
    shown = page.execute_script(
        """return [...document.querySelectorAll('.lo-scroll')].map(r => [r.scrollWidth > r.clientWidth,
             r.parentElement.querySelector('.lo-scroll-cue').offsetHeight > 0])"""
    )
    assert shown == [[False, False], [False, False]]


def test_chart_text_is_legible_on_a_phone(page: Any) -> None:
    at_width(page, 390)
    sizes = page.execute_script(
        """return [...document.querySelectorAll('figure.lo-chart svg')].map(svg =>
             svg.getBoundingClientRect().width / svg.viewBox.baseVal.width
             * parseFloat(svg.getAttribute('font-size')))"""
    )
    assert len(sizes) == 6 and min(sizes) >= 12


def test_the_map_stands_beside_the_text_on_a_wide_screen(page: Any) -> None:
    at_width(page, 1280)
    text, figure = page.execute_script(
        """const r = e => document.querySelector(e).getBoundingClientRect();
           return [r('.lo-lead').right, r('figure.lo-map').left]"""
    )
    assert figure > text
