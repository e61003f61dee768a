"""Store → the typed context a report template presents.

Numbers come from the ``ind_*`` and ``raw_*`` tables; this package only selects and arranges them
(one module per section), and the templates only present them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from lagesbild_cli.context import formatting, tables
from lagesbild_cli.context.analysis import Analysis, addresses, analysis
from lagesbild_cli.context.bra import (
    Assessment,
    CrimeSection,
    assessments,
    crime_section,
    crime_years,
    rank_text,
    tie_example,
)
from lagesbild_cli.context.changes import Change, changes, described, read_previous
from lagesbild_cli.context.charts import kommun_colours
from lagesbild_cli.context.factors import FactorsSection, factors_section
from lagesbild_cli.context.gaps import Gap, check_final, gaps, names_sv
from lagesbild_cli.context.kolada import ComparisonSection, comparison_section, kolada_years
from lagesbild_cli.context.kommunen import KommunFacts, kommun_facts
from lagesbild_cli.context.konsekvenser import Consequence, consequences
from lagesbild_cli.context.ntu import NtuSection, ntu_section
from lagesbild_cli.context.polisen import EventsSection, events_section
from lagesbild_cli.context.profile import NEUTRAL, ReportProfile, report_profile
from lagesbild_cli.context.raddning import RescueSection, rescue_section
from lagesbild_cli.context.references import REFERENCE, figures, hand_written, resolved, themes
from lagesbild_cli.context.sources import (
    SNAPSHOT_TEXT,
    SourceFile,
    SourceStatus,
    source_files,
    source_statuses,
)
from lagesbild_cli.context.summary import summary
from lagesbild_cli.context.survey import SurveySection, survey_section
from lagesbild_cli.context.values import IndicatorValue, indicator_values
from lagesbild_cli.database.store import Store
from lagesbild_cli.errors import ConfigError, DataMissingError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.analysis import NO_ANALYSIS_SETTINGS, load_themes
from lagesbild_cli.settings.config import NO_PLAN, Config
from lagesbild_cli.settings.kommuner import RIKET_NAMN, Kommun
from lagesbild_cli.settings.plan import Measure, Narrative, PlanProblem, PlanSettings, narratives

BRA_PAGE = "https://bra.se/statistik/indikatorer-for-kommuners-lagesbild"

__all__ = ["ReportContext", "build_context", "rank_text"]


@dataclass(frozen=True)
class PlanRow:
    problem: PlanProblem
    values: tuple[IndicatorValue, ...]
    measures: tuple[Measure, ...] = ()  # measures under way that address this problem


@dataclass(frozen=True)
class MeasureRow:
    measure: Measure
    problems: tuple[str, ...]  # the titles of the problems it addresses
    values: tuple[IndicatorValue, ...]  # its indicators' current values

    @property
    def period(self) -> str:
        """The measure's period with its dates the Swedish way ("från 1 mars 2025, pågående")."""
        start, end = (_when(w) for w in (self.measure.start, self.measure.end))
        if not start and not end:
            return "ej angiven"
        return f"{start or '?'}–{end}" if end else f"från {start}, pågående"

    @property
    def figures_when(self) -> str:
        """The date the measure's figures refer to, the Swedish way ("1 september 2026"), or its year."""
        return _when(self.measure.figures_date)


def _when(value: str) -> str:
    """A year as written, a date (2026-09-01) the Swedish way: the report never shows an ISO date."""
    return formatting.swedish_date(value) if len(value) == 10 else value


def _known(
    ids: tuple[str, ...],
    by_id: dict[str, IndicatorValue],
    where: str,
    values: tuple[IndicatorValue, ...],
    elsewhere: dict[str, IndicatorValue],
) -> tuple[IndicatorValue, ...]:
    """The values of ``ids`` for the report's year. An id the kommun's data hold only for other years (a survey
    round the year lacks) is shown as missing for the year, never an error: a plan is followed year after
    year. An id no year holds is an error."""
    unknown = [i for i in ids if i not in by_id and i not in elsewhere]
    if unknown:
        examples = ", ".join(v.id for v in values if not v.id.endswith(":antal"))[:400]
        raise ConfigError(
            _("{where} names unknown indicator ids: {ids}.").format(where=where, ids=", ".join(unknown)),
            hint=_("Use ids that the report has, e.g.: {examples}…").format(examples=examples),
        )
    return tuple(by_id.get(i) or elsewhere[i] for i in ids)


