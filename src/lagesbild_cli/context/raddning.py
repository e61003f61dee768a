"""The section "Räddningstjänstens insatser": MCF's incidents per 1 000 inhabitants (kommun, län,
riket, with five-year means for small numbers), by month and hour; Kolada's building-fire KPIs as one
series per definition; deliberate fires per area from the rescue service's own event reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lagesbild_cli.context import charts, formatting
from lagesbild_cli.context.charts import definition_breaks
from lagesbild_cli.database.store import Store
from lagesbild_cli.settings.kommuner import RIKET_KOD, Kommun

CATEGORIES = {  # kategori in ind_raddning_insatser → label, in the order shown
    "olyckor": "Alla inträffade och befarade olyckor",
    "brand_byggnad": "Brand i byggnad",
    "brand_ej_byggnad": "Brand i annat än byggnad (t.ex. fordon, container)",
    "trafikolycka": "Trafikolycka",
    "ovriga_olyckor": "Övriga olyckor",
    "automatlarm": "Automatlarm utan brandtillbud",
    "utan_risk": "Annan händelse utan risk för skada",
}
NOT_INCIDENTS = ("automatlarm", "utan_risk")
TIME_CATEGORIES = {"brand": "Bränder", "olyckor": "Alla olyckor", "automatlarm": "Automatlarm"}
HOUR_BLOCKS = tuple((start, start + 3) for start in range(0, 24, 4))


@dataclass(frozen=True)
class RescueRow:
    kategori: str
    label: str
    is_incident: bool  # False for automatic alarms and events without risk
    antal: int | None
    per_1000: float | None
    lan_per_1000: float | None
    riket_per_1000: float | None
    medel5: float | None
    medel5_low: float | None
    medel5_high: float | None
    lan_medel5: float | None
    riket_medel5: float | None
    saknade: int


@dataclass(frozen=True)
class TimeTable:
    title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int | None, ...]], ...]


FIRE_KINDS = {  # slag in ind_raddning_avsiktliga → how the table names its fires, in the order shown
    "fordon": "Fordonsbränder",
    "byggnad": "Bränder i byggnad",
    "annan": "Andra bränder",
}
SMALL = 5  # a cell with fewer fires is marked: chance decides


@dataclass(frozen=True)
class DeliberateCell:
    fires: int
    deliberate: int
    small: bool  # fewer than SMALL fires


@dataclass(frozen=True)
class DeliberateRow:
    area: str
    cells: tuple[DeliberateCell, ...]  # per column of DeliberateFires


@dataclass(frozen=True)
class DeliberateFires:
    years: tuple[int, ...]
    period: str  # "2018–2019": the years of the export up to the report year
    kinds: tuple[str, ...]  # the kinds of fire the export holds ("Fordonsbränder"), in FIRE_KINDS' order
    columns: tuple[tuple[int, str], ...]  # (year, kind) per cell
    rows: tuple[DeliberateRow, ...]
    all_small: bool  # every area's cell has fewer than SMALL fires
    report_year: int


@dataclass(frozen=True)
class RescueSection:
    year: int | None  # the MCF year shown (the report year or the newest before it)
    first_five: int | None
    rows: tuple[RescueRow, ...]
    line_charts: tuple[charts.LineChart, ...]
    by_month: TimeTable | None
    by_hour: TimeTable | None
    fire_chart: charts.LineChart | None
    fire_kpis: tuple[tuple[str, str], ...]  # (id, title) of the Kolada KPIs in fire_chart
    fire_configured: tuple[str, ...]  # the ids in [sources.kolada] fire_kpis
    deliberate: DeliberateFires | None

    @property
    def has_mcf(self) -> bool:
        return self.year is not None


def _mcf_year(store: Store, kommun: Kommun, year: int) -> int | None:
    rows = store.rows(
        "select max(ar) as ar from ind_raddning_insatser where geo_kod = $k and ar <= $y and antal is not null",
        {"k": kommun.kod, "y": year},
    )
    return rows[0]["ar"] if rows else None


def _rows(store: Store, kommun: Kommun, year: int) -> tuple[RescueRow, ...]:
    data = {
        (r["kategori"], r["geo_niva"]): r
        for r in store.rows(
            "select * from ind_raddning_insatser where ar = $y and geo_kod in ($k, $l, $r)",
            {"y": year, "k": kommun.kod, "l": kommun.lan_kod, "r": RIKET_KOD},
        )
    }
    rows = []
    for kategori, label in CATEGORIES.items():
        own = data.get((kategori, "kommun"))
        if own is None:
            continue
        lan, riket = data.get((kategori, "lan"), {}), data.get((kategori, "riket"), {})
        rows.append(
            RescueRow(
                kategori=kategori,
                label=label,
                is_incident=kategori not in NOT_INCIDENTS,
                antal=own["antal"],
                per_1000=own["per_1000"],
                lan_per_1000=lan.get("per_1000"),
                riket_per_1000=riket.get("per_1000"),
                medel5=own["medel5_per_1000"],
                medel5_low=own["medel5_ki_undre"],
                medel5_high=own["medel5_ki_ovre"],
                lan_medel5=lan.get("medel5_per_1000"),
                riket_medel5=riket.get("medel5_per_1000"),
                saknade=own["saknade"],
            )
        )
    return tuple(rows)


def _chart(store: Store, kommun: Kommun, kategori: str, chart_id: str, year: int) -> charts.LineChart | None:
    rows = store.rows(
        "select geo_niva, ar, per_1000 from ind_raddning_insatser where kategori = $c and geo_kod in ($k, $l, $r) "
        "and ar <= $y order by ar",
        {"c": kategori, "k": kommun.kod, "l": kommun.lan_kod, "r": RIKET_KOD, "y": year},
    )
    years = sorted({r["ar"] for r in rows})
    if len(years) < 2:
        return None
    data: dict[str, dict[int, float | None]] = {"kommun": {}, "lan": {}, "riket": {}}
    for r in rows:
        data[r["geo_niva"]][r["ar"]] = r["per_1000"]
    label = CATEGORIES[kategori]
    return charts.geography_chart(
        chart_id,
        f"{label} per 1 000 invånare",
        label.lower(),
        data,
        years,
        kommun.namn,
        kommun.lan.namn,
        decimals=2,
        per="1 000",
    )


def _time_table(store: Store, kommun: Kommun, indelning: str, year: int) -> TimeTable | None:
    """The five newest years up to the report's year, summed; a sum with a value MCF does not publish
    ("..") is missing, never counted as zero."""
    rows = store.rows(
        """
        select kategori, varde, min(ar) as forsta_ar, max(ar) as sista_ar,
               case when sum(saknade) = 0 then sum(antal)::bigint end as antal
        from ind_raddning_manad_timme
        where kommun_kod = $k and indelning = $i and ar <= $y and ar > (
            select max(ar) from ind_raddning_manad_timme where kommun_kod = $k and indelning = $i and ar <= $y
        ) - 5
        group by kategori, varde
        """,
        {"k": kommun.kod, "i": indelning, "y": year},
    )
    if not rows:
        return None
    counts = {(r["kategori"], r["varde"]): r["antal"] for r in rows}
    period = f"{min(r['forsta_ar'] for r in rows)}–{max(r['sista_ar'] for r in rows)}"
    if indelning == "manad":
        headings = tuple(m[:3] for m in formatting.MONTHS)
        keys: list[tuple[int, ...]] = [(m,) for m in range(1, 13)]
        title = f"Händelser per månad i {kommun.namn}, {period} sammanlagt"
    else:
        headings = tuple(f"{a:02d}–{b:02d}" for a, b in HOUR_BLOCKS)
        keys = [tuple(range(a, b + 1)) for a, b in HOUR_BLOCKS]
        title = f"Händelser per tid på dygnet (starttimme) i {kommun.namn}, {period} sammanlagt"

    def total(kategori: str, values: tuple[int, ...]) -> int | None:
        found = [counts[(kategori, v)] for v in values if counts.get((kategori, v)) is not None]
        return sum(found) if found else None

    table_rows = tuple(
        (label, tuple(total(kategori, key) for key in keys))
        for kategori, label in TIME_CATEGORIES.items()
        if any(k == kategori for k, _ in counts)
    )
    return TimeTable(title=title, headings=headings, rows=table_rows)


def _fire_chart(
    store: Store, kommun: Kommun, kpis: tuple[str, ...], year: int
) -> tuple[charts.LineChart | None, tuple[tuple[str, str], ...]]:
    """One series per KPI and geography: a definition change is a new series, never a joined line; no
    year after the report's."""
    if not kpis:
        return None, ()
    params = {"k": kommun.kod, "l": kommun.lan_kod, "r": RIKET_KOD, "y": year}
    rows = store.rows(
        "select v.kpi, v.geo_niva, v.ar, v.varde, coalesce(m.titel, v.kpi) as titel from raw_kolada_varden v "
        "left join raw_kolada_kpi m using (kpi) where v.kpi in (select unnest($kpis)) and v.geo_kod in ($k, $l, $r) "
        "and v.ar <= $y order by v.ar",
        {**params, "kpis": list(kpis)},
    )
    if not rows:
        return None, ()
    years = list(range(min(r["ar"] for r in rows), max(r["ar"] for r in rows) + 1))
    titles = {r["kpi"]: r["titel"] for r in rows}
    order = [k for k in kpis if k in titles]
    series = []
    for n, kpi in enumerate(order):
        span = [r["ar"] for r in rows if r["kpi"] == kpi]
        when = f"–{max(span)}" if n < len(order) - 1 else f"{min(span)}–"  # short: the labels sit in the margin
        for level in ("kommun", "lan", "riket"):
            values = {r["ar"]: r["varde"] for r in rows if r["kpi"] == kpi and r["geo_niva"] == level}
            if values:
                name = kommun.namn if level == "kommun" else charts.GEOGRAPHY_LABELS[level]
                series.append(charts.SeriesData(f"{name} {when}", level, values))
    marks = [m for kpi in order for m in definition_breaks().get(f"kolada:{kpi}", ())]
    description = (
        "Linjediagram över bränder i byggnad per 1 000 invånare enligt Kolada, en linje per definition: "
        + "; ".join(f"{kpi} {titles[kpi]}" for kpi in order)
        + ". "
        + " ".join(f"Från {m.year}: {m.label}." for m in marks)
    )
    chart = charts.line_chart(
        "chart-brand-byggnad-kolada",
        "Bränder i byggnad per 1 000 invånare (Kolada), före och efter definitionsändringen",
        description,
        series,
        years,
        decimals=2,
        marks=marks,
    )
    return chart, tuple((kpi, titles[kpi]) for kpi in order)


