"""The reported-crime section from Brå's workbooks (``ind_anmalda_brott``), and the summary's assessments of
reported crime and NTU (the NTU section itself is :mod:`ntu`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lagesbild_cli.context import charts, formatting
from lagesbild_cli.context.ntu import level_word, trend_word
from lagesbild_cli.database.store import Store
from lagesbild_cli.rules import breaks as break_rule
from lagesbild_cli.settings.kommuner import RIKET_KOD, Kommun, kommuner_in_lan

TOTAL_SERIES = "totalt_antal_anmalda_brott"


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
    antal_lika: int  # kommuner with the same rate, sharing the place (1 = no tie)
    rang_text: str


@dataclass(frozen=True)
class BreakNote:
    """A definition break inside the years shown: the series, its first year (the last year of a
    definition phased in over several years) and why."""

    serie: str
    year: int
    explanation: str
    chart_id: str  # the chart that marks it
    last_year: int | None = None
    label: str = ""  # the hand list's short label for the chart

    @property
    def years(self) -> str:
        """ "2018" or, for a definition phased in, "2018–2020"."""
        return str(self.year) if self.last_year in (None, self.year) else f"{self.year}–{self.last_year}"

    @property
    def when(self) -> str:
        """ "från 2018" or, for a definition phased in, "2018–2020"."""
        return f"från {self.year}" if self.last_year in (None, self.year) else self.years


@dataclass(frozen=True)
class CrimeSection:
    year: int  # Brå's newest year up to the report's (earlier than the report's when Brå has not published it)
    first_year: int
    series: tuple[SeriesRow, ...]
    charts: tuple[charts.LineChart, ...]
    ranked_kommuner: int
    kommuner_in_lan: int
    breaks: tuple[BreakNote, ...] = ()
    kommun: Kommun | None = None

    @property
    def tie_example(self) -> str:
        return tie_example(self.kommun, self) if self.kommun is not None else ""

    @property
    def total(self) -> SeriesRow | None:
        return next((s for s in self.series if s.serie_id == TOTAL_SERIES), None)

    @property
    def break_rule(self) -> str:
        """How a definition break is found in the data (rules/breaks.py), for the method section."""
        return (
            "Brotten hittas i Brås siffror för hela landet: ett år är ett definitionsbrott när rikets antal per "
            f"100 000 invånare blir minst {formatting.number(break_rule.JUMP)} gånger så stort som året före, "
            f"eller högst 1/{formatting.number(break_rule.JUMP)} av det, och mer än "
            f"{formatting.percent(100 * break_rule.SAME_WAY)} av kommunerna med anmälda brott i serien ändras åt "
            "samma håll. Så stora ändringar på ett år är inte verkliga förändringar av brottsligheten (i Brås "
            "serier 2017–2024 ändras riket annars som mest med en faktor 1,27 uppåt och 0,64 nedåt). Ändras "
            f"riket åren efter fortfarande med minst en faktor {formatting.number(break_rule.PHASE_IN, 2)} åt "
            "samma håll räknas också de åren som brott: den nya definitionen införs stegvis. En lista i "
            "programmet bekräftar brotten och förklarar dem."
        )


def rank_text(rang: int | None, antal: int, lan_namn: str, lika: int = 1) -> str:
    """The rank in words, 1 = lowest rate: "lägst i Dalarnas län", "plats 3 av 15 (1 = lägst)"; kommuner
    with equal rates share a place: "delad plats 1–12 av 15 (1 = lägst)", never "lägst" for a tie."""
    if rang is None or antal == 0:
        return "kan inte rangordnas"
    if antal == 1:
        return "enda kommunen med data i länet"
    if lika > 1:
        return f"delad plats {rang}–{rang + lika - 1} av {antal} (1 = lägst)"
    if rang == 1:
        return f"lägst i {lan_namn}"
    if rang == antal:
        return f"högst i {lan_namn}"
    return f"plats {rang} av {antal} (1 = lägst)"


WORDS = ("noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv")


def _count_word(n: int) -> str:
    return WORDS[n] if n < len(WORDS) else formatting.number(n)


def tie_example(kommun: Kommun, crime: CrimeSection | None) -> str:
    """How a shared place reads, from the report's own län: a real tie of the kommun's if it has one (the total
    first), else what a tie of two would look like among the län's own number of kommuner."""
    in_lan = len(kommuner_in_lan(kommun.lan_kod))
    lan = kommun.lan.namn
    tied = next(
        (s for s in (crime.series if crime else ()) if s.rang is not None and s.antal_lika > 1),
        None,
    )
    if tied is not None and tied.rang is not None:
        place = formatting.place(tied.rang, tied.antal_lika, tied.antal_rankade)
        return (
            f"för {tied.serie} har {kommun.namn} ”{place}”: {_count_word(tied.antal_lika)} av "
            f"{tied.antal_rankade} kommuner i {lan} har samma värde och delar platserna "
            f"{tied.rang}–{tied.rang + tied.antal_lika - 1}"
        )
    return (
        f"”1–2 av {in_lan} (delad)” skulle betyda att två av de {in_lan} kommunerna i {lan} har samma, lägsta, "
        f"värde; i den här rapporten delar {kommun.namn} ingen plats i länet"
    )


