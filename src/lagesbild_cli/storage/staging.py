"""Outputs replaced as a whole or not at all, and only lagesbild's own leftovers ever cleaned up.

A report set (HTML, PDF, xlsx and every CSV) is written into a new folder beside the folder it replaces (same
parent, so the same file system); then the old folder is moved aside, the new one moved in, and the old one
removed. Before the new folder is made, a record of the three names is written into the data folder's
``.lagesbild-staging/``; it is removed when the swap is done. A run killed on the way leaves its record, and
:func:`recover`, called under the data folder's lock when the next run starts, finishes or undoes exactly what
the record names: an old set whose replacement never arrived is put back, a half-written new one removed.
Nothing else is ever deleted: a user's folder named like a leftover (``.2024.new-123``) is not in a record.
The staging names carry lagesbild's mark and a random part (``.2024.lagesbild-new-<pid>-<hex>``) as well, so
they cannot be taken for a user's files.

A report folder that is a symbolic link (a kommun publishing to its web folder) is written through: the set
replaces the folder the link points to, beside it, and the link is left as it is, so it shows the new set.
This needs write access to the linked folder's parent; without it, or when the link points at a folder that
holds the project's reports, the build is refused with the link, its target and why.

Several raw files are stored as a whole by :func:`stored_together`: all are written to temp files first and
swapped in, with their manifest entries, in one block that Ctrl-C or SIGTERM cannot cut in two.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lagesbild_cli import interrupts
from lagesbild_cli.errors import LagesbildError
from lagesbild_cli.i18n import N_, _
from lagesbild_cli.storage.checkpoints import checkpoint
from lagesbild_cli.storage.raw import TEMP_MARK, TEMP_SUFFIX, Manifest, ManifestEntry, atomic_write_bytes, write_temp

RECORDS = ".lagesbild-staging"  # in the data folder: one record per report set being replaced
MARK = "lagesbild-"
# A temp file of raw.atomic_write_bytes or store.rebuild (and DuckDB's write-ahead log beside it)
TEMP_FILE = re.compile(rf"^\..+\.{re.escape(TEMP_MARK)}[A-Za-z0-9_]+{re.escape(TEMP_SUFFIX)}(?:\.wal)?$")
# What older versions of lagesbild left beside a report folder they were replacing: no longer removed (it may
# be a user's own folder), only named by doctor
OLD_STYLE_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>new|old)-\d+$")
# Files of these kinds in the old folder belong to the old set; any other file (a user's own notes) is
# carried over into the new folder, so replacing the set never deletes it.
SET_SUFFIXES = frozenset({".html", ".pdf", ".xlsx", ".csv"})


class LinkedFolderError(LagesbildError):
    """A report folder is a symbolic link that lagesbild cannot publish through."""

    kind = N_("report folder")


@contextmanager
def replaced_folder(final: Path, data_dir: Path) -> Iterator[Path]:
    """A new, empty folder beside ``final`` (or beside the folder it links to) to write into; it replaces that
    folder when the block completes. ``data_dir`` holds the record a killed run leaves (see the module's text)."""
    place = publishing_place(final)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    new = place.with_name(f".{place.name}.{MARK}new-{token}")
    old = place.with_name(f".{place.name}.{MARK}old-{token}")
    record = data_dir / RECORDS / f"{token}.json"
    text = json.dumps({"final": str(place), "new": str(new), "old": str(old)}, ensure_ascii=False)
    atomic_write_bytes(record, text.encode("utf-8"))
    try:
        try:
            new.mkdir()
        except OSError as exc:
            if final.is_symlink():
                raise _not_writable(final, place, exc) from None
            raise
        yield new
        _carry_over(place, new)
        with interrupts.deferred():  # both renames or neither: a signal waits until the set is in place
            _swap(new, place, old)
            interrupts.done(_("the new report set is in place in {folder}").format(folder=final))
    except BaseException:
        _remove(new, ignore_errors=True)
        if not os.path.lexists(new):  # else recover() removes it on the next run
            record.unlink(missing_ok=True)
        raise
    _remove(old, ignore_errors=True)
    if not os.path.lexists(old):  # else recover() removes it on the next run
        record.unlink(missing_ok=True)


def publishing_place(final: Path) -> Path:
    """The folder that is replaced: ``final``, or for a symbolic link the folder it points to (a link lagesbild
    cannot publish through is a :class:`LinkedFolderError`)."""
    if not final.is_symlink():
        final.parent.mkdir(parents=True, exist_ok=True)
        return final
    target = Path(os.path.realpath(final))
    holder = Path(os.path.realpath(final.parent))
    if target == holder or target in holder.parents:
        raise LinkedFolderError(
            _(
                "The report folder {folder} is a link to {target}, which holds the report folder itself; "
                "lagesbild replaces a linked folder as a whole, so it will not publish there."
            ).format(folder=final, target=target),
            hint=_(
                "Point the link at a folder of its own (e.g. a new folder in your web folder), or remove {folder}."
            ).format(folder=final),
        )
    if not target.parent.is_dir():
        raise LinkedFolderError(
            _("The report folder {folder} is a link to {target}, whose folder {parent} does not exist.").format(
                folder=final, target=target, parent=target.parent
            ),
            hint=_("Create {parent} or correct the link (ln -sfn TARGET {folder}), then build again.").format(
                parent=target.parent, folder=final
            ),
        )
    return target


def _not_writable(final: Path, place: Path, exc: OSError) -> LinkedFolderError:
    return LinkedFolderError(
        _(
            "The report folder {folder} is a link to {target}; lagesbild publishes through it by writing the new set "
            "beside it and swapping it in, but cannot write in {parent} ({reason})."
        ).format(folder=final, target=place, parent=place.parent, reason=exc.strerror),
        hint=_(
            "Give your user write access to {parent}, or link a folder whose parent you may write in. "
            "The previous report is untouched."
        ).format(parent=place.parent),
    )


def _carry_over(final: Path, new: Path) -> None:
    if not final.is_dir():
        return
    for path in final.rglob("*"):
        target = new / path.relative_to(final)
        if path.is_file() and path.suffix.lower() not in SET_SUFFIXES and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    try:  # a web folder keeps its mode (e.g. group-writable)
        os.chmod(new, stat.S_IMODE(final.stat().st_mode) | stat.S_IRWXU)
    except OSError:
        pass


def _swap(new: Path, final: Path, old: Path) -> None:
    had_old = os.path.lexists(final)
    if had_old:
        os.rename(final, old)
    checkpoint("swap")
    try:
        os.rename(new, final)
    except BaseException:
        if had_old:
            os.rename(old, final)
        raise


def _remove(path: Path, *, ignore_errors: bool = False) -> None:
    """Remove a file, a folder or a link; a link is unlinked, never followed."""
    try:
        if path.is_symlink() or path.is_file():
            path.unlink(missing_ok=True)
        elif path.is_dir():
            shutil.rmtree(path)
    except OSError:
        if not ignore_errors:
            raise


def pending(data_dir: Path) -> list[dict[str, str]]:
    """The records of report sets whose replacement a killed run left unfinished."""
    found = []
    for path in sorted((data_dir / RECORDS).glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = None
        if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in ("final", "new", "old")):
            record = {"final": "", "new": "", "old": ""}  # unreadable: the record alone is removed
        found.append({**record, "record": str(path)})
    return found


def recover(data_dir: Path) -> list[Path]:
    """Finish or undo what killed runs left, as their records say: an old set whose replacement never arrived is
    put back, a half-written new set and an old one already replaced are removed. Only call it under the lock,
    when no other run is writing. Returns what was put back or removed."""
    touched: list[Path] = []
    for record in pending(data_dir):
        final, new, old = (Path(record[k]) if record[k] else None for k in ("final", "new", "old"))
        if old is not None and final is not None and os.path.lexists(old):
            if os.path.lexists(final):
                _remove(old)
            else:
                os.rename(old, final)
            touched.append(old)
        if new is not None and os.path.lexists(new):
            _remove(new)
            touched.append(new)
        Path(record["record"]).unlink(missing_ok=True)
    return touched


def temp_files(root: Path) -> list[Path]:
    """Temp files lagesbild wrote under ``root`` (marked: see raw.TEMP_MARK), not following links."""
    return sorted(
        p
        for p in root.rglob(f"*{TEMP_MARK}*")
        if TEMP_FILE.match(p.name) and p.is_file() and not p.is_symlink() and RECORDS not in p.parts[:-1]
    )


def old_style_leftovers(root: Path) -> list[Path]:
    """Folders and links named as older lagesbild versions named a report set being replaced (``.2024.old-<pid>``).
    They may be such a leftover or a user's own; lagesbild leaves them alone and doctor names them."""
    return sorted(p for p in root.rglob(".*-*") if OLD_STYLE_LEFTOVER.match(p.name) and (p.is_dir() or p.is_symlink()))


@contextmanager
def stored_together(manifest: Manifest, note: Callable[[list[str]], str]) -> Iterator[Manifest]:
    """A manifest to store raw files through; they replace the raw files, and their entries the manifest's, all
    at once when the block completes (in one block a signal cannot cut in two), and ``note`` of the files stored
    (their paths under data/raw/) is recorded with :func:`interrupts.done` in the same block. A failure or an
    interrupt before that leaves every raw file and the manifest as they were."""
    staged = _StagedManifest(manifest.raw_dir)
    try:
        yield staged
        with interrupts.deferred():
            for relative, tmp in staged.files.items():
                os.replace(tmp, manifest.raw_dir / relative)
            manifest.record_all(list(staged.recorded.values()))
            interrupts.done(note(list(staged.files)))
    finally:
        for tmp in staged.files.values():
            tmp.unlink(missing_ok=True)  # gone already after the swap


class _StagedManifest(Manifest):
    """Writes raw files to temp files and keeps their entries, for :func:`stored_together` to swap in."""

    def __init__(self, raw_dir: Path) -> None:
        super().__init__(raw_dir)
        self.files: dict[str, Path] = {}
        self.recorded: dict[str, ManifestEntry] = {}

    def write_file(self, relative: str, data: bytes) -> None:
        earlier = self.files.pop(relative, None)
        if earlier is not None:
            earlier.unlink(missing_ok=True)
        self.files[relative] = write_temp(self.raw_dir / relative, data)

    def record_all(self, new: list[ManifestEntry], entries: dict[str, ManifestEntry] | None = None) -> None:
        self.recorded.update((entry.file, entry) for entry in new)

    def entries(self) -> dict[str, ManifestEntry]:
        return {**super().entries(), **self.recorded}
