"""A folder of outputs (a report set: HTML, PDF, xlsx and every CSV) replaced as a whole or not at all.

The new set is written into ``.<name>.new-<pid>`` beside the old folder (same parent, so the same file
system). Then the old folder is renamed to ``.<name>.old-<pid>``, the new one to ``<name>``, and the old
one is removed. A failure while writing (a full disk) removes the new folder and leaves the old one as it
was; a failure in the swap puts the old one back. A run killed between the two renames leaves only
``.<name>.old-<pid>``: :func:`recover`, called under the data folder's lock when the next run starts,
renames it back.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lagesbild_cli.storage.checkpoints import checkpoint

LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>new|old)-\d+$")
# Files of these kinds in the old folder belong to the old set; any other file (a user's own notes) is
# carried over into the new folder, so replacing the set never deletes it.
SET_SUFFIXES = frozenset({".html", ".pdf", ".xlsx", ".csv"})


@contextmanager
def replaced_folder(final: Path) -> Iterator[Path]:
    """A new, empty folder beside ``final`` to write into; it replaces ``final`` when the block completes."""
    final.parent.mkdir(parents=True, exist_ok=True)
    new = final.with_name(f".{final.name}.new-{os.getpid()}")
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    try:
        yield new
        _carry_over(final, new)
        _swap(new, final, old)
    finally:
        shutil.rmtree(new, ignore_errors=True)  # gone already after a successful swap
    shutil.rmtree(old, ignore_errors=True)  # if this fails, recover() removes it on the next run


def _carry_over(final: Path, new: Path) -> None:
    if not final.is_dir():
        return
    for path in final.rglob("*"):
        target = new / path.relative_to(final)
        if path.is_file() and path.suffix.lower() not in SET_SUFFIXES and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def _swap(new: Path, final: Path, old: Path) -> None:
    had_old = final.exists()
    if had_old:
        os.rename(final, old)
    checkpoint("swap")
    try:
        os.rename(new, final)
    except BaseException:
        if had_old:
            os.rename(old, final)
        raise


def recover(root: Path) -> list[Path]:
    """Undo what killed runs left under ``root``: unfinished new folders are removed, an old folder whose
    replacement never arrived is put back. Only call it under the lock, when no other run is writing."""
    touched = []
    for path in sorted(root.rglob(".*-*")):
        match = LEFTOVER.match(path.name)
        if match is None or not path.is_dir():
            continue
        final = path.with_name(match["name"])
        if match["kind"] == "old" and not final.exists():
            os.rename(path, final)
        else:
            shutil.rmtree(path)
        touched.append(path)
    return touched
