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

from lagesbild_cli.context import formatting
from lagesbild_cli.context.analysis import SOURCES, Analysis
from lagesbild_cli.context.factors import FactorsSection
from lagesbild_cli.context.kolada import kpi_producer, kpi_unit
from lagesbild_cli.context.ntu import level_word, trend_word
from lagesbild_cli.context.raddning import CATEGORIES as RESCUE_CATEGORIES
from lagesbild_cli.context.raddning import FIRE_KINDS, SMALL, TIME_CATEGORIES
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
DIMENSIONS = {"kommun": "Hela kommunen", "omrade": "Område", "kon": "Kön", "alder": "Ålder"}
# Decimals of the exports (the method states them): at most one more than the report prints.
DECIMALS_BY_UNIT = {"procent": 1, "per 1 000 invånare": 3, "enligt nyckeltalet": 2}


def rounded(value: Any, decimals: int) -> Any:
    """A float rounded half away from zero, as the report rounds (formatting.number); other values as they are."""
    if not isinstance(value, float) or not math.isfinite(value):
        return value
    result = math.copysign(math.floor(abs(value) * 10**decimals + 0.5) / 10**decimals, value) + 0.0
    return int(result) if decimals == 0 else result


def _as_in_report(row: dict[str, Any]) -> dict[str, Any]:
    """A survey cell as the report publishes it. By sex and age the report shows shares in whole per cent
    only: with each group's n and exact share beside the total, a group hidden for too few answers
    (e.g. "Annat/vill inte uppge") could be computed back from the others, so the export publishes no more."""
    share = row["andel"]
    if row["dimension"] not in BY_PERSON:
        return {**row, "dimension": DIMENSIONS.get(row["dimension"], row["dimension"])}
    return {
        **row,
        "dimension": DIMENSIONS[row["dimension"]],
        "n": None,
        "n_eff": None,
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
    decimals: tuple[tuple[str, int], ...] = ()  # column → decimals (the method's precision rule)


def _kpi_as_in_report(row: dict[str, Any]) -> dict[str, Any]:
    """A Kolada row with its unit and producer in words, as the comparison table names them."""
    return {**row, "enhet": kpi_unit(row["enhet"] or ""), "producent": kpi_producer(row["producent"])}


def _ntu_words(row: dict[str, Any]) -> dict[str, Any]:
    """NTU's judgements in the report's one wording ("i nivå med", "ökat"), for the kommun's rows only."""
    if row["jamfort_med_riket"] is None and row["trend"] is None:
        return row
    return {
        **row,
        "jamfort_med_lan": level_word(row["jamfort_med_lan"]),
        "jamfort_med_riket": level_word(row["jamfort_med_riket"]),
        "trend": trend_word(row["trend"]),
    }


def _as_listed(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "origin": origin_text(row["origin"])}


def _rescue_labels(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "kategori": RESCUE_CATEGORIES.get(row["kategori"], row["kategori"])}


def _time_labels(row: dict[str, Any]) -> dict[str, Any]:
    by_month = row["indelning"] == "manad"
    return {
        **row,
        "indelning": "Månad" if by_month else "Starttimme",
        "varde": formatting.MONTHS[row["varde"] - 1] if by_month else f"{row['varde']:02d}",
        "kategori": TIME_CATEGORIES.get(row["kategori"], row["kategori"]),
    }


def _fire_labels(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "slag": FIRE_KINDS.get(row["slag"], row["slag"]), "litet": "ja" if row["litet"] else "nej"}


def _month_label(row: dict[str, Any]) -> dict[str, Any]:
    year, month = row["manad"].split("-")
    return {**row, "manad": f"{formatting.MONTHS[int(month) - 1]} {year}"}


# The exported tables, in the workbook's order; the Indikatorer sheet (from the report's values) comes first.
# Every table the report shows has one, with the report's names and judgement words.
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
            "Anmärkning",
        ),
        """
        select serie, geo_namn, ar, antal, per_100k, antal_ki_undre, antal_ki_ovre,
               case when not litet_antal then forandring_mot_3ar_procent end as forandring_mot_3ar_procent,
               case when litet_antal then 'för få för att bedöma (färre än 10 brott)' else '' end as anmarkning
        from ind_anmalda_brott where geo_kod in ($k, $l, $r) and ar <= $y order by serie, geo_niva, ar
        """,
        decimals=(("per_100k", 1), ("antal_ki_undre", 1), ("antal_ki_ovre", 1), ("forandring_mot_3ar_procent", 1)),
    ),
    _Table(
        "Bedömning",
        "anmalda_brott_bedomning.csv",
        "Brå; regler i 15_anmalda_brott_bedomning.sql och 20_anmalda_brott_rang_lan.sql",
        (
            "Brottsserie",
            "År",
            "Antal",
            "Antal per 100 000 invånare",
            "95 % KI per 100 000, undre",
            "95 % KI per 100 000, övre",
            "Länet per 100 000",
            "Riket per 100 000",
            "Jämfört med länet",
            "Jämfört med riket",
            "Utveckling",
            "Plats i länet (1 = lägst; lika värden delar platsen)",
            "Kommuner som delar platsen",
            "Kommuner i länet med värde",
        ),
        """
        select b.serie, b.ar, b.antal, b.per_100k, b.per_100k_ki_undre, b.per_100k_ki_ovre, b.per_100k_lan,
               b.per_100k_riket, b.niva_mot_lan, b.niva_mot_riket, b.trend, g.rang_i_lanet, g.antal_lika,
               g.antal_rankade
        from ind_anmalda_brott_bedomning b
        left join ind_anmalda_brott_rang_lan g using (serie_id, kommun_kod, ar)
        where b.kommun_kod = $k and b.ar = $y order by b.serie
        """,
        needs="Anmälda brott",
        always=True,
        decimals=(("per_100k", 1), ("per_100k_ki_undre", 1), ("per_100k_ki_ovre", 1)),
    ),
    _Table(
        "NTU",
        "ntu.csv",
        "Brå, Nationella trygghetsundersökningen (NTU)",
        (
            "Indikator",
            "Mått",
            "Geografi",
            "År",
            "Andel (%)",
            "95 % KI, undre",
            "95 % KI, övre",
            "Svarande",
            "Jämfört med länet",
            "Jämfört med riket",
            "Andel tre år tidigare (%)",
            "z (förändring mot tre år tidigare)",
            "Utveckling",
        ),
        """
        select indikator, matt, geo_namn, ar, andel, ki_undre, ki_ovre, svarande,
               case when geo_kod = $k then jamfort_med_lan end as jamfort_med_lan,
               case when geo_kod = $k then jamfort_med_riket end as jamfort_med_riket,
               case when geo_kod = $k then andel_3ar_fore end as andel_3ar_fore,
               case when geo_kod = $k then trend_z end as trend_z,
               case when geo_kod = $k then trend end as trend
        from ind_ntu
        where geo_kod in ($k, $l, $r) and ar <= $y order by indikator, geo_niva, ar
        """,
        shaped=_ntu_words,
        decimals=(("andel", 1), ("ki_undre", 1), ("ki_ovre", 1), ("andel_3ar_fore", 1), ("trend_z", 2)),
    ),
    _Table(
        "Jämförelse riket",
        "kolada_rang_riket.csv",
        "Kolada (RKA); producent per nyckeltal i kolumnen Producent",
        (
            "Nyckeltal",
            "Titel",
            "Enhet",
            "Producent",
            "År",
            "Värde",
            "Plats i riket (1 = lägst; lika värden delar den lägsta platsen; bara när minst hälften har värde)",
            "Kommuner som delar platsen",
            "Kommuner med värde",
            "Kommuner i Sverige",
        ),
        """
        select g.kpi, g.titel, g.titel as enhet, coalesce(m.beskrivning, '') as producent, g.ar, g.varde,
               g.rang_i_riket, g.antal_lika, g.antal_rankade, g.antal_kommuner
        from ind_kolada_rang_riket g left join raw_kolada_kpi m using (kpi)
        where g.kommun_kod = $k and g.ar <= $y order by g.kpi, g.ar
        """,
        shaped=_kpi_as_in_report,
        decimals=(("varde", 2),),
    ),
    _Table(
        "Jämförelsegrupp",
        "kolada_jamforelsegrupp.csv",
        "Kolada (RKA), jämförelsegrupp",
        (
            "Nyckeltal",
            "Titel",
            "Jämförelsegrupp",
            "År",
            "Kommunens värde",
            "Gruppens medelvärde",
            "Gruppens lägsta värde",
            "Gruppens högsta värde",
            "Kommuner i gruppen med värde",
            "Kommuner i gruppen",
        ),
        """
        select g.kpi, coalesce(m.titel, g.kpi) as titel, g.grupp, g.ar, g.kommunens_varde, g.grupp_medel, g.grupp_min,
               g.grupp_max, g.medlemmar_med_varde, g.medlemmar
        from ind_kolada_jamforelsegrupp g left join raw_kolada_kpi m using (kpi)
        where g.kommun_kod = $k and g.ar <= $y order by g.kpi, g.ar
        """,
        decimals=(("kommunens_varde", 2), ("grupp_medel", 2), ("grupp_min", 2), ("grupp_max", 2)),
    ),
    _Table(
        "Trygghetsundersökning",
        "survey.csv",
        "kommunens trygghetsundersökning (röjandeskyddad; per kön och ålder bara andel i hela procent)",
        (
            "Indikator",
            "År",
            "Indelning",
            "Grupp",
            "Antal svarande (n)",
            "Effektivt antal svarande (Kish; intervallen bygger på det)",
            "Andel (%)",
            "95 % KI, undre",
            "95 % KI, övre",
            "Status",
        ),
        """
        select i.etikett, s.ar, s.dimension, s.grupp,
               case when (s.status like 'färre än%' and s.status not like '%ja eller nej') or s.status like 'dold%'
               then null else s.n end as n,
               case when s.status = 'visas' then s.n_eff end as n_eff,
               case when s.status = 'visas' then 100 * s.andel end as andel,
               case when s.status = 'visas' then 100 * s.ki_undre end as ki_undre,
               case when s.status = 'visas' then 100 * s.ki_ovre end as ki_ovre, s.status
        from ind_survey s join survey_indikatorer i using (indikator)
        where s.kommun_kod = $k and s.ar <= $y order by i.ordning, s.ar, s.dimension, s.grupp
        """,
        shaped=_as_in_report,
        decimals=(("n_eff", 0), ("andel", 1), ("ki_undre", 1), ("ki_ovre", 1)),
    ),
    _Table(  # every month of the archive up to the report year, zeros too; months outside it are unknown
        "Publicerade händelser",
        "polisen_handelser.csv",
        "Polisen, publicerade händelser – inte brottsstatistik; grupperna enligt metodavsnittets tabell",
        ("Månad", "Grupp", "Antal publicerade händelser"),
        """
        with manader as (
            select strftime(m, '%Y-%m') as manad
            from (select min(manad) as a, max(manad) as b from raw_polisen_handelser) s,
                 range(strptime(s.a, '%Y-%m'), strptime(s.b, '%Y-%m') + interval 1 month, interval 1 month) t(m)
        ),
        grupper as (
            select kategori, min(rowid) as ordning from polisen_kategorier where kategori <> 'sammanfattning'
            group by kategori
            union all select 'Övrigt', 1e9 where 'Övrigt' not in (select kategori from polisen_kategorier)
        )
        select m.manad, g.kategori, coalesce(h.antal, 0) as antal
        from manader m cross join grupper g
        left join ind_polisen_handelser h on h.kommun_kod = $k and h.manad = m.manad and h.kategori = g.kategori
        where m.manad <= $y || '-12'
          and exists (select 1 from ind_polisen_handelser where kommun_kod = $k)
        order by m.manad, g.ordning
        """,
        shaped=_month_label,
    ),
    _Table(
        "Räddningstjänsten",
        "raddningstjanst.csv",
        "MCF (tidigare MSB), statistikdatabasen tabell B11; SCB folkmängd",
        (
            "Händelsetyp",
            "Geografi",
            "Kod",
            "År",
            "Antal händelser",
            "Per 1 000 invånare",
            "Femårsmedel per 1 000 invånare",
            "95 % KI femårsmedel, undre",
            "95 % KI femårsmedel, övre",
        ),
        """
        select kategori, case geo_niva when 'kommun' then $kn when 'lan' then $ln else 'Riket' end, geo_kod, ar,
               antal, per_1000, medel5_per_1000, medel5_ki_undre, medel5_ki_ovre
        from ind_raddning_insatser where geo_kod in ($k, $l, $r) and ar <= $y order by kategori, geo_niva, ar
        """,
        shaped=_rescue_labels,
        decimals=(("per_1000", 3), ("medel5_per_1000", 3), ("medel5_ki_undre", 3), ("medel5_ki_ovre", 3)),
    ),
    _Table(
        "Räddning månad och tid",
        "raddningstjanst_manad_timme.csv",
        "MCF (tidigare MSB), statistikdatabasen tabell B11",
        ("Indelning", "Månad eller starttimme", "Kategori", "Antal händelser", "Första år", "Sista år"),
        """
        with senaste as (
            select indelning, max(ar) as sista from ind_raddning_manad_timme
            where kommun_kod = $k and ar <= $y group by indelning
        )
        select t.indelning, t.varde, t.kategori, case when sum(t.saknade) = 0 then sum(t.antal)::bigint end as antal,
               min(t.ar) as forsta_ar, max(t.ar) as sista_ar
        from ind_raddning_manad_timme t join senaste s using (indelning)
        where t.kommun_kod = $k and t.ar <= $y and t.ar > s.sista - 5
        group by t.indelning, t.varde, t.kategori order by t.indelning, t.kategori, t.varde
        """,
        shaped=_time_labels,
    ),
    _Table(
        "Avsiktliga bränder",
        "avsiktliga_brander.csv",
        "räddningstjänstens egna händelserapporter (lokal export); avsiktlig = räddningsledarens bedömning",
        ("Område", "År", "Slag av brand", "Bränder", "Därav avsiktliga", f"Färre än {SMALL} bränder"),
        """
        with a as (
            select * from ind_raddning_avsiktliga where kommun_kod = $k and agare_kod = $k and ar <= $y
        ),
        celler as (
            select omrade, ordning, ar, 'fordon' as slag, 1 as nr, brander_fordon as brander,
                   avsiktliga_fordon as avsiktliga from a
            union all select omrade, ordning, ar, 'byggnad', 2, brander_byggnad, avsiktliga_byggnad from a
            union all select omrade, ordning, ar, 'annan', 3, brander_annan, avsiktliga_annan from a
        )
        select omrade, ar, slag, brander, avsiktliga, brander < $small as litet from celler
        where slag in (select slag from celler group by slag having sum(brander) > 0)  -- the kinds the export holds
        order by ordning, omrade, ar, nr
        """,
        shaped=_fire_labels,
    ),
    _Table(  # open data and the kommun's own files, never another kommun's survey or export
        "Källor",
        "kallor.csv",
        "projektets förteckning över hämtade och inlästa filer, med kontrollsumma (SHA-256)",
        ("Fil", "Källa", "Hämtad från", "Hämtad (UTC)", "HTTP-status", "SHA-256"),
        f"select file, source, origin, retrieved_at, status, sha256 from manifest where {OWN_FILES} order by file",
        shaped=_as_listed,
        always=True,
    ),
)


