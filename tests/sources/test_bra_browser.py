"""Brå's workbooks found with a real headless Chromium, against a loopback stand-in whose search hits are
inserted by a script after a delay from a JSON endpoint (a GET of the form shows none).

Uses the machine's own Chromium and chromedriver (never a downloaded browser); skipped without them
unless LAGESBILD_REQUIRE_BROWSER=1 (CI). Chromium starts once for the module, plus once for the command
run end to end.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from bra_standin import PAGE, BraStandIn, cli_config, requests_to
from conftest import BRA_XLSX, no_sleep
from lagesbild_cli.cli import app
from lagesbild_cli.errors import BrowserMissingError
from lagesbild_cli.settings.config import Config, HttpSettings
from lagesbild_cli.settings.kommuner import kommuner_in_lan, resolve_kommun
from lagesbild_cli.sources import bra_browser, bra_fetch, bra_search
from lagesbild_cli.sources._http import Http
from lagesbild_cli.storage.raw import Manifest

DALARNA = kommuner_in_lan("20")
USER_AGENT = "lagesbild/0.1.0 (+analys@example.se)"
WAIT = 5.0  # seconds the module's browser waits for a page and for a hit: the page is slow to load on a busy machine


@pytest.fixture(scope="module")
def located() -> bra_browser.Located:
    try:
        return bra_browser.locate("auto")
    except BrowserMissingError as exc:
        message = f"the browser tests need a browser: {exc.message} ({exc.hint})"
        if os.environ.get("LAGESBILD_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    """A threaded loopback server: the browser may open several connections at once."""
    served = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    served.start()
    yield served
    served.clear()
    served.stop()


@pytest.fixture
def site(server: HTTPServer) -> HTTPServer:
    server.clear()
    return server


@pytest.fixture(scope="module")
def session(located: bra_browser.Located) -> Iterator[bra_browser.Chromium]:
    with bra_browser.chromium(located, USER_AGENT, WAIT) as chromium:
        yield chromium


def test_the_browser_finds_names_with_a_ring_umlauts_and_a_hyphen_and_gives_up_on_a_kommun_without_hit(
    site: HTTPServer, session: bra_browser.Chromium, config: Config
) -> None:
    kommuner = [resolve_kommun(name) for name in ("Håbo", "Östhammar", "Malung-Sälen", "Älvdalen", "Orsa")]
    stand_in = BraStandIn(site, kommuner, script=True, no_hit=["Orsa"])
    settings = replace(config.bra, page_url=stand_in.page_url)
    with Http(HttpSettings(contact="analys@example.se", timeout_seconds=5), sleep=no_sleep) as http:
        found = bra_search.find_urls(kommuner, settings, http, browser=lambda: nullcontext(session))
    assert found.error is None
    assert {k: url.removeprefix(site.url_for("/")) for k, url in found.urls.items()} == {
        "0305": stand_in.paths["Håbo"].replace("Håbo", "H%C3%A5bo").lstrip("/"),
        "0382": stand_in.paths["Östhammar"].replace("Östhammar", "%C3%96sthammar").lstrip("/"),
        "2023": stand_in.paths["Malung-Sälen"].replace("Malung-Sälen", "Malung-S%C3%A4len").lstrip("/"),
        "2039": stand_in.paths["Älvdalen"].replace("Älvdalen", "%C3%84lvdalen").lstrip("/"),
    }
    assert found.reasons == {
        "2034": f"no link ending in Orsa.xlsx appeared within {WAIT:g} s of searching {stand_in.page_url} in a browser"
    }
    assert found.notes == ["found 4 workbook links with a browser on Brå's page"]
    assert stand_in.searches == ["Håbo", "Östhammar", "Malung-Sälen", "Älvdalen", "Orsa"]
    assert {r.headers["User-Agent"] for r in requests_to(site, "/api/sok")} == {USER_AGENT}
    page_loads = [r for r in requests_to(site, PAGE) if not r.args]
    assert len(page_loads) == 2  # one by HTTP, one by the browser for all five searches
    assert len([r for r in requests_to(site, PAGE) if r.args.get("query")]) == 3  # the form's GET, given up


def test_a_hit_whose_download_fails_keeps_what_is_on_disk(
    site: HTTPServer, session: bra_browser.Chromium, config: Config
) -> None:
    kommuner = [resolve_kommun(name) for name in ("Säter", "Mora")]
    stand_in = BraStandIn(site, kommuner, script=True, failing=["Mora"])
    settings = replace(config.bra, page_url=stand_in.page_url)
    old = config.raw_dir / "bra" / "2062.xlsx"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"Mora's workbook from last year")
    manifest = Manifest(config.raw_dir)
    with Http(HttpSettings(contact="", timeout_seconds=5, retries=1), sleep=no_sleep) as http:
        result = bra_fetch.fetch(kommuner, settings, http, manifest, browser=lambda: nullcontext(session))
    assert result.fetched == 1 and len(result.failures) == 1
    assert result.failures[0].startswith("Mora (2062): ") and "answered HTTP 500" in result.failures[0]
    assert old.read_bytes() == b"Mora's workbook from last year"
    assert (config.raw_dir / "bra" / "2082.xlsx").read_bytes() == (BRA_XLSX / "Säter.xlsx").read_bytes()
    assert manifest.entries()["bra/2082.xlsx"].origin.endswith(stand_in.paths["Säter"].replace("ä", "%C3%A4"))


def test_fetch_finds_all_15_workbooks_with_chromium_and_asks_only_for_changes_next_time(
    site: HTTPServer, located: bra_browser.Located, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAGESBILD_BROWSER", located.binary)
    stand_in = BraStandIn(site, DALARNA, script=True)
    path = cli_config(tmp_path, stand_in.page_url)
    first = CliRunner().invoke(app, ["fetch", "--source", "bra", "--config", str(path)])
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("bra      fetched   15 fetched (found 15 workbook links with a browser")
    assert sorted(p.name for p in (tmp_path / "data/raw/bra").iterdir()) == sorted(f"{k.kod}.xlsx" for k in DALARNA)
    manifest = json.loads((tmp_path / "data/raw/manifest.json").read_text(encoding="utf-8"))
    assert manifest["bra/2023.xlsx"]["origin"].endswith("/Malung-S%C3%A4len.xlsx")
    assert (tmp_path / "data/raw/bra/2023.xlsx").read_bytes() == (BRA_XLSX / "Malung-Sälen.xlsx").read_bytes()
    assert stand_in.searches == [k.namn for k in DALARNA]
    assert {r.headers["User-Agent"] for r in requests_to(site, "/api/sok")} == {"lagesbild/0.1.0"}

    second = CliRunner().invoke(app, ["fetch", "--source", "bra", "--config", str(path)])
    assert second.exit_code == 0, second.stderr
    assert second.stdout.startswith("bra      unchanged 15 unchanged")
    assert set(stand_in.bodies.values()) == {1} and len(stand_in.bodies) == 15  # no body sent twice
    assert stand_in.searches == [k.namn for k in DALARNA]  # and no search again
