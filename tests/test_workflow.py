"""The scheduled workflow: valid against GitHub's schema (offline), and its report job's own commands,
run here against loopback servers, write every file its artifact names — and nothing private."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from ruamel.yaml import YAML

from builders import FakeKolada, FakeMcf, deso_fixture, population_fixture
from conftest import BRA_XLSX, GEOJSON, REPO, SAMPLES, write_config
from contract_services import point_urls_at, services
from lagesbild_cli.settings.kommuner import kommuner_in_lan

WORKFLOW = REPO / ".github" / "workflows" / "lagesbild.yml"


def workflow() -> dict:  # type: ignore[type-arg]
    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_workflow_validates_against_githubs_schema() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_least_privilege_pinned_and_bounded() -> None:
    flow = workflow()
    assert flow["permissions"] == {"contents": "read"} and "concurrency" in flow
    crons = [s["cron"] for s in flow["on"]["schedule"]]
    assert len(crons) == 3 and "workflow_dispatch" in flow["on"]
    for job in flow["jobs"].values():
        assert job["timeout-minutes"] <= 60
        assert job["steps"][1]["run"] == "make setup"  # set up exactly as the README says
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w/-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    assert "fetch --source polisen" in str(flow["jobs"]["polisen"])
    fetch = next(s for s in flow["jobs"]["report"]["steps"] if s.get("id") == "fetch")
    assert fetch["env"] == {"LAGESBILD_BROWSER": "google-chrome"}  # the runner's Chrome for Brå's search


def fake_services(server: HTTPServer) -> str:
    """Loopback copies of every source; returns the config lines that point at them."""
    links = []
    for kommun in kommuner_in_lan("20"):
        path = f"/download/18.1/1/{kommun.namn}.xlsx"
        server.expect_request(path).respond_with_data((BRA_XLSX / f"{kommun.namn}.xlsx").read_bytes())
        links.append(f'<a href="{path}">{kommun.namn}</a>')
    server.expect_request("/bra").respond_with_data("<html>" + "".join(links) + "</html>", content_type="text/html")
    server.expect_request("/api/events").respond_with_data(
        (SAMPLES / "polisen" / "events_snapshot_2025-12-03.json").read_bytes(), content_type="application/json"
    )
    server.expect_request("/api/v2/tables/TAB638/data").respond_with_data(population_fixture())
    server.expect_request("/api/v2/tables/TAB6574/data").respond_with_data(deso_fixture("2026"))
    server.expect_request("/geo.json").respond_with_data(GEOJSON.read_bytes())
    FakeKolada(server)
    FakeMcf(server)
    return server.url_for("/")


def point_at(config_path: Path, base: str) -> None:
    point_urls_at(config_path, base)
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        text.replace('kpis = ["N07540", "N07403", "N07546", "N07544", "U07452"]', 'kpis = ["N07540", "N07403"]'),
        encoding="utf-8",
    )


def uv_shim(tmp_path: Path) -> Path:
    """A folder with a `uv` that runs `uv run lagesbild …` as this interpreter's lagesbild_cli, as set-up would."""
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "uv").write_text(
        f'#!/bin/sh\n[ "$1" = run ] && [ "$2" = lagesbild ] && shift 2 && '
        f'exec {sys.executable} -m lagesbild_cli "$@"\nexit 99\n',
        encoding="utf-8",
    )
    (shim / "uv").chmod(stat.S_IRWXU)
    return shim


