"""Polisen's events: both formats, the archive that never loses an event, and polite fetching."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from conftest import POLISEN_ARCHIVE, SAMPLES, store_raw
from lagesbild_cli import pipeline
from lagesbild_cli.database.store import open_store
from lagesbild_cli.errors import ParseError
from lagesbild_cli.settings.config import Config, ServiceSettings
from lagesbild_cli.sources import polisen
from lagesbild_cli.storage.raw import Manifest

POLISEN = SAMPLES / "polisen"
SNAPSHOT_2025 = POLISEN / "events_snapshot_2025-12-03.json"
SNAPSHOT_2026 = POLISEN / "events_snapshot_2026-08-22_county_only.json"
ARCHIVE = POLISEN_ARCHIVE


def parsed(path: Path):  # type: ignore[no-untyped-def]
    return polisen.parse(path.read_bytes(), path.name)


@pytest.mark.parametrize("path", [SNAPSHOT_2025, ARCHIVE])
def test_the_gagnef_fire_is_found_and_placed_in_gagnef(path: Path) -> None:
    row = parsed(path).filter(id=615861).row(0, named=True)
    assert (row["kommun_kod"], row["lan_kod"], row["typ"]) == ("2026", "20", "Brand")
    assert row["url"] == "https://polisen.se/aktuellt/handelser/2025/december/3/03-december-15.11-brand-gagnef/"
    assert str(row["datum"]) == "2025-12-03" and row["timme"] == 15 and row["manad"] == "2025-12"
    assert row["gps_lat"] == pytest.approx(60.590983)


def test_county_only_events_get_their_kommun_from_the_title() -> None:
    events = parsed(SNAPSHOT_2026)
    assert set(events["plats"].str.ends_with("län")) == {True}  # the 2026 format: location is always a län
    malung = json.loads(ARCHIVE.read_text(encoding="utf-8"))[0]
    assert malung["location"]["name"] == "Dalarnas län"
    row = parsed(ARCHIVE).filter(id=malung["id"]).row(0, named=True)
    assert (row["kommun_kod"], row["lan_kod"]) == ("2023", "20")  # "…, Trafikolycka, Malung-Sälen"
    placed = events.filter(events["kommun_kod"].is_not_null())
    assert placed.height > 300
    assert (placed["kommun_kod"].str.slice(0, 2) == placed["lan_kod"]).all()


def test_the_archive_has_53_gagnef_events() -> None:
    assert parsed(ARCHIVE).filter(kommun_kod="2026").height == 53


def test_hours_without_zero_padding_parse() -> None:
    raw = [
        {
            "id": 1,
            "datetime": "2025-06-07 7:32:06 +02:00",
            "name": "07 juni 07.20, Stöld, Gagnef",
            "summary": "s",
            "url": "/a/",
            "type": "Stöld",
            "location": {"name": "Gagnef", "gps": "60.5,15.0"},
        }
    ]
    row = polisen.parse(json.dumps(raw).encode(), "x").row(0, named=True)
    assert row["timme"] == 7 and row["tidpunkt"].hour == 5  # 07:32 +02:00 is 05:32 UTC


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>Tekniskt fel</body></html>", "is not valid JSON"),
        (b'{"error": "x"}', "is not a list of events"),
        (b'[{"id": 1}]', "event 1: lacks datetime"),
        (
            json.dumps(
                [
                    {
                        "id": 1,
                        "datetime": "igår",
                        "name": "",
                        "summary": "",
                        "url": "",
                        "type": "",
                        "location": {"name": "Gagnef"},
                    }
                ]
            ).encode(),
            "event 1: 'datetime' should look like",
        ),
    ],
)
def test_bad_input_is_located(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        polisen.parse(data, "answer.json")


def test_merge_keeps_one_row_per_id_and_loses_nothing() -> None:
    a = json.loads(SNAPSHOT_2025.read_text(encoding="utf-8"))
    b = json.loads(SNAPSHOT_2026.read_text(encoding="utf-8"))
    merged = polisen.merge(a, b)
    ids = [e["id"] for e in merged]
    assert len(ids) == len(set(ids)) == len({e["id"] for e in a} | {e["id"] for e in b})
    assert ids == sorted(ids, reverse=True)
    again = polisen.merge(merged, a)
    assert again == merged


def with_polisen(config: Config, url: str) -> Config:
    return replace(config, polisen=ServiceSettings(url=url))


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.calls: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_fetch_accumulates_the_archive_politely(httpserver: HTTPServer, config: Config) -> None:
    clock = Clock()
    calls: list[float] = []

    def answer(body: bytes) -> Callable[..., object]:
        from werkzeug import Request, Response

        def handler(request: Request) -> Response:
            calls.append(clock.now)
            assert request.args["locationname"] == "Dalarnas län;Gagnef"
            return Response(body, content_type="application/json")

        return handler

    httpserver.expect_ordered_request("/api/events").respond_with_handler(answer(SNAPSHOT_2025.read_bytes()))
    httpserver.expect_ordered_request("/api/events").respond_with_handler(answer(SNAPSHOT_2026.read_bytes()))
    cfg = with_polisen(config, httpserver.url_for("/api/events"))
    first = pipeline.fetch(cfg, ["polisen"], clock=clock.time, sleep=clock.sleep)
    second = pipeline.fetch(cfg, ["polisen"], clock=clock.time, sleep=clock.sleep)
    assert not first.failed and not second.failed
    assert calls[1] - calls[0] >= 10  # Polisen's rule: at least 10 s between calls, across runs
    archive = json.loads((cfg.raw_dir / polisen.ARCHIVE).read_text(encoding="utf-8"))
    ids = [e["id"] for e in archive]
    assert (
        len(ids)
        == len(set(ids))
        == 1000
        - len(
            {e["id"] for e in json.loads(SNAPSHOT_2025.read_text())}
            & {e["id"] for e in json.loads(SNAPSHOT_2026.read_text())}
        )
    )
    assert 615861 in ids
    assert (cfg.raw_dir / polisen.LATEST).read_bytes() == SNAPSHOT_2026.read_bytes()  # exactly what was sent
    with open_store(cfg.db_path) as store:
        assert store.rows("select count(*) as n, count(distinct id) as d from raw_polisen_handelser") == [
            {"n": len(ids), "d": len(ids)}
        ]
        assert store.rows("select kommun_kod from raw_polisen_handelser where id = 615861") == [{"kommun_kod": "2026"}]


@pytest.mark.parametrize("body", [b"<html>Sidan kunde inte visas</html>", b'[{"id": 1, "datetime"'])
def test_a_bad_answer_leaves_the_archive_byte_identical(httpserver: HTTPServer, config: Config, body: bytes) -> None:
    manifest = Manifest(config.raw_dir)
    polisen.import_file(SNAPSHOT_2025, manifest)
    before = (config.raw_dir / polisen.ARCHIVE).read_bytes()
    httpserver.expect_request("/api/events").respond_with_data(body, content_type="text/html")
    report = pipeline.fetch(with_polisen(config, httpserver.url_for("/api/events")), ["polisen"], sleep=lambda s: None)
    assert report.failed and "is not valid JSON" in report.failed[0].failures[0]
    assert (config.raw_dir / polisen.ARCHIVE).read_bytes() == before
    assert not (config.raw_dir / polisen.LATEST).exists()


def test_import_merges_an_archive_file(config: Config) -> None:
    in_file, new, loaded = pipeline.import_polisen(config, ARCHIVE)
    assert in_file == new == 3566
    in_file, new, _ = pipeline.import_polisen(config, SNAPSHOT_2025)
    assert in_file == 500 and new == 500 - len(
        {e["id"] for e in json.loads(ARCHIVE.read_text())} & {e["id"] for e in json.loads(SNAPSHOT_2025.read_text())}
    )
    assert loaded.tables["raw_polisen_handelser"] == 3566


def test_import_of_a_bad_file_changes_nothing(config: Config, tmp_path: Path) -> None:
    pipeline.import_polisen(config, SNAPSHOT_2025)
    before = (config.raw_dir / polisen.ARCHIVE).read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ParseError, match=r"bad\.json, event 1: expected an object"):
        pipeline.import_polisen(config, bad)
    assert (config.raw_dir / polisen.ARCHIVE).read_bytes() == before


def test_the_category_table_names_only_real_event_types() -> None:
    import csv

    from lagesbild_cli.database.loader import _categories

    with (POLISEN / "event_types_observed_2022-2026.csv").open(encoding="utf-8") as handle:
        observed = {r["type"].strip() for r in csv.DictReader(handle)}
    table = _categories()
    assert set(table["typ"]) <= observed
    assert set(table["kategori"]) == {
        "Våld, hot, vapen och sexualbrott",
        "Stöld, inbrott och bedrägeri",
        "Skadegörelse och brand",
        "Narkotika",
        "Trafik",
        "Övrigt",
        "sammanfattning",
    }
    assert set(table["typ"]) == observed  # every type Polisen has published is in the method's table
    assert table["typ"].str.to_lowercase().n_unique() == table.height  # matched regardless of case: no doubles
    assert {t for t in observed if t.startswith("Sammanfattning")} <= set(
        table.filter(kategori="sammanfattning")["typ"]
    )


def _snapshot(raw_dir: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(raw_dir)): p.read_bytes()
        for p in sorted(raw_dir.rglob("*"))
        if p.is_file() and p.name != "fetch_status.json" and not p.name.startswith(".")
    }


FAULTS = {
    "timeout": "Timed out",
    "refused": "ConnectError",
    "429 then 429": "HTTP 429",
    "500 always": "HTTP 500",
    "404": "HTTP 404",
    "truncated": "RemoteProtocolError",
    "invalid json": "is not valid JSON",
    "html with 200": "is not valid JSON",
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_fault_leaves_raw_files_byte_identical(
    fault: str, httpserver: HTTPServer, config: Config, tmp_path: Path
) -> None:
    import socket
    import threading
    import time as _time

    from werkzeug import Response

    from lagesbild_cli.settings.config import HttpSettings

    cleanup: list[socket.socket] = []
    pipeline.import_polisen(config, SNAPSHOT_2025)
    store_raw(config, polisen.LATEST, SNAPSHOT_2025.read_bytes())
    before = _snapshot(config.raw_dir)
    url = httpserver.url_for("/api/events")
    if fault == "timeout":
        httpserver.expect_request("/api/events").respond_with_handler(lambda r: (_time.sleep(0.5), Response("[]"))[1])
    elif fault == "refused":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{sock.getsockname()[1]}/api/events"
    elif fault == "429 then 429":
        httpserver.expect_request("/api/events").respond_with_data("", status=429, headers={"Retry-After": "30"})
    elif fault == "500 always":
        httpserver.expect_request("/api/events").respond_with_data("error", status=500)
    elif fault == "404":
        httpserver.expect_request("/api/events").respond_with_data("not found", status=404)
    elif fault == "truncated":
        server = socket.socket()
        cleanup.append(server)
        server.bind(("127.0.0.1", 0))
        server.listen()
        url = f"http://127.0.0.1:{server.getsockname()[1]}/api/events"

        def serve() -> None:
            server.settimeout(3)
            for _ in range(2):
                try:
                    conn, _ = server.accept()
                except OSError:  # timed out, or closed by the test
                    return
                with conn:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + SNAPSHOT_2025.read_bytes()[:100])

        threading.Thread(target=serve, daemon=True).start()
    elif fault == "invalid json":
        httpserver.expect_request("/api/events").respond_with_data('[{"id": 1,', content_type="application/json")
    else:
        httpserver.expect_request("/api/events").respond_with_data(
            "<html><h1>Driftstörning</h1></html>", content_type="text/html"
        )
    http = HttpSettings(contact="", timeout_seconds=0.2, retries=1, backoff_seconds=0)
    cfg = replace(with_polisen(config, url), http=http)
    clock = Clock()
    try:
        report = pipeline.fetch(cfg, ["polisen"], clock=clock.time, sleep=clock.sleep)
    finally:
        for sock in cleanup:
            sock.close()
    assert report.failed and FAULTS[fault] in report.failed[0].failures[0], report.failed[0].failures
    assert _snapshot(config.raw_dir) == before
    status = json.loads((config.raw_dir / "fetch_status.json").read_text(encoding="utf-8"))["polisen"]
    assert status["ok"] is False and FAULTS[fault] in status["error"]
