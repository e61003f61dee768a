"""Brå's workbooks found by the page's own search form, without a browser, against a loopback stand-in
whose search hits are rendered by the server (and, for the no-browser case, one whose hits come by script).
"""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from bra_standin import HIDDEN, PAGE, BraStandIn, cli_config, requests_to
from conftest import BRA_XLSX, no_sleep, store_raw
from lagesbild_cli import pipeline
from lagesbild_cli.cli import app
from lagesbild_cli.errors import BrowserMissingError
from lagesbild_cli.settings.config import Config, HttpSettings, load_config
from lagesbild_cli.settings.kommuner import kommuner_in_lan, resolve_kommun
from lagesbild_cli.sources import SourceResult, bra_browser, bra_links, bra_search
from lagesbild_cli.sources._http import Http
from lagesbild_cli.storage.raw import Manifest

DALARNA = kommuner_in_lan("20")
UPPSALA = kommuner_in_lan("03")  # Enköping, Håbo, Östhammar, Älvkarleby: å, ä, ö in one län


def fetch_bra(config: Config) -> SourceResult:
    return pipeline.fetch(config, ["bra"], sleep=no_sleep).results[0]


def at(config: Config, page_url: str, **http: Any) -> Config:
    return replace(
        config,
        bra=replace(config.bra, page_url=page_url, urls={}),
        http=replace(config.http, **http),
    )


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """A browser must not be needed: starting one fails the test."""

    def opener(*args: object) -> object:
        raise AssertionError("a browser was started although the server renders the search hits")

    monkeypatch.setattr(bra_browser, "opener", opener)


# ── reading the page ──────────────────────────────────────────────────────────────────────────────


def test_the_search_form_is_read_from_the_pages_html() -> None:
    page = """<header><form action="/sok.html" method="get"><input type="text" name="q"></form></header>
      <form role="search" method="GET" action="sok"><input type="hidden" name="sv.target" value="12.3">
      <input type="text" name="query" placeholder="Ange sökord"><input type="submit" value="Sök"></form>"""
    form = bra_search.search_form(page, "https://bra.se/statistik/indikatorer.html")
    assert form == bra_search.SearchForm(
        action="https://bra.se/statistik/sok", method="get", field="query", hidden=(("sv.target", "12.3"),)
    )
    assert form.params("Malung-Sälen") == {"sv.target": "12.3", "query": "Malung-Sälen"}
    assert bra_search.search_form('<form method="post"><input type="search" name="s"></form>', "https://x.se/p") == (
        bra_search.SearchForm(action="https://x.se/p", method="post", field="s")
    )
    assert (
        bra_search.search_form("<form><input type='hidden' name='a'></form><a href='/x.xlsx'>x</a>", "https://x.se/")
        is None
    )


def test_workbook_links_with_a_ring_umlauts_and_a_hyphen_match_only_their_kommun() -> None:
    hrefs = [
        "/download/18.1/2/Metod.pdf",
        "/download/18.1/2/Moraberg.xlsx",
        "/download/18.9040d26195b246441f3b4a8/1743687281705/H%C3%A5bo.xlsx",
        "https://bra.se/download/18.2/3/Östhammar.xlsx",
        "/download/18.3/4/A\u0308lvkarleby.xlsx",  # Ä decomposed, as a Mac may write it
        "/download/18.123/1700000000/Malung-S%C3%A4len.xlsx?version=2",
    ]
    base = "https://bra.se/statistik/indikatorer-for-kommuners-lagesbild"
    link = bra_links.workbook_link
    assert link(hrefs, base, resolve_kommun("Håbo")) == (
        "https://bra.se/download/18.9040d26195b246441f3b4a8/1743687281705/H%C3%A5bo.xlsx"
    )
    assert link(hrefs, base, resolve_kommun("Östhammar")) == "https://bra.se/download/18.2/3/Östhammar.xlsx"
    assert link(hrefs, base, resolve_kommun("Älvkarleby")) == "https://bra.se/download/18.3/4/A\u0308lvkarleby.xlsx"
    assert link(hrefs, base, resolve_kommun("Malung-Sälen")) == (
        "https://bra.se/download/18.123/1700000000/Malung-S%C3%A4len.xlsx?version=2"
    )
    assert link(hrefs, base, resolve_kommun("Mora")) is None


