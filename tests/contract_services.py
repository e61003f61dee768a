"""Loopback services that answer as every source does, from the recorded answers in tests/data (and, for Brå's
page, of which no copy exists, a page BUILT with the documented search form), and the replay of a folder of
answers that ``lagesbild check-sources`` kept."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pytest_httpserver import HTTPServer

from builders import FakeKolada, FakeMcf, deso_fixture, population_fixture
from conftest import BRA_XLSX, GEOJSON, SAMPLES
from lagesbild_cli.settings.config import Config, ServiceSettings

TODAY = date(2025, 12, 5)  # two days after the recorded Polisen snapshot
POLISEN = SAMPLES / "polisen" / "events_snapshot_2025-12-03.json"
KOLADA_META = SAMPLES / "kolada" / "kolada_v3_kpi_metadata_crime_ntu_DERIVED.json"
WORKBOOK = "/download/18.1/1/Gagnef.xlsx"
# BUILT: no copy of Brå's indicator page exists; this is the Sitevision GET search form its page is reported to
# have (input name="query", placeholder "Ange sökord") and a workbook link as the fetch looks for
BRA_PAGE = (
    '<!DOCTYPE html><html lang="sv"><head><title>Indikatorer för kommuners lägesbild - Brå</title></head><body>'
    '<form method="get" action="/statistik/indikatorer-for-kommuners-lagesbild" class="sv-searchform">'
    '<label for="q">Sök</label><input id="q" type="text" name="query" placeholder="Ange sökord"/>'
    '<button type="submit">Sök</button></form>'
    f'<ul><li><a href="{WORKBOOK}">Gagnef.xlsx</a></li></ul></body></html>'
)


def services(server: HTTPServer) -> None:
    """Every source on ``server``, answering as recorded. A test registers a broken answer first: the first
    handler that matches a request answers it."""
    server.expect_request("/bra").respond_with_data(BRA_PAGE, content_type="text/html; charset=utf-8")
    server.expect_request(WORKBOOK).respond_with_data((BRA_XLSX / "Gagnef.xlsx").read_bytes())
    server.expect_request("/api/events").respond_with_data(POLISEN.read_bytes(), content_type="application/json")
    server.expect_request("/api/v2/tables/TAB638/data").respond_with_data(population_fixture())
    server.expect_request("/api/v2/tables/TAB6574/data").respond_with_data(deso_fixture("2026"))
    server.expect_request("/geo.json").respond_with_data(GEOJSON.read_bytes())
    FakeKolada(server)
    FakeMcf(server)


# every source's live URL in a written lagesbild.toml, and where it is on the loopback services above
LIVE_URLS = (
    ("https://bra.se/statistik/indikatorer-for-kommuners-lagesbild", "bra"),
    ("https://polisen.se/api/events", "api/events"),
    ("https://statistikdatabasen.scb.se/api/v2", "api/v2"),
    ("https://api.kolada.se/v3", "v3"),
    ("https://statistik.mcf.se/PxWeb/api/v1/sv/PxData", "PxWeb/api/v1/sv/PxData"),
    ("https://raw.githubusercontent.com/okfse/sweden-geojson/master/swedish_municipalities.geojson", "geo.json"),
)


def point_urls_at(config_path: Path, base: str) -> None:
    """Rewrite a written lagesbild.toml so that every source's URL is under ``base``."""
    text = config_path.read_text(encoding="utf-8")
    for live, path in LIVE_URLS:
        assert live in text
        text = text.replace(live, f"{base}{path}")
    config_path.write_text(text, encoding="utf-8")


def pointed(config: Config, server: HTTPServer) -> Config:
    """The config with every source's URL on the loopback server of :func:`services`."""
    base = server.url_for("/")
    return replace(
        config,
        bra=replace(config.bra, page_url=f"{base}bra", urls={}),
        polisen=ServiceSettings(f"{base}api/events"),
        scb=ServiceSettings(f"{base}api/v2"),
        kolada=replace(config.kolada, url=f"{base}v3"),
        mcf=replace(config.mcf, url=f"{base}PxWeb/api/v1/sv/PxData"),
        geo=ServiceSettings(f"{base}geo.json"),
    )


def rebased(config: Config, server: HTTPServer) -> Config:
    """The config with every URL's host replaced by the loopback server's (paths kept), to replay answers."""

    def move(url: str) -> str:
        parts = urlsplit(url)
        return server.url_for(parts.path) + (f"?{parts.query}" if parts.query else "")

    return replace(
        config,
        bra=replace(
            config.bra, page_url=move(config.bra.page_url), urls={k: move(v) for k, v in config.bra.urls.items()}
        ),
        polisen=ServiceSettings(move(config.polisen.url)),
        scb=ServiceSettings(move(config.scb.url)),
        kolada=replace(config.kolada, url=move(config.kolada.url)),
        mcf=replace(config.mcf, url=move(config.mcf.url)),
        geo=ServiceSettings(move(config.geo.url)),
    )


def replay(server: HTTPServer, folder: Path) -> dict[str, Any]:
    """Serve every answer kept in ``folder`` at its URL's path (and query, when it has one); returns the index."""
    index: dict[str, Any] = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    answers = sorted(index["answers"], key=lambda a: not urlsplit(a["url"]).query)  # the ones with a query first
    for answer in answers:
        parts = urlsplit(answer["url"])
        server.expect_request(parts.path, method=answer["method"], query_string=parts.query or None).respond_with_data(
            (folder / answer["file"]).read_bytes(), status=answer["status"]
        )
    return index


def recorded_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