def factor_sheet(factors: FactorsSection) -> Sheet:
    """The risk and protective factors as the report shows them: a missing KPI says "saknas", a model deviation
    its words; the numbers with one decimal more than the report prints, as every export."""

    def value(kind: str, year: int | None, number: float | None, shown: str) -> Any:
        return shown if year is None or kind == "avvikelse" or number is None else rounded(number, 2)

    return Sheet(
        "Risk- och skyddsfaktorer",
        "riskfaktorer.csv",
        "Kolada",
        ("Nyckeltal", "Faktor", "Slag", "År", "Kommunen", "Länet", "Riket", "Anmärkning"),
        tuple(
            (
                f.kpi,
                f.name,
                f.kind,
                f.year,
                value(f.kind, f.year, f.kommun, f.shown(f.kommun)),
                value(f.kind, f.year, f.lan, f.shown(f.lan)),
                value(f.kind, f.year, f.riket, f.shown(f.riket)),
                "sammanhang, inte orsak",
            )
            for f in (*factors.factors, *factors.deviations)
        ),
    )


SOURCE_NAMES = dict(SOURCES)


def analysis_sheets(a: Analysis) -> tuple[Sheet, ...]:
    """The analysis' matrix and ranking in the report's words: one row per theme and source, one per priority."""
    source = "Analysens regler (Källor och metod) över Brå, NTU, kommunens undersökning, räddningstjänsten och Polisen"
    matrix = tuple(
        (row.theme.name, SOURCE_NAMES[cell.source], cell.signal.value, "; ".join(cell.lines), row.agreement)
        for row in a.rows
        for cell in row.cells
    )
    order = "kommunens egen" if a.own_order else "analysens regler"
    ranking = tuple(
        (
            row.place,
            row.theme.name,
            row.points,
            row.theme.harm,
            row.score if row.stands_out else None,
            order,
            row.reason,
        )
        for row in a.ranked
    )
    return (
        Sheet(
            "Analysmatris",
            "analysmatris.csv",
            source,
            ("Tema", "Källa", "Bedömning", "Vad källan visar", "Samstämmighet"),
            matrix,
        ),
        Sheet(
            "Prioritering",
            "prioritering.csv",
            source,
            ("Plats", "Tema", "Poäng enligt reglerna", "Skadevikt", "Poäng med skadevikt", "Ordning", "Skäl"),
            ranking or (("", "Inget tema sticker ut enligt analysens regler", None, None, None, order, ""),),
        ),
    )


