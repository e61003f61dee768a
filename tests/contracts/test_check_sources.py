"""``lagesbild check-sources`` against loopback servers: the recorded answers pass; a renamed field, a missing
variable code, a kommun missing from a code list, an empty answer and an HTML error page sent with status 200
are each reported as "changed" with what changed; an unreachable host is "unreachable", not a broken contract."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from builders import MCF_ORDER, mcf_variables, population_fixture
from conftest import GEOJSON, no_sleep, write_config
from contract_services import (
    BRA_PAGE,
    KOLADA_META,
    POLISEN,
    TODAY,
    WORKBOOK,
    point_urls_at,
    pointed,
    recorded_json,
    services,
)
from lagesbild_cli import pipeline
from lagesbild_cli.cli import app
from lagesbild_cli.contracts.run import ContractReport
from lagesbild_cli.settings.config import Config, ServiceSettings

SOURCES = ["bra", "polisen", "scb", "kolada", "mcf", "geo"]


def check(config: Config, server: HTTPServer, out: Path) -> ContractReport:
    services(server)
    return pipeline.check_sources(pointed(config, server), out=out, sleep=no_sleep, today=TODAY)


def lines(report: ContractReport) -> dict[str, str]:
    return {o.source: o.line() for o in report.outcomes}


def test_the_recorded_answers_of_every_source_pass(config: Config, httpserver: HTTPServer, tmp_path: Path) -> None:
    report = check(config, httpserver, tmp_path / "answers")
    assert [(o.source, o.status) for o in report.outcomes] == [(s, "ok") for s in SOURCES], lines(report)
    shown = lines(report)
    assert shown["scb"].startswith("scb      ok: TAB638 290 kommuner, newest 2024; TAB6574 ")
    assert "500 events, newest 2025-12-03" in shown["polisen"]
    assert "Gagnef's workbook: " in shown["bra"] and "the page has its search form" in shown["bra"]
    assert shown["geo"] == "geo      ok: 290 kommuner"
    # every answer is kept with its URL, time, status and sha256
    index = json.loads((tmp_path / "answers" / "index.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in index["results"]] == ["ok"] * 6
    names = [(a["source"], a["name"], a["method"]) for a in index["answers"]]
    assert ("scb", "TAB638", "GET") in names and ("mcf", "b11_query", "POST") in names
    assert ("kolada", "data_p2", "GET") in names  # Kolada's next_url is followed
    events = next(a for a in index["answers"] if a["source"] == "polisen")
    assert events["url"].endswith("/api/events?locationname=Dalarnas+l%C3%A4n%3BGagnef")
    assert events["status"] == 200 and events["retrieved_at"].endswith("+00:00")
    assert (tmp_path / "answers" / events["file"]).read_bytes() == POLISEN.read_bytes()
    assert events["sha256"] == hashlib.sha256(POLISEN.read_bytes()).hexdigest()
    query = next(a for a in index["answers"] if a["name"] == "b11_query")
    assert {"code": "kommun", "selection": {"filter": "item", "values": ["2026"]}} in query["body"]["query"]


def polisen_renamed(server: HTTPServer) -> None:
    events = recorded_json(POLISEN)
    events[3]["place"] = events[3].pop("location")
    server.expect_request("/api/events").respond_with_json(events)


def kolada_title_renamed(server: HTTPServer) -> None:
    meta = [v for v in recorded_json(KOLADA_META)["values"] if v["id"] == "N07540"]
    meta[0]["titel"] = meta[0].pop("title")
    server.expect_request("/v3/kpi/N07540").respond_with_json({"values": meta, "count": 1})


def mcf_without(code: str) -> Callable[[HTTPServer], None]:
    def register(server: HTTPServer) -> None:
        variables = mcf_variables([c for c in MCF_ORDER if c != code])
        server.expect_request("/PxWeb/api/v1/sv/PxData/B/B1/B11", method="GET").respond_with_json(
            {"title": "B11", "variables": variables}
        )

    return register


def scb_without_tid(server: HTTPServer) -> None:
    doc = json.loads(population_fixture())
    doc["id"], doc["size"] = doc["id"][:2], doc["size"][:2]
    del doc["dimension"]["Tid"]
    server.expect_request("/api/v2/tables/TAB638/data").respond_with_json(doc)


def scb_without_gagnef(server: HTTPServer) -> None:
    doc = json.loads(population_fixture())
    regions = list(doc["dimension"]["Region"]["category"]["index"])
    at = regions.index("2026")
    del regions[at], doc["value"][at]
    doc["dimension"]["Region"]["category"]["index"] = {c: i for i, c in enumerate(regions)}
    doc["size"][0] -= 1
    server.expect_request("/api/v2/tables/TAB638/data").respond_with_json(doc)


def mcf_without_kommun(server: HTTPServer) -> None:
    variables = mcf_variables(MCF_ORDER)
    kommun = variables[0]
    at = kommun["values"].index("2084")
    del kommun["values"][at], kommun["valueTexts"][at]
    server.expect_request("/PxWeb/api/v1/sv/PxData/B/B1/B11", method="GET").respond_with_json(
        {"title": "B11", "variables": variables}
    )


def geo_without_kommun(server: HTTPServer) -> None:
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if f["properties"]["id"] != "0180"]
    server.expect_request("/geo.json").respond_with_json(doc)


ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Tjänsten är tillfälligt otillgänglig</title></head>"
    "<body><h1>Vi har tekniska problem</h1></body></html>"
)
BROKEN: dict[str, tuple[Callable[[HTTPServer], None], str, str]] = {
    "renamed field (Polisen)": (polisen_renamed, "polisen", "events: the answer from http://localhost"),
    "renamed field (Kolada)": (
        kolada_title_renamed,
        "kolada",
        "KPI metadata: KPI N07540 lacks the key title; new key: titel",
    ),
    "missing variable code (MCF)": (mcf_without("ar"), "mcf", "the table has no variable 'ar'"),
    "missing variable code (SCB)": (scb_without_tid, "scb", "TAB638: the answer from"),
    "a kommun missing (SCB)": (
        scb_without_gagnef,
        "scb",
        "TAB638: the region list lacks 1 of 290 kommuner (2026 Gagnef)",
    ),
    "a kommun missing (MCF)": (
        mcf_without_kommun,
        "mcf",
        "B11's variable 'kommun' lacks 1 of 290 kommuner (2084 Avesta)",
    ),
    "a kommun missing (geo)": (geo_without_kommun, "geo", "boundaries: 1 of 290 kommuner are missing (0180 Stockholm)"),
    "empty answer (Polisen)": (
        lambda s: s.expect_request("/api/events").respond_with_data(b""),
        "polisen",
        "answered nothing (an empty answer, HTTP 200)",
    ),
    "empty list (Polisen)": (
        lambda s: s.expect_request("/api/events").respond_with_json([]),
        "polisen",
        "answered an empty list: no events",
    ),
    "HTML error page with status 200 (SCB)": (
        lambda s: s.expect_request("/api/v2/tables/TAB6574/data").respond_with_data(
            ERROR_PAGE, content_type="text/html"
        ),
        "scb",
        "TAB6574: http://localhost",
    ),
    "HTML page without the search form (Brå)": (
        lambda s: s.expect_request("/bra").respond_with_data("<html><body><p>Sidan har flyttat</p></body></html>"),
        "bra",
        "indicator page: http://localhost",
    ),
    "HTTP 404 (Kolada)": (
        lambda s: s.expect_request("/v3/kpi/N07540").respond_with_data("Not found", status=404),
        "kolada",
        "answered HTTP 404 when fetching Kolada's KPI metadata",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_contract_is_reported_as_changed_with_what_changed(
    case: str, config: Config, httpserver: HTTPServer, tmp_path: Path
) -> None:
    register, source, what = BROKEN[case]
    register(httpserver)  # registered first, so it answers instead of the recorded answer
    report = check(config, httpserver, tmp_path / "answers")
    outcomes = {o.source: o for o in report.outcomes}
    assert outcomes[source].status == "changed", outcomes[source]
    assert what in outcomes[source].detail, outcomes[source].detail
    assert [o.source for o in report.changed] == [source]  # the other sources still pass
    assert outcomes[source].line().startswith(f"{source:<8} changed: ")


def test_what_each_break_names(config: Config, httpserver: HTTPServer, tmp_path: Path) -> None:
    """The messages the parametrized cases match by their start say the whole change."""
    for register in (polisen_renamed, scb_without_tid):
        register(httpserver)
    httpserver.expect_request("/api/v2/tables/TAB6574/data").respond_with_data(ERROR_PAGE, content_type="text/html")
    httpserver.expect_request("/bra").respond_with_data("<html><body><p>Sidan har flyttat</p></body></html>")
    details = {o.source: o.detail for o in check(config, httpserver, tmp_path / "answers").outcomes}
    assert "event 4: lacks location" in details["polisen"]
    assert "has no dimension 'Tid'" in details["scb"]
    assert "answered an HTML page ('Tjänsten är tillfälligt otillgänglig') instead of JSON" in details["scb"]
    assert "has no search form (a <form> with a named text field)" in details["bra"]


def test_brå_workbook_found_through_the_pages_own_search(
    config: Config, httpserver: HTTPServer, tmp_path: Path
) -> None:
    """With no workbook link on the page, the check sends the page's search form for the kommun, as the fetch
    does, and checks the workbook its answer links to; an answer without a hit is a note, not a break."""
    page = BRA_PAGE.split("<ul>")[0] + "</body></html>"
    hit = f'<html><body><ol class="hits"><li><a href="{WORKBOOK}">Gagnef.xlsx</a></li></ol></body></html>'
    httpserver.expect_request(
        "/statistik/indikatorer-for-kommuners-lagesbild", query_string={"query": "Gagnef"}
    ).respond_with_data(hit, content_type="text/html")
    httpserver.expect_request("/bra").respond_with_data(page, content_type="text/html")
    report = check(config, httpserver, tmp_path / "answers")
    bra_line = lines(report)["bra"]
    assert bra_line.startswith("bra      ok: ") and "the page's search finds the workbook" in bra_line
    assert "Gagnef's workbook: " in bra_line
    index = json.loads((tmp_path / "answers" / "index.json").read_text(encoding="utf-8"))
    search = next(a for a in index["answers"] if a["source"] == "bra" and a["name"] == "search")
    assert search["url"].endswith("/statistik/indikatorer-for-kommuners-lagesbild?query=Gagnef")


def test_brå_search_without_hits_is_noted_not_broken(config: Config, httpserver: HTTPServer, tmp_path: Path) -> None:
    page = BRA_PAGE.split("<ul>")[0] + "</body></html>"
    httpserver.expect_request("/statistik/indikatorer-for-kommuners-lagesbild").respond_with_data(
        "<html><body><div id='hits'></div></body></html>", content_type="text/html"
    )
    httpserver.expect_request("/bra").respond_with_data(page, content_type="text/html")
    report = check(config, httpserver, tmp_path / "answers")
    bra_line = lines(report)["bra"]
    assert bra_line.startswith("bra      ok: ") and "its hits come by script" in bra_line


def test_an_unreachable_host_is_unreachable_not_a_broken_contract(
    config: Config, httpserver: HTTPServer, tmp_path: Path
) -> None:
    services(httpserver)
    cfg = replace(pointed(config, httpserver), polisen=ServiceSettings("http://127.0.0.1:9/api/events"))
    report = pipeline.check_sources(cfg, out=tmp_path / "answers", sleep=no_sleep, today=TODAY)
    outcomes = {o.source: o for o in report.outcomes}
    assert outcomes["polisen"].status == "unreachable"
    assert outcomes["polisen"].line() == "polisen  unreachable: no connection: 127.0.0.1:9 refused the connection"
    assert report.changed == [] and [o.source for o in report.unreachable] == ["polisen"]
    index = json.loads((tmp_path / "answers" / "index.json").read_text(encoding="utf-8"))
    failed = next(a for a in index["answers"] if a["source"] == "polisen")
    assert failed["file"] is None and failed["status"] is None and "refused" in failed["error"]


def test_a_server_error_is_unreachable_but_a_404_is_changed(
    config: Config, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/geo.json").respond_with_data("busy", status=503)
    httpserver.expect_request("/api/v2/tables/TAB638/data").respond_with_data("gone", status=404)
    outcomes = {o.source: o for o in check(config, httpserver, tmp_path / "answers").outcomes}
    assert outcomes["geo"].status == "unreachable" and "HTTP 503" in outcomes["geo"].detail
    assert outcomes["scb"].status == "changed" and "TAB638: " in outcomes["scb"].detail
    assert "TAB6574" not in outcomes["scb"].detail  # the next answer is still checked, and passes


def run_cli(config_path: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["check-sources", "--config", str(config_path), *args])


@pytest.fixture
def loopback_config(tmp_path: Path, httpserver: HTTPServer) -> Path:
    """A lagesbild.toml whose URLs point at the loopback services."""
    path = write_config(tmp_path)
    point_urls_at(path, httpserver.url_for("/"))
    return path


def test_the_command_prints_a_line_per_source_and_exits_1_on_a_change(
    loopback_config: Path, httpserver: HTTPServer, tmp_path: Path
) -> None:
    scb_without_gagnef(httpserver)
    services(httpserver)
    result = run_cli(loopback_config, "--out", str(tmp_path / "seen"), "--source", "scb", "--source", "geo")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[:2] == [
        "scb      changed: TAB638: the region list lacks 1 of 290 kommuner (2026 Gagnef)",
        "geo      ok: 290 kommuner",
    ]
    assert f"Answers: {tmp_path / 'seen'}" in result.stdout
    assert "Error: the format of scb has changed" in result.stderr
    assert (tmp_path / "seen" / "index.json").is_file()


def test_the_command_warns_but_passes_when_a_source_cannot_be_reached(
    loopback_config: Path, httpserver: HTTPServer, tmp_path: Path
) -> None:
    text = loopback_config.read_text(encoding="utf-8")
    loopback_config.write_text(text.replace(httpserver.url_for("/") + "geo.json", "http://127.0.0.1:9/geo.json"))
    services(httpserver)
    result = run_cli(loopback_config, "--source", "geo", "--source", "mcf")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "mcf      ok: B11 290 kommuner, 14 types, years 2014–2025; Gagnef 301 incidents in 2024, 2025",
        "geo      unreachable: no connection: 127.0.0.1:9 refused the connection",
    ]
    assert "Warning: geo could not be reached" in result.stderr
    folders = list((tmp_path / "data" / "contracts").iterdir())  # the default folder: data/contracts/<UTC time>/
    assert len(folders) == 1 and (folders[0] / "index.json").is_file()


def test_when_no_source_can_be_reached_nothing_was_checked_and_the_command_fails(
    loopback_config: Path, httpserver: HTTPServer
) -> None:
    text = loopback_config.read_text(encoding="utf-8")
    base = httpserver.url_for("/")
    loopback_config.write_text(
        text.replace(base + "geo.json", "http://127.0.0.1:9/geo.json").replace(base, "http://127.0.0.1:9/")
    )
    result = run_cli(loopback_config)
    assert result.exit_code == 1, result.output
    assert [line.split()[1] for line in result.stdout.splitlines()[:6]] == ["unreachable:"] * 6
    assert "Error: no source could be reached: check the network" in result.stderr


def test_out_must_be_a_new_or_empty_folder(loopback_config: Path, httpserver: HTTPServer, tmp_path: Path) -> None:
    services(httpserver)
    a_file = tmp_path / "answers.txt"
    a_file.write_text("mine", encoding="utf-8")
    result = run_cli(loopback_config, "--source", "geo", "--out", str(a_file))
    assert result.exit_code == 1 and f"{a_file} is a file, not a folder (--out)" in result.stderr
    assert a_file.read_text(encoding="utf-8") == "mine"
    used = tmp_path / "used"
    assert run_cli(loopback_config, "--source", "geo", "--out", str(used)).exit_code == 0
    before = (used / "index.json").read_bytes()
    result = run_cli(loopback_config, "--source", "mcf", "--out", str(used))
    assert result.exit_code == 1 and f"{used} already holds files (--out)" in result.stderr
    assert (used / "index.json").read_bytes() == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli(loopback_config, "--source", "geo", "--out", str(empty)).exit_code == 0


def test_a_source_without_a_check_is_a_usage_error(loopback_config: Path) -> None:
    for command in ("check-sources", "fetch"):
        result = CliRunner().invoke(app, [command, "--config", str(loopback_config), "--source", "survey"])
        assert result.exit_code == 2, (command, result.output)
        assert "'survey' is not a source" in result.stderr and "bra, polisen, scb, kolada, mcf, geo" in result.stderr
