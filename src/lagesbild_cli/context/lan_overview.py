"""The län overview (``build --lan``): every kommun of a län × the key Brå series, judged against the län and riket
by the rules of the kommun reports (``15_anmalda_brott_bedomning.sql``, ``30_ntu.sql``), a ranked bar chart per
series, NTU per kommun where Brå publishes it, the map, the sources, and the same table for the exports.

:func:`overview` reads the store; :func:`assemble` is pure, so a län without data in a test (Skåne's 33 kommuner)
can be laid out from rows made by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lagesbild_cli.context import formatting, maps
from lagesbild_cli.context.bra import WORDS
from lagesbild_cli.context.charts import Frame, Tick, nice_ceiling
from lagesbild_cli.context.ntu import level_word, share_decimals, trend_word
from lagesbild_cli.context.tables import Sheet, rounded
from lagesbild_cli.database.store import Store
from lagesbild_cli.errors import DataMissingError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.collation import swedish_key
from lagesbild_cli.settings.kommuner import RIKET_KOD, Kommun, Lan, kommuner_in_lan

# The key series, in the order shown: the total, then violence, burglary, theft, vandalism and drugs; a series
# Brå's workbooks do not carry that year is left out.
KEY_SERIES = (
    "totalt_antal_anmalda_brott",
    "vald_i_offentlig_miljo_mot_vuxna",
    "bostadsinbrott",
    "stold_och_tillgreppsbrott_totalt",
    "skadegorelsebrott",
    "narkotikabrott",
)
# Short names for the table's column groups (Brå's own names in the charts and exports).
SHORT = {
    "totalt_antal_anmalda_brott": "Alla anmälda brott",
    "vald_i_offentlig_miljo_mot_vuxna": "Våld i offentlig miljö, vuxna",
    "bostadsinbrott": "Bostads­inbrott",
    "stold_och_tillgreppsbrott_totalt": "Stöld och tillgrepp",
    "skadegorelsebrott": "Skade­görelse",
    "narkotikabrott": "Narkotika­brott",
}
# NTU's indicators per kommun (by the start of their id), as in the kommun reports' summary.
NTU_KEY = (
    "otrygghet_vid_utevistelse",
    "oro_for_att_utsattas_for_misshandel",
    "avstatt_fran_nagon_aktivitet",
)
SMALL = 10  # fewer reported crimes than this: not judged (the rule in 15_anmalda_brott_bedomning.sql)

# The symbols and what they mean; the template shows the symbol and, for screen readers, the words.
LEVEL_SYMBOL = {"lägre": "▼", "i nivå med": "●", "högre": "▲"}
TREND_SYMBOL = {"minskat": "↓", "ökat": "↑"}
NO_JUDGEMENT = "–"
LEGEND = (
    ("▲", "högre: hela 95-procentsintervallet för kommunen ligger över länets (rikets) värde"),
    ("●", "i nivå med: intervallet omfattar länets (rikets) värde"),
    ("▼", "lägre: hela intervallet ligger under länets (rikets) värde"),
    ("↑", "ökat: hela intervallet ligger över medelvärdet för de tre föregående åren"),
    ("↓", "minskat: hela intervallet ligger under det medelvärdet"),
    (NO_JUDGEMENT, "bedöms inte: färre än 10 anmälda brott, eller jämförelsevärde saknas"),
)

RULES = (
    "Nivå mot länet och riket: för varje kommun räknas ett 95-procentigt konfidensintervall för antalet anmälda "
    "brott (Poisson), omräknat till antal per 100 000 invånare med kommunens folkmängd. ▲ högre när hela "
    "intervallet ligger över länets (rikets) värde, ▼ lägre när hela intervallet ligger under, annars ● i nivå "
    "med. Samma regel gäller i kommunernas egna lägesbilder.",
    "Utveckling: årets antal per 100 000 invånare jämförs med medelvärdet för de tre föregående åren. ↑ ökat när "
    "hela intervallet ligger över medelvärdet, ↓ minskat när det ligger under; annars visas ingen pil (ingen "
    "säkerställd förändring, eller färre än tre föregående år). År före ett definitionsbrott i Brås serie räknas "
    "inte in.",
    "Små tal: har kommunen färre än 10 anmälda brott i serien bedöms varken nivå eller utveckling (–), och "
    "värdet står i kursiv stil.",
    "Rangordning: diagrammen sorterar kommunerna från högst till lägst värde; kommuner med samma värde står i "
    "bokstavsordning. I exporten står platsen i länet (1 = lägst), och kommuner med samma värde delar plats.",
    "NTU: ▲ högre eller ▼ lägre när hela kommunens konfidensintervall ligger över eller under länets (rikets) "
    "andel, annars ● i nivå med. ↑ eller ↓ när ett z-test (5 % nivå) av skillnaden mot tre år tidigare, med "
    "standardfel ur Brås intervall, bekräftar en förändring.",
    "Kartan: fem lika breda klasser från lägsta till högsta kommunvärdet; kommuner som är stora nog på kartan har "
    "också sitt värde utskrivet, och tabellen har alla.",
    "Saknas: Brå publicerar inte värdet för kommunen det året.",
)


class _Judged:
    """The symbols and words of a value judged against the län and riket and over time, for a crime cell and an
    NTU cell alike."""

    vs_lan: str
    vs_riket: str
    trend: str

    @property
    def lan_symbol(self) -> str:
        return LEVEL_SYMBOL.get(self.vs_lan, NO_JUDGEMENT)

    @property
    def riket_symbol(self) -> str:
        return LEVEL_SYMBOL.get(self.vs_riket, NO_JUDGEMENT)

    @property
    def trend_symbol(self) -> str:
        """An arrow only for a confirmed change; nothing where none is confirmed."""
        return TREND_SYMBOL.get(self.trend, "")

    def _judged(self, since: str) -> str:
        """ "lägre än länet, i nivå med riket, ökat <since>": the change only where one is confirmed."""
        parts = [_against(self.vs_lan, "länet"), _against(self.vs_riket, "riket")]
        if self.trend in TREND_SYMBOL:
            parts.append(f"{self.trend} {since}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Cell(_Judged):
    """One kommun's value in one series, with the kommun reports' judgements in words."""

    antal: int | None
    per_100k: float | None
    ki_undre: float | None  # 95 % interval of the rate (Poisson on the count)
    ki_ovre: float | None
    vs_lan: str  # 'lägre' / 'i nivå med' / 'högre' / 'för få för att bedöma' / 'kan inte bedömas' / 'saknas'
    vs_riket: str
    trend: str  # 'ökat' / 'minskat' / 'ingen säkerställd förändring' / … / 'saknas'
    rank: int | None = None
    tied: int | None = None
    ranked: int | None = None

    @property
    def small(self) -> bool:
        return self.antal is not None and self.antal < SMALL

    @property
    def value(self) -> str:
        return "saknas" if self.per_100k is None else formatting.number(self.per_100k)

    @property
    def words(self) -> str:
        """The judgements as a screen reader hears them: "lägre än länet, i nivå med riket, ökat"."""
        if self.per_100k is None:
            return "uppgift saknas"
        if self.small:
            return "för få anmälda brott för att bedöma"
        return self._judged("mot de tre föregående åren")


def _against(word: str, other: str) -> str:
    if word == "i nivå med":
        return f"i nivå med {other}"
    if word in ("lägre", "högre"):
        return f"{word} än {other}"
    return f"mot {other}: {word}"


@dataclass(frozen=True)
class Series:
    serie_id: str
    name: str  # Brå's name
    short: str  # the table's column group
    lan: float | None  # the län's rate
    riket: float | None


@dataclass(frozen=True)
class KommunRow:
    kommun: Kommun
    cells: tuple[Cell, ...]  # in the order of LanOverview.series


@dataclass(frozen=True)
class Bar:
    name: str
    y: float
    width: float | None  # None: no value
    value_label: str
    small: bool


@dataclass(frozen=True)
class BarChart(Frame):
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    lan_x: float | None
    riket_x: float | None
    lan_label: str
    riket_label: str
    row_height: float


@dataclass(frozen=True)
class NtuCell(_Judged):
    andel: float | None
    ki_undre: float | None
    ki_ovre: float | None
    vs_lan: str
    vs_riket: str
    trend: str
    decimals: int

    @property
    def value(self) -> str:
        return "saknas" if self.andel is None else formatting.percent(self.andel, self.decimals)

    @property
    def interval(self) -> str:
        return "" if self.andel is None else formatting.interval(self.ki_undre, self.ki_ovre, self.decimals)

    @property
    def words(self) -> str:
        if self.andel is None:
            return "uppgift saknas"
        return self._judged("mot tre år tidigare")


@dataclass(frozen=True)
class NtuIndicator:
    indikator_id: str
    name: str
    lan: float | None
    riket: float | None
    decimals: int


@dataclass(frozen=True)
class NtuTable:
    year: int
    indicators: tuple[NtuIndicator, ...]
    rows: tuple[tuple[Kommun, tuple[NtuCell, ...]], ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """The kommuner without any NTU value that year."""
        return tuple(k.namn for k, cells in self.rows if all(c.andel is None for c in cells))


@dataclass(frozen=True)
class SourceLine:
    name: str
    detail: str
    retrieved: str  # "5 december 2026", or a range


@dataclass(frozen=True)
class LanOverview:
    lan: Lan
    year: int
    series: tuple[Series, ...]
    rows: tuple[KommunRow, ...]  # every kommun of the län, in Swedish alphabetical order
    charts: tuple[BarChart, ...]  # one per series, in the same order
    map: maps.Choropleth | None
    ntu: NtuTable | None
    sources: tuple[SourceLine, ...]
    created: str

    @property
    def total(self) -> Series | None:
        return self.series[0] if self.series and self.series[0].serie_id == KEY_SERIES[0] else None

    @property
    def with_data(self) -> int:
        return sum(1 for r in self.rows if r.cells and r.cells[0].per_100k is not None)

    @property
    def confirmed_changes(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c.trend in TREND_SYMBOL)

    @property
    def lead(self) -> str:
        """The overview's first sentences of numbers: the län's total against riket's, how many kommuner lie
        above, in line with and below the län (the level rule), and the highest and lowest rate."""
        total = self.total
        if total is None:
            return ""
        cells = [(r.kommun.namn, r.cells[0]) for r in self.rows]
        counts = {word: sum(1 for _, c in cells if c.vs_lan == word) for word in ("högre", "i nivå med", "lägre")}
        unjudged = len(cells) - sum(counts.values())
        parts = [
            f"{_kommuner(n)} {'i nivå med länet' if word == 'i nivå med' else f'{word} än länet'}"
            for word, n in counts.items()
            if n
        ]
        if unjudged:
            parts.append(f"{_kommuner(unjudged)} kunde inte bedömas")
        text = (
            f"{self.lan.namn} hade {formatting.number(total.lan)} anmälda brott per 100 000 invånare {self.year}, "
            f"riket {formatting.number(total.riket)}. "
            f"Av länets {len(self.rows)} kommuner låg {formatting.listed(parts)}."
        )
        known = {name: c.per_100k for name, c in cells if c.per_100k is not None}
        if len(set(known.values())) > 1:  # kommuner with the same rate share the place: all are named
            top, bottom = max(known.values()), min(known.values())
            highest = formatting.listed([n for n, v in known.items() if v == top])
            lowest = formatting.listed([n for n, v in known.items() if v == bottom])
            text += f" Högst var {highest} ({formatting.number(top)}), lägst {lowest} ({formatting.number(bottom)})."
        return formatting.unit(text)

    @property
    def how_many_series(self) -> str:
        """ "sex": the number of series shown, in words as Swedish prose writes small numbers."""
        n = len(self.series)
        return WORDS[n] if n < len(WORDS) else formatting.number(n)

    @property
    def title(self) -> str:
        return f"Länsöversikt: {self.lan.namn} {self.year}"

    @property
    def legend(self) -> tuple[tuple[str, str], ...]:
        return LEGEND

    @property
    def rules(self) -> tuple[str, ...]:
        """Every rule the overview applies, stated once (its method section)."""
        return RULES


def _kommuner(n: int) -> str:
    return "en kommun" if n == 1 else f"{formatting.number(n)} kommuner"


# ── reading the store ──────────────────────────────────────────────────────────────────────────────────────────


def overview(store: Store, lan: Lan, year: int | None, when: date) -> LanOverview:
    """The län's overview for ``year`` (Brå's newest year with data for a kommun of the län when None)."""
    params: dict[str, Any] = {"l": lan.kod, "r": RIKET_KOD}
    if year is None:
        year = store.rows(
            "select max(ar) as ar from ind_anmalda_brott where geo_niva = 'kommun' "
            "and left(geo_kod, 2) = $l and antal is not null",
            params,
        )[0]["ar"]
        if year is None:
            raise DataMissingError(
                _("No Brå data for any kommun in {lan}.").format(lan=lan.namn),
                hint=_("Import the län's workbooks with 'lagesbild import bra FOLDER'."),
            )
    params["y"] = year
    references = store.rows(
        "select serie_id, serie, geo_niva, per_100k from ind_anmalda_brott "
        "where ar = $y and geo_kod in ($l, $r) and list_contains($ids, serie_id)",
        {**params, "ids": list(KEY_SERIES)},
    )
    cells = store.rows(
        """
        select b.serie_id, b.kommun_kod, b.antal, b.per_100k, b.per_100k_ki_undre, b.per_100k_ki_ovre,
               b.niva_mot_lan, b.niva_mot_riket, b.trend, g.rang_i_lanet, g.antal_lika, g.antal_rankade
        from ind_anmalda_brott_bedomning b
        left join ind_anmalda_brott_rang_lan g using (serie_id, kommun_kod, ar)
        where b.ar = $y and left(b.kommun_kod, 2) = $l and list_contains($ids, b.serie_id)
        """,
        {**params, "ids": list(KEY_SERIES)},
    )
    features = store.rows(
        "select kommun_kod, kommun_namn, geometri from raw_geo_kommuner where lan_kod = $l order by kommun_kod",
        params,
    )
    return assemble(
        lan,
        year,
        references,
        cells,
        [(f["kommun_kod"], f["kommun_namn"], f["geometri"]) for f in features],
        _ntu(store, lan, year),
        _sources(store, lan),
        when,
    )


def _ntu(store: Store, lan: Lan, year: int) -> list[dict[str, Any]]:
    """NTU's rows of the newest year up to ``year`` with a value for some kommun of the län."""
    params = {"l": lan.kod, "y": year}
    newest = store.rows(
        "select max(ar) as ar from ind_ntu where geo_niva = 'kommun' and left(geo_kod, 2) = $l "
        "and andel is not null and ar <= $y",
        params,
    )[0]["ar"]
    if newest is None:
        return []
    return store.rows(
        """
        select indikator_id, indikator, geo_kod, geo_niva, ar, andel, ki_undre, ki_ovre, jamfort_med_lan,
               jamfort_med_riket, trend
        from ind_ntu where ar = $a and (left(geo_kod, 2) = $l or geo_niva = 'riket')
        """,
        {"l": lan.kod, "a": newest},
    )