def sheets(
    store: Store,
    kommun: Kommun,
    year: int,
    values: Sequence[IndicatorValue],
    factors: FactorsSection | None = None,
    analysed: Analysis | None = None,
) -> tuple[Sheet, ...]:
    params = {"k": kommun.kod, "l": kommun.lan_kod, "r": RIKET_KOD, "y": year, "kn": kommun.namn}
    params |= {"ln": kommun.lan.namn, "small": SMALL}
    result = [
        Sheet(
            "Indikatorer",
            "indikatorer.csv",
            "se kolumnen Källa",
            ("Id", "Indikator", "År", "Värde", "Enhet", "Källa", "Anmärkning"),
            tuple(
                (v.id, v.name, v.year, rounded(v.value, DECIMALS_BY_UNIT.get(v.unit, 1)), v.unit, v.source, v.note)
                for v in values
            ),
        )
    ]
    written = {"Indikatorer"}
    for table in TABLES:
        if table.needs is not None and table.needs not in written:
            continue
        rows = store.rows(table.sql, params)
        rows = [{**r, **{c: rounded(r[c], d) for c, d in table.decimals}} for r in rows]
        if table.shaped is not None:
            rows = [table.shaped(r) for r in rows]
        if rows or table.always:
            result.append(
                Sheet(table.name, table.file, table.source, table.headers, tuple(tuple(r.values()) for r in rows))
            )
            written.add(table.name)
    if factors is not None:
        result.append(factor_sheet(factors))
    if analysed is not None:
        result += analysis_sheets(analysed)
    return tuple(result)