def run_steps(steps: list[dict], project: Path, env: dict[str, str]) -> None:  # type: ignore[type-arg]
    """Run the steps that call lagesbild, as the runner would; a step may fail only if it may go on."""
    for step in steps:
        if "run" in step and "lagesbild" in step["run"]:
            result = subprocess.run(
                ["bash", "-e", "-c", step["run"]],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert result.returncode == 0 or step.get("continue-on-error"), (step["name"], result.stderr)


def job_env(folder: Path, **extra: str) -> dict[str, str]:
    """The runner's environment in ``folder``: `uv` on the PATH, RUNNER_TEMP and GITHUB_OUTPUT."""
    shim = uv_shim(folder)
    (folder / "runner").mkdir()
    return {
        **os.environ,
        "PATH": f"{shim}:{os.environ['PATH']}",
        "RUNNER_TEMP": str(folder / "runner"),
        "GITHUB_OUTPUT": str(folder / "github_output"),
        **extra,
    }


def report_steps() -> tuple[list[dict], list[dict]]:  # type: ignore[type-arg]
    """The report job's steps before its build step (the survey import and the fetch), and from it on."""
    steps = workflow()["jobs"]["report"]["steps"]
    build = next(n for n, s in enumerate(steps) if s.get("id") == "build")
    return steps[:build], steps[build:]


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project after the report job's steps up to its build, run once: no survey URL, and the fetch from
    loopback copies of every source. Those steps take no inputs, so each run of the job fetches alike."""
    folder = tmp_path_factory.mktemp("report-job")
    project = folder / "repo"
    project.mkdir()
    server = HTTPServer()
    server.start()
    try:
        point_at(write_config(project), fake_services(server))
        run_steps(report_steps()[0], project, job_env(folder, SURVEY_URL=""))
    finally:
        server.clear()
        server.stop()
    return project


@pytest.mark.parametrize("inputs", [{"YEAR": "", "KOMMUN": ""}, {"YEAR": "2023", "KOMMUN": "Mora"}])
def test_the_report_jobs_commands_write_every_artifact(inputs: dict[str, str], fetched: Path, tmp_path: Path) -> None:
    project = tmp_path / "repo"
    shutil.copytree(fetched, project)
    env = job_env(tmp_path, SURVEY_URL="", **inputs)
    output = Path(env["GITHUB_OUTPUT"])
    steps = workflow()["jobs"]["report"]["steps"]
    run_steps(report_steps()[1], project, env)
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    kommun, year = ("2062", "2023") if inputs["KOMMUN"] else ("2026", "2024")
    assert outputs["name"] == f"lagesbild-{kommun}-{year}"
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    paths = [
        p.replace("${{ steps.build.outputs.folder }}", outputs["folder"]).strip()
        for p in upload["with"]["path"].splitlines()
        if p.strip()
    ]
    found = [f for p in paths for f in glob.glob(str(project / p))]
    for pattern in paths:
        assert glob.glob(str(project / pattern)), f"the artifact path {pattern} matches nothing"
    assert not [f for f in found if f.endswith(".duckdb") or "/survey" in f]
    assert any(f.endswith("lagesbild.pdf") for f in found) and any(f.endswith("manifest.json") for f in found)


def runs(condition: str, event: str, schedule: str = "") -> bool:
    """A job's ``if:`` for an event: the comparisons of github.event_name and github.event.schedule it uses."""
    python = condition.replace("||", " or ").replace("&&", " and ")
    python = python.replace("github.event_name", repr(event)).replace("github.event.schedule", repr(schedule))
    assert re.fullmatch(r"[\s'\w*./=()-]*", python.replace(" or ", " ").replace(" and ", " ")), condition
    return bool(eval(python))  # only string literals and ==, checked above


def test_each_schedule_runs_its_own_job_only() -> None:
    jobs = workflow()["jobs"]
    expected = {"17 5 * * *": {"polisen"}, "41 6 3 * *": {"report"}, "23 4 * * 1": {"contracts"}}
    assert {s["cron"] for s in workflow()["on"]["schedule"]} == set(expected)
    for cron, wanted in expected.items():
        assert {name for name, job in jobs.items() if runs(job["if"], "schedule", cron)} == wanted, cron
    assert {name for name, job in jobs.items() if runs(job["if"], "workflow_dispatch")} == {"report"}


def fresh_polisen_events() -> bytes:
    """The recorded Polisen answer with its events dated today (the check wants a recent newest event)."""
    text = (SAMPLES / "polisen" / "events_snapshot_2025-12-03.json").read_text(encoding="utf-8")
    today = date.today().isoformat()
    return re.sub(r'"datetime": "\d{4}-\d{2}-\d{2} ', f'"datetime": "{today} ', text).encode("utf-8")


@pytest.mark.parametrize("polisen", ["fresh", "stale", "down"])
def test_the_contract_jobs_commands_summarise_keep_the_answers_and_fail_on_a_change(
    polisen: str, httpserver: HTTPServer, tmp_path: Path
) -> None:
    if polisen == "fresh":
        httpserver.expect_request("/api/events").respond_with_data(fresh_polisen_events())
    services(httpserver)  # the recorded answers; the recorded Polisen events are too old to pass unchanged
    project = tmp_path / "repo"
    project.mkdir()
    # "down": no source answers (port 9 refuses), which must not leave the weekly job green
    point_at(write_config(project), "http://127.0.0.1:9/" if polisen == "down" else httpserver.url_for("/"))
    shim = uv_shim(tmp_path)
    runner_temp, summary = tmp_path / "runner", tmp_path / "summary.md"
    runner_temp.mkdir()
    env = {**os.environ, "PATH": f"{shim}:{os.environ['PATH']}", "RUNNER_TEMP": str(runner_temp)}
    steps = workflow()["jobs"]["contracts"]["steps"]
    step = next(s for s in steps if "check-sources" in s.get("run", ""))
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=project,
        env={**env, "GITHUB_STEP_SUMMARY": str(summary)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("## Source contracts (")
    if polisen == "down":
        assert result.returncode == 1 and "Error: no source could be reached: check the network" in written
        assert "::error title=No source could be reached::" in result.stdout
        return
    for source in ("bra", "polisen", "scb", "kolada", "mcf", "geo"):
        assert re.search(rf"^{source} +(ok|changed): ", written, re.M), (source, written)
    if polisen == "fresh":
        assert result.returncode == 0, result.stdout + result.stderr
        assert "changed" not in written and "::error" not in result.stdout
    else:
        assert result.returncode == 1  # the job fails visibly
        assert "polisen  changed: events: the newest event is from 2025-12-03" in written
        assert "::error title=polisen has changed its format::events: the newest event" in result.stdout
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()"
    folder = Path(upload["with"]["path"].replace("${{ runner.temp }}", str(runner_temp)))
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert {a["source"] for a in index["answers"]} == {"bra", "polisen", "scb", "kolada", "mcf", "geo"}