def _sources(store: Store, lan: Lan) -> tuple[SourceLine, ...]:
    rows = store.rows(
        """
        select source, count(*) as files, min(retrieved_at) as first, max(retrieved_at) as last
        from manifest where source in ('bra', 'geo') and (kommun_kod is null or left(kommun_kod, 2) = $l)
        group by source
        """,
        {"l": lan.kod},
    )
    found = {r["source"]: r for r in rows}
    lines = []
    if "bra" in found:
        r = found["bra"]
        lines.append(
            SourceLine(
                "Brå, Indikatorer för kommuners lägesbild",
                f"anmälda brott och Nationella trygghetsundersökningen (NTU), {r['files']} arbetsböcker",
                _dates(r["first"], r["last"]),
            )
        )
    if "geo" in found:
        r = found["geo"]
        lines.append(
            SourceLine("Kommungränser", "Valmyndigheten via okfse/sweden-geojson", _dates(r["first"], r["last"]))
        )
    return tuple(lines)


def _dates(first: str, last: str) -> str:
    a, b = formatting.swedish_date(first), formatting.swedish_date(last)
    return a if a == b else f"{a}–{b}"


# ── assembling (pure) ──────────────────────────────────────────────────────────────────────────────────────────


def assemble(
    lan: Lan,
    year: int,
    references: Sequence[Mapping[str, Any]],
    cells: Sequence[Mapping[str, Any]],
    features: Sequence[tuple[str, str, str]],
    ntu_rows: Sequence[Mapping[str, Any]],
    sources: tuple[SourceLine, ...],
    when: date,
) -> LanOverview:
    """``references``: serie_id, serie, geo_niva ('lan'/'riket'), per_100k; ``cells``: rows of
    ind_anmalda_brott_bedomning with the rank's columns; ``features``: (code, name, GeoJSON) for the map."""
    names = {r["serie_id"]: r["serie"] for r in references}
    present = {r["serie_id"] for r in cells if r["per_100k"] is not None}
    level = {(r["serie_id"], r["geo_niva"]): r["per_100k"] for r in references}
    series = tuple(
        Series(s, names.get(s, SHORT[s]), SHORT[s], level.get((s, "lan")), level.get((s, "riket")))
        for s in KEY_SERIES
        if s in present
    )
    by_key = {(r["serie_id"], r["kommun_kod"]): r for r in cells}
    kommuner = sorted(kommuner_in_lan(lan.kod), key=lambda k: swedish_key(k.namn))
    rows = tuple(KommunRow(k, tuple(_cell(by_key.get((s.serie_id, k.kod))) for s in series)) for k in kommuner)
    charts = tuple(_bar_chart(s, i, rows, year) for i, s in enumerate(series))
    total_id = KEY_SERIES[0]
    chart = None
    if features and series and series[0].serie_id == total_id:
        chart = maps.choropleth(
            "map-overview",
            f"Anmälda brott per 100 000 invånare i {lan.namn}s kommuner {year}",
            features,
            {r.kommun.kod: r.cells[0].per_100k for r in rows},
            highlight="",
        )
    return LanOverview(
        lan=lan,
        year=year,
        series=series,
        rows=rows,
        charts=charts,
        map=chart,
        ntu=_ntu_table(ntu_rows, kommuner, lan),
        sources=sources,
        created=formatting.swedish_date(when),
    )


