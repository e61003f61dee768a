"""Data exports next to the report: ``indikatorer.xlsx`` (one sheet per section, Swedish headers,
units and sources) and one CSV per indicator table, for those who work on in Excel.

Only what the report publishes is exported: survey cells that are suppressed in the report are
suppressed here too. No cell may start like a formula (``=``, ``+``, ``-``, ``@``): such text from the
data is prefixed with an apostrophe, so a spreadsheet shows it as text and never runs it.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from lagesbild_cli.checkpoints import checkpoint
from lagesbild_cli.context.sources import OWN_FILES, origin_text
from lagesbild_cli.context.values import IndicatorValue
from lagesbild_cli.kommuner import RIKET_KOD, Kommun
from lagesbild_cli.raw import atomic_write_bytes
from lagesbild_cli.store import Store

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    name: str  # the sheet's name in Excel (≤ 31 characters)
    file: str  # the CSV's file name
    source: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def safe(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


BY_PERSON = ("kon", "alder")  # breakdowns the report shows as whole per cent only, without n or interval


def _as_in_report(row: dict[str, Any]) -> dict[str, Any]:
    """A survey cell as the report publishes it. By sex and age the report shows shares in whole per cent
    only: with each group's n and exact share beside the total, a group hidden for too few answers
    (e.g. "Annat/vill inte uppge") could be computed back from the others, so the export publishes no more."""
    if row["dimension"] not in BY_PERSON:
        return row
    share = row["andel"]
    return {
        **row,
        "n": None,
        "andel": None if share is None else math.floor(share + 0.5),  # as formatting.percent rounds
        "ki_undre": None,
        "ki_ovre": None,
    }


@dataclass(frozen=True)
class _Table:
    """One sheet and CSV: what it is called, where its numbers come from and the query that reads them."""

    name: str
    file: str
    source: str
    headers: tuple[str, ...]
    sql: str
    shaped: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # a row as the report publishes it
    needs: str | None = None  # written only when this sheet (of the tables before it) has rows
    always: bool = False  # written even without rows


def _as_listed(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "origin": origin_text(row["origin"])}


# The exported tables, in the workbook's order; the Indikatorer sheet (from the report's values) comes first.
TABLES = (
    _Table(
        "Anmälda brott",
        "anmalda_brott.csv",
        "Brå, Indikatorer för kommuners lägesbild",
        (
            "Brottsserie",
            "Geografi",
            "År",
            "Antal",
            "Antal per 100 000 invånare",
            "95 % KI antal, undre",
            "95 % KI antal, övre",
            "Förändring av antal per 100 000 inv. mot snittet för de tre föregående åren (%)",
        ),
        """
        select serie, geo_namn, ar, antal, per_100k, antal_ki_undre, antal_ki_ovre, forandring_mot_3ar_procent
        from ind_anmalda_brott where geo_kod in ($k, $l, $r) and ar <= $y order by serie, geo_niva, ar
        """,
    ),
    _Table(
        "Bedömning",
        "anmalda_brott_bedomning.csv",
        "Brå; regler i 15_anmalda_brott_bedomning.sql",
        ("Brottsserie", "År", "Antal per 100 000", "Jämfört med länet", "Jämfört med riket", "Utveckling"),
        """
        select serie, ar, per_100k, niva_mot_lan, niva_mot_riket, trend from ind_anmalda_brott_bedomning
        where kommun_kod = $k and ar = $y order by serie
        """,
        needs="Anmälda brott",
        always=True,
    ),
    _Table(
        "NTU",
        "ntu.csv",
        "Brå, Nationella trygghetsundersökningen (NTU)",
        ("Indikator", "Mått", "Geografi", "År", "Andel (%)", "95 % KI, undre", "95 % KI, övre", "Svarande"),
        """
        select indikator, matt, geo_namn, ar, andel, ki_undre, ki_ovre, svarande from ind_ntu
        where geo_kod in ($k, $l, $r) and ar <= $y order by indikator, geo_niva, ar
        """,
    ),
    _Table(
        "Jämförelse riket",
        "kolada_rang_riket.csv",
        "Kolada (RKA), nyckeltal från Brå och SCB",
        (
            "Nyckeltal",
            "Titel",
            "År",
            "Värde",
            "Plats i riket (1 = lägst; lika värden delar den lägsta platsen)",
            "Kommuner som delar platsen",
            "Antal rankade",
        ),
        """
        select kpi, titel, ar, varde, rang_i_riket, antal_lika, antal_rankade from ind_kolada_rang_riket
        where kommun_kod = $k and ar <= $y order by kpi, ar
        """,
    ),
    _Table(
        "Trygghetsundersökning",
        "survey.csv",
        "kommunens trygghetsundersökning (röjandeskyddad; per kön och ålder bara andel i hela procent)",
        ("Indikator", "År", "Indelning", "Grupp", "n", "Andel (%)", "95 % KI, undre", "95 % KI, övre", "Status"),
        """
        select i.etikett, s.ar, s.dimension, s.grupp, case when s.status like 'färre än%' or s.status like 'dold%'
               then null else s.n end as n,
               case when s.status = 'visas' then 100 * s.andel end as andel,
               case when s.status = 'visas' then 100 * s.ki_undre end as ki_undre,
               case when s.status = 'visas' then 100 * s.ki_ovre end as ki_ovre, s.status
        from ind_survey s join survey_indikatorer i using (indikator)
        where s.kommun_kod = $k and s.ar <= $y order by i.ordning, s.ar, s.dimension, s.grupp
        """,
        shaped=_as_in_report,
    ),
    _Table(
        "Publicerade händelser",
        "polisen_handelser.csv",
        "Polisen, publicerade händelser – inte brottsstatistik",
        ("Månad", "Kategori", "Antal publicerade händelser"),
        "select manad, kategori, antal from ind_polisen_handelser where kommun_kod = $k order by manad, kategori",
    ),
    _Table(
        "Räddningstjänsten",
        "raddningstjanst.csv",
        "MCF (tidigare MSB), statistikdatabasen tabell B11; SCB folkmängd",
        (
            "Kategori",
            "Nivå",
            "Kod",
            "År",
            "Antal händelser",
            "Per 1 000 invånare",
            "Femårsmedel per 1 000 invånare",
            "95 % KI femårsmedel, undre",
            "95 % KI femårsmedel, övre",
        ),
        """
        select kategori, geo_niva, geo_kod, ar, antal, per_1000, medel5_per_1000, medel5_ki_undre, medel5_ki_ovre
        from ind_raddning_insatser where geo_kod in ($k, $l, $r) and ar <= $y order by kategori, geo_niva, ar
        """,
    ),
    _Table(  # open data and the kommun's own files, never another kommun's survey or export
        "Källor",
        "kallor.csv",
        "data/raw/manifest.json",
        ("Fil", "Källa", "Hämtad från", "Hämtad (UTC)", "HTTP-status", "SHA-256"),
        f"select file, source, origin, retrieved_at, status, sha256 from manifest where {OWN_FILES} order by file",
        shaped=_as_listed,
        always=True,
    ),
)


def sheets(store: Store, kommun: Kommun, year: int, values: Sequence[IndicatorValue]) -> tuple[Sheet, ...]:
    params = {"k": kommun.kod, "l": kommun.lan_kod, "r": RIKET_KOD, "y": year}
    result = [
        Sheet(
            "Indikatorer",
            "indikatorer.csv",
            "se kolumnen Källa",
            ("Id", "Indikator", "År", "Värde", "Enhet", "Källa", "Anmärkning"),
            tuple((v.id, v.name, v.year, v.value, v.unit, v.source, v.note) for v in values),
        )
    ]
    written = {"Indikatorer"}
    for table in TABLES:
        if table.needs is not None and table.needs not in written:
            continue
        rows = store.rows(table.sql, params)
        if table.shaped is not None:
            rows = [table.shaped(r) for r in rows]
        if rows or table.always:
            result.append(
                Sheet(table.name, table.file, table.source, table.headers, tuple(tuple(r.values()) for r in rows))
            )
            written.add(table.name)
    return tuple(result)


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