def crime_years(store: Store, kommun: Kommun) -> list[int]:
    rows = store.rows(
        "select distinct ar from ind_anmalda_brott where geo_kod = $k and antal is not null order by ar",
        {"k": kommun.kod},
    )
    return [r["ar"] for r in rows]


def crime_section(store: Store, kommun: Kommun, year: int) -> CrimeSection | None:
    """Brå's reported crime in its newest year up to the report's (a report for a year Brå has not yet
    published shows Brå's latest and says so); None without Brå data up to that year."""
    years = crime_years(store, kommun)
    year = max((y for y in years if y <= year), default=0)
    if not year:
        return None
    lan = kommun.lan
    params = {"k": kommun.kod, "l": lan.kod, "r": RIKET_KOD, "y": year}
    rows = store.rows(
        """
        select k.serie_id, k.serie, k.antal, k.antal_ki_undre, k.antal_ki_ovre, k.litet_antal, k.per_100k,
               l.per_100k as per_100k_lan, r.per_100k as per_100k_riket, k.forandring_procent,
               k.forandring_mot_3ar_procent, g.rang_i_lanet as rang, g.antal_rankade, g.antal_lika,
               g.antal_kommuner_i_lanet
        from ind_anmalda_brott k
        left join ind_anmalda_brott l on l.serie_id = k.serie_id and l.ar = k.ar and l.geo_kod = $l
        left join ind_anmalda_brott r on r.serie_id = k.serie_id and r.ar = k.ar and r.geo_kod = $r
        left join ind_anmalda_brott_rang_lan g on g.serie_id = k.serie_id and g.ar = k.ar and g.kommun_kod = k.geo_kod
        where k.geo_kod = $k and k.ar = $y
        order by k.serie_id <> 'totalt_antal_anmalda_brott', k.serie
    """,
        params,
    )
    special = (
        "rang_text",
        "antal_rankade",
        "antal_lika",
        "litet_antal",
        "forandring_procent",
        "forandring_mot_3ar_procent",
    )
    plain = [f for f in SeriesRow.__dataclass_fields__ if f not in special]
    series = tuple(
        SeriesRow(
            **{f: r[f] for f in plain},
            # not judged means not judged: a series with fewer than 10 reports gets no change and no place
            forandring_procent=None if r["litet_antal"] else r["forandring_procent"],
            forandring_mot_3ar_procent=None if r["litet_antal"] else r["forandring_mot_3ar_procent"],
            litet_antal=bool(r["litet_antal"]),
            antal_rankade=r["antal_rankade"] or 0,
            antal_lika=r["antal_lika"] or 1,
            rang_text=rank_text(r["rang"], r["antal_rankade"] or 0, lan.namn, r["antal_lika"] or 1),
        )
        for r in rows
    )
    history = store.rows(
        """
        select serie_id, serie, geo_niva, ar, per_100k from ind_anmalda_brott
        where geo_kod in ($k, $l, $r) and ar <= $y order by serie_id, ar
    """,
        params,
    )
    shown = [y for y in years if y <= year]
    notes = _break_notes(store, series, shown)
    return CrimeSection(
        year=year,
        first_year=years[0],
        series=series,
        charts=_series_charts(history, shown, kommun, lan.namn, _break_marks(notes)),
        ranked_kommuner=max((s.antal_rankade for s in series), default=0),
        kommuner_in_lan=rows[0]["antal_kommuner_i_lanet"] if rows else 0,
        breaks=notes,
        kommun=kommun,
    )


def _found_explanation(row: dict[str, Any], last_year: int) -> str:
    """The note of a break found in riket's series that the hand list does not explain."""
    text = (
        f"Rikets antal per 100 000 invånare ändras från {formatting.number(row['riket_fore'])} år "
        f"{row['ar'] - 1} till {formatting.number(row['riket_efter'])} år {row['ar']}"
    )
    if row["andel_kommuner_samma_hall"] is not None:
        text += f", och {formatting.percent(100 * row['andel_kommuner_samma_hall'])} av kommunerna ändras åt samma håll"
    text += (
        ". En så stor ändring på ett år är inte en verklig förändring av brottsligheten utan ett tecken på att "
        "serien räknas på ett nytt sätt."
    )
    return text + f" Åren före {last_year} jämförs därför inte med senare år."


