"""Kolada v3 on a loopback server.

No complete raw Kolada answer exists in the samples, so the server BUILDS answers in the documented
v3 shape (data-sources.md §3, verify-kolada-scb.md §1): ``{"values": [...], "count", "next_url",
"previous_url"}``, values with ``gender``/``value``/``isdeleted``. KPI metadata and Gagnef's groups
are the DERIVED samples. Values for N07540 are Brå's real rates for Dalarna's kommuner, Dalarnas län
and riket; for the other 275 kommuner they are SYNTHETIC (a fixed formula), only to test ranking.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import BRA_LONG_CSV, SAMPLES, no_sleep
from lagesbild_cli import pipeline
from lagesbild_cli.config import Config, KoladaSettings
from lagesbild_cli.errors import ParseError
from lagesbild_cli.kommuner import all_kommuner, find_kommun
from lagesbild_cli.sources import kolada
from lagesbild_cli.store import open_store

KOLADA = SAMPLES / "kolada"
KPIS = ("N07540", "N07403")


def fixture_values() -> dict[tuple[str, str, int], float]:
    """(kpi, Kolada id, year) → value."""
    values: dict[tuple[str, str, int], float] = {}
    with BRA_LONG_CSV.open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            if r["variabel"] == "Totalt antal anmälda brott" and r["enhet"] == "Antal per 100 000 inv":
                geo = {"Dalarnas län": "0020", "Hela landet": "0000"}.get(r["geografi"])
                kommun = find_kommun(r["geografi"])
                values[("N07540", geo or kommun.kod, int(r["ar"]))] = float(r["varde"])  # type: ignore[union-attr]
    for k in all_kommuner():
        for year in range(2017, 2025):
            values.setdefault(("N07540", k.kod, year), 3000.0 + (int(k.kod) * 37 + year) % 9000)
            values[("N07403", k.kod, year)] = 400.0 + (int(k.kod) * 13 + year) % 900
    return values


VALUES = fixture_values()


def kolada_item(kpi: str, geo: str, year: int, value: float) -> dict[str, Any]:
    return {
        "values": [
            {"gender": "K", "count": 1, "status": "", "value": value * 1.1, "isdeleted": False},
            {"gender": "T", "count": 1, "status": "", "value": value, "isdeleted": False},
            {"gender": "M", "count": 1, "status": "", "value": value * 0.9, "isdeleted": False},
        ],
        "kpi": kpi,
        "period": year,
        "municipality": geo,
    }


class FakeKolada:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.segments: list[int] = []
        server.expect_request("/v3/kpi/N07540,N07403").respond_with_handler(self.kpi)
        server.expect_request("/v3/municipality_groups").respond_with_handler(self.groups)
        server.expect_request(__import__("re").compile(r"^/v3/data/.*")).respond_with_handler(self.data)

    def kpi(self, request: Request) -> Response:
        meta = json.loads((KOLADA / "kolada_v3_kpi_metadata_crime_ntu_DERIVED.json").read_text(encoding="utf-8"))
        wanted = request.path.rsplit("/", 1)[-1].split(",")
        return Response(json.dumps({"values": [v for v in meta["values"] if v["id"] in wanted], "count": 2}))

    def groups(self, request: Request) -> Response:
        assert request.args["title"] == "Gagnef"
        groups = json.loads((KOLADA / "kolada_v3_municipality_groups_gagnef_DERIVED.json").read_text(encoding="utf-8"))
        return Response(json.dumps({"values": groups["values"], "count": len(groups["values"])}))

    def data(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")  # v3 data kpi K municipality M year Y
        kpis, ids, years = parts[3].split(","), parts[5].split(","), [int(y) for y in parts[7].split(",")]
        self.segments.extend(len(p.split(",")) for p in (parts[3], parts[5], parts[7]))
        if max(len(kpis), len(ids), len(years)) > 25:
            return Response('{"error": "too many ids"}', status=422)
        items = [
            kolada_item(k, m, y, VALUES[(k, m, y)]) for k in kpis for m in ids for y in years if (k, m, y) in VALUES
        ]
        page = int(request.args.get("page", "1"))
        half = len(items) // 2
        if page == 1:  # split every answer over two pages, as Kolada does past per_page
            next_url = self.server.url_for(request.path) + "?page=2"
            return Response(json.dumps({"values": items[:half], "count": half, "next_url": next_url}))
        return Response(
            json.dumps({"values": items[half:], "count": len(items) - half, "next_url": None, "previous_url": "x"})
        )


@pytest.fixture
def kolada_config(httpserver: HTTPServer, config: Config) -> Config:
    return replace(config, kolada=KoladaSettings(url=httpserver.url_for("/v3"), kpis=KPIS, first_year=2017))


def test_fetch_chunks_ids_follows_pages_and_stores_metadata(httpserver: HTTPServer, kolada_config: Config) -> None:
    fake = FakeKolada(httpserver)
    report = pipeline.fetch(kolada_config, ["kolada"], sleep=no_sleep)
    assert not report.failed, report.failed
    assert max(fake.segments) <= 25
    with open_store(kolada_config.db_path) as store:
        assert store.rows(
            "select count(*) as n from raw_kolada_varden where kpi = 'N07540' and geo_niva = 'kommun' and ar = 2023"
        ) == [{"n": 290}]
        assert store.rows(
            "select varde from raw_kolada_varden where kpi = 'N07540' and geo_kod = '2026' and ar = 2023"
        ) == [{"varde": 4721.0}]
        assert store.rows(
            "select geo_kod, geo_niva from raw_kolada_varden where kpi = 'N07540' and ar = 2023 "
            "and geo_niva <> 'kommun' order by geo_kod"
        ) == [{"geo_kod": "00", "geo_niva": "riket"}, {"geo_kod": "20", "geo_niva": "lan"}]
        meta = store.rows("select titel, publiceringsdatum from raw_kolada_kpi where kpi = 'N07540'")
        assert meta == [{"titel": "Anmälda brott totalt, antal/100 000 inv", "publiceringsdatum": "2026-03-31"}]


def test_rank_in_sweden_matches_an_independent_ranking(httpserver: HTTPServer, kolada_config: Config) -> None:
    FakeKolada(httpserver)
    pipeline.fetch(kolada_config, ["kolada"], sleep=no_sleep)
    values = {k.kod: VALUES[("N07540", k.kod, 2023)] for k in all_kommuner()}
    expected = 1 + sum(v < values["2026"] for v in values.values())
    with open_store(kolada_config.db_path) as store:
        assert store.rows(
            "select rang_i_riket, antal_rankade from ind_kolada_rang_riket where kpi = 'N07540' "
            "and kommun_kod = '2026' and ar = 2023"
        ) == [{"rang_i_riket": expected, "antal_rankade": 290}]


def test_comparison_group_is_the_newest_overall_group(httpserver: HTTPServer, kolada_config: Config) -> None:
    FakeKolada(httpserver)
    pipeline.fetch(kolada_config, ["kolada"], sleep=no_sleep)
    members = ["0861", "1060", "1272", "1452", "1498", "1766", "2460"]
    mean = sum(VALUES[("N07540", m, 2023)] for m in members) / len(members)
    with open_store(kolada_config.db_path) as store:
        row = store.rows(
            "select * from ind_kolada_jamforelsegrupp where kommun_kod = '2026' and kpi = 'N07540' and ar = 2023"
        )[0]
    assert row["grupp_id"] == "G37372" and row["grupp"] == "Liknande kommuner, övergripande, Gagnef, 2025"
    assert row["grupp_medel"] == pytest.approx(mean) and row["medlemmar"] == row["medlemmar_med_varde"] == 7
    assert row["kommunens_varde"] == 4721.0


def test_a_422_is_reported_and_the_previous_files_stay(httpserver: HTTPServer, kolada_config: Config) -> None:
    FakeKolada(httpserver)
    pipeline.fetch(kolada_config, ["kolada"], sleep=no_sleep)
    folder = kolada_config.raw_dir / "kolada"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    httpserver.clear()
    httpserver.expect_request("/v3/kpi/N07540,N07403").respond_with_data('{"error": "x"}', status=422)
    report = pipeline.fetch(kolada_config, ["kolada"], sleep=no_sleep)
    assert report.failed and "answered HTTP 422" in report.failed[0].failures[0]
    assert len(httpserver.log) == 1  # the first call failed: no further calls
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_values_skip_null_deleted_and_other_genders() -> None:
    items = [
        kolada_item("N07540", "2026", 2023, 100.0),
        {
            "kpi": "N07540",
            "municipality": "2021",
            "period": 2023,
            "values": [{"gender": "T", "value": None, "isdeleted": False, "count": 1, "status": ""}],
        },
        {
            "kpi": "N07540",
            "municipality": "2023",
            "period": 2023,
            "values": [{"gender": "T", "value": 5.0, "isdeleted": True, "count": 1, "status": ""}],
        },
    ]
    frame = kolada.parse_values(json.dumps({"values": items}).encode(), "x")
    assert frame.to_dicts() == [{"kpi": "N07540", "geo_kod": "2026", "geo_niva": "kommun", "ar": 2023, "varde": 100.0}]


def test_the_real_kolada_answer_parses() -> None:
    frame = kolada.parse_values((KOLADA / "kolada_v3_data_N21704_2023_5kommuner.json").read_bytes(), "x")
    assert frame.height == 5 and frame.filter(geo_kod="0180")["varde"].to_list() == [21.88749]


def test_a_non_kolada_answer_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="has no 'values' list"):
        kolada.parse_values(b'{"error": "This endpoint is deprecated. Please use /v3 instead."}', "v2 answer")
