"""Crash safety and one run at a time, with real processes killed by SIGKILL at named checkpoints.

Loop used to check that they hold: for i in $(seq 10); do uv run pytest tests/test_crash.py -q || break; done
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pytest_httpserver import HTTPServer

from conftest import BRA_XLSX


def snapshot(data_dir: Path) -> dict[str, bytes]:
    """Every file a user relies on (not lock or temp files, nor report sets being written)."""
    return {
        str(p.relative_to(data_dir)): p.read_bytes()
        for p in sorted(data_dir.rglob("*"))
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(data_dir).parts)
        and p.name != "fetch_status.json"
    }


def start(config_path: Path, pause_at: str, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    marker_dir = config_path.parent
    env = {**os.environ, "LAGESBILD_PAUSE_AT": pause_at, "LAGESBILD_PAUSE_DIR": str(marker_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "lagesbild_cli", *args, "--config", str(config_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    marker = marker_dir / f"{pause_at}.reached"
    deadline = time.monotonic() + 300  # generous: a busy machine is slow, and the wait ends at the marker
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before {pause_at}: {process.stderr.read().decode()}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            kill(process)  # not left running into the next test
            raise AssertionError(f"the run never reached {pause_at}")
        time.sleep(0.05)
    marker.unlink()
    return process, marker


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    process.stderr.close()


def cli(config_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lagesbild_cli", *args, "--config", str(config_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_build_killed_while_rendering_loses_nothing(built_project: Path) -> None:
    data = built_project.parent / "data"
    before = snapshot(data)
    process, _ = start(built_project, "render", "build", "--year", "2023")
    kill(process)
    assert snapshot(data) == before
    assert cli(built_project, "build", "--year", "2023").returncode == 0
    assert not list(data.rglob(".*.tmp*"))  # the killed run's temp files are cleaned up


def test_a_build_killed_while_writing_or_swapping_the_report_set_loses_nothing(built_project: Path) -> None:
    data = built_project.parent / "data"
    reports = data / "processed" / "reports"
    before = snapshot(data)
    # the five sheets of a report without a survey or rescue data, the risk and protective factors, and the
    # analysis matrix and ranking
    assert len([name for name in before if "/csv/" in name]) == 8
    process, _ = start(built_project, "exports", "build", "--year", "2023")  # the xlsx written, no CSV yet
    kill(process)
    assert snapshot(data) == before
    process, _ = start(built_project, "swap", "build", "--year", "2023")  # the old set moved aside
    kill(process)
    assert not (reports / "2026" / "2023").exists()
    assert cli(built_project, "load").returncode == 0  # the next run puts the old set back
    prefix = "processed/reports/"
    assert snapshot(reports) == {k.removeprefix(prefix): v for k, v in before.items() if k.startswith(prefix)}
    assert sorted(p.name for p in (reports / "2026").iterdir()) == ["2023"]


def test_a_load_killed_before_the_swap_keeps_the_old_database(built_project: Path) -> None:
    data = built_project.parent / "data"
    before = snapshot(data)
    process, _ = start(built_project, "load", "load")
    kill(process)
    assert snapshot(data) == before
    result = cli(built_project, "load")
    assert result.returncode == 0, result.stderr


def test_a_fetch_killed_during_a_download_keeps_the_raw_files(built_project: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/Gagnef.xlsx").respond_with_data((BRA_XLSX / "Falun.xlsx").read_bytes())
    text = built_project.read_text(encoding="utf-8")
    built_project.write_text(
        text.replace(
            "[sources.bra.urls]\n", f'[sources.bra.urls]\n"2026" = "{httpserver.url_for("/Gagnef.xlsx")}"\n'
        ).replace("discover = true", "discover = false"),
        encoding="utf-8",
    )
    data = built_project.parent / "data"
    before = snapshot(data)
    process, _ = start(built_project, "download", "fetch", "--source", "bra")
    kill(process)
    assert snapshot(data) == before
    result = cli(built_project, "fetch", "--source", "bra")
    assert result.returncode == 1 and "holds the workbook of Falun, not of Gagnef" in result.stderr
    assert snapshot(data)["raw/bra/2026.xlsx"] == before["raw/bra/2026.xlsx"]


def test_a_second_run_waits_for_nobody_and_says_who_holds_the_lock(built_project: Path) -> None:
    process, _ = start(built_project, "render", "build", "--year", "2023")
    try:
        result = cli(built_project, "build", "--year", "2023")
        assert result.returncode == 1
        assert f"Another lagesbild run (pid {process.pid}) is in progress" in result.stderr
    finally:
        kill(process)
    assert cli(built_project, "load").returncode == 0  # the dead run's lock is taken over


def test_a_stale_lock_file_is_taken_over(built_project: Path) -> None:
    (built_project.parent / "data" / ".lagesbild.lock").write_text("999999", encoding="utf-8")
    assert cli(built_project, "load").returncode == 0
