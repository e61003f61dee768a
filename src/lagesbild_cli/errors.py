"""The tool's own errors.

Every expected failure is a :class:`LagesbildError`: it says what is wrong, where (file, sheet,
cell, URL) and what to do. The CLI maps them to exit code 1 in one place; so are the operating system's
errors (no permission, a read-only or full disk, a missing folder), through :func:`storage_error`. Anything
else is a bug (exit code 70).
"""

from __future__ import annotations

import errno
import os
import warnings
from pathlib import Path

from lagesbild_cli.i18n import N_, _


class LagesbildError(Exception):
    """An expected, user-facing failure."""

    kind = N_("error")

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  → {self.hint}"
        return self.message


class ConfigError(LagesbildError):
    """lagesbild.toml is missing, unreadable or has a wrong key or value."""

    kind = N_("config error")


class UnknownKommunError(ConfigError):
    """A kommun code or name that is not one of Sweden's 290 kommuner."""

    kind = N_("unknown kommun")


class UnknownLanError(ConfigError):
    """A län code or name that is not one of Sweden's 21 län."""

    kind = N_("unknown län")


class FetchError(LagesbildError):
    """A download failed; the previous raw file is untouched."""

    kind = N_("fetch error")


class NoNetworkError(FetchError):
    """A host could not be reached at all (no network, an unknown name, a refused connection).

    Not retried: every later request to the same host in the run fails at once with it."""


class HttpStatusError(FetchError):
    """The server answered with an HTTP status that a retry does not cure (a 4xx other than 429): the
    URL or the request is wrong, or the resource has moved."""

    def __init__(self, message: str, *, status: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class GoneError(HttpStatusError):
    """The server answered 404 or 410: the resource is gone or has moved (never retried)."""


class BrowserMissingError(FetchError):
    """A page needs a real browser to show what is wanted, and no usable one is installed."""


class ParseError(LagesbildError):
    """A raw file does not have the layout the parser expects."""

    kind = N_("parse error")


class ValidationError(LagesbildError):
    """An input file breaks its contract (e.g. survey answers the config does not map)."""

    kind = N_("validation error")


class DataMissingError(LagesbildError):
    """The store lacks data that a step needs (e.g. build before any fetch)."""

    kind = N_("missing data")


class RenderError(LagesbildError):
    """The report could not be rendered; the previous report is untouched."""

    kind = N_("render error")


class ProvenanceError(LagesbildError):
    """A raw file is not the one the manifest recorded, is not in it, or the manifest is missing or damaged:
    its origin cannot be shown, so it is not used. Nothing is loaded."""

    kind = N_("provenance error")


class DatabaseDamagedError(LagesbildError):
    """The database file cannot be read as a database (cut short, overwritten); it is derived from data/raw/
    alone, so a load rebuilds it."""

    kind = N_("damaged database")


class Notice(UserWarning):
    """Something the user should know that did not stop the run (a damaged log read as empty, a damaged
    database rebuilt): issued with :func:`notice`, shown by the CLI as one line."""


def notice(message: str) -> None:
    warnings.warn(Notice(message), stacklevel=2)


class StorageError(LagesbildError):
    """The operating system refused to read or write a file: no permission, a read-only file system, a full
    disk or a missing folder. Nothing stored before is changed: every write is a temp file swapped in."""

    kind = N_("file system")


_DATA_DIR_HINT = N_("or set [paths] data_dir in lagesbild.toml to a folder where you may write")


def storage_error(exc: OSError, *, base: Path | None = None) -> StorageError:
    """What an OSError means for the user and what to do; ``base`` (the working folder) shortens the path."""
    where = _shown(exc.filename, base) if exc.filename is not None else None
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return StorageError(
            _("The disk is full: lagesbild could not write {path}.").format(path=where or _("its files")),
            hint=_(
                "Free some space on that disk (or set [paths] data_dir in lagesbild.toml to a folder on another "
                "disk), then run the command again. What was stored before, the previous report too, is untouched."
            ),
        )
    if code == errno.EROFS:
        return StorageError(
            _("{path} is on a read-only file system.").format(path=where)
            if where
            else _("The folder is on a read-only file system."),
            hint=_("Run lagesbild on a writable copy of the project, {data_dir_hint}.").format(
                data_dir_hint=_(_DATA_DIR_HINT)
            ),
        )
    if code in (errno.EACCES, errno.EPERM):
        return StorageError(
            _("Permission denied: {path}.").format(path=where or _("a file or folder")),
            hint=_("Give your user access to it (e.g. chmod u+rwX on the folder), {data_dir_hint}.").format(
                data_dir_hint=_(_DATA_DIR_HINT)
            ),
        )
    if code == errno.ENOENT:
        return StorageError(
            _("{path} does not exist.").format(path=where) if where else _("A file or folder does not exist."),
            hint=_("Check the path; create the folder, or correct it on the command line or in lagesbild.toml."),
        )
    if code == errno.ENOTDIR:
        return StorageError(
            _("{path} is not a folder (a file is in the way).").format(path=where)
            if where
            else _("A path is not a folder (a file is in the way)."),
            hint=_("Move that file away or correct the path, then run the command again."),
        )
    if code == errno.EISDIR:
        return StorageError(
            _("{path} is a folder, not a file.").format(path=where) if where else _("A path is a folder, not a file."),
            hint=_("Give the path of a file."),
        )
    reason = (exc.strerror or os.strerror(code)) if code else str(exc)
    return StorageError(
        _("The operating system could not read or write {path}: {reason}.").format(
            path=where or _("a file"), reason=reason
        ),
        hint=_("Check the path, its permissions and the free disk space, then run the command again."),
    )


def _shown(filename: object, base: Path | None) -> str:
    """The path relative to ``base`` when it lies inside it, else as given."""
    path = Path(os.fsdecode(filename)) if isinstance(filename, str | bytes) else Path(str(filename))
    if base is not None and path.is_absolute():
        try:
            return str(path.relative_to(base)) or "."
        except ValueError:
            pass
    return str(path)
