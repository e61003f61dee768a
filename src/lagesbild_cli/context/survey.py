"""The section "Trygghet och utsatthet per område" from the municipality's own survey
(``ind_survey``, ``ind_survey_forandring``, ``ind_survey_omraden``), beside NTU's results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lagesbild_cli.context import charts, formatting
from lagesbild_cli.database.store import Store
from lagesbild_cli.settings.kommuner import Kommun
from lagesbild_cli.settings.survey_mapping import LABEL_MAX

KOMMUN = "Hela kommunen"


@dataclass(frozen=True)
class Cell:
    group: str
    n: int | None  # None when even n is hidden
    share: float | None  # 0–1; None when hidden
    low: float | None
    high: float | None
    status: str
    change: str | None  # since the previous round

    @property
    def shown(self) -> bool:
        return self.share is not None


@dataclass(frozen=True)
class SurveyIndicatorResult:
    id: str
    label: str
    question: str
    yes: str
    no: str
    excluded: str
    kommun: Cell
    areas: tuple[Cell, ...]
    by_sex: tuple[Cell, ...]
    by_age: tuple[Cell, ...]
    ntu_kommun: float | None  # NTU's share (%) for the kommun, same or nearest earlier year
    ntu_lan: float | None
    ntu_year: int | None
    chart: charts.DotPlot


@dataclass(frozen=True)
class Area:
    name: str
    deso: str
    population: int | None
    population_year: int | None
    shares_deso: bool


@dataclass(frozen=True)
class SurveySection:
    year: int
    previous_year: int | None
    respondents: int
    weighted: bool
    min_cell: int
    min_share: int
    indicators: tuple[SurveyIndicatorResult, ...]
    areas: tuple[Area, ...]
    sex_groups: tuple[str, ...]
    age_groups: tuple[str, ...]

    @property
    def change_sentences(self) -> tuple[str, ...]:
        """One sentence per shown share whose change since the previous round the z test confirms
        (”ökat”/”minskat”, the rule in 75_survey_forandring.sql), the whole kommun first."""
        result = []
        for i in self.indicators:
            for cell in (i.kommun, *i.areas, *i.by_sex, *i.by_age):
                if cell.share is not None and cell.change in ("ökat", "minskat"):
                    result.append(
                        f"{i.label}, {cell.group}: har {cell.change} sedan {self.previous_year} "
                        f"(nu {formatting.percent(cell.share * 100)})."
                    )
        return tuple(result)

    @property
    def kommun_change_sentences(self) -> tuple[str, ...]:
        """The confirmed changes for the whole kommun only: the summary's; the areas' and groups' stay in the
        section, where the caution on many tests stands beside them."""
        return tuple(
            f"{i.label}: har {i.kommun.change} sedan {self.previous_year} "
            f"(nu {formatting.percent(i.kommun.share * 100)})."
            for i in self.indicators
            if i.kommun.share is not None and i.kommun.change in ("ökat", "minskat")
        )

    @property
    def tests(self) -> tuple[int, int]:
        """How many shares were tested against the previous round, and how many of the tests confirmed a change."""
        cells = [c for i in self.indicators for c in (i.kommun, *i.areas, *i.by_sex, *i.by_age) if c.share is not None]
        tested = [c for c in cells if c.change is not None]
        return len(tested), sum(1 for c in tested if c.change in ("ökat", "minskat"))

    @property
    def chance_caution(self) -> str:
        """Many z tests at the 5 % level confirm some changes by chance alone: about one in twenty of those tested."""
        tested, confirmed = self.tests
        if tested < 20:
            return ""
        expected = formatting.number(tested / 20)
        return (
            f"Av {tested} prövade andelar visar {confirmed} en säkerställd förändring. Med så många prövningar väntas "
            f"ungefär {expected} bli säkerställda av en slump (1 av 20 vid 5 % signifikansnivå), så en enskild "
            "förändring i ett område eller en grupp ska tolkas försiktigt."
        )


def published(label: str) -> str:
    """A group or area label as the report shows it: at most LABEL_MAX characters. The import accepts only
    listed answers (and config names of at most that length), so this only cuts what slipped past it."""
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def n_is_hidden(status: str) -> bool:
    """Too few respondents, or hidden to protect another cell: then not even n is shown. A share hidden for
    too few yes or no answers ("färre än 5 svar ja eller nej") keeps its n."""
    return (status.startswith("färre än") and not status.endswith("ja eller nej")) or status.startswith("dold")


def _cell(row: dict[str, Any], change: str | None) -> Cell:
    shown = row["status"] == "visas"
    n_hidden = n_is_hidden(row["status"])
    return Cell(
        group=published(row["grupp"]),
        n=None if n_hidden else row["n"],
        share=row["andel"] if shown else None,
        low=row["ki_undre"] if shown else None,
        high=row["ki_ovre"] if shown else None,
        status=row["status"],
        change=change if shown else None,
    )


def _pick(
    cells: list[dict[str, Any]],
    changes: dict[tuple[str, str, str], str],
    dimension: str,
    order: list[str] | None = None,
) -> tuple[Cell, ...]:
    """One indicator's cells of one dimension, in the configured area order (else by name)."""
    rows = sorted(
        (c for c in cells if c["dimension"] == dimension),
        key=lambda c: (order.index(c["grupp"]) if order and c["grupp"] in order else 99, c["grupp"]),
    )
    return tuple(_cell(c, changes.get((c["indikator"], dimension, c["grupp"]))) for c in rows)