def test_the_search_sends_names_with_a_ring_and_umlauts_as_the_form_would(
    httpserver: HTTPServer, config: Config
) -> None:
    stand_in = BraStandIn(httpserver, UPPSALA, no_hit=["Tierp"])
    settings = replace(config.bra, page_url=stand_in.page_url, search_interval_seconds=5.0)
    waits: list[float] = []
    with Http(HttpSettings(contact="analys@example.se", timeout_seconds=5), sleep=waits.append) as http:
        found = bra_search.find_urls(UPPSALA, settings, http, browser=None)
    assert found.error is None
    assert sorted(found.urls) == sorted(k.kod for k in UPPSALA if k.namn != "Tierp")
    assert found.urls["0305"].endswith("/H%C3%A5bo.xlsx")
    assert found.urls["0382"].endswith("/Östhammar.xlsx") or found.urls["0382"].endswith("/%C3%96sthammar.xlsx")
    assert stand_in.searches == [k.namn for k in UPPSALA]  # decoded by the server exactly as typed
    assert "found no Tierp.xlsx" in found.reasons["0360"]
    searches = requests_to(httpserver, "/sok")
    assert all(r.args[HIDDEN[0]] == HIDDEN[1] for r in searches)
    assert {r.headers["User-Agent"] for r in searches} == {"lagesbild/0.1.0 (+analys@example.se)"}
    assert len(waits) == len(UPPSALA) - 1 and all(w > 4 for w in waits)  # spaced by search_interval_seconds


# ── `lagesbild fetch --source bra` ────────────────────────────────────────────────────────────────


def test_fetch_finds_all_15_workbooks_with_the_search_form_and_asks_only_for_changes_next_time(
    httpserver: HTTPServer, tmp_path: Path, no_browser: None
) -> None:
    stand_in = BraStandIn(httpserver, DALARNA)
    path = cli_config(tmp_path, stand_in.page_url)
    first = CliRunner().invoke(app, ["fetch", "--source", "bra", "--config", str(path)])
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("bra      fetched   15 fetched (found 15 workbook links with Brå's search form)")
    assert sorted(p.name for p in (tmp_path / "data/raw/bra").iterdir()) == sorted(f"{k.kod}.xlsx" for k in DALARNA)
    manifest = json.loads((tmp_path / "data/raw/manifest.json").read_text(encoding="utf-8"))
    assert manifest["bra/2023.xlsx"]["origin"] == httpserver.url_for(stand_in.paths["Malung-Sälen"]).replace(
        "Malung-Sälen", "Malung-S%C3%A4len"
    )
    assert (tmp_path / "data/raw/bra/2023.xlsx").read_bytes() == (BRA_XLSX / "Malung-Sälen.xlsx").read_bytes()
    assert set(stand_in.bodies.values()) == {1} and len(stand_in.bodies) == 15
    searched = len(stand_in.searches)

    second = CliRunner().invoke(app, ["fetch", "--source", "bra", "--config", str(path)])
    assert second.exit_code == 0, second.stderr
    assert second.stdout.startswith("bra      unchanged 15 unchanged")
    assert set(stand_in.bodies.values()) == {1}  # no workbook body sent again
    assert len(stand_in.searches) == searched and len(requests_to(httpserver, PAGE)) == 1  # nor searched again


def test_a_kommun_without_hit_and_a_failing_download_keep_what_is_on_disk_and_fixed_urls_win(
    httpserver: HTTPServer, make_config: Callable[..., Config], no_browser: None
) -> None:
    stand_in = BraStandIn(httpserver, DALARNA, no_hit=["Orsa"], failing=["Mora"])
    httpserver.expect_request("/egen/Gagnef.xlsx").respond_with_data((BRA_XLSX / "Gagnef.xlsx").read_bytes())
    config = make_config(extra=f'"Gagnef" = "{httpserver.url_for("/egen/Gagnef.xlsx")}"\n')
    config = replace(config, bra=replace(config.bra, page_url=stand_in.page_url))
    kept = config.raw_dir / "bra" / "2062.xlsx"
    store_raw(config, "bra/2062.xlsx", b"Mora's workbook from last year")
    result = fetch_bra(config)
    assert result.fetched == 13 and len(result.failures) == 2
    failures = "\n".join(result.failures)
    assert "Orsa (2034): no workbook URL; Brå's search (" in failures and "found no Orsa.xlsx" in failures
    assert "Mora (2062): " in failures and "answered HTTP 500" in failures
    assert kept.read_bytes() == b"Mora's workbook from last year"
    assert "(2 of 15 kommuner)" in result.by_hand and "lagesbild import bra FOLDER" in result.by_hand
    rows = [line.split() for line in result.by_hand.splitlines()]
    assert rows[rows.index(["search", "word", "save", "as"]) + 1 :][:2] == [
        ["Mora", "Mora.xlsx"],
        ["Orsa", "Orsa.xlsx"],
    ]
    assert "Gagnef" not in stand_in.searches
    assert Manifest(config.raw_dir).entries()["bra/2026.xlsx"].origin.endswith("/egen/Gagnef.xlsx")


