"""Brå "Indikatorer för kommuners lägesbild": one xlsx workbook per kommun.

Brå has no API and the workbooks live at unpredictable URLs; how they arrive is :mod:`bra_fetch`. This
module reads one.

Layout (one sheet per indicator; see the data samples' PROVENANCE.md):

* reported-crime sheets have "(anmälda)" in the sheet name; A1 holds "<indikator> (anmälda brott) …";
  row 2 is the header ("Region", "Antal 2017" …, "Antal per 100 000 inv 2017" …); then one row
  per geography (kommun, län, "Hela landet");
* NTU sheets: A1 holds "<indikator>, enligt NTU YYYY–YYYY. <what the share measures>"; a row of
  geography names above a header row "År | Andel | KI (95 %) undre gräns | KI (95 %) övre gräns"
  repeated per geography ("Antal" on the respondent sheet); then one row per year;
* ``..`` marks a missing or suppressed value.

Workbooks change between years, so the parser reads what is an indicator table and mentions the rest
(``BraWorkbook.skipped``): sheets without an indicator table (information, definitions) in any order;
counts stored as text ("1 234", with a non-breaking space); footnote rows under a table (text in the
first column, nothing else); a year column or row with no values yet (only ``..``), which is left out
so it never counts as the latest year. A sheet that is an indicator table but does not read as one
is still an error naming the file, the sheet and the cell.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl

from lagesbild_cli.errors import ParseError
from lagesbild_cli.i18n import N_, _, ngettext
from lagesbild_cli.settings.kommuner import RIKET_KOD, RIKET_NAMN, Kommun, find_kommun, find_lan
from lagesbild_cli.settings.slugs import slug
from lagesbild_cli.sources import Schema, _xlsx
from lagesbild_cli.storage import parsed_once

SOURCE = "bra"
MISSING = ("..", "", "-", "–")
MAX_VALUE = 1e9  # no Brå count, rate or share comes near this; a larger value is a broken cell

ANMALDA_SCHEMA: Schema = {
    "serie_id": pl.String,
    "serie": pl.String,
    "geo_kod": pl.String,
    "geo_namn": pl.String,
    "geo_niva": pl.String,
    "ar": pl.Int32,
    "antal": pl.Int64,
    "per_100k": pl.Float64,
}
NTU_SCHEMA: Schema = {
    "indikator_id": pl.String,
    "indikator": pl.String,
    "matt": pl.String,
    "geo_kod": pl.String,
    "geo_namn": pl.String,
    "geo_niva": pl.String,
    "ar": pl.Int32,
    "andel": pl.Float64,
    "ki_undre": pl.Float64,
    "ki_ovre": pl.Float64,
}
SVARANDE_SCHEMA: Schema = {
    "geo_kod": pl.String,
    "geo_namn": pl.String,
    "geo_niva": pl.String,
    "ar": pl.Int32,
    "svarande": pl.Int64,
}

_ANMALDA_HEADER = re.compile(r"^(Antal per 100 000 inv|Antal)\s+(\d{4})$")
_ANMALDA_TITLE = re.compile(r"^(?P<name>.+?)\s*\(anmälda brott\)")
_NTU_TITLE = re.compile(r"^(?P<name>.+?),?\s+enligt NTU\s+\d{4}\s*[–-]\s*\d{4}\.?\s*(?P<unit>.*)$", re.S)
_NTU_COLUMNS = ("Andel", "KI (95 %) undre gräns", "KI (95 %) övre gräns")


@dataclass(frozen=True)
class BraWorkbook:
    """A parsed workbook: the kommun it is about and three tidy frames."""

    kommun: Kommun
    anmalda: pl.DataFrame
    ntu: pl.DataFrame
    svarande: pl.DataFrame
    skipped: tuple[str, ...] = ()  # what was left out and why: sheets that are no table, years with no values


class _Sheet:
    """A worksheet as a grid of values, with cell references for error messages."""

    def __init__(self, filename: str, title: str, rows: list[tuple[Any, ...]]) -> None:
        self.filename = filename
        self.title = title
        self.rows = rows

    def cell(self, row: int, col: int) -> Any:
        """1-based, like Excel; None outside the used range."""
        if row > len(self.rows) or col > len(self.rows[row - 1]):
            return None
        value = self.rows[row - 1][col - 1]
        return " ".join(value.split()) if isinstance(value, str) else value  # NBSP and runs of spaces → " "

    def empty(self, row: int, first: int = 1) -> bool:
        """Nothing in the row from column ``first`` on ('..' is a value: a missing one)."""
        cells = self.rows[row - 1][first - 1 :] if row <= len(self.rows) else ()
        return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)

    def error(self, row: int, col: int, problem: str) -> ParseError:
        from openpyxl.utils import get_column_letter

        ref = f"{get_column_letter(col)}{row}"
        return ParseError(
            _("{file}, sheet '{sheet}', cell {cell}: {problem}.").format(
                file=self.filename, sheet=self.title, cell=ref, problem=problem
            ),
            hint=_(
                "This does not look like Brå's workbook 'Indikatorer för kommuners lägesbild'. "
                "Download it again from https://bra.se/statistik/indikatorer-for-kommuners-lagesbild."
            ),
        )

    def number(self, row: int, col: int, *, integer: bool = False) -> float | int | None:
        value = self.cell(row, col)
        if value is None or (isinstance(value, str) and value in MISSING):
            return None
        if isinstance(value, str):
            try:
                value = float(value.replace(" ", "").replace(",", "."))
            except ValueError:
                raise self.error(
                    row, col, _("expected a number or '..', found {value}").format(value=repr(value))
                ) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(row, col, _("expected a number or '..', found {value}").format(value=repr(value)))
        if not math.isfinite(value) or abs(value) > MAX_VALUE:
            raise self.error(row, col, _("expected a count, rate or share, found {value}").format(value=repr(value)))
        if integer:
            if float(value) != int(value):
                raise self.error(
                    row, col, _("expected a whole number of crimes, found {value}").format(value=repr(value))
                )
            return int(value)
        return float(value)

    def year(self, row: int, col: int) -> int:
        value = self.cell(row, col)
        numeric = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        text = str(int(value)) if numeric else str(value)
        if not re.fullmatch(r"(19|20)\d\d", text):
            raise self.error(row, col, _("expected a year, found {value}").format(value=repr(value)))
        return int(text)


def _geography(sheet: _Sheet, row: int, col: int) -> tuple[str, str, str]:
    """(geo_kod, geo_namn, geo_niva) for a geography name in the workbook."""
    name = sheet.cell(row, col)
    if not isinstance(name, str) or not name:
        raise sheet.error(
            row,
            col,
            _("expected a geography name (kommun, län or 'Hela landet'), found {value}").format(value=repr(name)),
        )
    if name.casefold() in (RIKET_NAMN.casefold(), "riket"):
        return RIKET_KOD, RIKET_NAMN, "riket"
    lan = find_lan(name) if "län" in name.casefold() else None
    if lan is not None:
        return lan.kod, lan.namn, "lan"
    kommun = find_kommun(name)
    if kommun is not None:
        return kommun.kod, kommun.namn, "kommun"
    raise sheet.error(
        row, col, _("{name} is neither a Swedish kommun, a län nor 'Hela landet'").format(name=repr(name))
    )


def _is_footnote(sheet: _Sheet, row: int, first_row: int) -> bool:
    """Text under a table's rows with nothing beside it that is neither a year nor a geography: a note
    ("Källa: Brå", "* Preliminära uppgifter")."""
    text = sheet.cell(row, 1)
    if row <= first_row or not isinstance(text, str) or not sheet.empty(row, 2):
        return False
    if re.fullmatch(r"(19|20)\d\d", text):
        return False
    try:
        _geography(sheet, row, 1)
    except ParseError:
        return True
    return False


def _anmalda_header_row(sheet: _Sheet) -> int:
    """The row of 'Antal 2017' … (row 2 in Brå's workbooks; a row of notes above it is allowed)."""
    for row in range(2, min(len(sheet.rows), 10) + 1):
        if _ANMALDA_HEADER.match(str(sheet.cell(row, 2))):
            return row
    return 2


def _parse_anmalda(sheet: _Sheet, empty_years: set[int]) -> Iterator[dict[str, Any]]:
    title = sheet.cell(1, 1)
    match = _ANMALDA_TITLE.match(title) if isinstance(title, str) else None
    if match is None:
        raise sheet.error(
            1, 1, _("expected a title '<indikator> (anmälda brott) …', found {value}").format(value=repr(title))
        )
    serie = match["name"]
    header_row = _anmalda_header_row(sheet)
    columns: list[tuple[int, str, int]] = []  # (column, measure, year)
    col = 2
    while (header := sheet.cell(header_row, col)) is not None:
        head = _ANMALDA_HEADER.match(str(header))
        if head is None:
            raise sheet.error(
                header_row,
                col,
                _("expected a header like 'Antal 2017' or 'Antal per 100 000 inv 2017', found {value}").format(
                    value=repr(header)
                ),
            )
        columns.append((col, "per_100k" if "100 000" in head[1] else "antal", int(head[2])))
        col += 1
    if not columns:
        raise sheet.error(header_row, 2, _("expected the header row 'Antal <år>' … but the row is empty"))
    found: list[dict[str, Any]] = []
    row = header_row + 1
    while sheet.cell(row, 1) is not None and not _is_footnote(sheet, row, header_row + 1):
        geo_kod, geo_namn, geo_niva = _geography(sheet, row, 1)
        values: dict[int, dict[str, Any]] = {}
        for col, measure, year in columns:
            values.setdefault(year, {"antal": None, "per_100k": None})[measure] = sheet.number(
                row, col, integer=measure == "antal"
            )
        for year, measures in values.items():
            found.append(
                {
                    "serie_id": slug(serie),
                    "serie": serie,
                    "geo_kod": geo_kod,
                    "geo_namn": geo_namn,
                    "geo_niva": geo_niva,
                    "ar": year,
                    **measures,
                }
            )
        row += 1
    if row == header_row + 1:
        raise sheet.error(row, 1, _("expected rows for the kommun, the län and 'Hela landet', found none"))
    yield from _without_empty_years(found, ("antal", "per_100k"), empty_years)


def _without_empty_years(
    rows: list[dict[str, Any]], measures: tuple[str, ...], empty: set[int]
) -> list[dict[str, Any]]:
    """The rows of years that have a value; a year with none (a column of '..' waiting for the next
    publication) is left out and added to ``empty``."""
    years = {r["ar"] for r in rows}
    filled = {r["ar"] for r in rows if any(r[m] is not None for m in measures)}
    empty.update(years - filled)
    return [r for r in rows if r["ar"] in filled]


def _ntu_blocks(sheet: _Sheet, header_row: int, width: int) -> list[tuple[int, tuple[str, str, str]]]:
    """(first column, geography) of each geography's block of ``width`` columns in an NTU sheet."""
    expected = _NTU_COLUMNS if width == 3 else ("Antal",)
    blocks = []
    col = 2
    while sheet.cell(header_row, col) is not None:
        for offset, name in enumerate(expected):
            found = sheet.cell(header_row, col + offset)
            if found != name:
                raise sheet.error(
                    header_row,
                    col + offset,
                    _("expected the header {name}, found {value}").format(name=repr(name), value=repr(found)),
                )
        blocks.append((col, _geography(sheet, header_row - 1, col)))
        col += width
    if not blocks:
        raise sheet.error(header_row, 2, _("expected a header 'Andel' or 'Antal' per geography, found none"))
    return blocks


def _header_row(sheet: _Sheet) -> int:
    for row in range(2, min(len(sheet.rows), 10) + 1):
        if sheet.cell(row, 1) == "År":
            return row
    raise sheet.error(2, 1, _("expected a header row starting with 'År' within the first ten rows"))


def _year_rows(sheet: _Sheet, header_row: int) -> Iterator[tuple[int, int]]:
    row = header_row + 1
    while sheet.cell(row, 1) is not None:
        if _is_footnote(sheet, row, header_row + 1):
            return
        yield row, sheet.year(row, 1)
        row += 1


def _parse_svarande(sheet: _Sheet, empty_years: set[int]) -> Iterator[dict[str, Any]]:
    header_row = _header_row(sheet)
    blocks = _ntu_blocks(sheet, header_row, 1)
    found = [
        {
            "geo_kod": geo_kod,
            "geo_namn": geo_namn,
            "geo_niva": geo_niva,
            "ar": year,
            "svarande": sheet.number(row, col, integer=True),
        }
        for row, year in _year_rows(sheet, header_row)
        for col, (geo_kod, geo_namn, geo_niva) in blocks
    ]
    yield from _without_empty_years(found, ("svarande",), empty_years)


def _parse_ntu(sheet: _Sheet, empty_years: set[int]) -> Iterator[dict[str, Any]]:
    title = sheet.cell(1, 1)
    match = _NTU_TITLE.match(title) if isinstance(title, str) else None
    if match is None:
        raise sheet.error(
            1,
            1,
            _("expected a title '<indikator>, enligt NTU ÅÅÅÅ–ÅÅÅÅ. <mått>', found {value}").format(value=repr(title)),
        )
    name, unit = match["name"].strip(), " ".join(match["unit"].split())
    header_row = _header_row(sheet)
    blocks = _ntu_blocks(sheet, header_row, 3)
    found = [
        {
            "indikator_id": slug(name),
            "indikator": name,
            "matt": unit,
            "geo_kod": geo_kod,
            "geo_namn": geo_namn,
            "geo_niva": geo_niva,
            "ar": year,
            "andel": sheet.number(row, col),
            "ki_undre": sheet.number(row, col + 1),
            "ki_ovre": sheet.number(row, col + 2),
        }
        for row, year in _year_rows(sheet, header_row)
        for col, (geo_kod, geo_namn, geo_niva) in blocks
    ]
    yield from _without_empty_years(found, ("andel", "ki_undre", "ki_ovre"), empty_years)


def _kind(sheet: _Sheet) -> str | None:
    """Which indicator table a sheet holds ('anmalda', 'svarande', 'ntu'), or None for a sheet that is
    no indicator table (information, definitions). A sheet with a table's title, name or header row is
    a table, and is then read strictly."""
    title = sheet.cell(1, 1)
    text = title.casefold() if isinstance(title, str) else ""
    if "(anmälda)" in sheet.title.casefold() or "(anmälda brott)" in text:
        return "anmalda"
    if text.startswith("antal svarande"):
        return "svarande"
    if "enligt ntu" in text:
        return "ntu"
    for row in range(2, min(len(sheet.rows), 10) + 1):
        if _ANMALDA_HEADER.match(str(sheet.cell(row, 2))):
            return "anmalda"
        if sheet.cell(row, 1) == "År" and sheet.cell(row, 2) in ("Andel", "Antal"):
            return "svarande" if sheet.cell(row, 2) == "Antal" else "ntu"
    return None


NOT_BRAS_WORKBOOK = N_(
    "This is not Brå's workbook 'Indikatorer för kommuners lägesbild' as Brå publishes it. "
    "Download the workbook again from https://bra.se/statistik/indikatorer-for-kommuners-lagesbild."
)


def _read_sheets(data: bytes, filename: str) -> list[_Sheet]:
    return [
        _Sheet(filename, title, rows)
        for title, rows in _xlsx.read_sheets(data, filename, publisher="Brå", hint=_(NOT_BRAS_WORKBOOK))
    ]


@parsed_once.per_content()  # a fetch checks each download; the load after it reads the same bytes
def parse(data: bytes, filename: str) -> BraWorkbook:
    """Parse one workbook into tidy frames. Pure: reads nothing but ``data``.

    Raises ParseError naming the file, the sheet and the cell when the layout is not Brå's.
    """
    sheets = _read_sheets(data, filename)
    anmalda: list[dict[str, Any]] = []
    ntu: list[dict[str, Any]] = []
    svarande: list[dict[str, Any]] = []
    skipped: list[str] = []
    empty: dict[int, list[str]] = {}  # year → sheets where it has no values yet
    for sheet in sheets:
        kind = _kind(sheet)
        years: set[int] = set()
        if kind == "anmalda":
            anmalda.extend(_parse_anmalda(sheet, years))
        elif kind == "svarande":
            svarande.extend(_parse_svarande(sheet, years))
        elif kind == "ntu":
            ntu.extend(_parse_ntu(sheet, years))
        elif all(sheet.empty(row) for row in range(1, len(sheet.rows) + 1)):
            skipped.append(_("sheet '{sheet}': empty").format(sheet=sheet.title))
        else:
            skipped.append(
                _("sheet '{sheet}': not an indicator table (information or definitions)").format(sheet=sheet.title)
            )
        for year in years:
            empty.setdefault(year, []).append(sheet.title)
    for year, titles in sorted(empty.items()):
        shown = ", ".join(f"'{t}'" for t in titles[:3])
        if len(titles) > 3:
            shown += _(" and {count} more").format(count=len(titles) - 3)
        skipped.append(
            ngettext(
                "{year}: no values yet ('..') in {n} sheet ({shown}); left out there",
                "{year}: no values yet ('..') in {n} sheets ({shown}); left out there",
                len(titles),
            ).format(year=year, n=len(titles), shown=shown)
        )
    if not anmalda:
        raise ParseError(
            _("{file} has no reported-crime sheet (a sheet name with '(anmälda)').").format(file=filename),
            hint=_("Is this Brå's workbook 'Indikatorer för kommuners lägesbild'?"),
        )
    kommun_codes = sorted({r["geo_kod"] for r in anmalda if r["geo_niva"] == "kommun"})
    if len(kommun_codes) != 1:
        raise ParseError(
            _("{file} should cover exactly one kommun but covers {codes}.").format(
                file=filename, codes=kommun_codes or _("none")
            ),
            hint=_("Use Brå's per-kommun workbook as downloaded."),
        )
    kommun = find_kommun(kommun_codes[0])
    assert kommun is not None
    return BraWorkbook(
        kommun=kommun,
        anmalda=pl.DataFrame(anmalda, schema=ANMALDA_SCHEMA),
        ntu=pl.DataFrame(ntu, schema=NTU_SCHEMA),
        svarande=pl.DataFrame(svarande, schema=SVARANDE_SCHEMA),
        skipped=tuple(skipped),
    )
