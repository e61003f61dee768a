"""Atomic writes: the old file or the new one, with the mode a plain open() gives, and OS errors that
name the file."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from lagesbild_cli.errors import Notice, ProvenanceError
from lagesbild_cli.storage import raw
from lagesbild_cli.storage.raw import atomic_write_bytes, public_origin


def test_a_new_file_gets_the_umask_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "a" / "report.pdf", b"%PDF")
        os.umask(0o027)
        atomic_write_bytes(tmp_path / "a" / "private.pdf", b"%PDF")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "a" / "report.pdf").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "a" / "private.pdf").stat().st_mode) == 0o640


def test_a_full_disk_names_the_file_and_keeps_the_old_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(b"old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(raw.os, "fsync", full)
    with pytest.raises(OSError) as caught:
        atomic_write_bytes(path, b"new")
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(path)
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


@pytest.mark.parametrize(
    ("origin", "shown"),
    [
        ("/home/anna/Hämtade filer/bra/Gagnef.xlsx", "Gagnef.xlsx"),
        ("C:\\Users\\anna\\Downloads\\Gagnef.xlsx", "Gagnef.xlsx"),
        ("file:///home/anna/Gagnef.xlsx", "Gagnef.xlsx"),
        ("Gagnef.xlsx", "Gagnef.xlsx"),
        ("https://bra.se/download/18.1/2/Gagnef.xlsx", "https://bra.se/download/18.1/2/Gagnef.xlsx"),
        ("4 events merged by id from every fetch and import", "4 events merged by id from every fetch and import"),
    ],
)
def test_an_origin_is_shown_without_local_folders(origin: str, shown: str) -> None:
    assert public_origin(origin) == shown


def _project_raw(tmp_path: Path) -> Path:
    raw_dir = tmp_path / "Hemliga mappen" / "data" / "raw"
    manifest = raw.Manifest(raw_dir)
    manifest.store("bra/2026.xlsx", b"workbook", source="bra", origin="Gagnef.xlsx", status=None)
    manifest.store("survey/2026/2024.csv", b"ar,kon\n2024,Kvinna\n", source="survey", origin="x.csv", status=None)
    return raw_dir


@pytest.mark.parametrize("damaged", [b"", b'{"bra/2026.xlsx": {"file": "bra/2026.xlsx"', b"[]", b'{"a": 1}'])
def test_a_damaged_manifest_is_an_error_naming_it_and_is_not_written_over(tmp_path: Path, damaged: bytes) -> None:
    raw_dir = _project_raw(tmp_path)
    (raw_dir / "manifest.json").write_bytes(damaged)
    with pytest.raises(ProvenanceError, match=r"data/raw/manifest.json is damaged") as caught:
        raw.Manifest(raw_dir).entries()
    assert "Hemliga" not in str(caught.value) and "Restore manifest.json from a backup" in str(caught.value)
    with pytest.raises(ProvenanceError):
        raw.Manifest(raw_dir).store("bra/2062.xlsx", b"new", source="bra", origin="Mora.xlsx", status=None)
    assert (raw_dir / "manifest.json").read_bytes() == damaged
    assert not (raw_dir / "bra" / "2062.xlsx").exists()  # the file is not stored without its entry


def test_every_raw_file_is_verified_against_the_manifest(tmp_path: Path) -> None:
    from lagesbild_cli.storage import provenance

    raw_dir = _project_raw(tmp_path)
    (raw_dir / "polisen").mkdir()
    (raw_dir / "polisen" / ".calls.json").write_text("[]", encoding="utf-8")  # the tool's own hidden log
    assert set(provenance.verify(raw_dir)) == {"bra/2026.xlsx", "survey/2026/2024.csv"}
    (raw_dir / "survey" / "2026" / "2024.csv").write_bytes(b"ar,kon\n2024,Man\n")
    with pytest.raises(ProvenanceError, match=r"survey/2026/2024.csv in data/raw/ is not the file") as caught:
        provenance.verify(raw_dir)
    assert "'lagesbild import survey FILE'" in str(caught.value) and "Hemliga" not in str(caught.value)
    (raw_dir / "manifest.json").unlink()
    with pytest.raises(ProvenanceError, match=r"manifest.json is missing, so the 2 raw files") as caught:
        provenance.verify(raw_dir)
    assert "bra/2026.xlsx, survey/2026/2024.csv" in str(caught.value)


@pytest.mark.parametrize("damaged", [b"", b'{"bra": {"source": "bra"', b'{"bra": []}'])
def test_a_damaged_fetch_log_is_read_as_empty_with_a_notice(tmp_path: Path, damaged: bytes) -> None:
    log = raw.FetchLog(tmp_path / "data" / "raw")
    log.path.parent.mkdir(parents=True)
    log.path.write_bytes(damaged)
    with pytest.warns(Notice, match=r"data/raw/fetch_status.json is damaged and was read as empty"):
        assert log.statuses() == {}
    with pytest.warns(Notice):
        log.record("scb", ok=True)  # the next fetch writes it anew
    assert set(log.statuses()) == {"scb"}


def test_provenance_errors_and_notices_read_in_swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Swedish sentences for one file and for several, the command to run as printed (placeholder in Swedish)."""
    from lagesbild_cli.storage import provenance

    monkeypatch.setenv("LANGUAGE", "sv")
    raw_dir = _project_raw(tmp_path)
    (raw_dir / "survey" / "2026" / "2024.csv").write_bytes(b"ar,kon\n2024,Man\n")
    with pytest.raises(ProvenanceError) as caught:
        provenance.verify(raw_dir)
    assert "survey/2026/2024.csv i data/raw/ är inte den fil som finns i manifest.json" in str(caught.value)
    assert "→ Spara uppgifterna igen: 'lagesbild import survey FIL' med enkätverktygets export." in str(caught.value)
    (raw_dir / "manifest.json").unlink()
    with pytest.raises(ProvenanceError, match=r"manifest.json saknas, så de 2 filerna med rådata i data/raw/"):
        provenance.verify(raw_dir)
    log = raw.FetchLog(raw_dir)
    log.path.write_bytes(b"")
    with pytest.warns(Notice, match=r"data/raw/fetch_status.json är skadad och lästes som tom"):
        log.statuses()
