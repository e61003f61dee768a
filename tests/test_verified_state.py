"""Verified state through the command line: a raw file that is not the one the manifest recorded, a missing or
damaged manifest, a damaged fetch log and a damaged database each end with a message naming the file and what
to do (exit 1), or with the repair and a notice (exit 0): never "a bug", never a traceback, and nothing that was
good before is changed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BRA_XLSX, store_raw
from lagesbild_cli.database import loader
from lagesbild_cli.settings.config import Config, load_config

REPORT = Path("data/processed/reports/2026/2024")


def cli(config: Config, *args: str) -> subprocess.CompletedProcess[str]:
    """lagesbild in a process of its own, as a user runs it (its notices are shown, not raised as in tests)."""
    return subprocess.run(
        [sys.executable, "-m", "lagesbild_cli", *args, "--config", str(config.path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def no_bug(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), output
    assert "Traceback" not in output and "bug" not in output and "Internal error" not in output, output


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lagesbild.lock"
    }


@pytest.fixture
def owned(owned_dir: Path, tmp_path: Path) -> Config:
    """A private copy of the project with Dalarna's workbooks and Gagnef's survey and rescue-service export."""
    shutil.copytree(owned_dir, tmp_path / "project")
    return load_config(tmp_path / "project" / "lagesbild.toml")


@pytest.fixture
def built(owned: Config) -> Config:
    """The project with Gagnef's 2024 report built (in this process: the test's subprocesses then reuse its PDF)."""
    from lagesbild_cli import pipeline

    pipeline.build(owned, 2024)
    return owned


def test_a_raw_workbook_replaced_by_another_kommuns_is_refused_by_name(built: Config) -> None:
    data = built.data_dir
    before = digests(data)
    shutil.copyfile(BRA_XLSX / "Mora.xlsx", built.raw_dir / "bra" / "2026.xlsx")  # the files were swapped
    before["raw/bra/2026.xlsx"] = digests(data)["raw/bra/2026.xlsx"]
    for command in (["build", "--year", "2024"], ["load"]):
        result = cli(built, *command)
        no_bug(result)
        assert result.returncode == 1, result.stdout
        assert "bra/2026.xlsx" in result.stderr and "sha256 differs" in result.stderr
        assert "lagesbild import bra FILE" in result.stderr and "lagesbild fetch --source bra" in result.stderr
        assert str(data) not in result.stderr  # named under data/raw/, never by the local folders above
        assert digests(data) == before  # the database (Gagnef's Brå data in it) and the report are as they were


def test_an_edited_raw_survey_is_not_published(built: Config) -> None:
    data = built.data_dir
    stored = built.raw_dir / "survey" / "2026" / "2024.csv"
    stat = stored.stat()
    lines = stored.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]  # the same size: only the content tells
    stored.write_text("".join(lines), encoding="utf-8")
    os.utime(stored, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    before = digests(data)
    result = cli(built, "build", "--year", "2024")
    no_bug(result)
    assert result.returncode == 1
    assert "survey/2026/2024.csv" in result.stderr and "lagesbild import survey FILE" in result.stderr
    assert digests(data) == before


def test_a_deleted_manifest_gives_no_report_dated_1970(built: Config) -> None:
    (built.raw_dir / "manifest.json").unlink()
    before = digests(built.data_dir)
    result = cli(built, "build", "--year", "2024")
    no_bug(result)
    assert result.returncode == 1
    assert "data/raw/manifest.json is missing" in result.stderr and "cannot be verified" in result.stderr
    assert "bra/2021.xlsx" in result.stderr  # the files it cannot vouch for, by name
    assert "lagesbild fetch --source bra" in result.stderr and "lagesbild import survey FILE" in result.stderr
    assert digests(built.data_dir) == before
    assert "1970" not in (built.path.parent / REPORT / "lagesbild.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda text: text[: len(text) // 2], id="truncated"),
        pytest.param(lambda text: b"", id="empty"),
        pytest.param(lambda text: b"[1, 2, 3]\n", id="a list"),
        pytest.param(lambda text: b'{"bra/2026.xlsx": "not an entry"}', id="wrong entries"),
        pytest.param(lambda text: text.replace(b'"sha256": "', b'"sha256": "x', 1), id="a wrong digest"),
    ],
)
def test_a_damaged_manifest_is_named_and_left_for_restoring(loaded_config: Config, damage: object) -> None:
    manifest = loaded_config.raw_dir / "manifest.json"
    manifest.write_bytes(damage(manifest.read_bytes()))  # type: ignore[operator]
    os.utime(loaded_config.db_path, (1, 1))
    before = digests(loaded_config.data_dir)
    for command in (["build", "--year", "2024"], ["load"], ["import", "bra", str(BRA_XLSX / "Gagnef.xlsx")]):
        result = cli(loaded_config, *command)
        no_bug(result)
        assert result.returncode == 1, (command, result.stdout)
        assert "data/raw/manifest.json is damaged" in result.stderr, command
        assert "Restore manifest.json from a backup" in result.stderr
        assert digests(loaded_config.data_dir) == before, command  # the manifest too: it may still be restored


@pytest.mark.parametrize("damage", [b'{"bra": {"ok": tr', b"", b'{"bra": 1}'], ids=["truncated", "empty", "shape"])
def test_a_damaged_fetch_log_is_read_as_empty_with_a_notice(loaded_config: Config, damage: bytes) -> None:
    (loaded_config.raw_dir / "fetch_status.json").write_bytes(damage)
    result = cli(loaded_config, "build", "--year", "2024")
    no_bug(result)
    assert result.returncode == 0, result.stderr
    assert "Note: data/raw/fetch_status.json is damaged and was read as empty" in result.stderr
    assert (loaded_config.path.parent / REPORT / "lagesbild.pdf").exists()


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 3)


def _overwrite_middle(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as handle:  # a block of the file overwritten, its header intact
        handle.seek(size // 8)
        handle.write(b"\xa5" * (size * 3 // 4))


@pytest.mark.parametrize("damage", [_truncate, _overwrite_middle], ids=["truncated", "overwritten mid-file"])
def test_a_damaged_database_is_rebuilt_with_a_notice(built: Config, damage: object) -> None:
    report = built.path.parent / REPORT
    before = digests(report)
    damage(built.db_path)  # type: ignore[operator]
    result = cli(built, "build", "--year", "2024")
    no_bug(result)
    assert result.returncode == 0, result.stderr
    assert "Note: The database processed/lagesbild.duckdb is damaged" in result.stderr
    assert "It is rebuilt from data/raw/ now." in result.stderr
    assert digests(report) == before  # the same report as from the good database
    assert "lagesbild.duckdb is damaged" not in cli(built, "build", "--year", "2024").stderr  # no notice the next time


def test_the_reload_follows_content_not_times(loaded_config: Config) -> None:
    """A manifest that is newer but unchanged does not reload; a raw file and its manifest entry changed with
    old times do; so does a raw file changed in place alone."""
    assert not loader.is_stale(loaded_config)
    future = loaded_config.db_path.stat().st_mtime + 3600
    for path in (loaded_config.raw_dir / "manifest.json", loaded_config.path):
        os.utime(path, (future, future))
    assert not loader.is_stale(loaded_config)  # touched, not changed
    store_raw(loaded_config, "bra/2026.xlsx", (BRA_XLSX / "Gagnef.xlsx").read_bytes() + b"\0")
    for path in (loaded_config.raw_dir / "manifest.json", loaded_config.raw_dir / "bra" / "2026.xlsx"):
        os.utime(path, (1, 1))  # older than the database
    assert loader.is_stale(loaded_config)
    loader.load(loaded_config)
    assert not loader.is_stale(loaded_config)
    workbook = loaded_config.raw_dir / "bra" / "2062.xlsx"
    stat = workbook.stat()
    data = bytearray(workbook.read_bytes())
    data[-1] ^= 1
    workbook.write_bytes(bytes(data))
    os.utime(workbook, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**9))  # an older time, the same size
    assert loader.is_stale(loaded_config)


def test_a_foreign_file_in_raw_is_named(loaded_config: Config) -> None:
    shutil.copyfile(BRA_XLSX / "Mora.xlsx", loaded_config.raw_dir / "bra" / "Mora.xlsx")  # copied in by hand
    result = cli(loaded_config, "load")
    no_bug(result)
    assert result.returncode == 1
    assert "bra/Mora.xlsx in data/raw/ is not in manifest.json" in result.stderr
    assert "lagesbild import bra FILE" in result.stderr


def test_the_manifest_of_a_demo_covers_every_raw_file(owned: Config) -> None:
    """Every raw file the importers and the demo's fetch stand-in write has its entry (verify passes)."""
    from lagesbild_cli.storage import provenance

    entries = provenance.verify(owned.raw_dir)
    assert set(provenance.raw_files(owned.raw_dir)) <= set(entries)
    assert {f.split("/")[0] for f in entries} >= {"bra", "survey", "raddning"}
    assert json.loads((owned.raw_dir / "manifest.json").read_text(encoding="utf-8"))


def test_doctor_names_a_raw_file_that_is_not_the_recorded_one(loaded_config: Config) -> None:
    assert "OK    raw files: 15 files, each as manifest.json recorded it" in cli(loaded_config, "doctor").stdout
    shutil.copyfile(BRA_XLSX / "Mora.xlsx", loaded_config.raw_dir / "bra" / "2026.xlsx")
    result = cli(loaded_config, "doctor")
    no_bug(result)
    assert result.returncode == 1
    assert "ERROR raw files: bra/2026.xlsx in data/raw/ is not the file recorded" in result.stdout
    (loaded_config.raw_dir / "manifest.json").write_bytes(b"{")
    result = cli(loaded_config, "doctor")
    no_bug(result)
    assert result.returncode == 1 and "ERROR raw files: data/raw/manifest.json is damaged" in result.stdout