def missing_for_year(
    store: Store, kommun: Kommun, year: int, values: tuple[IndicatorValue, ...]
) -> dict[str, IndicatorValue]:
    """The indicators the kommun's data hold for another year (another survey round) but not for ``year``,
    each without a value and noted "saknas för <år>"."""
    have = {v.id for v in values}
    rounds = store.rows("select distinct ar from ind_survey where kommun_kod = $k order by ar", {"k": kommun.kod})
    found: dict[str, IndicatorValue] = {}
    for r in rounds:
        for v in indicator_values(store, kommun, r["ar"]):
            if v.id not in have and v.id not in found:
                found[v.id] = replace(v, year=year, value=None, note=f"saknas för {year}")
    return found


def plan_rows(
    problems: tuple[PlanProblem, ...],
    values: tuple[IndicatorValue, ...],
    measures: tuple[Measure, ...] = (),
    elsewhere: dict[str, IndicatorValue] | None = None,
) -> tuple[PlanRow, ...]:
    """Each prioritised problem with the baseline values of its indicators and the measures that address
    it (named by the problem's id, or following one of its indicators); an unknown id is an error."""
    by_id = {v.id: v for v in values}
    rows = []
    for n, problem in enumerate(problems, start=1):
        shown = _known(problem.indicators, by_id, f"plan.problems[{n}] ({problem.title!r})", values, elsewhere or {})
        addressing = tuple(
            m for m in measures if problem.id in m.problems or set(m.indicators) & set(problem.indicators)
        )
        rows.append(PlanRow(problem=problem, values=shown, measures=addressing))
    return tuple(rows)


def measure_rows(
    measures: tuple[Measure, ...],
    problems: tuple[PlanProblem, ...],
    values: tuple[IndicatorValue, ...],
    elsewhere: dict[str, IndicatorValue] | None = None,
) -> tuple[MeasureRow, ...]:
    by_id = {v.id: v for v in values}
    titles = {p.id: p.title for p in problems}
    rows = []
    for n, measure in enumerate(measures, start=1):
        where = _("measure {n} ({name})").format(n=n, name=repr(measure.name))
        shown = _known(measure.indicators, by_id, where, values, elsewhere or {})
        rows.append(MeasureRow(measure=measure, problems=tuple(titles[p] for p in measure.problems), values=shown))
    return tuple(rows)


