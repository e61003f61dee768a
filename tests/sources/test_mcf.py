"""MCF's PxWeb v1 table B11 on a loopback server.

No recorded answer from statistik.mcf.se exists, so FakeMcf (builders.py) answers in PxWeb v1's
documented shape with SYNTHETIC counts; Uppsala 2024 carries the totals reported for the real table.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from pytest_httpserver import HTTPServer

from builders import MCF_ORDER, MCF_TYPES, UPPSALA_2024, FakeMcf, mcf_count, mcf_variables
from conftest import no_sleep
from lagesbild_cli import pipeline
from lagesbild_cli.database.store import open_store
from lagesbild_cli.errors import ParseError
from lagesbild_cli.settings.config import Config, McfSettings
from lagesbild_cli.settings.kommuner import kommuner_in_lan
from lagesbild_cli.sources import mcf


def mcf_config(server: HTTPServer, config: Config) -> Config:
    return replace(config, mcf=McfSettings(url=server.url_for("/PxWeb/api/v1/sv/PxData"), table="B/B1/B11", years=10))


def counts(config: Config) -> dict[str, list[dict[str, object]]]:
    with open_store(config.db_path) as store:
        return {
            table: store.rows(f"select * from {table} order by all")
            for table in ("raw_mcf_handelser", "raw_mcf_manad", "raw_mcf_timme", "raw_mcf_typer")
        }


def test_fetch_selects_by_code_and_keeps_alarms_apart(httpserver: HTTPServer, config: Config) -> None:
    fake = FakeMcf(httpserver)
    cfg = mcf_config(httpserver, config)
    report = pipeline.fetch(cfg, ["mcf"], sleep=no_sleep)
    assert not report.failed, report.failed[0].failures if report.failed else None
    first = fake.queries[0]["query"]
    assert [q["code"] for q in first] == ["kommun", "ar", "konvHandelsetypId"]  # the rest eliminated
    assert first[1]["selection"]["values"] == [str(y) for y in range(2016, 2026)]  # the newest ten years
    with open_store(cfg.db_path) as store:
        uppsala = {
            r["typ"]: r["antal"]
            for r in store.rows("select typ, antal from raw_mcf_handelser where kommun_kod = '0380' and ar = 2024")
        }
        assert uppsala == UPPSALA_2024
        rows = {
            r["kategori"]: r["antal"]
            for r in store.rows("select * from ind_raddning_insatser where geo_kod = '0380' and ar = 2024")
        }
        # 1 231 events, of which 465 automatic alarms and 122 without risk are not incidents
        assert sum(UPPSALA_2024.values()) == 1231
        assert rows["olyckor"] == 1231 - 465 - 122
        assert rows["automatlarm"] == 465 and rows["utan_risk"] == 122 and rows["brand_byggnad"] == 171
        # '..' is missing, not zero
        assert store.rows(
            "select antal from raw_mcf_handelser where kommun_kod = '2026' and ar = 2016 and typ = '12'"
        ) == [{"antal": None}]
        # the län is the sum of its kommuner
        lan = store.rows(
            "select antal from ind_raddning_insatser where geo_kod = '20' and ar = 2024 and kategori = 'brand_byggnad'"
        )[0]["antal"]
        dalarna = kommuner_in_lan("20")
        assert lan == sum(mcf_count(k.kod, "2024", "1") or 0 for k in dalarna)
        # by month and by hour for the kommun only, adding up to the year
        by_month = store.rows(
            "select sum(antal) as n from raw_mcf_manad where kommun_kod = '2026' and ar = 2024 and typ = '1'"
        )
        by_hour = store.rows(
            "select sum(antal) as n from raw_mcf_timme where kommun_kod = '2026' and ar = 2024 and typ = '1'"
        )
        assert by_month == by_hour == [{"n": mcf_count("2026", "2024", "1")}]
        assert store.rows("select distinct kommun_kod from raw_mcf_manad order by 1") == [
            {"kommun_kod": k.kod} for k in sorted(dalarna, key=lambda k: k.kod)
        ]  # every kommun of the län, for batch builds
        labels = {r["typ"]: (r["typ_text"], r["grupp"]) for r in store.rows("select * from raw_mcf_typer")}
        assert labels["14"] == (MCF_TYPES["14"], "automatlarm") and labels["15"][1] == "utan_risk"
        assert labels["1"][1] == "olycka"


def test_a_change_in_variable_order_gives_the_same_data(httpserver: HTTPServer, config: Config) -> None:
    first = mcf_config(httpserver, config)
    FakeMcf(httpserver)
    pipeline.fetch(first, ["mcf"], sleep=no_sleep)
    before = counts(first)
    httpserver.clear()
    reordered = list(reversed(MCF_ORDER))  # ar first, kommun last: keys come in this order now
    FakeMcf(httpserver, order=reordered)
    pipeline.fetch(first, ["mcf"], sleep=no_sleep)
    assert counts(first) == before
    assert before["raw_mcf_handelser"]


@pytest.mark.parametrize("marker", ["..", ".", "-"])
def test_missing_value_markers_are_null_not_zero(marker: str) -> None:
    answer = {
        "columns": [
            {"code": "konvHandelsetypId", "text": "typ", "type": "d"},
            {"code": "kommun", "text": "kommun", "type": "d"},
            {"code": "ar", "text": "år", "type": "t"},
            {"code": "B1101", "text": "Antal", "type": "c"},
        ],
        "data": [{"key": ["1", "2026", "2024"], "values": [marker]}, {"key": ["3", "2026", "2024"], "values": ["7"]}],
    }
    frame = mcf.parse_data(json.dumps(answer).encode(), "answer")
    assert frame.select("typ", "antal").rows() == [("1", None), ("3", 7)]


def test_an_unknown_kommun_code_names_the_row() -> None:
    answer = {
        "columns": [
            {"code": "kommun", "type": "d"},
            {"code": "ar", "type": "t"},
            {"code": "konvHandelsetypId", "type": "d"},
            {"code": "x", "type": "c"},
        ],
        "data": [{"key": ["2026", "2024", "1"], "values": ["1"]}, {"key": ["9999", "2024", "1"], "values": ["1"]}],
    }
    with pytest.raises(ParseError, match="data row 2: kommun '9999'"):
        mcf.parse_data(json.dumps(answer).encode(), "answer")


def test_a_variable_that_can_no_longer_be_left_out_stops_with_its_name(httpserver: HTTPServer, config: Config) -> None:
    variables = mcf_variables(MCF_ORDER)
    for v in variables:
        if v["code"] == "plats":
            v["elimination"] = False
    httpserver.expect_request("/PxWeb/api/v1/sv/PxData/B/B1/B11", method="GET").respond_with_json(
        {"title": "B11", "variables": variables}
    )
    cfg = mcf_config(httpserver, config)
    report = pipeline.fetch(cfg, ["mcf"], sleep=no_sleep)
    assert report.failed and "'plats'" in report.failed[0].failures[0]
    assert not (cfg.raw_dir / mcf.ALL_KOMMUNER).exists()


def test_a_failed_fetch_keeps_the_previous_data(httpserver: HTTPServer, config: Config) -> None:
    FakeMcf(httpserver)
    cfg = mcf_config(httpserver, config)
    pipeline.fetch(cfg, ["mcf"], sleep=no_sleep)
    before = (cfg.raw_dir / mcf.ALL_KOMMUNER).read_bytes()
    httpserver.clear()
    httpserver.expect_request("/PxWeb/api/v1/sv/PxData/B/B1/B11", method="GET").respond_with_json(
        {"title": "B11", "variables": mcf_variables(MCF_ORDER)}
    )
    httpserver.expect_request("/PxWeb/api/v1/sv/PxData/B/B1/B11", method="POST").respond_with_data(
        "<html>Fel</html>", status=200
    )
    report = pipeline.fetch(cfg, ["mcf"], sleep=no_sleep)
    assert report.failed and "not valid JSON" in report.failed[0].failures[0]
    assert (cfg.raw_dir / mcf.ALL_KOMMUNER).read_bytes() == before


def test_the_hour_variable_is_found_by_its_label_when_its_code_is_new(httpserver: HTTPServer, config: Config) -> None:
    order = [c if c != "timme" else "klocktimme" for c in MCF_ORDER]
    variables = mcf_variables(MCF_ORDER)
    for v in variables:
        if v["code"] == "timme":
            v["code"] = "klocktimme"
    found = mcf.parse_metadata(json.dumps({"variables": variables}).encode(), "meta")
    assert mcf.hour_code(found) == "klocktimme"
    assert order.index("klocktimme") == MCF_ORDER.index("timme")
