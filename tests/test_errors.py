"""What the operating system refuses is explained to the user: the path and what to do."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from lagesbild_cli.errors import storage_error


@pytest.mark.parametrize(
    ("code", "says", "advice"),
    [
        (errno.ENOSPC, "The disk is full: lagesbild could not write data/raw/manifest.json.", "Free some space"),
        (errno.EROFS, "data/raw/manifest.json is on a read-only file system.", "writable copy"),
        (errno.EACCES, "Permission denied: data/raw/manifest.json.", "chmod u+rwX"),
        (errno.ENOENT, "data/raw/manifest.json does not exist.", "create the folder"),
        (errno.EIO, "could not read or write data/raw/manifest.json: Input/output error.", "free disk space"),
    ],
)
def test_an_os_error_says_what_where_and_what_to_do(tmp_path: Path, code: int, says: str, advice: str) -> None:
    exc = OSError(code, os.strerror(code), str(tmp_path / "data" / "raw" / "manifest.json"))
    message = str(storage_error(exc, base=tmp_path))
    assert says in message and advice in message and "bug" not in message


def test_a_path_outside_the_working_folder_is_shown_in_full(tmp_path: Path) -> None:
    exc = PermissionError(errno.EACCES, "Permission denied", "/srv/lagesbild/data")
    assert "Permission denied: /srv/lagesbild/data." in str(storage_error(exc, base=tmp_path))


def test_an_os_error_reads_in_swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "sv")
    exc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "data" / "raw" / "manifest.json"))
    assert str(storage_error(exc, base=tmp_path)).startswith(
        "Disken är full: lagesbild kunde inte skriva data/raw/manifest.json.\n  → Frigör utrymme på disken"
    )
    denied = str(storage_error(PermissionError(errno.EACCES, "Permission denied", None), base=tmp_path))
    assert denied.startswith("Behörighet saknas: en fil eller mapp.\n  → Ge din användare behörighet")
    assert "eller sätt [paths] data_dir i inställningsfilen (lagesbild.toml)" in denied