def _cell(row: Mapping[str, Any] | None) -> Cell:
    if row is None or row["per_100k"] is None:
        return Cell(None, None, None, None, "saknas", "saknas", "saknas")
    return Cell(
        antal=row["antal"],
        per_100k=row["per_100k"],
        ki_undre=row["per_100k_ki_undre"],
        ki_ovre=row["per_100k_ki_ovre"],
        vs_lan=row["niva_mot_lan"],
        vs_riket=row["niva_mot_riket"],
        trend=row["trend"],
        rank=row.get("rang_i_lanet"),
        tied=row.get("antal_lika"),
        ranked=row.get("antal_rankade"),
    )


# the bar charts: drawn at their printed size (1 unit = 1 CSS px), so that its 12-unit text prints at 8 pt or more
BAR_WIDTH, ROW, LEFT, RIGHT, TOP, BOTTOM = 340, 16, 108, 72, 32, 26


def _bar_chart(series: Series, index: int, rows: Sequence[KommunRow], year: int) -> BarChart:
    """Kommuner sorted from the highest rate to the lowest (no value last), with the län's and riket's rates as
    lines; the values in a column of their own at the right, so no label crosses a bar or a line."""
    values = [(r.kommun.namn, r.cells[index]) for r in rows]
    ordered = sorted(values, key=lambda v: (v[1].per_100k is None, -(v[1].per_100k or 0.0), swedish_key(v[0])))
    known = [c.per_100k for _, c in values if c.per_100k is not None]
    top, step = nice_ceiling(max([*known, series.lan or 0.0, series.riket or 0.0, 1.0]))
    plot = BAR_WIDTH - LEFT - RIGHT
    height = TOP + ROW * len(ordered) + BOTTOM

    def x(value: float) -> float:
        return round(LEFT + plot * value / top, 1)

    bars = tuple(
        Bar(
            name=name,
            y=TOP + ROW * i,
            width=None if cell.per_100k is None else round(plot * cell.per_100k / top, 1),
            value_label=cell.value + (" (få)" if cell.small else ""),
            small=cell.small,
        )
        for i, (name, cell) in enumerate(ordered)
    )
    if top / step > 3:  # at most four labels under 160 units of plot: "0 2 500 5 000 7 500 …" would collide
        step *= 2
    ticks = []
    value = 0.0
    while value <= top + 1e-9:
        ticks.append(Tick(x(value), formatting.number(value)))
        value += step
    shown = "; ".join(f"{b.name} {b.value_label}" for b in bars)
    title = formatting.unit(f"{series.name} {year}, anmälda brott per 100 000 invånare")
    return BarChart(
        id=f"bars-{series.serie_id}",
        title=title,
        description=(
            f"Stapeldiagram: {title}, kommunerna från högst till lägst. Länet {formatting.number(series.lan)}, "
            f"riket {formatting.number(series.riket)}. {shown}."
        ),
        width=BAR_WIDTH,
        height=height,
        left=LEFT,
        right=RIGHT,
        top=TOP,
        bottom=BOTTOM,
        bars=bars,
        ticks=tuple(ticks),
        lan_x=None if series.lan is None else x(series.lan),
        riket_x=None if series.riket is None else x(series.riket),
        lan_label=f"Länet {formatting.number(series.lan)}",
        riket_label=f"Riket {formatting.number(series.riket)}",
        row_height=ROW,
    )


