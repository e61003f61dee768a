"""Discovers and runs ``queries/*.sql``: one indicator per file, the file name is its identity.

``queries/10_anmalda_brott.sql`` becomes the table ``ind_anmalda_brott``. Each file starts with a
header of ``-- key: value`` lines; ``title``, ``unit``, ``sources`` and ``grain`` are required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lagesbild_cli.database.store import Store
from lagesbild_cli.errors import LagesbildError
from lagesbild_cli.i18n import N_, _

REQUIRED_HEADERS = ("title", "unit", "sources", "grain")
_FILE_NAME = re.compile(r"^(?P<order>\d+)_(?P<name>[a-z][a-z0-9_]*)\.sql$")
_HEADER = re.compile(r"^--\s*(?P<key>[a-z_]+):\s*(?P<value>.+?)\s*$")


class QueryError(LagesbildError):
    """An indicator SQL file is malformed or fails to run."""

    kind = N_("query error")


@dataclass(frozen=True)
class Indicator:
    name: str
    path: Path
    title: str
    unit: str
    sources: str
    grain: str
    sql: str

    @property
    def table(self) -> str:
        return f"ind_{self.name}"


def parse_indicator(path: Path) -> Indicator:
    match = _FILE_NAME.match(path.name)
    if match is None:
        raise QueryError(
            _("{path}: the file name should be '<number>_<name>.sql' in lower case, e.g. 10_anmalda_brott.sql.").format(
                path=path
            ),
            hint=_("Rename the file."),
        )
    text = path.read_text(encoding="utf-8")
    headers: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        if header := _HEADER.match(line):
            headers.setdefault(header["key"], header["value"])
    missing = [key for key in REQUIRED_HEADERS if key not in headers]
    if missing:
        raise QueryError(
            _("{path}: the header lacks {lines}.").format(path=path, lines=", ".join(f"-- {m}:" for m in missing)),
            hint=_("Start the file with '-- title:', '-- unit:', '-- sources:' and '-- grain:' lines."),
        )
    return Indicator(
        name=match["name"], path=path, sql=text.strip().rstrip(";"), **{key: headers[key] for key in REQUIRED_HEADERS}
    )


def discover(queries_dir: Path) -> list[Indicator]:
    """All indicators in run order (by their number prefix)."""
    paths = sorted(
        queries_dir.glob("*.sql"),
        key=lambda p: (int(p.name.split("_", 1)[0]) if p.name[0].isdigit() else 10**9, p.name),
    )
    indicators = [parse_indicator(p) for p in paths]
    names = [i.name for i in indicators]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise QueryError(
            _("Two files in {folder} define the indicator '{name}'.").format(folder=queries_dir, name=dup),
            hint=_("Rename one of them."),
        )
    return indicators


def materialise(store: Store, indicators: list[Indicator]) -> None:
    """Run every indicator in order, each into its ``ind_*`` table."""
    for indicator in indicators:
        try:
            store.execute_script(f'create or replace table "{indicator.table}" as\n{indicator.sql}')
        except duckdb.Error as exc:
            raise QueryError(
                _("{path} failed: {error}").format(path=indicator.path, error=exc),
                hint=_("Fix the SQL; the previous database is untouched."),
            ) from None
    rows = [(i.table, i.title, i.unit, i.sources, i.grain, i.path.name) for i in indicators]
    store.con.execute(
        "create or replace table indicators (tabell varchar, titel varchar, enhet varchar, "
        "kallor varchar, niva varchar, fil varchar)"
    )
    if rows:
        store.con.executemany("insert into indicators values (?, ?, ?, ?, ?, ?)", rows)
