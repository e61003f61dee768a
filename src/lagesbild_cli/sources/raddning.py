"""The rescue service's own event reports (händelserapporter), exported locally: ``lagesbild import
raddning FILE``. The one source of deliberate fires per area, since MCF's open table has no cause.

The export has one row per event in MCF's händelserapport fields (the 2016 form; the vehicle columns
differ between years and are not read). Only these columns are kept: the event id, date, time,
triggering event and follow-on event, kommun, DeSO, and the cause (``orsakAvsiktText``, in other
extracts ``BEJBbrandorsakText``). Several files (one per year) are merged by event id.

The export is the config's own kommun's input: it is stored as ``data/raw/raddning/<kommun>/handelser.csv``
and shown only in that kommun's report, even where its events lie in other kommuner.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from lagesbild_cli.errors import ParseError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.kommuner import all_kommuner
from lagesbild_cli.sources import Schema, read_given
from lagesbild_cli.sources.survey import decode, sniff_separator
from lagesbild_cli.storage.raw import Manifest, ManifestEntry, sha256

if TYPE_CHECKING:
    import _csv

SOURCE = "raddning"
MAX_FILE_BYTES = 100 * 2**20  # an imported export; Dalarna's car fires of a year are 50 KB
LEGACY = "raddning/handelser.csv"  # before exports were stored per kommun; it belongs to the config's kommun
COLUMNS = {  # kept column → accepted headers, first match wins
    "handelse_id": ("handelseId", "handelseid", "händelseId"),
    "datum": ("datum",),
    "tid": ("tid",),
    "handelse": ("utlosandeHandelseText",),
    "foljd": ("foljdolyckaGruppText",),
    "kommun_kod": ("kommun",),
    "deso": ("deso",),
    "orsak": ("orsakAvsiktText", "BEJBbrandorsakText"),
}
REQUIRED = ("handelse_id", "datum", "handelse", "kommun_kod", "orsak")
DELIBERATE = {"avsiktlig händelse", "avsiktlig brand", "anlagd med uppsåt"}
SCHEMA: Schema = {
    "handelse_id": pl.String,
    "ar": pl.Int32,
    "manad": pl.Int32,
    "timme": pl.Int32,
    "kommun_kod": pl.String,
    "deso": pl.String,
    "handelse": pl.String,
    "orsak": pl.String,
    "brand": pl.Boolean,
    "avsiktlig": pl.Boolean,
}


def parse(data: bytes, origin: str) -> pl.DataFrame:
    """One row per event with its year, month, hour, kommun, DeSO, type and cause. Pure.

    A fire is an event whose triggering or follow-on event is a fire ("Brand eller brandtillbud …");
    a deliberate one has the cause "Avsiktlig händelse" (or "Avsiktlig brand", "Anlagd med uppsåt").
    """
    text, _encoding = decode(data, origin)
    lines = text.splitlines()
    if not lines:
        raise ParseError(
            _("{origin} is empty.").format(origin=origin), hint=_("Export the event reports again as CSV.")
        )
    reader = _records(csv.reader(io.StringIO(text), delimiter=sniff_separator(lines[0])), origin)
    header = [h.strip() for h in next(reader)]
    where: dict[str, int] = {}
    for name, accepted in COLUMNS.items():
        found = next((header.index(h) for h in accepted if h in header), None)
        if found is not None:
            where[name] = found
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in where]
    if missing:
        raise ParseError(
            _("{origin} has no column {columns}.").format(origin=origin, columns=", ".join(repr(m) for m in missing)),
            hint=_(
                "Export the händelserapport fields with their MCF names (e.g. handelseId, datum, "
                "utlosandeHandelseText, kommun, deso, orsakAvsiktText)."
            ),
        )
    known = {k.kod for k in all_kommuner()}
    rows = []
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        cell = {name: record[i].strip() if i < len(record) else "" for name, i in where.items()}
        try:
            day = date.fromisoformat(cell["datum"][:10])
        except ValueError:
            raise ParseError(
                _("{origin}, row {row}, column {column}: {value} is not a date.").format(
                    origin=origin, row=line, column=repr(header[where["datum"]]), value=repr(cell["datum"])
                ),
                hint=_("Dates must be written YYYY-MM-DD."),
            ) from None
        kommun = cell["kommun_kod"].zfill(4)
        if kommun not in known:
            raise ParseError(
                _("{origin}, row {row}, column {column}: {value} is not a kommun code.").format(
                    origin=origin,
                    row=line,
                    column=repr(header[where["kommun_kod"]]),
                    value=repr(cell["kommun_kod"]),
                ),
                hint=_("The column must hold SCB's four-digit kommun code."),
            )
        time = cell.get("tid", "")
        hh = time[:2]
        hour = int(hh) if len(hh) == 2 and hh.isascii() and hh.isdigit() and int(hh) < 24 else None
        handelse, foljd = cell["handelse"], cell.get("foljd", "")
        rows.append(
            {
                "handelse_id": cell["handelse_id"],
                "ar": day.year,
                "manad": day.month,
                "timme": hour,
                "kommun_kod": kommun,
                "deso": cell.get("deso") or None,
                "handelse": foljd if foljd.lower().startswith("brand") else handelse,
                "orsak": cell["orsak"],
                "brand": handelse.lower().startswith("brand") or foljd.lower().startswith("brand"),
                "avsiktlig": cell["orsak"].casefold() in DELIBERATE,
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA)


def _records(reader: _csv.Reader, origin: str) -> Iterator[list[str]]:
    """The reader's records; a line it cannot read (a NUL byte) is a ParseError naming the line."""
    try:
        yield from reader
    except csv.Error as exc:
        raise ParseError(
            _("{origin}, line {line}: not a well-formed CSV line ({error}).").format(
                origin=origin, line=reader.line_num, error=exc
            ),
            hint=_("Export the event reports again as CSV; this file may be damaged or not the export."),
        ) from None


