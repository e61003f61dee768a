"""The raw folder: atomic writes and the provenance manifest.

Raw is sacred: a file in ``data/raw/`` is replaced only by a complete new file (temp file +
``os.replace``), and every file has a manifest entry saying where it came from, when, with which
HTTP status and sha256.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lagesbild_cli import interrupts
from lagesbild_cli.errors import ProvenanceError, notice
from lagesbild_cli.i18n import _

MANIFEST = "manifest.json"
FETCH_LOG = "fetch_status.json"


@dataclass(frozen=True)
class Download:
    """What a server sent for one request; :meth:`Manifest.store_download` stores it."""

    url: str
    content: bytes  # empty when not modified
    status: int
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# Every temp file lagesbild writes is named ``.<name>.lagesbild-<random>.tmp``: the next run removes only
# files with this mark (a killed run's), never a user's own file that merely looks temporary (.utkast.tmp.txt).
TEMP_MARK = "lagesbild-"
TEMP_SUFFIX = ".tmp"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    The file gets the mode a plain ``open()`` would give it (0644 under umask 022), not mkstemp's 0600,
    so colleagues can open the reports. An OS error names ``path`` (a failed write alone names nothing).
    """
    tmp = write_temp(path, data)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_temp(path: Path, data: bytes) -> Path:
    """``data`` written and synced to a marked temp file beside ``path`` (see TEMP_MARK), for the caller to
    swap in with ``os.replace``; on any failure nothing is left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{TEMP_MARK}", suffix=TEMP_SUFFIX)
    tmp = Path(name)
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def file_mode() -> int:
    """The mode a new file gets from ``open()``: 0o666 without the bits of the process's umask."""
    return 0o666 & ~_umask()


def folder_mode() -> int:
    """The mode a new folder gets from ``mkdir()``: 0o777 without the bits of the process's umask (0755)."""
    return 0o777 & ~_umask()


def _umask() -> int:
    """The umask, read without changing it (Linux shows it in /proc); elsewhere set and restored once."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return _umask_once()


@functools.cache
def _umask_once() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class ManifestEntry:
    """Provenance of one raw file. ``origin`` is the URL it was downloaded from or the name of the file
    it was imported from (never its local folder: see :func:`public_origin`)."""

    file: str  # relative to the raw folder, e.g. "bra/2026.xlsx"
    source: str
    origin: str
    retrieved_at: str
    status: int | None
    sha256: str
    bytes: int
    etag: str | None = None
    last_modified: str | None = None
    checked_at: str | None = None  # last time the server said the file is unchanged (HTTP 304)


def _well_formed(key: str, entry: Any) -> bool:
    return (
        isinstance(entry, ManifestEntry)
        and entry.file == key
        and isinstance(entry.sha256, str)
        and len(entry.sha256) == 64
        and isinstance(entry.source, str)
    )


def public_origin(origin: str) -> str:
    """An origin as reports and exports show it: a URL or description as it is, a local path (as older
    versions recorded for imported files) as its file name only, so no output names the user's folders."""
    text = origin.strip()
    if "://" in text and not text.lower().startswith("file:"):
        return origin
    if text.lower().startswith(("/", "~", "\\\\", "file:")) or (len(text) > 2 and text[1] == ":" and text[2] in "\\/"):
        return text.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return origin


