"""SCB population through PxWebApi v2 on a loopback server, with answers built by builders.py."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pytest_httpserver import HTTPServer

from builders import SCB, deso_fixture, population_fixture
from conftest import no_sleep
from lagesbild_cli import pipeline
from lagesbild_cli.database.store import open_store
from lagesbild_cli.errors import ParseError
from lagesbild_cli.settings.config import Config, ServiceSettings
from lagesbild_cli.sources import scb


def test_decoder_reads_scbs_real_answers() -> None:
    _, rows = scb.decode_jsonstat2((SCB / "pxweb_v2_TAB638_data_riket_1cell.jsonstat2.json").read_bytes(), "x")
    assert rows == [
        {
            "Region": "00",
            "Civilstand": "OG",
            "Alder": "0",
            "Kon": "1",
            "ContentsCode": "BE0101N1",
            "Tid": "2024",
            "value": 50937,
        }
    ]
    labels, rows = scb.decode_jsonstat2((SCB / "pxweb_v2_TAB6471_data.jsonstat2.json").read_bytes(), "x")
    assert len(rows) == 21 * 11 * 3 * 4 and labels["Region"]["20"] == "Dalarnas län"


def test_population_needs_totals() -> None:
    with pytest.raises(ParseError, match="expected totals but dimension 'Alder'"):
        scb.parse_population((SCB / "pxweb_v2_TAB6471_data.jsonstat2.json").read_bytes(), "TAB6471.json")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html>503</html>", "is not a json-stat2 dataset"),
        (
            b'{"id": ["Region"], "size": [2], "dimension": {"Region": {"category": {"index": {"00": 0}}}}, '
            b'"value": []}',
            "has 1 categories but size says 2",
        ),
    ],
)
def test_bad_answers_are_parse_errors(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        scb.parse_population(data, "answer")


def test_fetch_stores_population_per_kommun_lan_riket_and_deso(httpserver: HTTPServer, config: Config) -> None:
    httpserver.expect_request(
        "/api/v2/tables/TAB638/data",
        query_string={
            "lang": "sv",
            "outputFormat": "json-stat2",
            "valueCodes[Region]": "*",
            "valueCodes[ContentsCode]": "BE0101N1",
            "valueCodes[Tid]": "*",
        },
    ).respond_with_data(population_fixture())
    httpserver.expect_request("/api/v2/tables/TAB6574/data").respond_with_data(deso_fixture("2026"))
    cfg = replace(config, scb=ServiceSettings(url=httpserver.url_for("/api/v2")))
    report = pipeline.fetch(cfg, ["scb"], sleep=no_sleep)
    assert not report.failed and report.results[0].fetched == 2
    deso_request = httpserver.log[1][0]
    assert deso_request.args["valueCodes[Region]"] == "2026*" and deso_request.args["codelist[Region]"] == "vs_DeSO2025"
    with open_store(cfg.db_path) as store:
        assert store.rows("select folkmangd from raw_scb_folkmangd where region_kod = '2026' and ar = 2024") == [
            {"folkmangd": 10383}
        ]
        assert store.rows("select niva, count(*) as n from raw_scb_folkmangd group by niva order by niva") == [
            {"niva": "kommun", "n": 290},
            {"niva": "lan", "n": 21},
            {"niva": "riket", "n": 1},
        ]
        deso = store.rows("select deso_kod, folkmangd from raw_scb_folkmangd_deso where ar = 2024 order by deso_kod")
    assert [d["deso_kod"] for d in deso] == [
        "2026A0010",
        "2026A0020",
        "2026B2010",
        "2026B3010",
        "2026C1010",
        "2026C1020",
    ]
    assert sum(d["folkmangd"] for d in deso) == 10384  # SCB's noise: parts need not sum to the kommun total


def test_an_unchanged_table_is_not_downloaded_again(httpserver: HTTPServer, config: Config) -> None:
    from werkzeug import Request, Response

    bodies = {"TAB638": population_fixture(), "TAB6574": deso_fixture("2026")}
    sent: list[int] = []

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"same"':
            sent.append(0)
            return Response(status=304)
        body = bodies[request.path.split("/")[-2]]
        sent.append(len(body))
        return Response(body, headers={"ETag": '"same"'})

    httpserver.expect_request("/api/v2/tables/TAB638/data").respond_with_handler(handler)
    httpserver.expect_request("/api/v2/tables/TAB6574/data").respond_with_handler(handler)
    cfg = replace(config, scb=ServiceSettings(url=httpserver.url_for("/api/v2")))
    pipeline.fetch(cfg, ["scb"], sleep=no_sleep)
    before = (cfg.raw_dir / scb.POPULATION).read_bytes()
    second = pipeline.fetch(cfg, ["scb"], sleep=no_sleep)
    assert second.results[0].unchanged == 2 and second.results[0].fetched == 0
    assert sent[2:] == [0, 0]  # no body the second time
    assert (cfg.raw_dir / scb.POPULATION).read_bytes() == before
