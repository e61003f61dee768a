"""Data exports next to the report: ``indikatorer.xlsx`` (one sheet per section, Swedish headers,
units and sources) and one CSV per indicator table, for those who work on in Excel, made from the sheets of
:mod:`lagesbild_cli.context.tables`.

No cell may start like a formula (``=``, ``+``, ``-``, ``@``): such text from the data is prefixed with an
apostrophe, so a spreadsheet shows it as text and never runs it.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from lagesbild_cli.context.tables import Sheet
from lagesbild_cli.storage.checkpoints import checkpoint
from lagesbild_cli.storage.raw import atomic_write_bytes

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx_bytes(all_sheets: Sequence[Sheet], title: str, created: date = date(1970, 1, 1)) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": title, "created": datetime.combine(created, time())})
    bold = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    note = book.add_format({"italic": True, "font_color": "#555555"})
    for sheet in all_sheets:
        ws = book.add_worksheet(sheet.name[:31])
        ws.write_string(0, 0, f"Källa: {sheet.source}", note)
        for col, header in enumerate(sheet.headers):
            ws.write_string(1, col, header, bold)
            ws.set_column(col, col, max(10, min(48, len(header) + 2)))
        for r, row in enumerate(sheet.rows, start=2):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    ws.write_string(r, c, str(safe(str(value))))
                else:
                    ws.write_number(r, c, value)
        ws.freeze_panes(2, 0)
    book.close()
    return out.getvalue()


def csv_bytes(sheet: Sheet) -> bytes:
    """Semicolon-separated, decimal comma, UTF-8 with BOM: what Swedish Excel opens correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(sheet.headers)
    for row in sheet.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        text = repr(value)
        if "e" in text:  # 1e-05 → 0,00001: Excel reads a decimal comma, not an exponent from Python
            text = format(Decimal(text), "f")
        return text.replace(".", ",")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return str(safe(str(value)))


def write(folder: Path, all_sheets: Sequence[Sheet], title: str, created: date) -> list[Path]:
    """The xlsx and the CSVs into ``folder`` (a new report folder that replaces the old one as a whole)."""
    written = [folder / "indikatorer.xlsx"]
    atomic_write_bytes(written[0], xlsx_bytes(all_sheets, title, created))
    checkpoint("exports")
    for sheet in all_sheets:
        path = folder / "csv" / sheet.file
        atomic_write_bytes(path, csv_bytes(sheet))
        written.append(path)
    return written
