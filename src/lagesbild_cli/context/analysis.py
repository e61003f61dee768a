"""The analysis (§ 4 item 3): the triangulation matrix (each theme × each source, judged by the report's own
rules), the ranking of the themes with its reasons in words, and the draft text built from them.

Every number is formatted as the section tables format it, and every judgement is one the report already
makes with a stated rule (rules/analysis.py says how they combine), so the analysis cannot contradict a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lagesbild_cli.context import formatting
from lagesbild_cli.context.bra import CrimeSection
from lagesbild_cli.context.ntu import NtuSection, level_word, trend_word
from lagesbild_cli.context.polisen import EventsSection
from lagesbild_cli.context.survey import SurveySection
from lagesbild_cli.database.store import Store
from lagesbild_cli.rules import analysis as rule
from lagesbild_cli.rules.analysis import Signal
from lagesbild_cli.rules.stats import poisson_ci
from lagesbild_cli.settings.analysis import Theme
from lagesbild_cli.settings.kommuner import Kommun
from lagesbild_cli.settings.plan import DRAFT_MARKER

SOURCES = (
    ("bra", "Anmälda brott (Brå)"),
    ("ntu", "NTU (Brå)"),
    ("survey", "Kommunens trygghetsundersökning"),
    ("rescue", "Avsiktliga bränder (räddningstjänsten)"),
    ("polisen", "Polisens händelser"),
)
SOURCE_SHORT = {
    "bra": "anmälda brott",
    "ntu": "NTU",
    "survey": "kommunens trygghetsundersökning",
    "rescue": "räddningstjänstens avsiktliga bränder",
}
SHORT = {  # a no-break space keeps the symbol with its word in a narrow column
    Signal.UP: "▲\u00a0uppåt",
    Signal.DOWN: "▼\u00a0nedåt",
    Signal.MIXED: "▲▼\u00a0åt båda hållen",
    Signal.LEVEL: "●\u00a0i\u00a0nivå",
    Signal.TOO_FEW: "för få",
    Signal.MISSING: "–\u00a0saknas",
    Signal.EVENTS: "antal, bedöms inte",
}
FEW_FIRES = 5  # the rescue section's rule: fewer deliberate fires than this are too few to judge
AGREEMENT_SENTENCES = {
    "Samstämmiga: pekar uppåt": "Källorna är samstämmiga: de som bedöms pekar uppåt.",
    "Samstämmiga: pekar nedåt": "Källorna är samstämmiga: de som bedöms pekar nedåt.",
    "Källorna går isär": "Källorna går isär: någon pekar uppåt och någon nedåt.",
    "En källa pekar uppåt": "En källa pekar uppåt; de andra bekräftar det inte.",
    "En källa pekar nedåt": "En källa pekar nedåt; de andra bekräftar det inte.",
    "Ingen källa pekar ut temat": "Ingen källa pekar ut temat.",
}


@dataclass(frozen=True)
class Cell:
    source: str
    signal: Signal
    lines: tuple[str, ...]  # what the source shows, one line per series or question, with its numbers

    @property
    def label(self) -> str:
        return f"{self.signal.symbol} {self.signal.value}"

    @property
    def short(self) -> str:
        """The cell as the matrix shows it: a symbol and a word or two (the details are listed below it)."""
        return SHORT[self.signal]


@dataclass(frozen=True)
class ThemeRow:
    theme: Theme
    cells: tuple[Cell, ...]  # in the order of SOURCES
    agreement: str
    points: int  # the rules' points, without the harm weight
    reasons: tuple[str, ...]  # a sentence per point, with its numbers
    place: str = ""  # "1", "delad plats 2–3"; empty when the theme does not stand out

    @property
    def stands_out(self) -> bool:
        return rule.stands_out(self.points)

    @property
    def score(self) -> int:
        """The points plus the harm weight, for a theme that stands out (else 0: no invented priority)."""
        return self.points + self.theme.harm if self.stands_out else 0

    @property
    def score_text(self) -> str:
        """ "5 poäng (3 enligt reglerna och skadevikt 2)"."""
        if not self.stands_out:
            return f"{self.points} poäng enligt reglerna (prioriteras inte av dem)"
        return f"{self.score} poäng ({self.points} enligt reglerna och skadevikt {self.theme.harm})"

    @property
    def details(self) -> tuple[tuple[str, str], ...]:
        """(source, what it shows) for each source with something to show, for the list under the matrix."""
        names = dict(SOURCES)
        return tuple((names[c.source], "; ".join(c.lines)) for c in self.cells if c.lines)

    @property
    def title(self) -> str:
        """The theme with its place: "1. Trafik", or "Trafik (delad plats 1–2)" for a tie."""
        return f"{self.place}. {self.theme.name}" if self.place.isdigit() else f"{self.theme.name} ({self.place})"

    @property
    def agreement_sentence(self) -> str:
        judged = [c for c in self.cells if c.signal in (Signal.UP, Signal.DOWN, Signal.LEVEL)]
        if len(judged) == 1 and judged[0].signal is not Signal.LEVEL:
            way = "uppåt" if judged[0].signal is Signal.UP else "nedåt"
            return f"Bara en källa har uppgifter som kan bedömas, och den pekar {way}."
        return AGREEMENT_SENTENCES.get(self.agreement, f"{self.agreement}.")

    @property
    def reason(self) -> str:
        """The reasons as one paragraph."""
        return " ".join(self.reasons)


@dataclass(frozen=True)
class Analysis:
    year: int
    rows: tuple[ThemeRow, ...]  # every theme, in the themes file's order (the matrix)
    ranked: tuple[ThemeRow, ...]  # the prioritised themes, first priority first
    own_order: bool  # the kommun fixed the order itself ([analys] ordning)
    columns: tuple[str, ...] = ("Anmälda brott", "NTU", "Kommunens enkät", "Avsiktliga bränder", "Polisens händelser")
    rule_texts: tuple[tuple[str, str], ...] = field(default=())

    @property
    def nothing_stands_out(self) -> bool:
        return not self.ranked

    @property
    def order_sentence(self) -> str:
        if self.own_order:
            return (
                "Ordningen är kommunens egen: samordningsfunktionen har bestämt den. Poängen enligt analysens "
                "regler visas bredvid som underlag."
            )
        if not self.ranked:
            return (
                "Inget tema sticker ut enligt analysens regler: inget tema får minst "
                f"{rule.STANDS_OUT} poäng. Ingen källa visar en nivå över riket eller en säkerställd ökning utan att "
                "något annat i samma källa pekar nedåt, och inga två källor pekar uppåt tillsammans. Verktyget "
                "föreslår därför ingen prioritering; den får samordningsfunktionen göra utifrån annan kunskap."
            )
        return "Ordningen följer analysens regler (se Källor och metod); temana med lika många poäng delar plats."


@dataclass
class _Collected:
    lines: list[str] = field(default_factory=list)
    items: list[tuple[str, ...]] = field(default_factory=list)  # each item's (series', question's) judgements
    up: list[str] = field(default_factory=list)  # reasons this source points up, as sentences


def _bra(store: Store, kommun: Kommun, crime: CrimeSection | None, theme: Theme, f: dict[str, object]) -> _Collected:
    out = _Collected()
    if crime is None or not theme.bra:
        return out
    rows = store.rows(
        """
        select b.serie_id, b.serie, b.antal, b.per_100k, b.per_100k_lan, b.per_100k_riket, b.niva_mot_lan,
               b.niva_mot_riket, b.trend, a.forandring_mot_3ar_procent as forandring
        from ind_anmalda_brott_bedomning b
        left join ind_anmalda_brott a on a.serie_id = b.serie_id and a.geo_kod = b.kommun_kod and a.ar = b.ar
        where b.kommun_kod = $k and b.ar = $y and list_contains($ids, b.serie_id)
        order by b.serie
        """,
        {"k": kommun.kod, "y": crime.year, "ids": list(theme.bra)},
    )
    for r in sorted(rows, key=lambda r: theme.bra.index(r["serie_id"])):
        if r["niva_mot_riket"] == "för få för att bedöma":
            out.lines.append(f"{r['serie']}: {formatting.number(r['antal'])} brott, för få för att bedöma")
            out.items.append(("för få för att bedöma",))
            continue
        rate = formatting.number(r["per_100k"])
        lan, riket, trend = r["niva_mot_lan"], r["niva_mot_riket"], r["trend"]
        out.lines.append(f"{r['serie']}: {rate} per 100 000, {_versus(lan, riket)}, {_trend_text(trend, crime.year)}")
        out.items.append((lan, riket, trend))
        if riket == "högre":
            f["bra_above_riket"] = True
            also = f" och länets {formatting.number(r['per_100k_lan'])}" if lan == "högre" else ""
            f["bra_above_lan"] = f.get("bra_above_lan", False) or lan == "högre"
            out.up.append(
                f"{r['serie']}: {rate} anmälda brott per 100 000 invånare {crime.year}, högre än rikets "
                f"{formatting.number(r['per_100k_riket'])}{also}."
            )
        elif lan == "högre":
            out.up.append(
                f"{r['serie']}: {rate} anmälda brott per 100 000 invånare {crime.year}, högre än länets "
                f"{formatting.number(r['per_100k_lan'])}."
            )
        if trend == "ökat":
            f["confirmed_rise"] = True
            by = f", {formatting.percent(r['forandring'])} över" if r["forandring"] is not None else " över"
            out.up.append(
                f"{r['serie']} har ökat, och ökningen är säkerställd: {rate} anmälda brott per 100 000 invånare "
                f"{crime.year} "
                f"({formatting.number(r['antal'])} brott){by} "
                f"medelvärdet för {crime.year - 3}–{crime.year - 1}, och hela intervallet ligger över medelvärdet."
            )
    return out


def _versus(lan: str, riket: str) -> str:
    words = {"högre": "högre än", "lägre": "lägre än", "i nivå med": "i nivå med"}
    if lan == riket and lan in words:
        return f"{words[lan]} både länet och riket"
    parts = [f"{words[w]} {where}" for w, where in ((lan, "länet"), (riket, "riket")) if w in words]
    return " och ".join(parts) or "kan inte jämföras med länet och riket"


def _trend_text(trend: str | None, year: int) -> str:
    if trend in ("ökat", "minskat"):
        return f"{trend} mot {year - 3}–{year - 1} (säkerställt)"
    if trend == "ingen säkerställd förändring":
        return f"ingen säkerställd förändring mot {year - 3}–{year - 1}"
    return "utvecklingen kan inte bedömas"


def _ntu(store: Store, kommun: Kommun, ntu: NtuSection | None, theme: Theme, f: dict[str, object]) -> _Collected:
    out = _Collected()
    if ntu is None or not theme.ntu:
        return out
    rows = store.rows(
        """
        select indikator_id, indikator, andel, andel_riket, jamfort_med_lan, jamfort_med_riket, trend from ind_ntu
        where geo_kod = $k and ar = $y and andel is not null and list_contains($ids, indikator_id)
        """,
        {"k": kommun.kod, "y": ntu.year, "ids": list(theme.ntu)},
    )
    for r in sorted(rows, key=lambda r: theme.ntu.index(r["indikator_id"])):
        decimals = 0 if float(r["andel"]).is_integer() else 1
        share = formatting.percent(r["andel"], decimals)
        lan, riket, trend = level_word(r["jamfort_med_lan"]), level_word(r["jamfort_med_riket"]), trend_word(r["trend"])
        trend_text = (
            f"{trend} mot {ntu.year - 3} (säkerställt)"
            if trend in ("ökat", "minskat")
            else f"{trend} mot {ntu.year - 3}"
            if trend == "ingen säkerställd förändring"
            else "utvecklingen kan inte bedömas"
        )
        out.lines.append(f"{r['indikator']}: {share} ({ntu.year}), {_versus(lan, riket)}, {trend_text}")
        out.items.append((lan, riket, trend))
        if riket == "högre":
            f["ntu_above_riket"] = True
            out.up.append(
                f"I NTU {ntu.year} är andelen ”{r['indikator']}” {share}, högre än rikets "
                f"{formatting.percent(r['andel_riket'], 1)}."
            )
        if trend == "ökat":
            f["confirmed_rise"] = True
            out.up.append(
                f"I NTU har andelen ”{r['indikator']}” ökat sedan {ntu.year - 3}, till {share}; "
                "ökningen är säkerställd."
            )
    return out


def _survey(survey: SurveySection | None, theme: Theme, f: dict[str, object]) -> _Collected:
    out = _Collected()
    if survey is None:
        return out
    by_id = {i.id: i for i in survey.indicators}
    for key in theme.survey:
        indicator = by_id.get(key)
        if indicator is None:
            continue
        cell = indicator.kommun
        if cell.share is None or cell.low is None or cell.high is None:
            out.lines.append(f"{indicator.label}: för få svar för att visa en andel")
            out.items.append(("för få för att bedöma",))
            continue
        share = formatting.percent(cell.share * 100)
        ci = formatting.interval(cell.low * 100, cell.high * 100)
        text = f"{indicator.label}: {share} ({ci} %) {survey.year}"
        if cell.change is not None and survey.previous_year is not None:
            change = f"{cell.change} (säkerställt)" if cell.change in ("ökat", "minskat") else cell.change
            text += f", {change} sedan {survey.previous_year}"
            out.items.append((cell.change,))
            if cell.change == "ökat":
                f["confirmed_rise"] = True
                out.up.append(
                    f"I kommunens trygghetsundersökning har andelen ”{indicator.label}” ökat sedan "
                    f"{survey.previous_year}, till {share} ({ci} %); ökningen är säkerställd."
                )
        else:
            out.items.append(("ingen säkerställd förändring",))
        above = [a for a in indicator.areas if a.share is not None and a.low is not None and a.low > cell.share]
        if above:
            f["area_above"] = True
            # one decimal where whole per cent would make the area's lower bound look equal to the kommun's share
            decimals = 1 if any(round(a.low * 100) <= round(cell.share * 100) for a in above if a.low) else 0
            where = formatting.listed(
                [
                    f"{a.group} ({formatting.percent((a.share or 0) * 100, decimals)}, "
                    f"{formatting.interval((a.low or 0) * 100, (a.high or 0) * 100, decimals)} %)"
                    for a in above
                ]
            )
            kommun_share = formatting.percent(cell.share * 100, decimals)
            text += f"; högre i {where}"
            out.up.append(
                f"Andelen ”{indicator.label}” är högre i {where} än i hela kommunen ({kommun_share}): hela "
                "områdets intervall ligger över kommunens andel."
            )
        out.lines.append(text)
    return out


def _rescue(store: Store, kommun: Kommun, year: int, theme: Theme, owns: bool, f: dict[str, object]) -> _Collected:
    out = _Collected()
    if not theme.rescue or not owns:
        return out
    counts = {
        int(r["ar"]): int(r["n"] or 0)
        for r in store.rows(
            """
            select ar, sum(avsiktliga) as n from ind_raddning_avsiktliga
            where agare_kod = $k and kommun_kod = $k and omrade = 'Hela kommunen' and ar <= $y group by ar
            """,
            {"k": kommun.kod, "y": year},
        )
    }
    if not counts:
        return out
    if year not in counts:
        out.lines.append(f"exporten omfattar {min(counts)}–{max(counts)}, inte {year}")
        return out
    last = year
    n = counts[last]
    before = [counts[y] for y in (last - 3, last - 2, last - 1) if y in counts]
    if n < FEW_FIRES and (len(before) < 3 or sum(before) / 3 < FEW_FIRES):
        out.lines.append(f"{formatting.number(n)} avsiktliga bränder {last}, för få för att bedöma")
        out.items.append(("för få för att bedöma",))
        return out
    if len(before) < 3:
        out.lines.append(f"{formatting.number(n)} avsiktliga bränder {last}; exporten har inte tre år före")
        return out
    mean = sum(before) / 3
    low, high = poisson_ci(n)
    word = "ökat" if low > mean else "minskat" if high < mean else "ingen säkerställd förändring"
    out.items.append((word,))
    shown_mean = formatting.number(mean, 1)
    out.lines.append(
        f"{formatting.number(n)} avsiktliga bränder {last} mot i medeltal {shown_mean} per år {last - 3}–{last - 1}: "
        + (f"{word} (säkerställt)" if word != "ingen säkerställd förändring" else word)
    )
    if word == "ökat":
        f["confirmed_rise"] = True
        out.up.append(
            f"Avsiktliga bränder: {formatting.number(n)} {last} mot i medeltal {shown_mean} per år {last - 3}–"
            f"{last - 1}, en säkerställd ökning."
        )
    return out


def _polisen(events: EventsSection | None, theme: Theme) -> tuple[Signal, tuple[str, ...]]:
    if events is None or not theme.polisen:
        return Signal.MISSING, ()
    lines = tuple(
        f"{c}: {formatting.number(events.totals[i])} "
        f"{'publicerad händelse' if events.totals[i] == 1 else 'publicerade händelser'} ({events.period})"
        for i, c in enumerate(events.categories)
        if c in theme.polisen
    )
    return (Signal.EVENTS, lines) if lines else (Signal.MISSING, ())


def _row(
    store: Store,
    kommun: Kommun,
    year: int,
    theme: Theme,
    crime: CrimeSection | None,
    ntu: NtuSection | None,
    survey: SurveySection | None,
    events: EventsSection | None,
    owns: bool,
) -> ThemeRow:
    per_source: dict[str, dict[str, object]] = {k: {} for k in ("bra", "ntu", "survey", "rescue")}
    collected = {
        "bra": _bra(store, kommun, crime, theme, per_source["bra"]),
        "ntu": _ntu(store, kommun, ntu, theme, per_source["ntu"]),
        "survey": _survey(survey, theme, per_source["survey"]),
        "rescue": _rescue(store, kommun, year, theme, owns, per_source["rescue"]),
    }
    cells = [Cell(k, rule.source_signal(c.items), tuple(c.lines)) for k, c in collected.items()]
    # only a source that points up as a whole gives points and reasons: one whose items point both ways
    # (a rise in one series, a fall in another) speaks for neither direction
    found: dict[str, object] = {}
    for c in cells:
        if c.signal is Signal.UP:
            for key, value in per_source[c.source].items():
                found[key] = bool(found.get(key)) or bool(value)
    polisen_signal, polisen_lines = _polisen(events, theme)
    cells.append(Cell("polisen", polisen_signal, polisen_lines))
    signals = [c.signal for c in cells]
    up_sources = [SOURCE_SHORT[c.source] for c in cells if c.signal is Signal.UP]
    down_sources = [SOURCE_SHORT[c.source] for c in cells if c.signal is Signal.DOWN]
    findings = rule.Findings(
        bra_above_riket=bool(found.get("bra_above_riket")),
        bra_above_lan=bool(found.get("bra_above_lan")),
        ntu_above_riket=bool(found.get("ntu_above_riket")),
        confirmed_rise=bool(found.get("confirmed_rise")),
        sources_up=len(up_sources),
        sources_down=len(down_sources),
        area_above=bool(found.get("area_above")),
    )
    got = rule.points(findings)
    pointing_up = {c.source for c in cells if c.signal is Signal.UP}
    reasons = [sentence for k, c in collected.items() if k in pointing_up for sentence in c.up]
    if len(up_sources) > 1:
        reasons.append(f"{len(up_sources)} källor pekar uppåt: {formatting.listed(up_sources)}.")
    mixed = [SOURCE_SHORT[c.source] for c in cells if c.signal is Signal.MIXED]
    if reasons and mixed:
        both = formatting.listed(mixed)
        reasons.append(
            f"{both[0].upper()}{both[1:]} pekar åt båda hållen (någon serie eller fråga uppåt, någon nedåt) "
            "och räknas därför inte."
        )
    if reasons and down_sources:
        down = formatting.listed(down_sources)
        reasons.append(f"{down[0].upper()}{down[1:]} pekar däremot nedåt, vilket drar ned temats poäng.")
    return ThemeRow(
        theme=theme,
        cells=tuple(cells),
        agreement=rule.agreement(signals),
        points=sum(p for p, _ in got),
        reasons=tuple(reasons),
    )


def _count(n: int) -> str:
    return "Ett tema" if n == 1 else f"{n} teman"


def analysis(
    store: Store,
    kommun: Kommun,
    year: int,
    themes: tuple[Theme, ...],
    order: tuple[str, ...],
    *,
    crime: CrimeSection | None,
    ntu: NtuSection | None,
    survey: SurveySection | None,
    events: EventsSection | None,
    owns_inputs: bool,
) -> Analysis:
    rows = [_row(store, kommun, year, t, crime, ntu, survey, events, owns_inputs) for t in themes]
    if order:
        by_id = {r.theme.id: r for r in rows}
        ranked = [by_id[i] for i in order]
        ranked = [_placed(r, str(n)) for n, r in enumerate(ranked, start=1)]
    else:
        standing = sorted((r for r in rows if r.stands_out), key=lambda r: -r.score)
        shared = rule.places([r.score for r in standing])
        ranked = [
            _placed(r, str(place) if tied == 1 else f"delad plats {place}–{place + tied - 1}")
            for r, (place, tied) in zip(standing, shared, strict=True)
        ]
    placed = {r.theme.id: r for r in ranked}
    return Analysis(
        year=year,
        rows=tuple(placed.get(r.theme.id, r) for r in rows),
        ranked=tuple(ranked),
        own_order=bool(order),
        rule_texts=rule_texts(),
    )


def _placed(row: ThemeRow, place: str) -> ThemeRow:
    seriousness = {1: "lägsta", 2: "mellersta", 3: "högsta"}.get(row.theme.harm, str(row.theme.harm))
    harm = (
        f"Brottens allvar ger temat skadevikt {row.theme.harm} på skalan 1–3 ({seriousness} nivån)."
        if row.stands_out
        else ""
    )
    reasons = row.reasons + ((harm,) if harm else ())
    return ThemeRow(row.theme, row.cells, row.agreement, row.points, reasons, place)


def rule_texts() -> tuple[tuple[str, str], ...]:
    """The analysis' rules for the method section, with the numbers rules/analysis.py uses."""
    return (
        (
            "Analysens teman",
            "Analysen ställer källorna mot varandra för åtta problemområden (teman). En fil som följer med verktyget "
            "anger vilka serier, frågor och kategorier som hör till varje tema; kommunen kan ändra den och lägga "
            "till teman. Koladas nyckeltal om brott bygger på Brås anmälda brott och räknas därför inte som en egen "
            "källa.",
        ),
        (
            "Matrisens celler",
            "Varje cell visar vad en källa visar för ett tema, med rapportens egna regler: nivå mot länet och riket "
            "(hela 95-procentsintervallet över eller under) och säkerställd förändring, serie för serie och fråga "
            "för fråga. En serie eller fråga pekar uppåt när något av detta är högre än länet eller riket eller "
            "en säkerställd ökning och inget pekar nedåt (lägre, säkerställd minskning), nedåt tvärtom, och åt "
            "båda hållen när den har både och. ▲ ”uppåt” när någon serie är högre än riket utan att något i den "
            "pekar nedåt, eller när någon pekar uppåt och ingen nedåt eller åt båda hållen; ▲▼ ”åt båda hållen” "
            "när de pekar åt olika håll – då talar källan inte för temat åt något håll och ger inga poäng; "
            "▼ ”nedåt” när de bara pekar nedåt; ● ”i nivå” annars. ”För få” när alla serier har "
            "färre än 10 anmälda brott (avsiktliga bränder: färre än 5). Kommunens undersökning har inget läns- eller "
            "riksvärde; den pekar uppåt vid en säkerställd ökning sedan förra omgången. Avsiktliga bränder jämförs "
            "med medelvärdet för de tre föregående åren med Poissonintervallet, som anmälda brott. Polisens "
            "händelser är ett urval: de visas som antal och bedöms aldrig.",
        ),
        (
            "Samstämmighet",
            "Källorna är ”samstämmiga” när minst två pekar åt samma håll och ingen åt andra hållet; de ”går isär” "
            "när någon pekar uppåt och någon nedåt.",
        ),
        (
            "Rangordning",
            f"Ett tema får {rule.POINTS_ABOVE_RIKET} poäng när en serie av anmälda brott är högre än riket och "
            f"{rule.POINTS_ABOVE_LAN} till när den också är högre än länet, {rule.POINTS_NTU_ABOVE_RIKET} när en "
            f"NTU-indikator är högre än riket, {rule.POINTS_RISE} för en säkerställd ökning i någon källa, "
            f"{rule.POINTS_PER_AGREEING} för varje källa utöver den första som pekar uppåt och "
            f"{rule.POINTS_AREA} när ett område i kommunens undersökning ligger över hela kommunen (hela "
            f"intervallet). Har temat fått poäng dras {rule.POINTS_PER_DOWN} av för varje källa som pekar nedåt: "
            f"källor som går isär försvagar signalen. Ett tema med färre än {rule.STANDS_OUT} poäng prioriteras "
            "inte. Bland dem som "
            "prioriteras läggs skadevikten till, och temat med flest poäng kommer först; lika poäng delar plats. "
            "Skadevikten (1–3) är en enkel, angiven vikt för följderna för den som drabbas: 3 för våld mot person, "
            "2 för brott mot egendom och hem, narkotika och otrygghet, 1 för trafik. Den följer brottsbalkens "
            "ordning, där brott mot liv och hälsa har de strängaste straffen, och är en förenkling, inte en "
            "mätning. Oro och undvikande (NTU:s och undersökningens frågor om oro, otrygghet och att avstå) räknas i "
            "temat Otrygghet och oro och, där frågan gäller ett visst brott, i brottets tema. Kommunen kan bestämma "
            "ordningen själv; då säger rapporten det.",
        ),
    )