def _break_notes(store: Store, series: tuple[SeriesRow, ...], years: list[int]) -> tuple[BreakNote, ...]:
    """The definition breaks (found in the data or in the hand list) that fall between the first and the
    last year shown; the consecutive years of a definition phased in make one note."""
    names = {s.serie_id: s.serie for s in series}
    if not years:
        return ()
    rows = store.rows(
        "select * from definitionsbrott where starts_with(indikator, 'bra:') and ar > $a and ar <= $b "
        "order by indikator, ar",
        {"a": years[0], "b": years[-1]},
    )
    groups: list[list[dict[str, Any]]] = []
    for r in rows:
        if r["indikator"].removeprefix("bra:") not in names:
            continue
        if groups and groups[-1][-1]["indikator"] == r["indikator"] and groups[-1][-1]["ar"] == r["ar"] - 1:
            groups[-1].append(r)
        else:
            groups.append([r])
    notes = []
    for group in groups:
        first, last = group[0], group[-1]
        serie_id = first["indikator"].removeprefix("bra:")
        explanation = next((r["forklaring"] for r in group if r["forklaring"]), None)
        if explanation is None:
            found = next((r for r in group if r["i_data"]), None)
            explanation = _found_explanation(found, last["ar"]) if found else first["text"] or ""
        notes.append(
            BreakNote(names[serie_id], first["ar"], explanation, f"chart-{serie_id}", last["ar"], first["text"] or "")
        )
    return tuple(notes)


def _break_marks(notes: tuple[BreakNote, ...]) -> dict[str, tuple[charts.Mark, ...]]:
    """A thin rule at each year of a break; the label on the first (the line is broken at each)."""
    return {
        n.chart_id: tuple(
            charts.Mark(y, f"Definitionsbrott: {n.label or n.years}" if y == n.year else "", breaks_line=True)
            for y in range(n.year, (n.last_year or n.year) + 1)
        )
        for n in notes
    }


def _series_charts(
    history: list[dict[str, Any]],
    years: list[int],
    kommun: Kommun,
    lan_namn: str,
    marks: dict[str, tuple[charts.Mark, ...]],
) -> tuple[charts.LineChart, ...]:
    """Small multiples: one chart per Brå series, the total first, in one shared style."""
    ids = sorted({r["serie_id"] for r in history}, key=lambda i: (i != TOTAL_SERIES, i))
    result = []
    for serie_id in ids:
        rows = [r for r in history if r["serie_id"] == serie_id]
        if not rows:
            continue
        serie = rows[0]["serie"]
        data = {
            level: {r["ar"]: r["per_100k"] for r in rows if r["geo_niva"] == level}
            for level in ("kommun", "lan", "riket")
        }
        result.append(
            charts.geography_chart(
                f"chart-{serie_id}",
                f"{serie}, per 100 000 invånare",
                serie.lower(),
                data,
                years,
                kommun.namn,
                lan_namn,
                marks=marks.get(f"chart-{serie_id}", ()),
            )
        )
    return tuple(result)


@dataclass(frozen=True)
class Assessment:
    """One row of the summary's traffic-light table."""

    name: str
    value: str  # the kommun's value as the reader sees it
    vs_lan: str
    vs_riket: str
    trend: str
    source: str  # "Brå" or "NTU"


# NTU indicators shown in the traffic-light table (by the start of their id)
NTU_KEY = (
    "otrygghet_vid_utevistelse",
    "avstatt_fran_nagon_aktivitet",
    "valt_en_annan_vag",
    "oro_for_att_utsattas_for_misshandel",
    "problem_med_skadegorelse",
)


def assessments(store: Store, kommun: Kommun, year: int, ntu_year: int | None) -> tuple[Assessment, ...]:
    """Level against län and riket and the trend, each from the rule stated in its SQL file."""
    rows = store.rows(
        """
        select serie, per_100k, niva_mot_lan, niva_mot_riket, trend from ind_anmalda_brott_bedomning
        where kommun_kod = $k and ar = $y order by serie_id <> 'totalt_antal_anmalda_brott', serie
    """,
        {"k": kommun.kod, "y": year},
    )
    result = [
        Assessment(
            r["serie"],
            f"{formatting.number(r['per_100k'])} per 100 000",
            r["niva_mot_lan"],
            r["niva_mot_riket"],
            r["trend"],
            "Brå, anmälda brott",
        )
        for r in rows
    ]
    if ntu_year is not None:
        ntu = store.rows(
            """
            select indikator_id, indikator, andel, jamfort_med_lan, jamfort_med_riket, trend from ind_ntu
            where geo_kod = $k and ar = $y and andel is not null order by indikator
        """,
            {"k": kommun.kod, "y": ntu_year},
        )
        for key in NTU_KEY:
            for r in ntu:
                if r["indikator_id"].startswith(key):
                    decimals = 0 if float(r["andel"]).is_integer() else 1
                    result.append(
                        Assessment(
                            r["indikator"],
                            formatting.percent(r["andel"], decimals),
                            level_word(r["jamfort_med_lan"]),
                            level_word(r["jamfort_med_riket"]),
                            trend_word(r["trend"]),
                            f"Brå, NTU {ntu_year}",
                        )
                    )
    return tuple(result)
