"""An interrupted `lagesbild import survey` leaves the earlier rounds or the new ones, never a mix: SIGTERM sent to
a real CLI process at named points of the import and after a series of delays."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SURVEY_CSV, write_config
from lagesbild_cli import pipeline
from lagesbild_cli.settings.config import load_config

COPIES = 10  # the sample survey ten times over (28 000 respondents): an import that takes a while


def stored(project: Path) -> dict[str, bytes]:
    """The kommun's stored rounds (not temp files), after checking that the manifest describes each of them."""
    raw = project / "data" / "raw"
    files = {
        str(p.relative_to(raw)): p.read_bytes()
        for p in sorted((raw / "survey" / "2026").glob("*.csv"))
        if not p.name.startswith(".")
    }
    manifest = json.loads((raw / "manifest.json").read_text(encoding="utf-8"))
    for name, data in files.items():
        assert manifest[name]["sha256"] == hashlib.sha256(data).hexdigest(), name
    return files


def large_export(path: Path) -> Path:
    """The sample survey's respondents many times over with new ids, in rounds 2022, 2024 and 2026."""
    rows = list(csv.reader(io.StringIO(SURVEY_CSV.read_bytes().decode("cp1252"), newline=""), delimiter=";"))
    header, body = rows[0], rows[1:]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    n = 0
    for copy in range(COPIES):
        for row in body:
            n += 1
            year = "2026" if copy % 3 == 2 else row[1]
            writer.writerow([str(n), year, *row[2:]])
    path.write_bytes(out.getvalue().encode("cp1252"))
    return path


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes], dict[str, bytes]]:
    """A project with the sample survey imported, the large export, and the rounds before and after importing it."""
    folder = tmp_path_factory.mktemp("survey-interrupt")
    project = folder / "project"
    project.mkdir()
    config = load_config(write_config(project))
    pipeline.import_survey(config, SURVEY_CSV)
    export = large_export(folder / "enkat_stor.csv")
    old = stored(project)
    shutil.copytree(project, folder / "imported")
    pipeline.import_survey(load_config(folder / "imported" / "lagesbild.toml"), export)
    new = stored(folder / "imported")
    assert set(new) == {"survey/2026/2022.csv", "survey/2026/2024.csv", "survey/2026/2026.csv"}
    assert set(old) < set(new) and all(old[f] != new[f] for f in old)
    return project, export, old, new


def import_survey(project: Path, export: Path, pause_at: str = "") -> subprocess.Popen[bytes]:
    env = {**os.environ, "LAGESBILD_PAUSE_AT": pause_at, "LAGESBILD_PAUSE_DIR": str(project)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lagesbild_cli",
            "import",
            "survey",
            str(export),
            "--config",
            str(project / "lagesbild.toml"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def terminate(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    return process.returncode, (out + err).decode()


def wait_for(marker: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120  # generous: the wait ends at the marker
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"the import ended before {marker.stem}: {process.stderr.read().decode()}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the import never reached {marker.stem}")
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("point", "expected"), [("survey-read", "old"), ("survey-staged", "old"), ("survey-stored", "new")]
)
def test_sigterm_at_each_step_of_an_import_leaves_the_old_or_the_new_rounds(
    point: str, expected: str, before_and_after: tuple[Path, Path, dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    source, export, old, new = before_and_after
    project = tmp_path / "project"
    shutil.copytree(source, project)
    process = import_survey(project, export, point)
    wait_for(project / f"{point}.reached", process)
    code, output = terminate(process)
    assert code == 128 + signal.SIGTERM, output
    assert "Traceback" not in output and "bug" not in output
    assert stored(project) == (old if expected == "old" else new)
    told = "the survey's rounds 2022, 2024, 2026 from enkat_stor.csv were stored in data/raw/" in output
    assert told == (expected == "new"), output


def test_sigterm_at_any_moment_never_mixes_two_exports(
    before_and_after: tuple[Path, Path, dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    source, export, old, new = before_and_after
    for n, delay in enumerate((0.4, 0.8, 1.2, 1.6, 2.2, 3.0)):
        project = tmp_path / f"project-{n}"
        shutil.copytree(source, project)
        process = import_survey(project, export)
        time.sleep(delay)
        code, output = terminate(process)
        assert "Traceback" not in output and "bug" not in output, output
        state = stored(project)
        assert state in (old, new), f"after {delay} s: a mix of two exports"
        assert code in (0, -signal.SIGTERM, 128 + signal.SIGTERM), output
