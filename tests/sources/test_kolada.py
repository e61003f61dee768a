"""Kolada v3 on a loopback server, with answers built by builders.py in the documented v3 shape."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from pytest_httpserver import HTTPServer

from builders import KOLADA, KPIS, VALUES, FakeKolada, kolada_item
from conftest import no_sleep
from lagesbild_cli import pipeline
from lagesbild_cli.database.store import open_store
from lagesbild_cli.errors import ParseError
from lagesbild_cli.settings.config import Config, KoladaSettings
from lagesbild_cli.settings.kommuner import all_kommuner
from lagesbild_cli.sources import kolada


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
    metadata = re.compile(r"^/v3/kpi/N07540,N07403(,|$)")  # the configured KPIs, then the factors' (context/factors.py)
    httpserver.expect_request(metadata).respond_with_data('{"error": "x"}', status=422)
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