class Manifest:
    """``data/raw/manifest.json``: one entry per raw file, keyed by its path under ``data/raw/``."""

    def __init__(self, raw_dir: Path) -> None:
        self.raw_dir = raw_dir
        self.path = raw_dir / MANIFEST

    def entries(self) -> dict[str, ManifestEntry]:
        """The entries; a manifest that is not one (cut short, empty, another shape) is a ProvenanceError, never
        written over: what it recorded may still be restored from a backup."""
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_bytes())
            entries = {key: ManifestEntry(**value) for key, value in data.items()}
        except (ValueError, TypeError, AttributeError):
            entries = None
        if entries is None or not all(_well_formed(k, e) for k, e in entries.items()):
            shown = f"{self.raw_dir.parent.name}/{self.raw_dir.name}"
            raise ProvenanceError(
                _(
                    "{folder}/{manifest} is damaged (cut short, emptied or not a manifest), so the raw files in "
                    "{folder}/ can no longer be verified and lagesbild will not use them."
                ).format(folder=shown, manifest=MANIFEST),
                hint=_(
                    "Restore {manifest} from a backup. Or move it away and store the data again: "
                    "'lagesbild fetch', and 'lagesbild import survey FILE' and 'lagesbild import raddning FILE' for "
                    "your own exports. The database and the reports are unchanged."
                ).format(manifest=MANIFEST),
            )
        return entries

    def record(self, entry: ManifestEntry, entries: dict[str, ManifestEntry] | None = None) -> None:
        """Add or replace ``entry`` in the manifest (as read now, or ``entries`` read before)."""
        self.record_all([entry], entries)

    def record_all(self, new: list[ManifestEntry], entries: dict[str, ManifestEntry] | None = None) -> None:
        """Record several entries in one write of the manifest (as read now, or ``entries`` read before)."""
        entries = dict(self.entries() if entries is None else entries)
        entries.update((entry.file, entry) for entry in new)
        text = json.dumps({k: asdict(v) for k, v in sorted(entries.items())}, ensure_ascii=False, indent=2)
        atomic_write_bytes(self.path, (text + "\n").encode("utf-8"))

    def write_file(self, relative: str, data: bytes) -> None:
        """Replace the raw file ``relative`` with ``data`` atomically (see :func:`staging.stored_together`); if the
        run is stopped from now on, the CLI says so (see :func:`interrupts.done`)."""
        with interrupts.deferred():  # the file and its note, or neither
            atomic_write_bytes(self.raw_dir / relative, data)
            interrupts.done(
                _("data/raw/{file} was stored (the next 'lagesbild build' reloads the database from it)").format(
                    file=relative
                )
            )

    def get(self, relative: str) -> ManifestEntry | None:
        """The entry of a raw file, if the file is still there."""
        entry = self.entries().get(relative)
        return entry if entry is not None and (self.raw_dir / relative).exists() else None

    def mark_unchanged(self, relative: str) -> ManifestEntry | None:
        """Record that the server confirmed the stored file is current (a 304)."""
        entry = self.get(relative)
        if entry is not None:
            entry = replace(entry, checked_at=utc_now())
            self.record(entry)
        return entry

    def store_download(self, relative: str, got: Download, source: str) -> ManifestEntry:
        """Store what a server sent, with its URL, status and validators."""
        return self.store(
            relative,
            got.content,
            source=source,
            origin=got.url,
            status=got.status,
            etag=got.etag,
            last_modified=got.last_modified,
        )

    def store(
        self,
        relative: str,
        data: bytes,
        *,
        source: str,
        origin: str,
        status: int | None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> ManifestEntry:
        """Write a raw file atomically and record it. A damaged manifest stops this before the file is written."""
        entries = self.entries()
        self.write_file(relative, data)
        entry = ManifestEntry(
            file=relative,
            source=source,
            origin=origin,
            retrieved_at=utc_now(),
            status=status,
            sha256=sha256(data),
            bytes=len(data),
            etag=etag,
            last_modified=last_modified,
        )
        self.record(entry, entries)
        return entry


@dataclass(frozen=True)
class FetchStatus:
    """The outcome of the last fetch of one source, so a report can mark stale data."""

    source: str
    last_attempt: str
    ok: bool
    last_success: str | None
    error: str | None


class FetchLog:
    """``data/raw/fetch_status.json``: per source, when it was last tried and whether that worked."""

    def __init__(self, raw_dir: Path) -> None:
        self.path = raw_dir / FETCH_LOG

    def statuses(self) -> dict[str, FetchStatus]:
        """The statuses; a log that is not one (cut short, emptied, another shape) is only a log: read as empty,
        with a notice, and written anew by the next fetch."""
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_bytes())
            statuses = {key: FetchStatus(**value) for key, value in data.items()}
            if all(isinstance(s.source, str) and isinstance(s.last_attempt, str) for s in statuses.values()):
                return statuses
        except (ValueError, TypeError, AttributeError):
            pass
        notice(
            _(
                "{log} is damaged and was read as empty: the report cannot say which sources failed at their last "
                "fetch. The next 'lagesbild fetch' writes it anew."
            ).format(log=f"{self.path.parent.parent.name}/{self.path.parent.name}/{FETCH_LOG}")
        )
        return {}

    def record(self, source: str, ok: bool, error: str | None = None, *, at: str | None = None) -> FetchStatus:
        """Record an attempt that began ``at`` (default: now)."""
        statuses = self.statuses()
        now = at or utc_now()
        previous = statuses.get(source)
        status = FetchStatus(
            source=source,
            last_attempt=now,
            ok=ok,
            last_success=now if ok else (previous.last_success if previous else None),
            error=None if ok else error,
        )
        statuses[source] = status
        text = json.dumps({k: asdict(v) for k, v in sorted(statuses.items())}, ensure_ascii=False, indent=2)
        atomic_write_bytes(self.path, (text + "\n").encode("utf-8"))
        return status