def draft_text(a: Analysis, kommun_namn: str) -> str:
    """The analysis as a draft the coordinator edits: a paragraph per prioritised theme, every sentence one of
    the matrix's reasons. The marker line makes the report label the text a draft until it is removed."""
    parts = [
        DRAFT_MARKER,
        "<!-- Utkast framtaget av lagesbild. Bearbeta texten: skriv om orsaker, vilka som drabbas och var, och "
        "vad kommunens andra aktörer vet. Ta bort första raden (lagesbild:utkast) när texten är bearbetad. -->",
        "",
    ]
    if not a.ranked:
        parts.append(a.order_sentence)
        return "\n".join(parts) + "\n"
    intro = f"Analysen ställer källorna mot varandra för {kommun_namn} i {len(a.rows)} teman. " + (
        "Ordningen nedan är kommunens egen."
        if a.own_order
        else f"{_count(len(a.ranked))} sticker ut enligt analysens regler."
    )
    parts += [intro, ""]
    for row in a.ranked:
        parts.append(f"### {row.title}")
        parts.append("")
        sentences = list(row.reasons) or ["Inget i källorna pekar ut temat enligt analysens regler."]
        sentences.append(row.agreement_sentence)
        parts.append(" ".join(sentences))
        parts.append("")
    return "\n".join(parts)


def addresses(theme: Theme, indicator_ids: tuple[str, ...]) -> bool:
    """Whether a plan problem followed up by ``indicator_ids`` ("bra:bostadsinbrott", "survey:otrygg_kvall@Djurås")
    speaks to ``theme``: one of its indicators is one of the theme's series or questions."""
    for indicator in indicator_ids:
        source, _, rest = indicator.partition(":")
        key = rest.split("@")[0]
        if key in {"bra": theme.bra, "ntu": theme.ntu, "survey": theme.survey}.get(source, ()):
            return True
    return False
