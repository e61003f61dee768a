"""The export tables: what ``indikatorer.xlsx`` and each CSV beside the report hold, read from the store as the
report publishes it (one sheet per section, Swedish headers, units and sources).

Only what the report publishes is exported: survey cells that are suppressed in the report are suppressed here
too. :mod:`lagesbild_cli.render.exports` turns these sheets into bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lagesbild_cli.context.sources import OWN_FILES, origin_text
from lagesbild_cli.context.values import IndicatorValue
from lagesbild_cli.database.store import Store
from lagesbild_cli.settings.kommuner import RIKET_KOD, Kommun


@dataclass(frozen=True)
class Sheet:
    name: str  # the sheet's name in Excel (≤ 31 characters)
    file: str  # the CSV's file name
    source: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


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
        "select manad, kategori, antal from ind_polisen_handelser where kommun_kod = $k and manad <= $y || '-12' "
        "order by manad, kategori",
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
