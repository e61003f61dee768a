"""The answers a check keeps become recorded fixtures in one step (scripts/answers_to_fixtures.py), and those
fixtures, replayed on a loopback server, pass the check again; recorded answers of a live run, once converted
into tests/data/contracts/, must pass too."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from conftest import REPO, SAMPLES, no_sleep
from contract_services import TODAY, pointed, rebased, replay, services
from lagesbild_cli import pipeline
from lagesbild_cli.config import Config
from lagesbild_cli.contracts.answers import to_fixtures
from lagesbild_cli.errors import ParseError, ValidationError

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


def test_an_incomplete_or_changed_folder_is_refused_and_nothing_is_written(answers: Path, tmp_path: Path) -> None:
    dest = tmp_path / "fixtures"
    index = json.loads((answers / "index.json").read_text(encoding="utf-8"))
    geo = next(a for a in index["answers"] if a["source"] == "geo")
    (answers / geo["file"]).write_bytes(b"{}")
    with pytest.raises(ValidationError, match="differs from the sha256 recorded"):
        to_fixtures(answers, dest)
    index["results"][-1] = {"source": "geo", "status": "unreachable", "detail": "no network"}
    (answers / "index.json").write_text(json.dumps(index), encoding="utf-8")
    with pytest.raises(ValidationError, match="incomplete: geo got no answer"):
        to_fixtures(answers, dest)
    with pytest.raises(ParseError, match=r"holds no index\.json"):
        to_fixtures(tmp_path / "nothing", dest)
    assert not dest.exists()


@pytest.mark.skipif(
    not (RECORDED / "index.json").exists(), reason="no live answers converted into tests/data/contracts"
)
def test_the_recorded_live_answers_pass(config: Config, httpserver: HTTPServer, tmp_path: Path) -> None:
    index = replay(httpserver, RECORDED)
    checked = date.fromisoformat(index["checked_at"][:10])
    report = pipeline.check_sources(rebased(config, httpserver), out=tmp_path / "again", sleep=no_sleep, today=checked)
    expected = {r["source"]: r["status"] for r in index["results"]}
    assert {o.source: o.status for o in report.outcomes} == dict.fromkeys(expected, "ok"), [
        o.line() for o in report.outcomes
    ]
