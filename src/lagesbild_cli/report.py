"""Store → typed report context → HTML (Jinja) → PDF (WeasyPrint).

Numbers come from the ``ind_*`` tables; this module only selects and arranges them, and the
templates only present them. Jinja runs with autoescape and StrictUndefined; WeasyPrint may
fetch nothing but ``data:`` URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from lagesbild_cli import charts, formatting
from lagesbild_cli.config import Config
from lagesbild_cli.errors import DataMissingError, RenderError
from lagesbild_cli.kommuner import RIKET_KOD, RIKET_NAMN, Kommun
from lagesbild_cli.raw import atomic_write_bytes
from lagesbild_cli.store import Store

TOTAL_SERIES = "totalt_antal_anmalda_brott"
# The series shown as line charts: the total and the everyday crimes most kommuner act on.
KEY_SERIES = (
    TOTAL_SERIES,
    "vald_i_offentlig_miljo_mot_vuxna",
    "skadegorelsebrott",
    "stold_och_tillgreppsbrott_totalt",
    "bostadsinbrott",
    "narkotikabrott",
)
BRA_SOURCE = "Brå, Indikatorer för kommuners lägesbild"
BRA_PAGE = "https://bra.se/statistik/indikatorer-for-kommuners-lagesbild"


@dataclass(frozen=True)
class SeriesRow:
    serie_id: str
    serie: str
    antal: int | None
    antal_ki_undre: float | None
    antal_ki_ovre: float | None
    litet_antal: bool
    per_100k: float | None
    per_100k_lan: float | None
    per_100k_riket: float | None
    forandring_procent: float | None
    forandring_mot_3ar_procent: float | None
    rang: int | None
    antal_rankade: int
    rang_text: str


@dataclass(frozen=True)
class NtuRow:
    indikator: str
    matt: str
    andel: float | None
    ki_undre: float | None
    ki_ovre: float | None
    andel_lan: float | None
    ki_undre_lan: float | None
    ki_ovre_lan: float | None
    andel_riket: float | None
    jamfort_med_riket: str | None
    decimals: int


@dataclass(frozen=True)
class SourceFile:
    file: str
    origin: str
    retrieved: str
    sha256: str


@dataclass(frozen=True)
class ReportContext:
    kommun: Kommun
    kommun_fullnamn: str
    lan_namn: str
    riket_namn: str
    year: int
    first_year: int
    title: str
    compiled_by: str
    decision_body: str
    created: str
    data_retrieved: str
    summary: tuple[str, ...]
    series: tuple[SeriesRow, ...]
    charts: tuple[charts.LineChart, ...]
    ranked_kommuner: int
    kommuner_in_lan: int
    ntu_year: int | None
    ntu_svarande: int | None
    ntu: tuple[NtuRow, ...]
    sources: tuple[SourceFile, ...]
    bra_source: str
    bra_page: str


@dataclass(frozen=True)
class BuiltReport:
    html: Path
    pdf: Path
    context: ReportContext


def rank_text(rang: int | None, antal: int, lan_namn: str) -> str:
    """The rank in words, 1 = lowest rate: "lägst i Dalarnas län", "3 av 15 (1 = lägst)"."""
    if rang is None or antal == 0:
        return "kan inte rangordnas"
    if antal == 1:
        return "enda kommunen med data i länet"
    if rang == 1:
        return f"lägst i {lan_namn}"
    if rang == antal:
        return f"högst i {lan_namn}"
    return f"plats {rang} av {antal} (1 = lägst)"


def _compare_word(value: float | None, reference: float | None) -> str:
    if value is None or reference is None:
        return "kan inte jämföras med"
    return "lägre än" if value < reference else "högre än" if value > reference else "lika med"


def _years(store: Store, kommun: Kommun) -> list[int]:
    rows = store.rows(
        "select distinct ar from ind_anmalda_brott where geo_kod = $k and antal is not null order by ar",
        {"k": kommun.kod},
    )
    return [r["ar"] for r in rows]


def build_context(store: Store, config: Config, year: int | None) -> ReportContext:
    kommun = config.kommun
    lan = kommun.lan
    years = _years(store, kommun)
    if not years:
        loaded = store.rows(
            "select k.kommun_namn from bra_arbetsbocker b join kommuner k using (kommun_kod) order by 1"
        )
        names = ", ".join(r["kommun_namn"] for r in loaded) or "none"
        raise DataMissingError(
            f"The database has no Brå data for {kommun.namn} ({kommun.kod}); it holds workbooks for: {names}.",
            hint=f"Run 'lagesbild fetch' or import {kommun.namn}.xlsx with 'lagesbild import bra'.",
        )
    if year is None:
        year = years[-1]
    elif year not in years:
        raise DataMissingError(
            f"There is no reported-crime data for {kommun.namn} in {year}; the Brå data covers {years[0]}–{years[-1]}.",
            hint=f"Choose a year from {years[0]} to {years[-1]} with --year.",
        )
    params = {"k": kommun.kod, "l": lan.kod, "r": RIKET_KOD, "y": year}

    series_rows = store.rows(
        """
        select k.serie_id, k.serie, k.antal, k.antal_ki_undre, k.antal_ki_ovre, k.litet_antal, k.per_100k,
               l.per_100k as per_100k_lan, r.per_100k as per_100k_riket, k.forandring_procent,
               k.forandring_mot_3ar_procent, g.rang_i_lanet as rang, g.antal_rankade, g.antal_kommuner_i_lanet
        from ind_anmalda_brott k
        left join ind_anmalda_brott l on l.serie_id = k.serie_id and l.ar = k.ar and l.geo_kod = $l
        left join ind_anmalda_brott r on r.serie_id = k.serie_id and r.ar = k.ar and r.geo_kod = $r
        left join ind_anmalda_brott_rang_lan g on g.serie_id = k.serie_id and g.ar = k.ar and g.kommun_kod = k.geo_kod
        where k.geo_kod = $k and k.ar = $y
        order by k.serie_id <> 'totalt_antal_anmalda_brott', k.serie
    """,
        params,
    )
    series = tuple(
        SeriesRow(
            **{
                f: r[f]
                for f in SeriesRow.__dataclass_fields__
                if f not in ("rang_text", "antal_rankade", "litet_antal")
            },
            litet_antal=bool(r["litet_antal"]),
            antal_rankade=r["antal_rankade"] or 0,
            rang_text=rank_text(r["rang"], r["antal_rankade"] or 0, lan.namn),
        )
        for r in series_rows
    )
    kommuner_in_lan = series_rows[0]["antal_kommuner_i_lanet"] if series_rows else 0

    history = store.rows(
        """
        select serie_id, serie, geo_niva, ar, per_100k from ind_anmalda_brott
        where geo_kod in ($k, $l, $r) and ar <= $y order by serie_id, ar
    """,
        params,
    )
    shown_years = [y for y in years if y <= year]
    chart_list = _key_charts(history, shown_years, kommun, lan.namn)

    ntu_rows, ntu_year, svarande = _ntu(store, params, year)
    summary = _summary(series, kommun, lan.namn, year, kommuner_in_lan, ntu_rows, ntu_year)

    sources = tuple(
        SourceFile(
            file=r["file"],
            origin=r["origin"],
            retrieved=formatting.swedish_date(r["retrieved_at"]),
            sha256=r["sha256"][:12],
        )
        for r in store.rows("select * from manifest where source = 'bra' order by file")
    )
    retrieved = store.rows("select max(retrieved_at) as latest from manifest where source = 'bra'")[0]["latest"]
    return ReportContext(
        kommun=kommun,
        kommun_fullnamn=kommun.fullnamn,
        lan_namn=lan.namn,
        riket_namn=RIKET_NAMN,
        year=year,
        first_year=years[0],
        title=config.report.title,
        compiled_by=config.report.compiled_by,
        decision_body=config.report.decision_body,
        created=formatting.swedish_date(date.today()),
        data_retrieved=formatting.swedish_date(retrieved) if retrieved else "okänt datum",
        summary=summary,
        series=series,
        charts=chart_list,
        ranked_kommuner=max((s.antal_rankade for s in series), default=0),
        kommuner_in_lan=kommuner_in_lan,
        ntu_year=ntu_year,
        ntu_svarande=svarande,
        ntu=ntu_rows,
        sources=sources,
        bra_source=BRA_SOURCE,
        bra_page=BRA_PAGE,
    )


def _key_charts(
    history: list[dict[str, Any]], years: list[int], kommun: Kommun, lan_namn: str
) -> tuple[charts.LineChart, ...]:
    names = {"kommun": kommun.namn, "lan": "Länet", "riket": "Riket"}  # short direct labels at the line ends
    result = []
    for serie_id in KEY_SERIES:
        rows = [r for r in history if r["serie_id"] == serie_id]
        if not rows:
            continue
        serie = rows[0]["serie"]
        data = [
            charts.SeriesData(names[level], level, {r["ar"]: r["per_100k"] for r in rows if r["geo_niva"] == level})
            for level in ("kommun", "lan", "riket")
        ]
        last = {d.level: d.values.get(years[-1]) for d in data}
        description = (
            f"Linjediagram över {serie.lower()} per 100 000 invånare {years[0]}–{years[-1]} i "
            f"{kommun.namn}, {lan_namn} och riket. År {years[-1]}: {kommun.namn} "
            f"{formatting.number(last['kommun'])}, {lan_namn} {formatting.number(last['lan'])}, "
            f"riket {formatting.number(last['riket'])}."
        )
        result.append(
            charts.line_chart(f"chart-{serie_id}", f"{serie}, per 100 000 invånare", description, data, years)
        )
    return tuple(result)


def _ntu(store: Store, params: dict[str, Any], year: int) -> tuple[tuple[NtuRow, ...], int | None, int | None]:
    available = store.rows(
        "select distinct ar from ind_ntu where geo_kod = $k and andel is not null order by ar", params
    )
    ntu_years = [r["ar"] for r in available]
    if not ntu_years:
        return (), None, None
    ntu_year = year if year in ntu_years else max((y for y in ntu_years if y <= year), default=ntu_years[-1])
    rows = store.rows(
        """
        select k.indikator, k.matt, k.andel, k.ki_undre, k.ki_ovre, l.andel as andel_lan,
               l.ki_undre as ki_undre_lan, l.ki_ovre as ki_ovre_lan, k.andel_riket, k.jamfort_med_riket,
               k.svarande
        from ind_ntu k
        left join ind_ntu l on l.indikator_id = k.indikator_id and l.ar = k.ar and l.geo_kod = $l
        where k.geo_kod = $k and k.ar = $y
        order by k.indikator
    """,
        {**params, "y": ntu_year},
    )
    # Brå gives victimisation shares with one decimal, the rest in whole per cent for kommuner
    ntu = tuple(
        NtuRow(
            **{f: r[f] for f in NtuRow.__dataclass_fields__ if f != "decimals"},
            decimals=0
            if all(v is None or float(v).is_integer() for v in (r["andel"], r["ki_undre"], r["ki_ovre"]))
            else 1,
        )
        for r in rows
    )
    svarande = rows[0]["svarande"] if rows else None
    return ntu, ntu_year, svarande


def _summary(
    series: tuple[SeriesRow, ...],
    kommun: Kommun,
    lan_namn: str,
    year: int,
    kommuner_in_lan: int,
    ntu: tuple[NtuRow, ...],
    ntu_year: int | None,
) -> tuple[str, ...]:
    """Headline sentences, each generated from a stated rule, never free-form."""
    lines = []
    total = next((s for s in series if s.serie_id == TOTAL_SERIES), None)
    if total is not None and total.antal is not None:
        lines.append(
            f"Under {year} anmäldes {formatting.number(total.antal)} brott i {kommun.fullnamn}, "
            f"{formatting.number(total.per_100k)} per 100 000 invånare. Det är "
            f"{_compare_word(total.per_100k, total.per_100k_lan)} i {lan_namn} "
            f"({formatting.number(total.per_100k_lan)}) och {_compare_word(total.per_100k, total.per_100k_riket)} "
            f"i riket ({formatting.number(total.per_100k_riket)})."
        )
        if total.rang is not None:
            scope = (
                f"av länets {total.antal_rankade} kommuner"
                if total.antal_rankade == kommuner_in_lan
                else f"av de {total.antal_rankade} av länets {kommuner_in_lan} kommuner som har data"
            )
            lines.append(
                f"Räknat per invånare ligger {kommun.namn} {total.rang_text} {scope} "
                f"(plats {total.rang}, där 1 = lägst antal anmälda brott per invånare)."
            )
        if total.forandring_mot_3ar_procent is not None:
            lines.append(
                f"Jämfört med medelvärdet för de tre föregående åren är antalet anmälda brott per "
                f"invånare {formatting.signed_percent(total.forandring_mot_3ar_procent)} {year}."
            )
    small = [s.serie for s in series if s.litet_antal]
    if small:
        lines.append(
            f"{len(small)} av {len(series)} brottsserier har färre än 10 anmälda brott {year}; "
            "deras förändringar från år till år säger lite och markeras i tabellerna."
        )
    if ntu_year is not None:
        otrygg = next((n for n in ntu if n.indikator.startswith("Otrygghet vid utevistelse")), None)
        if otrygg is not None and otrygg.andel is not None:
            ci = formatting.interval(otrygg.ki_undre, otrygg.ki_ovre, otrygg.decimals)
            lines.append(
                f"Enligt NTU {ntu_year} känner sig {formatting.percent(otrygg.andel, otrygg.decimals)} "
                f"(95 % konfidensintervall {ci} %) "
                "otrygga sent på kvällen i sitt bostadsområde, "
                f"mot {formatting.percent(otrygg.andel_riket, 1)} i riket "
                f"({otrygg.jamfort_med_riket or 'kan inte jämföras'})."
            )
    return tuple(lines)


# ── rendering ─────────────────────────────────────────────────────────────────────────────────


def environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        tal=formatting.number,
        procent=formatting.percent,
        forandring=formatting.signed_percent,
        intervall=formatting.interval,
        datum=formatting.swedish_date,
    )
    return env


def render_html(context: ReportContext, templates_dir: Path) -> str:
    env = environment(templates_dir)
    css = (templates_dir / "style.css").read_text(encoding="utf-8")
    try:
        return env.get_template("report.html.j2").render(r=context, css=css)
    except jinja2.TemplateError as exc:
        raise RenderError(f"The report template failed: {exc}", hint="Fix the template in templates/.") from None


def render_pdf(html: str) -> bytes:
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",), allow_redirects=False)
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf(
        pdf_variant="pdf/ua-1", custom_metadata=True
    )
    return pdf


def report_dir(config: Config, year: int) -> Path:
    return config.reports_dir / config.kommun.kod / str(year)


def write_report(context: ReportContext, config: Config) -> BuiltReport:
    """Render both files in full before either replaces the previous report."""
    html = render_html(context, config.templates_dir)
    try:
        pdf = render_pdf(html)
    except Exception as exc:  # WeasyPrint raises many kinds; none may leave a half-written report
        raise RenderError(
            f"WeasyPrint could not render the PDF: {exc}",
            hint="Run 'lagesbild build' again; the previous report is untouched.",
        ) from None
    out = report_dir(config, context.year)
    html_path, pdf_path = out / "lagesbild.html", out / "lagesbild.pdf"
    atomic_write_bytes(html_path, html.encode("utf-8"))
    atomic_write_bytes(pdf_path, pdf)
    return BuiltReport(html=html_path, pdf=pdf_path, context=context)


__all__ = ["BuiltReport", "ReportContext", "build_context", "render_html", "render_pdf", "write_report"]