def test_a_slow_page_times_out_and_keeps_what_is_on_disk(
    httpserver: HTTPServer, make_config: Callable[..., Config]
) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("<html>för sent</html>", content_type="text/html")

    httpserver.expect_request(PAGE).respond_with_handler(slow)
    config = at(make_config(), httpserver.url_for(PAGE), timeout_seconds=0.3, retries=0)
    own = config.raw_dir / "bra" / "2026.xlsx"
    store_raw(config, "bra/2026.xlsx", (BRA_XLSX / "Gagnef.xlsx").read_bytes())
    result = fetch_bra(config)
    assert result.kept == 1 and len(result.failures) == 14 and not result.fetched
    assert "Brå's indicator page could not be read: Timed out fetching Brå's indicator page" in result.detail
    assert "Falun (2080): no workbook URL; Brå's page could not be read" in result.failures
    assert own.read_bytes() == (BRA_XLSX / "Gagnef.xlsx").read_bytes()


def test_a_remembered_url_that_is_gone_is_searched_for_again(
    httpserver: HTTPServer, make_config: Callable[..., Config], no_browser: None
) -> None:
    first = BraStandIn(httpserver, DALARNA)
    config = at(make_config(), first.page_url)
    assert fetch_bra(config).fetched == 15
    httpserver.clear()
    moved = BraStandIn(httpserver, DALARNA, version=2)  # Brå published new files at new URLs
    for path in first.paths.values():
        httpserver.expect_request(path).respond_with_data("Sidan finns inte", status=404)
    result = fetch_bra(config)
    assert result.fetched == 15 and not result.failures
    assert len(moved.searches) == 15 and sum(moved.bodies.values()) == 15
    assert Manifest(config.raw_dir).entries()["bra/2062.xlsx"].origin.endswith(moved.paths["Mora"])


def test_without_a_browser_a_page_with_hits_by_script_fails_clearly_and_keeps_what_is_on_disk(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = BraStandIn(httpserver, DALARNA, script=True)
    path = cli_config(tmp_path, stand_in.page_url)
    own = tmp_path / "data" / "raw" / "bra" / "2026.xlsx"
    store_raw(load_config(path), "bra/2026.xlsx", (BRA_XLSX / "Gagnef.xlsx").read_bytes())
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))  # no chromium, no chromedriver
    monkeypatch.delenv("LAGESBILD_BROWSER", raising=False)
    result = CliRunner().invoke(app, ["fetch", "--source", "bra", "--config", str(path)])
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "bra      failed    1 kept from before, 14 failed (Brå's page shows its search hits"
    )
    assert "pip install 'lagesbild[browser]'" not in result.stdout  # Selenium is installed: only what is missing
    assert "apt-get install chromium chromium-driver" in result.stdout
    assert "Falun (2080): no workbook URL; Brå's page needs a browser to search (no browser: " in result.stderr
    assert "lagesbild import bra FOLDER" in result.stderr and stand_in.page_url in result.stderr
    assert own.read_bytes() == (BRA_XLSX / "Gagnef.xlsx").read_bytes()
    assert len([r for r in requests_to(httpserver, PAGE) if r.args.get("query")]) == 3  # then it gave up on GET


def test_locate_says_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LAGESBILD_BROWSER", raising=False)
    with pytest.raises(BrowserMissingError, match='browser = "never"'):
        bra_browser.locate("never")
    monkeypatch.setenv("LAGESBILD_BROWSER", "never")  # the environment wins over the config, and is named
    with pytest.raises(BrowserMissingError, match="LAGESBILD_BROWSER=never"):
        bra_browser.locate("auto")
    monkeypatch.delenv("LAGESBILD_BROWSER")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CHROMEWEBDRIVER", raising=False)
    with pytest.raises(BrowserMissingError, match=r"Chrome or Chromium .* is not on PATH") as missing:
        bra_browser.locate("auto")
    assert "apt-get install chromium chromium-driver" in str(missing.value.hint)
    assert "Selenium" not in str(missing.value)  # installed: the hint names only what is missing
    with pytest.raises(BrowserMissingError, match=r"google-chrome \(sources\.bra\.browser\) is not an installed"):
        bra_browser.locate("google-chrome")
    chrome = tmp_path / "chrome"
    chrome.write_text("#!/bin/sh\n", encoding="utf-8")
    chrome.chmod(0o755)
    with pytest.raises(BrowserMissingError, match=r"chromedriver .* is not on PATH"):
        bra_browser.locate(str(chrome))
    driver = tmp_path / "chromedriver"
    driver.write_text("#!/bin/sh\n", encoding="utf-8")
    driver.chmod(0o755)
    assert bra_browser.locate(str(chrome)) == bra_browser.Located(str(chrome), str(driver))
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "selenium" else real(name, *a))
    with pytest.raises(BrowserMissingError, match="Selenium is not installed") as no_selenium:
        bra_browser.locate(str(chrome))
    assert "pip install 'lagesbild[browser]'" in str(no_selenium.value.hint)
    assert "apt-get" not in str(no_selenium.value.hint)  # the browser is there
