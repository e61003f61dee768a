"""The only module that talks to DuckDB.

The database is rebuilt from ``data/raw/`` alone: :func:`rebuild` writes a new file next to the
old one and swaps it in, so a crash or a bad raw file leaves the previous database intact.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from lagesbild_cli.errors import DatabaseDamagedError, DataMissingError
from lagesbild_cli.i18n import _
from lagesbild_cli.rules import stats
from lagesbild_cli.storage.raw import TEMP_MARK, TEMP_SUFFIX, file_mode


def _suppress(
    ns: list[int], remainder: int, min_cell: int, min_share: int, protect_shares: bool, yes: list[int]
) -> list[str]:
    return stats.suppress_cells(
        list(ns), int(remainder), int(min_cell), int(min_share), bool(protect_shares), [int(y) for y in yes]
    )


def _register_functions(con: duckdb.DuckDBPyConnection) -> None:
    con.create_function(
        "poisson_lower", stats.poisson_lower, [duckdb.sqltype("BIGINT")], duckdb.sqltype("DOUBLE"), side_effects=False
    )
    con.create_function(
        "poisson_upper", stats.poisson_upper, [duckdb.sqltype("BIGINT")], duckdb.sqltype("DOUBLE"), side_effects=False
    )
    bigint, integer = duckdb.sqltype("BIGINT"), duckdb.sqltype("INTEGER")
    con.create_function(
        "suppress_cells",
        _suppress,
        [duckdb.list_type(bigint), bigint, integer, integer, duckdb.sqltype("BOOLEAN"), duckdb.list_type(bigint)],
        duckdb.list_type(duckdb.sqltype("VARCHAR")),
        side_effects=False,
    )
    double = duckdb.sqltype("DOUBLE")
    con.create_function("interval_change_z", stats.interval_change_z, [double] * 6, double, side_effects=False)
    con.create_function(
        "few_answers", stats.few_answers, [bigint, bigint, integer], duckdb.sqltype("BOOLEAN"), side_effects=False
    )
    con.create_function("proportion_change_z", stats.proportion_change_z, [double] * 4, double, side_effects=False)


class Store:
    """An open DuckDB connection with the few operations the pipeline needs."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None = None) -> None:
        self.con = con
        self.path = path
        con.execute("set enable_progress_bar = false")
        _register_functions(con)

    def write_table(self, name: str, frame: pl.DataFrame) -> None:
        self.con.register("_frame", frame)
        try:
            self.con.execute(f'create or replace table "{name}" as select * from _frame')
        finally:
            self.con.unregister("_frame")

    def execute_script(self, sql: str) -> None:
        self.con.execute(sql)
        if self.con.description:  # DuckDB 2 keeps a script's last result pending until fetched
            self.con.fetchall()

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pl.DataFrame:
        """Run a SELECT with named ``$parameters``; only those the SQL names are passed (DuckDB 2
        rejects extra ones), so callers can hand over one shared parameter dict."""
        used = set(re.findall(r"\$([A-Za-z_]\w*)", sql))
        try:
            frame: pl.DataFrame = self.con.sql(sql, params={k: v for k, v in (params or {}).items() if k in used}).pl()
        except duckdb.Error as exc:
            if self.path is not None and damaged(exc):
                raise damaged_error(self.path, exc) from None
            raise
        return frame

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.query(sql, params).to_dicts()

    def tables(self) -> set[str]:
        return {r[0] for r in self.con.execute("select table_name from information_schema.tables").fetchall()}


# DuckDB reports what the operating system said only in its message; these are the errors a user can fix
_OS_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT)


def os_error(exc: duckdb.Error, path: Path) -> OSError | None:
    """The OSError behind a DuckDB error (a full disk makes an IO or a Transaction exception), naming
    ``path``; None when the error is not the operating system's (a bug in a query)."""
    message = str(exc)
    for code in _OS_ERRORS:
        if os.strerror(code).casefold() in message.casefold():
            return OSError(code, os.strerror(code), str(path))
    if isinstance(exc, duckdb.IOException):
        reason = _("DuckDB could not read or write the file ({detail})").format(detail=message.splitlines()[0])
        return OSError(errno.EIO, reason, str(path))
    return None


@contextmanager
def _os_errors(path: Path) -> Iterator[None]:
    """DuckDB's exceptions that come from the operating system become OSErrors naming ``path``."""
    try:
        yield
    except duckdb.Error as exc:
        found = os_error(exc, path)
        if found is None:
            raise
        raise found from exc


# One thread: the tables are small (thousands of rows), where DuckDB's thread pool costs more than it gives
# (a load takes a sixth less CPU and time), and a batch already runs one report per core.
SETTINGS: dict[str, str | bool | int | float | list[str]] = {"threads": 1}


# What DuckDB says of a file that is not a whole database: cut short, overwritten, or not DuckDB's at all
_DAMAGED = re.compile(
    r"corrupt|checksum|could not read enough bytes|not a valid duckdb database|is not a duckdb|magic bytes|"
    r"serializ|deserializ|unsupported storage version|file is too small",
    re.IGNORECASE,
)
_NOT_DAMAGE = (errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.ENOENT)


def damaged(exc: duckdb.Error) -> bool:
    """Whether DuckDB failed because the database file is damaged (not the operating system's refusal)."""
    message = str(exc)
    if any(os.strerror(code).casefold() in message.casefold() for code in _NOT_DAMAGE):
        return False
    return bool(_DAMAGED.search(message))


def damaged_error(path: Path, exc: duckdb.Error | None = None) -> DatabaseDamagedError:
    """The database at ``path`` is damaged: named by its file name, with the command that rebuilds it."""
    return DatabaseDamagedError(
        _("The database {path} is damaged (cut short or overwritten).").format(path=f"{path.parent.name}/{path.name}"),
        hint=_("It holds nothing of its own (it is built from data/raw/ alone): run 'lagesbild load' to rebuild it."),
    )


@contextmanager
def open_store(path: Path) -> Iterator[Store]:
    """Open an existing database read-only; a damaged one is a DatabaseDamagedError, not a bug."""
    if not path.exists():
        raise DataMissingError(
            _("There is no database at {path}.").format(path=path),
            hint=_("Run 'lagesbild fetch' (or 'lagesbild import bra PATH') first."),
        )
    try:
        with _os_errors(path):
            con = duckdb.connect(str(path), read_only=True, config=SETTINGS)
    except OSError as exc:
        if isinstance(exc.__cause__, duckdb.Error) and damaged(exc.__cause__):
            raise damaged_error(path) from None
        raise
    except duckdb.Error as exc:
        if damaged(exc):
            raise damaged_error(path) from None
        raise
    try:
        with _os_errors(path):
            yield Store(con, path)
    finally:
        con.close()


@contextmanager
def rebuild(path: Path) -> Iterator[Store]:
    """A fresh database that replaces ``path`` only if the block completes without an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{TEMP_MARK}{os.getpid()}{TEMP_SUFFIX}")  # marked: see raw.TEMP_MARK
    tmp.unlink(missing_ok=True)
    try:
        with _os_errors(path.parent):
            con = duckdb.connect(str(tmp), config=SETTINGS)
            try:
                yield Store(con)
                con.execute("checkpoint")
                con.close()
                os.chmod(tmp, file_mode())
                os.replace(tmp, path)
            except BaseException:
                con.close()
                raise
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)


__all__ = ["Store", "damaged", "damaged_error", "open_store", "rebuild"]
