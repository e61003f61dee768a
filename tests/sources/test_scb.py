"""SCB population through PxWebApi v2 on a loopback server.

SCB's real json-stat2 answers in the samples hold only one cell (riket) or other tables, so the
fixtures here are BUILT in the same json-stat2 shape from the real figures in the sample CSVs:
290 kommuner 2024 (crimecity3k copy of SCB's table) and Dalarna's DeSO 2022–2024. The län and
riket totals in the built fixture are sums of those kommuner (SCB would send its own totals).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import replace
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from conftest import SAMPLES, no_sleep
from lagesbild_cli import pipeline
from lagesbild_cli.config import Config, ServiceSettings
from lagesbild_cli.errors import ParseError
from lagesbild_cli.kommuner import lan_by_code
from lagesbild_cli.sources import scb
from lagesbild_cli.store import open_store

SCB = SAMPLES / "scb"


def jsonstat2(dimensions: list[tuple[str, list[str], dict[str, str]]], values: list[Any]) -> bytes:
    """A json-stat2 dataset in SCB's shape (id, size, dimension.category.index/label, flat value)."""
    return json.dumps(
        {
            "version": "2.0",
            "class": "dataset",
            "label": "built fixture",
            "source": "SCB",
            "id": [d[0] for d in dimensions],
            "size": [len(d[1]) for d in dimensions],
            "dimension": {
                name: {
                    "label": name,
                    "category": {
                        "index": {c: i for i, c in enumerate(codes)},
                        "label": {c: labels.get(c, c) for c in codes},
                    },
                }
                for name, codes, labels in dimensions
            },
            "value": values,
        },
        ensure_ascii=False,
    ).encode("utf-8")


def population_fixture() -> bytes:
    with (SCB / "folkmangd_kommuner_2024_crimecity3k.csv").open(encoding="utf-8") as handle:
        kommuner = {r["kommun_kod"]: (r["kommun_namn"], int(r["population"])) for r in csv.DictReader(handle)}
    lan_sum: dict[str, int] = defaultdict(int)
    for code, (_, n) in kommuner.items():
        lan_sum[code[:2]] += n
    regions = ["00", *sorted(lan_sum), *sorted(kommuner)]
    labels = {"00": "Riket", **{c: lan_by_code()[c].namn for c in lan_sum}, **{c: v[0] for c, v in kommuner.items()}}
    values = [
        sum(lan_sum.values()),
        *(lan_sum[c] for c in sorted(lan_sum)),
        *(kommuner[c][1] for c in sorted(kommuner)),
    ]
    return jsonstat2(
        [("Region", regions, labels), ("ContentsCode", ["BE0101N1"], {"BE0101N1": "Folkmängd"}), ("Tid", ["2024"], {})],
        values,
    )


def deso_fixture(kommun: str) -> bytes:
    with (SCB / "folkmangd_deso_dalarna_2022-2024.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Kommunkod"] == kommun]
    codes = sorted({f"{r['desokod']}_DeSO2025" for r in rows})
    years = sorted({r["år"] for r in rows})
    value = {(f"{r['desokod']}_DeSO2025", r["år"]): int(r["bef"]) for r in rows}
    return jsonstat2(
        [
            ("Region", codes, {}),
            ("Alder", ["totalt"], {}),
            ("Kon", ["1+2"], {}),
            ("ContentsCode", ["000007Y7"], {}),
            ("Tid", years, {}),
        ],
        [value.get((c, y)) for c in codes for y in years],
    )


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
