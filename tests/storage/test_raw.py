"""Atomic writes: the old file or the new one, with the mode a plain open() gives, and OS errors that
name the file."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

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
