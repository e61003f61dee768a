"""Ctrl-C and SIGTERM are the user's events: real CLI runs stopped at named points and after plain delays end
with one line saying what had taken effect, exit code 130 or 143 and no traceback; what was there before is
byte-identical (or completely new, as the line says) and the next run succeeds."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import BRA_XLSX
from lagesbild_cli.storage import staging
from test_crash import cli, snapshot, start

SIGNALS = [signal.SIGINT, signal.SIGTERM]
NOTHING_CHANGED = "nothing was changed; the raw data, the database and the reports are as they were."


def stop(process: subprocess.Popen[bytes], signum: int) -> tuple[int, str]:
    """Send ``signum`` and wait for the run to end; its exit code and stderr."""
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    return process.returncode, err.decode("utf-8")


def without_gap_lines(err: str) -> str:
    """A build's output without its closing lines on the sources its report lacks (this project has no Polisen,
    SCB, Kolada or MCF data): what is left is what an interrupt printed."""
    return "".join(
        line for line in err.splitlines(keepends=True) if not re.match(r"^[a-z]+: (missing|stale) in ", line)
    )


def quietly_ended(code: int, err: str) -> bool:
    """Whether SIGTERM ended the run where Python has no handler for it, before start-up installed one or after
    the command had finished (at the interpreter's exit): the process just ends, printing nothing."""
    return code == -signal.SIGTERM and err == ""


def assert_one_line(code: int, err: str, signum: int) -> str:
    lines = err.strip().splitlines()
    assert code == 128 + signum, err
    assert len(lines) == 1 and lines[0].startswith("Interrupted by "), err
    assert "Traceback" not in err and "bug" not in err
    return lines[0]


def leftovers(data: Path) -> list[Path]:
    """Staging folders, temp files and records of report sets being replaced."""
    return [p for p in data.rglob("*") if "lagesbild-" in p.name and p.name != staging.RECORDS]


def reports(data: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(data).items() if k.startswith("processed/reports/")}


@pytest.mark.parametrize("signum", SIGNALS, ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("point", ["render", "exports"])
def test_a_build_stopped_at_a_point_says_so_in_one_line_and_keeps_the_report(
    built_project: Path, point: str, signum: int
) -> None:
    data = built_project.parent / "data"
    before = snapshot(data)
    process, _ = start(built_project, point, "build", "--year", "2023", "--date", "2030-01-01")
    code, err = stop(process, signum)
    line = assert_one_line(code, err, signum)
    assert line.endswith(NOTHING_CHANGED)
    assert ("Ctrl-C" if signum == signal.SIGINT else "SIGTERM") in line
    assert snapshot(data) == before
    assert not leftovers(data)
    result = cli(built_project, "build", "--year", "2023", "--date", "2030-01-01")
    assert result.returncode == 0, result.stderr
    assert "1 januari 2030" in (data / "processed/reports/2026/2023/lagesbild.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0, 5.0])
def test_a_build_stopped_after_a_delay_leaves_the_old_or_the_new_report(built_project: Path, delay: float) -> None:
    """Wherever it lands (start-up, the load, rendering, writing, after the swap), the report set is the old one or
    the new one, and the line says which."""
    data = built_project.parent / "data"
    old = reports(data)
    args = ["build", "--year", "2023", "--date", "2030-01-01", "--config", str(built_project)]
    process = subprocess.Popen(
        [sys.executable, "-m", "lagesbild_cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    code, err = stop(process, signal.SIGTERM)
    err = without_gap_lines(err)
    now = reports(data)
    if code == 0:  # it finished first
        assert now != old and err == ""
    elif quietly_ended(code, err):
        assert now in (old, reports(data))
    else:
        line = assert_one_line(code, err, signal.SIGTERM)
        if now == old:
            assert line.endswith(NOTHING_CHANGED)
        else:
            assert "the new report set is in place in" in line and set(now) == set(old)
    assert not leftovers(data)
    assert cli(built_project, "build", "--year", "2023").returncode == 0


def raw_state(data: Path) -> dict[str, str]:
    return {
        p.relative_to(data).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((data / "raw").rglob("*"))
        if p.is_file() and p.name != "fetch_status.json"
    }


def consistent(data: Path) -> bool:
    """Every raw file has the manifest entry of its bytes, and every entry its file."""
    entries = json.loads((data / "raw" / "manifest.json").read_text(encoding="utf-8"))
    files = {k.removeprefix("raw/"): v for k, v in raw_state(data).items() if k != "raw/manifest.json"}
    return files == {name: entry["sha256"] for name, entry in entries.items()}


@pytest.mark.parametrize("signum", SIGNALS, ids=["SIGINT", "SIGTERM"])
def test_import_bra_stopped_during_the_load_says_the_workbooks_are_stored(built_project: Path, signum: int) -> None:
    data = built_project.parent / "data"
    database = (data / "processed" / "lagesbild.duckdb").read_bytes()
    process, _ = start(
        built_project, "load", "import", "bra", str(BRA_XLSX / "Mora.xlsx"), str(BRA_XLSX / "Leksand.xlsx")
    )
    code, err = stop(process, signum)
    line = assert_one_line(code, err, signum)
    assert "after: 2 Brå workbooks were stored in data/raw/bra/, but the database was not reloaded" in line
    assert "(the next 'lagesbild build" in line and "reloads it)" in line
    assert (data / "processed" / "lagesbild.duckdb").read_bytes() == database
    assert {"raw/bra/2062.xlsx", "raw/bra/2029.xlsx"} <= set(raw_state(data)) and consistent(data)
    result = cli(built_project, "build", "--year", "2023")  # the newer manifest makes it reload
    assert result.returncode == 0, result.stderr
    assert (data / "processed" / "lagesbild.duckdb").read_bytes() != database


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 2.5, 4.0])
def test_import_bra_stopped_anywhere_stores_all_workbooks_or_none(built_project: Path, delay: float) -> None:
    data = built_project.parent / "data"
    before = raw_state(data)
    workbooks = [str(BRA_XLSX / name) for name in ("Mora.xlsx", "Leksand.xlsx", "Falun.xlsx")]
    process = subprocess.Popen(
        [sys.executable, "-m", "lagesbild_cli", "import", "bra", *workbooks, "--config", str(built_project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    code, err = stop(process, signal.SIGTERM)
    after = raw_state(data)
    added = {"raw/bra/2062.xlsx", "raw/bra/2029.xlsx", "raw/bra/2080.xlsx"}
    assert set(after) - set(before) in (set(), added)  # never one workbook without the others
    assert consistent(data)
    if code != 0 and not quietly_ended(code, err):
        line = assert_one_line(code, err, signal.SIGTERM)
        assert (after == before) == line.endswith(NOTHING_CHANGED)
    assert not leftovers(data)
    assert cli(built_project, "load").returncode == 0


def test_helper_processes_leave_ctrl_c_to_the_build(built_project: Path) -> None:
    """Ctrl-C in a terminal reaches every process of the run: the render process the build started must not
    print a traceback of its own, and it ends with the build."""
    process, _ = start(built_project, "render", "build", "--year", "2023", "--date", "2030-01-02")
    os.killpg(os.getpgid(process.pid), 0)  # the group exists
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False).stdout
    for child in children.split():
        os.kill(int(child), signal.SIGINT)
    code, err = stop(process, signal.SIGINT)
    assert_one_line(code, err, signal.SIGINT)
    for child in children.split():
        deadline = time.monotonic() + 30
        while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{child}/status").exists() or "zombie" in Path(f"/proc/{child}/status").read_text()


def test_every_raw_file_stored_is_noted_so_an_interrupt_never_claims_nothing_changed(tmp_path: Path) -> None:
    """A fetch stores its sources one by one: stopped after some, its line names what was stored."""
    from lagesbild_cli import interrupts
    from lagesbild_cli.storage.raw import Manifest

    interrupts.forget()
    Manifest(tmp_path).store("polisen/archive.json", b"[]", source="polisen", origin="https://polisen.se", status=200)
    assert interrupts.notes() == (
        "data/raw/polisen/archive.json was stored (the next 'lagesbild build' reloads the database from it)",
    )
    interrupts.forget()


def test_a_signal_during_a_native_librarys_import_waits_until_the_import_is_done(tmp_path: Path) -> None:
    """SIGTERM while DuckDB's native module was setting itself up aborted the process ("Critical nanobind error",
    SIGABRT) instead of ending with one line. The libraries with native set-up are imported as whole blocks: the
    signal arrives after the import, as an Interrupted the CLI handles. Shown with a stand-in library whose own
    import sends the signal half-way."""
    (tmp_path / "standin_native.py").write_text(
        "import os, signal, time\nos.kill(os.getpid(), signal.SIGTERM)\ntime.sleep(0.2)\n"
        "open('set-up-complete', 'w').close()\n",
        encoding="utf-8",
    )
    code = (
        "from lagesbild_cli import interrupts\n"
        "interrupts.NATIVE_IMPORTS = interrupts.NATIVE_IMPORTS | {'standin_native'}\ninterrupts.install()\n"
        "import os\ntry:\n    import standin_native\nexcept interrupts.Interrupted as exc:\n"
        "    print('complete' if os.path.exists('set-up-complete') else 'cut', exc.signum)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["complete", str(int(signal.SIGTERM))]