def stored_path(kommun_kod: str) -> str:
    """Where a kommun's merged export is stored under data/raw/."""
    return f"{SOURCE}/{kommun_kod}/handelser.csv"


def import_files(paths: list[Path], manifest: Manifest, kommun_kod: str) -> tuple[ManifestEntry, int, int]:
    """Parse every file first, then merge them into the kommun's stored events by event id (a newer
    file wins).

    Returns (manifest entry, events in the files, events stored in all). Nothing is written if any
    file fails.
    """
    frames, origins = [], []
    for path in paths:
        if not path.is_file():
            raise ParseError(
                _("There is no file at {path}.").format(path=path), hint=_("Give the path of the exported CSV file.")
            )
        data = read_given(
            path, limit=MAX_FILE_BYTES, what=_("a rescue-service export"), hint=_("Export fewer years at a time.")
        )
        frames.append(parse(data, str(path)))
        origins.append(f"{path.name} (sha256 {sha256(data)})")
    new = pl.concat(frames)
    old = load(manifest.raw_dir, kommun_kod).drop("agare_kod")
    merged = pl.concat([old, new]).unique("handelse_id", keep="last", maintain_order=True).sort("ar", "handelse_id")
    buffer = io.BytesIO()
    merged.write_csv(buffer)
    entry = manifest.store(
        stored_path(kommun_kod),
        buffer.getvalue(),
        source=SOURCE,
        origin=", ".join(origins),
        status=None,
    )
    return entry, new.height, merged.height


def load(raw_dir: Path, kommun_kod: str) -> pl.DataFrame:
    """The events the kommun imported, each marked with that kommun as ``agare_kod`` (the owner of the
    export, not necessarily where the event was). A file of the earlier layout counts as the kommun's
    until the kommun imports again."""
    path = raw_dir / stored_path(kommun_kod)
    if not path.exists():
        path = raw_dir / LEGACY
    schema = {**SCHEMA, "agare_kod": pl.String}
    if not path.exists():
        return pl.DataFrame(schema=schema)
    return pl.read_csv(path, schema=SCHEMA).with_columns(pl.lit(kommun_kod, pl.String).alias("agare_kod"))