@dataclass(frozen=True)
class ReportContext:
    kommun: Kommun
    kommun_fullnamn: str
    lan_namn: str
    riket_namn: str
    year: int
    title: str
    compiled_by: str
    decision_body: str
    created: str
    report_date: date
    summary: tuple[str, ...]
    assessments: tuple[Assessment, ...]
    crime: CrimeSection | None
    ntu: NtuSection | None
    comparison: ComparisonSection | None
    events: EventsSection | None
    survey: SurveySection | None
    survey_configured: bool
    owns_inputs: bool  # the config's own kommun: its survey, rescue export, measures and texts are shown
    statuses: tuple[SourceStatus, ...]  # sources with data, and those tried without success (the appendix)
    files: tuple[SourceFile, ...]
    bra_page: str
    facts: KommunFacts
    consequences: tuple[Consequence, ...]
    narratives: dict[str, Narrative]
    plan: tuple[PlanRow, ...]
    measures: tuple[MeasureRow, ...]
    measures_source: str
    rescue: RescueSection
    mcf_enabled: bool
    changes: tuple[Change, ...]
    compared_with: str | None
    values: tuple[IndicatorValue, ...]
    final: bool
    gaps: tuple[Gap, ...] = ()  # per § 4 section, a source whose data is missing or stale
    factors: FactorsSection | None = None  # risk and protective factors from Kolada (annan information)
    referenced: bool = False  # a narrative names figures by reference: the method says how they are written
    hand_numbers: tuple[str, ...] = ()  # warnings: numbers written by hand that differ from the report's figures
    profile: ReportProfile = NEUTRAL  # the kommun's logo, colour and typeface (its own report only)
    allow_missing: tuple[str, ...] = ()  # sources a final report is published without (--allow-missing)
    analysis: Analysis | None = None  # the triangulation matrix and the ranking of themes

    @property
    def unplanned_themes(self) -> tuple[str, ...]:
        """The analysis' prioritised themes that no prioritised problem of the åtgärdsplan follows up (when the
        report has such problems): the plan should take a stand on them."""
        if self.analysis is None or not self.plan:
            return ()
        return tuple(
            t.theme.name
            for t in self.analysis.ranked
            if not any(addresses(t.theme, row.problem.indicators) for row in self.plan)
        )

    @property
    def notes_shown(self) -> bool:
        """Working notes for the coordinator: in drafts of the config's own kommun only (never in a final,
        never in a report for another kommun, whose coordinator cannot act on this project's settings)."""
        return not self.final and self.owns_inputs

    def gap(self, source: str) -> Gap | None:
        return next((g for g in self.gaps if g.source == source), None)

    @property
    def published_without(self) -> str | None:
        """The cover's sentence of a final published without some sources' data."""
        missing = [g.source for g in self.gaps if not g.stale]
        stale = [g.source for g in self.gaps if g.stale]
        if not self.final or not self.gaps:
            return None
        parts = []
        if missing:
            parts.append(f"Den här slutversionen saknar uppgifter från {names_sv(missing)}.")
        if stale:
            parts.append(f"Uppgifterna från {names_sv(stale)} kan vara inaktuella.")
        return " ".join(parts)

    @property
    def open_sources(self) -> str:
        """The open data sources of the crime statistics the report uses, for the introduction: 'Brå, Polisen, SCB
        och Kolada' (MCF is named in its own section)."""
        order = ("bra", "polisen", "scb", "kolada")
        used = [s.source for s in self.loaded if s.source in order]
        return names_sv(sorted(used, key=order.index)) if used else ""

    @property
    def where_shown_by(self) -> str | None:
        """What shows where and when problems occur ("Var och när"): only what the report holds."""
        parts = []
        if self.survey:
            parts.append("kommunens egen trygghetsundersökning (per område)")
        if self.events:
            parts.append("Polisens publicerade händelser")
        return " och av ".join(parts) or None

    def uses(self, source: str) -> bool:
        return any(s.source == source for s in self.loaded)

    @property
    def loaded(self) -> tuple[SourceStatus, ...]:
        """The sources the report has data from (the cover lists only these)."""
        return tuple(s for s in self.statuses if s.retrieved is not None)

    @property
    def rank_example(self) -> str:
        """The method's example of a shared place, from this report's own län (issue 28)."""
        return tie_example(self.kommun, self.crime)

    @property
    def crime_latest_note(self) -> str:
        """Said when Brå has not yet published the report's year: which year the crime figures are from."""
        if self.crime is None or self.crime.year >= self.year:
            return ""
        return (
            f"Brå har ännu inte publicerat anmälda brott för {self.year}. Brås senaste år är {self.crime.year}: "
            f"tabellen, diagrammen och översikten över anmälda brott visar {self.crime.year}."
        )

    @property
    def version(self) -> str:
        return f"Slutversion, skapad {self.created}" if self.final else f"Utkast skapat {self.created}"

    def retrieved(self, source: str) -> str:
        """The retrieval date of a source as the report states it, with a stale mark."""
        status = next((s for s in self.statuses if s.source == source), None)
        if status is not None and status.retrieved is None:
            return f"inte hämtad (försöket {status.failed_at} misslyckades)" if status.failed_at else "inte hämtad"
        if status is None or status.retrieved is None:
            return "okänt datum"
        if status.snapshot:
            delivered = SNAPSHOT_TEXT.format(published=status.retrieved)
            return f"{delivered} (hämtningen {status.failed_at} misslyckades)" if status.stale else delivered
        if status.stale:
            return f"{status.retrieved} (inaktuellt: senaste hämtningen misslyckades {status.failed_at})"
        return status.retrieved

    def obtained(self, source: str) -> str:
        """How the report got a source's data, after its name: "hämtad <datum>", or, for the national snapshot,
        that it was delivered with lagesbild and when its source published it (never "hämtad")."""
        status = next((s for s in self.statuses if s.source == source), None)
        if status is not None and status.snapshot and status.retrieved is not None:
            return self.retrieved(source)
        return f"hämtad {self.retrieved(source)}"


def data_date(store: Store) -> date:
    """The report's date when none is given: the newest retrieval in the manifest, so that the same
    data always gives the same report (no wall-clock time in the files)."""
    newest = store.rows("select max(retrieved_at) as t from manifest")[0]["t"]
    return date.fromisoformat(newest[:10]) if newest else date(1970, 1, 1)


def source_years(store: Store, kommun: Kommun) -> list[int]:
    """Every year some source has data for the kommun: a report can be built for each of them, showing each
    source's newest period up to that year (a survey of 2025 with Brå's data to 2024: "Lägesbild 2025")."""
    rows = store.rows(
        """
        select ar from ind_ntu where geo_kod = $k and andel is not null
        union select ar from raw_survey_svar where kommun_kod = $k
        union select ar from ind_raddning_insatser where geo_kod = $k and antal is not null
        """,
        {"k": kommun.kod},
    )
    return sorted({int(r["ar"]) for r in rows if r["ar"] is not None})