def _ntu_table(rows: Sequence[Mapping[str, Any]], kommuner: Sequence[Kommun], lan: Lan) -> NtuTable | None:
    if not rows:
        return None
    ids = sorted({r["indikator_id"] for r in rows})
    chosen = [next((i for i in ids if i.startswith(key)), None) for key in NTU_KEY]
    keys = [i for i in chosen if i is not None]
    if not keys:
        return None
    by = {(r["indikator_id"], r["geo_kod"]): r for r in rows}
    indicators = []
    for key in keys:
        lan_row, riket_row = by.get((key, lan.kod)), by.get((key, RIKET_KOD))
        mine = [r for r in rows if r["indikator_id"] == key]
        decimals = share_decimals(*(v for r in mine for v in (r["andel"], r["ki_undre"], r["ki_ovre"])))
        indicators.append(
            NtuIndicator(
                key,
                mine[0]["indikator"],
                lan_row["andel"] if lan_row else None,
                riket_row["andel"] if riket_row else None,
                decimals,
            )
        )

    def cell(kommun: Kommun, indicator: NtuIndicator) -> NtuCell:
        r = by.get((indicator.indikator_id, kommun.kod))
        if r is None or r["andel"] is None:
            return NtuCell(None, None, None, "saknas", "saknas", "saknas", indicator.decimals)
        return NtuCell(
            r["andel"],
            r["ki_undre"],
            r["ki_ovre"],
            level_word(r["jamfort_med_lan"]),
            level_word(r["jamfort_med_riket"]),
            trend_word(r["trend"]),
            indicator.decimals,
        )

    return NtuTable(
        year=rows[0]["ar"],
        indicators=tuple(indicators),
        rows=tuple((k, tuple(cell(k, i) for i in indicators)) for k in kommuner),
    )


