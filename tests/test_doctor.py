"""`lagesbild doctor`: each check, what it says, and its exit code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import BRA_XLSX, SAMPLES, write_config
from lagesbild_cli import doctor, pipeline
from lagesbild_cli.cli import app
from lagesbild_cli.settings.config import load_config
from lagesbild_cli.storage.raw import FetchLog


def by_name(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {c.name: c for c in checks}


def test_a_ready_project_passes(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    pipeline.import_bra(config, [BRA_XLSX])
    pipeline.import_polisen(config, SAMPLES / "polisen" / "events_snapshot_2025-12-03.json")
    checks = by_name(doctor.run(config.path, now=datetime(2026, 11, 27, tzinfo=UTC)))
    assert checks["weasyprint"].status == "OK" and checks["font with å ä ö"].detail == "DejaVu Sans"
    assert checks["config"].status == "OK" and "Gagnefs kommun (2026)" in checks["config"].detail
    assert checks["data bra"].status == "OK"
    # never fetched: SCB's population and the boundaries are the ones delivered with lagesbild, Kolada has none
    for shipped in ("scb", "geo"):
        assert checks[f"data {shipped}"].status == "OK"
        assert "delivered with lagesbild, published" in checks[f"data {shipped}"].detail
    assert "published 2025-02-21" in checks["data scb"].detail
    assert checks["data kolada"].status == "WARN" and checks["data kolada"].fix == "Run 'lagesbild fetch'."
    result = CliRunner().invoke(app, ["doctor", "--config", str(config.path)])
    assert result.exit_code == 0 and "0 errors" in result.stdout


def test_old_data_and_failed_fetches_warn(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    pipeline.import_polisen(config, SAMPLES / "polisen" / "events_snapshot_2025-12-03.json")
    later = by_name(doctor.run(config.path, now=datetime(2027, 1, 1, tzinfo=UTC)))
    assert later["data polisen"].status == "WARN" and "older than 2 days" in later["data polisen"].detail
    # a fetch that failed after the import (the log and the manifest count whole seconds)
    after = (datetime.now(UTC) + timedelta(seconds=1)).replace(microsecond=0).isoformat()
    FetchLog(config.raw_dir).record("polisen", ok=False, error="HTTP 503", at=after)
    now = by_name(doctor.run(config.path))
    assert now["data polisen"].status == "WARN" and "the last fetch failed" in now["data polisen"].detail


def test_a_broken_config_is_an_error(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('kod = "2026"', 'kod = "9999"'), encoding="utf-8")
    result = CliRunner().invoke(app, ["doctor", "--config", str(path)])
    assert result.exit_code == 1
    assert "ERROR config" in result.stdout and "kommun.kod" in result.stdout and "1 error," in result.stdout


def test_an_unwritable_data_folder_is_an_error(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    (tmp_path / "data").write_text("a file where the data folder should be", encoding="utf-8")
    checks = doctor.run(path)
    assert [c.status for c in checks if c.name.startswith("write access")] == ["ERROR", "ERROR"]


def test_survey_areas_of_another_kommun_are_a_config_error(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('kod = "2026"', 'kod = "2062"'), encoding="utf-8")
    check = by_name(doctor.run(path))["config"]
    assert check.status == "ERROR"
    assert (
        """'survey.areas."Djurås".deso' has the DeSO code '2026C1010', which lies outside Mora (2062)""" in check.detail
    )
    result = CliRunner().invoke(app, ["doctor", "--config", str(path)])
    assert result.exit_code == 1 and "survey.areas." in result.stdout and "2026C1010" in result.stdout


def test_a_hand_import_after_a_failed_fetch_clears_the_warning(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    FetchLog(config.raw_dir).record("polisen", ok=False, error="no network", at="2026-01-01T00:00:00+00:00")
    pipeline.import_polisen(config, SAMPLES / "polisen" / "events_snapshot_2025-12-03.json")
    assert "the last fetch failed" not in by_name(doctor.run(config.path))["data polisen"].detail


def test_doctor_says_whether_a_browser_can_search_bras_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(tmp_path)
    chrome, driver = tmp_path / "bin" / "chrome", tmp_path / "bin" / "chromedriver"
    chrome.parent.mkdir()
    for program in (chrome, driver):
        program.write_text("#!/bin/sh\n", encoding="utf-8")
        program.chmod(0o755)
    monkeypatch.setenv("PATH", str(chrome.parent))
    monkeypatch.setenv("LAGESBILD_BROWSER", str(chrome))
    found = by_name(doctor.run(path))["browser for Brå's search"]
    assert (found.status, found.detail) == ("OK", f"found {chrome} and {driver} (not started)")
    monkeypatch.setenv("LAGESBILD_BROWSER", "auto")
    missing = by_name(doctor.run(path))["browser for Brå's search"]
    assert missing.status == "WARN" and "Chrome or Chromium" in missing.detail
    assert "apt-get install chromium chromium-driver" in missing.fix and "lagesbild import bra FOLDER" in missing.fix
    assert "Selenium" not in missing.fix  # installed here: only what is missing is named
    monkeypatch.setenv("LAGESBILD_BROWSER", "google-chrome")
    named = by_name(doctor.run(path))["browser for Brå's search"]
    assert "google-chrome (LAGESBILD_BROWSER) is not an installed program" in named.detail
    monkeypatch.setenv("LAGESBILD_BROWSER", "never")
    never = by_name(doctor.run(path))["browser for Brå's search"]
    assert (never.status, never.detail) == ("OK", "not used (LAGESBILD_BROWSER = never)")


def test_the_survey_is_imported_not_fetched_and_unmentioned_when_not_configured(tmp_path: Path) -> None:
    gagnef = by_name(doctor.run(write_config(tmp_path)))  # Gagnef's config has a [survey] section
    assert gagnef["data survey"].fix == "Import the survey tool's export: 'lagesbild import survey FILE'."
    assert gagnef["data bra"].fix == "Run 'lagesbild fetch'."
    (tmp_path / "mora").mkdir()
    mora = by_name(doctor.run(write_config(tmp_path / "mora", kommun="2062")))  # no [survey] section
    assert "data survey" not in mora and "data bra" in mora


def test_doctor_names_leftovers_and_linked_report_folders(tmp_path: Path) -> None:
    """What older versions left beside a report folder (a dangling .2024.old-<pid> link, on which every run failed
    before), what a stopped run left, and a report folder linked to a web folder: named, with what to do."""
    config = load_config(write_config(tmp_path))
    reports = config.reports_dir / "2026"
    reports.mkdir(parents=True)
    assert by_name(doctor.run(config.path))["leftovers"].detail == "none"
    (reports / ".2024.old-4242").symlink_to(tmp_path / "gone")
    web = tmp_path / "www" / "lagesbild"
    web.mkdir(parents=True)
    (reports / "2024").symlink_to(web)
    marked = config.raw_dir / "bra" / ".2026.xlsx.lagesbild-k2j4h5g6.tmp"
    marked.parent.mkdir(parents=True)
    marked.write_bytes(b"half a workbook")
    checks = by_name(doctor.run(config.path))
    old = checks["leftover .2024.old-4242"]
    assert old.status == "WARN" and "(a link to a folder that is gone)" in old.detail
    assert old.fix == f"If it is not yours, remove it: rm {reports / '.2024.old-4242'}"
    assert checks["leftovers"].status == "WARN" and "a stopped run left 1 temp file in" in checks["leftovers"].detail
    linked = checks["report folder 2024"]
    assert (
        linked.status == "OK" and linked.detail == f"{reports / '2024'} is a link; a build writes the report into {web}"
    )
    result = CliRunner().invoke(app, ["doctor", "--config", str(config.path)])
    assert "WARN  leftover .2024.old-4242" in result.stdout and "WARN  leftovers" in result.stdout
    assert marked.exists() and (reports / ".2024.old-4242").is_symlink()  # doctor changes nothing