def report_year(store: Store, kommun: Kommun, year: int | None) -> int:
    """The requested year when any source has data for it, or the latest with Brå data (else Kolada data);
    a clear error otherwise."""
    bra_years = crime_years(store, kommun)
    kolada = kolada_years(store, kommun)
    crime_data = sorted(set(bra_years) | set(kolada))
    if not crime_data:
        broken = store.rows("select problem from load_problems where kommun_kod = $k", {"k": kommun.kod})
        if broken:
            raise DataMissingError(
                _("The Brå workbook for {kommun} ({code}) could not be read: {problem}").format(
                    kommun=kommun.namn, code=kommun.kod, problem=broken[0]["problem"]
                ),
                hint=_("Fetch or import {kommun}.xlsx again; the previous report is untouched.").format(
                    kommun=kommun.namn
                ),
            )
        raise DataMissingError(
            _(
                "The database has no crime statistics for {kommun} ({code}): no Brå workbook and no Kolada values."
            ).format(kommun=kommun.namn, code=kommun.kod),
            hint=_(
                "Run 'lagesbild fetch' (with internet), or import {kommun}.xlsx from Brå's page with "
                "'lagesbild import bra FOLDER'."
            ).format(kommun=kommun.namn),
        )
    if year is None:
        return bra_years[-1] if bra_years else crime_data[-1]
    available = sorted(set(crime_data) | set(source_years(store, kommun)))
    if year not in available or year < crime_data[0]:
        ranges = []
        if bra_years:
            ranges.append(_("the Brå data covers {first}–{last}").format(first=bra_years[0], last=bra_years[-1]))
        if kolada:
            ranges.append(_("Kolada covers {first}–{last}").format(first=kolada[0], last=kolada[-1]))
        raise DataMissingError(
            _("There is no data for {kommun} in {year}; {ranges}.").format(
                kommun=kommun.namn, year=year, ranges=_(" and ").join(ranges)
            ),
            hint=_("Choose a year from {first} to {last} with --year.").format(first=crime_data[0], last=available[-1]),
        )
    return year


def _with_latest(lines: tuple[str, ...], year: int, crime: CrimeSection | None) -> tuple[str, ...]:
    """The summary opens with Brå's latest year when it is earlier than the report's."""
    if crime is None or crime.year >= year:
        return lines
    latest = f"Brås statistik över anmälda brott finns till och med {crime.year}; siffrorna nedan är från {crime.year}."
    return (latest, *lines)


def own_plan(config: Config, *, final: bool) -> PlanSettings:
    """The problems, measures and narrative texts of the config belong to its own kommun; a report for
    another kommun (--kommun, --lan) has none of them, and cannot be final without its own texts."""
    if config.owns_inputs:
        return config.plan
    if final:
        kommun = config.kommun
        raise ConfigError(
            _(
                "A final report for {kommun} ({code}) needs {kommun}'s own texts, but the texts, problems and "
                "measures in {config} belong to {home} ({home_code})."
            ).format(
                kommun=kommun.namn,
                code=kommun.kod,
                config=config.path.name,
                home=config.home.namn,
                home_code=config.home.kod,
            ),
            hint=_(
                "Build {kommun}'s final report from its own lagesbild.toml ([kommun] kod = "
                '"{code}", with its own [narrative] folder), or build a draft without --final.'
            ).format(kommun=kommun.namn, code=kommun.kod),
        )
    return NO_PLAN


def build_context(
    store: Store,
    config: Config,
    year: int | None,
    *,
    final: bool = False,
    compare_with: Path | None = None,
    report_date: date | None = None,
    allow_missing: tuple[str, ...] = (),
) -> ReportContext:
    """The report's context; its charts in the kommun's colour when the config's profile gives one (the
    profile is the config's own kommun's: another kommun's report, ``--kommun``, keeps the neutral look)."""
    profile = report_profile(config.profile) if config.owns_inputs else NEUTRAL
    with kommun_colours(profile.chart_line, profile.chart_dark):
        context = _build_context(
            store,
            config,
            year,
            final=final,
            compare_with=compare_with,
            report_date=report_date,
            allow_missing=allow_missing,
        )
    return replace(context, profile=profile)