# ── the exports ────────────────────────────────────────────────────────────────────────────────────────────────

BRA_SOURCE = "Brå, Indikatorer för kommuners lägesbild (anmälda brott); bedömning enligt länsöversiktens regler"


def sheets(o: LanOverview) -> tuple[Sheet, ...]:
    """The overview's table as the exports hold it: one row per kommun and series (and the län's and riket's
    rates), every symbol written out in words; NTU per kommun; and the symbols' key."""
    crime: list[tuple[Any, ...]] = []
    for s_index, s in enumerate(o.series):
        for r in o.rows:
            c = r.cells[s_index]
            crime.append(
                (
                    r.kommun.namn,
                    r.kommun.kod,
                    s.name,
                    o.year,
                    c.antal,
                    rounded(c.per_100k, 0),
                    rounded(c.ki_undre, 0),
                    rounded(c.ki_ovre, 0),
                    c.vs_lan,
                    c.vs_riket,
                    c.trend,
                    formatting.place(c.rank, c.tied, c.ranked) if c.rank is not None else None,
                )
            )
        for name, code, value in ((o.lan.namn, o.lan.kod, s.lan), ("Riket", RIKET_KOD, s.riket)):
            crime.append((name, code, s.name, o.year, None, rounded(value, 0), None, None, None, None, None, None))
    result = [
        Sheet(
            name="Anmälda brott",
            file="lansoversikt_anmalda_brott.csv",
            source=BRA_SOURCE,
            headers=(
                "Kommun",
                "Kod",
                "Serie",
                "År",
                "Antal anmälda brott",
                "Per 100 000 invånare",
                "95 % KI undre (per 100 000)",
                "95 % KI övre (per 100 000)",
                "Jämfört med länet",
                "Jämfört med riket",
                "Utveckling mot medelvärdet av de tre föregående åren",
                "Plats i länet (1 = lägst)",
            ),
            rows=tuple(crime),
        )
    ]
    if o.ntu is not None:
        ntu: list[tuple[Any, ...]] = []
        for i, ind in enumerate(o.ntu.indicators):
            for kommun, ntu_cells in o.ntu.rows:
                n = ntu_cells[i]
                ntu.append(
                    (
                        kommun.namn,
                        kommun.kod,
                        ind.name,
                        o.ntu.year,
                        rounded(n.andel, 1),
                        rounded(n.ki_undre, 1),
                        rounded(n.ki_ovre, 1),
                        n.vs_lan,
                        n.vs_riket,
                        n.trend,
                    )
                )
            for name, code, value in ((o.lan.namn, o.lan.kod, ind.lan), ("Riket", RIKET_KOD, ind.riket)):
                ntu.append((name, code, ind.name, o.ntu.year, rounded(value, 1), None, None, None, None, None))
        result.append(
            Sheet(
                name="NTU",
                file="lansoversikt_ntu.csv",
                source="Brå, Nationella trygghetsundersökningen (NTU), i Indikatorer för kommuners lägesbild",
                headers=(
                    "Kommun",
                    "Kod",
                    "Indikator",
                    "År",
                    "Andel (procent)",
                    "95 % KI undre",
                    "95 % KI övre",
                    "Jämfört med länet",
                    "Jämfört med riket",
                    "Utveckling mot tre år tidigare",
                ),
                rows=tuple(ntu),
            )
        )
    result.append(
        Sheet(
            name="Teckenförklaring",
            file="lansoversikt_teckenforklaring.csv",
            source="Länsöversiktens tecken och vad de betyder",
            headers=("Tecken", "Betydelse"),
            rows=LEGEND,
        )
    )
    return tuple(result)