def _deliberate(store: Store, kommun: Kommun, year: int) -> DeliberateFires | None:
    """Every area of the kommun (zeros too) per year of the export up to the report year, by the kinds of fire
    the export holds: a table of vehicle fires says so, not "Bränder"."""
    rows = store.rows(  # the kommun's own export only: another kommun's import is never shown
        "select * from ind_raddning_avsiktliga where kommun_kod = $k and agare_kod = $k and ar <= $y "
        "order by ordning, omrade, ar",
        {"k": kommun.kod, "y": year},
    )
    if not rows:
        return None
    years = tuple(sorted({r["ar"] for r in rows}))[-5:]
    shown = tuple(k for k in FIRE_KINDS if any(r[f"brander_{k}"] for r in rows if r["ar"] in years))
    areas: dict[str, dict[int, dict[str, Any]]] = {}
    for r in rows:
        areas.setdefault(r["omrade"], {})[r["ar"]] = r

    def cell(by_year: dict[int, dict[str, Any]], y: int, kind: str) -> DeliberateCell:
        found = by_year.get(y)
        fires = found[f"brander_{kind}"] if found else 0
        deliberate = found[f"avsiktliga_{kind}"] if found else 0
        return DeliberateCell(fires=fires, deliberate=deliberate, small=fires < SMALL)

    columns = tuple((y, FIRE_KINDS[k]) for y in years for k in shown)
    table = tuple(
        DeliberateRow(area=area, cells=tuple(cell(by_year, y, k) for y in years for k in shown))
        for area, by_year in areas.items()
    )
    return DeliberateFires(
        years=years,
        period=f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]),
        kinds=tuple(FIRE_KINDS[k] for k in shown),
        columns=columns,
        rows=table,
        all_small=all(c.small for row in table if row.area != "Hela kommunen" for c in row.cells),
        report_year=year,
    )


def rescue_section(store: Store, kommun: Kommun, year: int, fire_kpis: tuple[str, ...]) -> RescueSection:
    mcf_year = _mcf_year(store, kommun, year)
    fire_chart, fire_titles = _fire_chart(store, kommun, fire_kpis, year)
    by_month = _time_table(store, kommun, "manad", year)
    by_hour = _time_table(store, kommun, "timme", year)
    rescue_charts = tuple(
        c
        for c in (
            _chart(store, kommun, "olyckor", "chart-raddning-olyckor", year),
            _chart(store, kommun, "brand_byggnad", "chart-raddning-brand-byggnad", year),
        )
        if c is not None
    )
    return RescueSection(
        year=mcf_year,
        first_five=mcf_year - 4 if mcf_year else None,
        rows=_rows(store, kommun, mcf_year) if mcf_year else (),
        line_charts=rescue_charts,
        by_month=by_month,
        by_hour=by_hour,
        fire_chart=fire_chart,
        fire_kpis=fire_titles,
        fire_configured=fire_kpis,
        deliberate=_deliberate(store, kommun, year),
    )