def _build_context(
    store: Store,
    config: Config,
    year: int | None,
    *,
    final: bool,
    compare_with: Path | None,
    report_date: date | None,
    allow_missing: tuple[str, ...],
) -> ReportContext:
    kommun = config.kommun
    plan = own_plan(config, final=final)
    year = report_year(store, kommun, year)
    crime = crime_section(store, kommun, year)
    ntu = ntu_section(store, kommun, year)
    comparison = comparison_section(store, kommun, year, config.kolada.kpis, with_chart=crime is None)
    events = events_section(store, kommun, year)
    own_survey = survey_section(store, kommun, year) if config.survey else None
    facts = kommun_facts(store, kommun, year)
    when = report_date or data_date(store)
    values = indicator_values(store, kommun, year)
    assessed = assessments(store, kommun, crime.year if crime else year, ntu.year if ntu else None)
    texts = {n.key: n for n in narratives(plan, final=final)}
    known = figures(crime, ntu, own_survey, values, assessed)
    folder = plan.narrative_dir.name if plan.narrative_dir else ""
    hand_numbers = hand_written(texts.values(), known, themes(crime, ntu, own_survey, values), folder)
    referenced = any(n.text is not None and REFERENCE.search(n.text) for n in texts.values())
    texts = resolved(texts, known, year, folder)
    previous = read_previous(compare_with) if compare_with else None
    statuses = source_statuses(store, kommun)
    rescue = rescue_section(store, kommun, year, config.kolada.fire_kpis)
    settings = config.analysis if config.owns_inputs else NO_ANALYSIS_SETTINGS
    analysed = analysis(
        store,
        kommun,
        year,
        load_themes(settings),
        settings.order,
        crime=crime,
        ntu=ntu,
        survey=own_survey,
        events=events,
        owns_inputs=config.owns_inputs,
    )
    found = gaps(
        kommun.namn,
        year,
        {
            "bra": crime is None,
            "polisen": events is None and not _loaded(statuses, "polisen"),
            "scb": facts.population is None,
            "kolada": comparison is None,
            "mcf": not rescue.has_mcf,
            "geo": crime is not None and facts.map is None and not _loaded(statuses, "geo"),
        },
        statuses,
    )
    if final:
        check_final(found, allow_missing, f"{kommun.namn} ({kommun.kod})")
    followed = {i for p in plan.problems for i in p.indicators} | {i for m in plan.measures for i in m.indicators}
    elsewhere = missing_for_year(store, kommun, year, values) if followed - {v.id for v in values} else {}
    return ReportContext(
        kommun=kommun,
        kommun_fullnamn=kommun.fullnamn,
        lan_namn=kommun.lan.namn,
        riket_namn=RIKET_NAMN,
        year=year,
        title=config.report.title,
        compiled_by=config.report.compiled_by,
        decision_body=config.report.decision_body,
        created=formatting.swedish_date(when),
        report_date=when,
        summary=_with_latest(
            summary(kommun, year, crime, ntu, comparison, facts, own_survey, assessed, analysed), year, crime
        ),
        assessments=assessed,
        crime=crime,
        ntu=ntu,
        comparison=comparison,
        events=events,
        survey=own_survey,
        survey_configured=config.survey is not None,
        owns_inputs=config.owns_inputs,
        statuses=statuses,
        files=source_files(store, kommun),
        bra_page=BRA_PAGE,
        facts=facts,
        consequences=consequences(crime, ntu, own_survey),
        narratives=texts,
        plan=plan_rows(plan.problems, values, plan.measures, elsewhere),
        measures=measure_rows(plan.measures, plan.problems, values, elsewhere),
        measures_source=plan.measures_source,
        rescue=rescue,
        mcf_enabled=config.mcf.enabled,
        changes=changes(previous, values) if previous is not None else (),
        compared_with=described(compare_with) if compare_with else None,
        values=values,
        final=final,
        gaps=found,
        allow_missing=allow_missing,
        factors=factors_section(store, kommun, year),
        referenced=referenced,
        hand_numbers=hand_numbers,
        analysis=analysed,
    )


def _loaded(statuses: tuple[SourceStatus, ...], source: str) -> bool:
    return any(s.source == source and s.retrieved is not None for s in statuses)


def report_sheets(store: Store, context: ReportContext) -> tuple[tables.Sheet, ...]:
    """The exports of a report: a sheet for every table it shows, from the figures its context holds."""
    return tables.sheets(store, context.kommun, context.year, context.values, context.factors, context.analysis)
