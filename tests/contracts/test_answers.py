"""The answers a check keeps become recorded fixtures in one step (scripts/answers_to_fixtures.py), and those
fixtures, replayed on a loopback server, pass the check again; recorded answers of a live run, once converted
into tests/data/contracts/, must pass too."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from conftest import REPO, SAMPLES, no_sleep
from contract_services import TODAY, pointed, rebased, replay, services
from lagesbild_cli import pipeline
from lagesbild_cli.contracts.answers import to_fixtures
from lagesbild_cli.errors import ParseError, ValidationError
from lagesbild_cli.settings.config import Config

SCRIPT = REPO / "scripts" / "answers_to_fixtures.py"
RECORDED = SAMPLES / "contracts"


@pytest.fixture
def answers(config: Config, httpserver: HTTPServer, tmp_path: Path) -> Path:
    """The folder one check of the loopback services kept."""
    services(httpserver)
    folder = tmp_path / "answers"
    report = pipeline.check_sources(pointed(config, httpserver), out=folder, sleep=no_sleep, today=TODAY)
    assert not report.changed and not report.unreachable
    return folder


def test_the_script_turns_answers_into_fixtures_that_pass_when_replayed(
    answers: Path, config: Config, tmp_path: Path
) -> None:
    dest = tmp_path / "fixtures"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(answers), str(dest)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    index = json.loads((dest / "index.json").read_text(encoding="utf-8"))
    assert done.stdout == f"Wrote {len(index['answers']) + 2} files into {dest}\n"
    provenance = (dest / "PROVENANCE.md").read_text(encoding="utf-8")
    for answer in index["answers"]:
        assert (dest / answer["file"]).read_bytes() == (answers / answer["file"]).read_bytes()
        assert f"| `{answer['file']}` | {answer['method']} |" in provenance and answer["sha256"] in provenance
    # replayed on another server (another port), at the paths of the configured URLs, the fixtures pass
    server = HTTPServer()
    server.start()
    try:
        replay(server, dest)
        cfg = rebased(pointed(config, server), server)
        report = pipeline.check_sources(cfg, out=tmp_path / "again", sleep=no_sleep, today=TODAY)
    finally:
        server.stop()
    assert [o.status for o in report.outcomes] == ["ok"] * 6, [o.line() for o in report.outcomes]


def test_converting_again_replaces_the_fixtures(answers: Path, tmp_path: Path) -> None:
    dest = tmp_path / "fixtures"
    dest.mkdir()
    (dest / "stale.json").write_text("{}", encoding="utf-8")
    to_fixtures(answers, dest)
    assert not (dest / "stale.json").exists() and (dest / "index.json").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".fixtures")] == []


def test_a_check_of_one_source_replaces_only_its_fixtures(
    answers: Path, config: Config, httpserver: HTTPServer, tmp_path: Path
) -> None:
    dest = tmp_path / "fixtures"
    old_umask = os.umask(0o022)
    try:
        to_fixtures(answers, dest)
        before = json.loads((dest / "index.json").read_text(encoding="utf-8"))
        geo_only = tmp_path / "geo-only"
        report = pipeline.check_sources(pointed(config, httpserver), ["geo"], out=geo_only, sleep=no_sleep, today=TODAY)
        assert [o.status for o in report.outcomes] == ["ok"]
        to_fixtures(geo_only, dest)
    finally:
        os.umask(old_umask)
    index = json.loads((dest / "index.json").read_text(encoding="utf-8"))
    assert [r["source"] for r in index["results"]] == [r["source"] for r in before["results"]]
    assert [a for a in index["answers"] if a["source"] != "geo"] == [
        a for a in before["answers"] if a["source"] != "geo"
    ]
    for answer in index["answers"]:  # every source's files are there, geo's from the new folder
        origin = geo_only if answer["source"] == "geo" else answers
        assert (dest / answer["file"]).read_bytes() == (origin / answer["file"]).read_bytes()
    assert set(index["checked_at_by_source"]) == {r["source"] for r in before["results"]}
    assert index["checked_at_by_source"]["geo"] == json.loads((geo_only / "index.json").read_bytes())["checked_at"]
    assert "| `bra/" in (dest / "PROVENANCE.md").read_text(encoding="utf-8")
    for folder in (dest, *[p for p in dest.iterdir() if p.is_dir()]):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755, folder


def test_the_script_prints_its_usage_on_help(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "answers_to_fixtures.py data/contracts/" in done.stdout and not done.stderr


def test_an_incomplete_or_changed_folder_is_refused_and_nothing_is_written(answers: Path, tmp_path: Path) -> None:
    dest = tmp_path / "fixtures"
    index = json.loads((answers / "index.json").read_text(encoding="utf-8"))
    geo = next(a for a in index["answers"] if a["source"] == "geo")
    (answers / geo["file"]).write_bytes(b"{}")
    with pytest.raises(ValidationError, match="differs from the sha256 recorded"):
        to_fixtures(answers, dest)
    index["results"][-1] = {"source": "geo", "status": "unreachable", "detail": "no network"}
    geo.update(file=None, error="no network")
    (answers / "index.json").write_text(json.dumps(index), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"incomplete: geo got no answer\.\n"):  # each source named once
        to_fixtures(answers, dest)
    with pytest.raises(ParseError, match=r"holds no index\.json"):
        to_fixtures(tmp_path / "nothing", dest)
    assert not dest.exists()


@pytest.mark.skipif(
    not (RECORDED / "index.json").exists(), reason="no live answers converted into tests/data/contracts"
)
def test_the_recorded_live_answers_pass(config: Config, httpserver: HTTPServer, tmp_path: Path) -> None:
    index = replay(httpserver, RECORDED)
    dates = index.get("checked_at_by_source", {})
    for result in index["results"]:  # each source on the day it was recorded (a folder may merge several runs)
        source = result["source"]
        checked = date.fromisoformat(dates.get(source, index["checked_at"])[:10])
        report = pipeline.check_sources(
            rebased(config, httpserver), [source], out=tmp_path / "again" / source, sleep=no_sleep, today=checked
        )
        assert [o.status for o in report.outcomes] == ["ok"], [o.line() for o in report.outcomes]