def _note(cell: Cell) -> str:
    if cell.share is None and cell.status.endswith("ja eller nej"):
        return "färre än 5 ja/nej"  # short enough for a phone; the table beside gives n and the whole wording
    if cell.share is None:
        return cell.status if cell.n is None else f"{cell.status} (n = {cell.n})"
    return f"{formatting.percent(cell.share * 100)} (n = {formatting.number(cell.n)})"


def survey_years(store: Store, kommun: Kommun) -> list[int]:
    return [
        r["ar"]
        for r in store.rows(
            "select distinct ar from raw_survey_svar where kommun_kod = $k order by ar", {"k": kommun.kod}
        )
    ]


def shown_survey_year(store: Store, kommun: Kommun, year: int) -> int | None:
    """The survey round a report for ``year`` shows: the newest up to that year, or none (a report for a year
    shows nothing after it). The section, the Indikatorer sheet and the plan's baselines all use this one round."""
    return max((y for y in survey_years(store, kommun) if y <= year), default=None)


def survey_section(store: Store, kommun: Kommun, year: int) -> SurveySection | None:
    """The kommun's own survey; None when it has none (another kommun's survey is never shown)."""
    years = survey_years(store, kommun)
    shown_year = shown_survey_year(store, kommun, year)
    if shown_year is None:
        return None
    previous = max((y for y in years if y < shown_year), default=None)
    settings = store.rows("select * from survey_installningar")[0]
    cells = store.rows("select * from ind_survey where kommun_kod = $k and ar = $y", {"k": kommun.kod, "y": shown_year})
    changes = {
        (r["indikator"], r["dimension"], r["grupp"]): r["forandring"]
        for r in store.rows("select * from ind_survey_forandring where ar = $y", {"y": shown_year})
    }
    areas = store.rows(
        """
        select omrade, ordning, deso, delar_deso, max(ar) as ar, arg_max(folkmangd, ar)::bigint as folkmangd
        from ind_survey_omraden where kommun_kod = $k and (ar <= $y or ar is null)
        group by omrade, ordning, deso, delar_deso order by ordning
    """,
        {"k": kommun.kod, "y": year},
    )
    area_order = [a["omrade"] for a in areas]
    ntu_rows = store.rows(
        """
        select indikator_id, geo_niva, ar, andel from ind_ntu
        where geo_kod in ($k, $l) and ar <= $y and andel is not null
    """,
        {"k": kommun.kod, "l": kommun.lan_kod, "y": shown_year},
    )
    results = []
    for ind in store.rows("select * from survey_indikatorer order by ordning"):
        mine = [c for c in cells if c["indikator"] == ind["indikator"]]

        total = _pick(mine, changes, "kommun")
        if not total:
            continue
        area_cells = _pick(mine, changes, "omrade", area_order)
        ntu = [r for r in ntu_rows if r["indikator_id"] == ind["ntu"]]
        ntu_year = max((r["ar"] for r in ntu), default=None)
        ntu_at = {r["geo_niva"]: r["andel"] for r in ntu if r["ar"] == ntu_year}
        dots = [charts.DotData(c.group, c.share, c.low, c.high, _note(c)) for c in area_cells]
        dots.append(charts.DotData(KOMMUN, total[0].share, total[0].low, total[0].high, _note(total[0]), True))
        shown = [d for d in dots if d.share is not None]
        description = (
            f"Punktdiagram: andel som svarat ja på ”{ind['etikett']}” per område {shown_year}, med 95 % "
            "konfidensintervall. " + "; ".join(f"{d.label} {d.note}" for d in shown) + "."
        )
        results.append(
            SurveyIndicatorResult(
                id=ind["indikator"],
                label=ind["etikett"],
                question=ind["fraga"],
                yes=ind["ja"],
                no=ind["nej"],
                excluded=ind["utesluts"],
                kommun=total[0],
                areas=area_cells,
                by_sex=_pick(mine, changes, "kon"),
                by_age=_pick(mine, changes, "alder"),
                ntu_kommun=ntu_at.get("kommun"),
                ntu_lan=ntu_at.get("lan"),
                ntu_year=ntu_year,
                chart=charts.dot_plot(f"survey-{ind['indikator']}", ind["etikett"], description, dots),
            )
        )
    sex_groups = [published(g) for g in sorted({c["grupp"] for c in cells if c["dimension"] == "kon"})]
    age_groups = [published(g) for g in sorted({c["grupp"] for c in cells if c["dimension"] == "alder"})]
    respondents = store.rows(
        "select count(distinct id) as n from raw_survey_svar where kommun_kod = $k and ar = $y",
        {"k": kommun.kod, "y": shown_year},
    )[0]["n"]
    return SurveySection(
        year=shown_year,
        previous_year=previous,
        respondents=respondents,
        weighted=bool(settings["viktad"]),
        min_cell=settings["min_cell"],
        min_share=settings["min_share"],
        indicators=tuple(results),
        areas=tuple(
            Area(
                name=published(a["omrade"]),
                deso=a["deso"] or "–",
                population=a["folkmangd"],
                population_year=a["ar"],
                shares_deso=bool(a["delar_deso"]),
            )
            for a in areas
        ),
        sex_groups=tuple(sex_groups),
        age_groups=tuple(age_groups),
    )
