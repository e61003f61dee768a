"""The library API: fetch, import, load and build — callable without the CLI.

from lagesbild_cli import pipeline
from lagesbild_cli.settings.config import load_config

config = load_config(Path("lagesbild.toml"))
pipeline.fetch(config)
pipeline.build(config, year=2023)

pipeline.demo(Path("lagesbild-demo"))  # an example project for Gagnef, offline
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from lagesbild_cli import batch
from lagesbild_cli import demo as demo_project
from lagesbild_cli.context import tables
from lagesbild_cli.database import loader
from lagesbild_cli.database.loader import LoadResult
from lagesbild_cli.database.store import open_store
from lagesbild_cli.errors import ConfigError, DatabaseDamagedError, DataMissingError, LagesbildError, notice
from lagesbild_cli.render import pdf_cache, report
from lagesbild_cli.render.pdf_render import RenderProcess
from lagesbild_cli.settings.config import Config, load_config
from lagesbild_cli.settings.defaults import DEMO_DIR, SOURCE_NAMES
from lagesbild_cli.settings.kommuner import Kommun, kommuner_in_lan
from lagesbild_cli.sources import (
    SourceResult,
    bra_fetch,
    by_hand,
    geo,
    kolada,
    mcf,
    polisen,
    raddning,
    scb,
    survey,
)
from lagesbild_cli.sources._http import Clock, Http, Sleep
from lagesbild_cli.storage import provenance, runlock, staging
from lagesbild_cli.storage.checkpoints import checkpoint
from lagesbild_cli.storage.raw import FetchLog, Manifest, ManifestEntry, utc_now

if TYPE_CHECKING:
    import httpx

    from lagesbild_cli.contracts.run import ContractReport

Progress = Callable[[str, str], None]  # (source, "start" | "done")
F = TypeVar("F", bound=Callable[..., object])


def locked(function: F) -> F:
    """Run a pipeline step holding the data folder's lock: one lagesbild run at a time."""

    @functools.wraps(function)
    def wrapper(config: Config, *args: object, **kwargs: object) -> object:
        with runlock.exclusive(config.data_dir):
            return function(config, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _fetch_bra(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    return bra_fetch.fetch(kommuner_in_lan(config.kommun.lan_kod), config.bra, http, manifest)


def _fetch_polisen(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    return polisen.fetch(config.kommun, config.polisen.url, http, manifest)


def _fetch_scb(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    return scb.fetch(config.kommun, config.scb.url, http, manifest)


def _fetch_kolada(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    kpis, years = _kolada_query(config)
    return kolada.fetch(config.kommun, config.kolada.url, kpis, years, http, manifest)


def _fetch_mcf(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    return mcf.fetch(config.kommun, config.mcf.url, config.mcf.table, config.mcf.years, http, manifest)


def _fetch_geo(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    return geo.fetch(config.geo.url, http, manifest)


FETCHERS: dict[str, Callable[[Config, Http, Manifest], SourceResult]] = {
    "bra": _fetch_bra,
    "polisen": _fetch_polisen,
    "scb": _fetch_scb,
    "kolada": _fetch_kolada,
    "mcf": _fetch_mcf,
    "geo": _fetch_geo,
}


def enabled_sources(config: Config) -> list[str]:
    settings = {
        "bra": config.bra.enabled,
        "polisen": config.polisen.enabled,
        "scb": config.scb.enabled,
        "kolada": config.kolada.enabled,
        "mcf": config.mcf.enabled,
        "geo": config.geo.enabled,
    }
    return [name for name in SOURCE_NAMES if settings[name]]


def _load(config: Config) -> LoadResult:
    """Rebuild the database from data/raw/, and make the project's PDF cache key with its data, so that a copy of
    the project made from now on shares its rendered PDFs (see :mod:`pdf_cache`)."""
    loaded = loader.load(config)
    try:
        pdf_cache.project_secret(config.processed_dir)
    except OSError:
        pass  # no write access: the render says so when it needs the key
    return loaded


@dataclass(frozen=True)
class FetchReport:
    results: list[SourceResult]
    load: LoadResult | None

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if r.failures]


def select_sources(config: Config, sources: Sequence[str] | None) -> list[str]:
    if not sources:
        return enabled_sources(config)
    unknown = [s for s in sources if s not in FETCHERS]
    if unknown:
        raise ConfigError(f"Unknown source {unknown[0]!r}.", hint=f"Choose from: {', '.join(SOURCE_NAMES)}.")
    return [s for s in SOURCE_NAMES if s in sources]


@locked
def fetch(
    config: Config,
    sources: Sequence[str] | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch each source in turn; a failing source does not stop the others.

    Each good download replaces its raw file atomically; a failed one leaves the old file. The
    database is then rebuilt from everything on disk. ``FetchReport.failed`` lists the failures.
    """
    selected = select_sources(config, sources)
    manifest = Manifest(config.raw_dir)
    log = FetchLog(config.raw_dir)
    results = []
    with Http(config.http, transport=transport, clock=clock, sleep=sleep) as http:
        for name in selected:
            if progress:
                progress(name, "start")
            started = utc_now()  # files stored by this attempt are not older than it
            try:
                result = FETCHERS[name](config, http, manifest)
            except LagesbildError as exc:
                result = SourceResult(name)
                result.fail(exc)
            if result.failures and not result.by_hand and name in by_hand.CHECKS:
                result.by_hand = _by_hand(config, name)
            log.record(name, ok=not result.failures, error="\n".join(result.failures) or None, at=started)
            results.append(result)
            if progress:
                progress(name, "done")
    try:
        loaded: LoadResult | None = _load(config)
    except DataMissingError:
        loaded = None
    return FetchReport(results=results, load=loaded)


def _kolada_query(config: Config) -> tuple[list[str], list[int]]:
    years = list(range(config.kolada.first_year, date.today().year + 1))
    return list(dict.fromkeys([*config.kolada.kpis, *config.kolada.fire_kpis])), years


def _by_hand(config: Config, source: str) -> str:
    """How to get a source's files by hand when the fetch could not (the fetch summary's line)."""
    if source == "scb":
        return by_hand.hint(source, "lagesbild import scb FILE", [by_hand.scb_url(config.scb.url)])
    if source == "kolada":
        kpis, years = _kolada_query(config)
        urls = by_hand.kolada_urls(config.kolada.url, kpis, years, config.kommun)
        return by_hand.hint(source, "lagesbild import kolada FILE (every file at once)", urls)
    if source == "mcf":
        table = f"{config.mcf.url.rstrip('/')}/{config.mcf.table.strip('/')}"
        return by_hand.hint(
            source, "lagesbild import mcf FILE (the description with the counts; the README shows the query)", [table]
        )
    return by_hand.hint(source, "lagesbild import geo FILE", [config.geo.url])


def _import_by_hand(config: Config, source: str, paths: Sequence[Path]) -> tuple[list[by_hand.Imported], LoadResult]:
    imported = by_hand.import_files(source, paths, Manifest(config.raw_dir), config.kommun)
    return imported, loader.load(config)


@locked
def import_scb(config: Config, paths: Sequence[Path]) -> tuple[list[by_hand.Imported], LoadResult]:
    """Store SCB answers saved by hand (TAB638, TAB6574; all checked first) as the fetcher would, then load."""
    return _import_by_hand(config, "scb", paths)


@locked
def import_kolada(config: Config, paths: Sequence[Path]) -> tuple[list[by_hand.Imported], LoadResult]:
    """Store Kolada v3 answers saved by hand (KPI descriptions, values, comparison groups; all checked first)."""
    return _import_by_hand(config, "kolada", paths)


@locked
def import_mcf(config: Config, paths: Sequence[Path]) -> tuple[list[by_hand.Imported], LoadResult]:
    """Store MCF's table B11 answers saved by hand (its description and counts; all checked first), then load."""
    return _import_by_hand(config, "mcf", paths)


@locked
def import_geo(config: Config, path: Path) -> tuple[list[by_hand.Imported], LoadResult]:
    """Store a GeoJSON file of the kommun boundaries saved by hand (checked first), then load."""
    return _import_by_hand(config, "geo", [path])


@locked
def import_bra(
    config: Config, paths: Sequence[Path]
) -> tuple[list[tuple[Kommun, ManifestEntry, tuple[str, ...]]], LoadResult]:
    """Copy hand-downloaded Brå workbooks into data/raw/bra/ (all validated first), then load.
    Returns per workbook its kommun, manifest entry and what its parser left out.

    The workbooks replace those in data/raw/bra/ all at once, with their manifest entries, or none does (an
    error or an interrupt before leaves the raw files as they were). Stopped after that, during the load, the
    previous database is kept, and the next build sees the newer manifest and reloads."""

    def stored(files: list[str]) -> str:
        workbooks = "workbook was" if len(files) == 1 else "workbooks were"
        return (
            f"{len(files)} Brå {workbooks} stored in data/raw/bra/, but the database was not reloaded "
            "(the next 'lagesbild build' or 'lagesbild load' reloads it)"
        )

    with staging.stored_together(Manifest(config.raw_dir), stored) as manifest:
        imported = bra_fetch.import_files(paths, manifest)
    return imported, _load(config)


@locked
def import_polisen(config: Config, path: Path) -> tuple[int, int, LoadResult]:
    """Merge a file of Polisen events into the archive, then load. Returns (in file, new, load)."""
    in_file, new = polisen.import_file(path, Manifest(config.raw_dir))
    return in_file, new, _load(config)


@locked
def import_raddning(config: Config, paths: Sequence[Path]) -> tuple[ManifestEntry, int, int, LoadResult]:
    """Merge the rescue service's exported event reports (all validated first), then load.

    The export belongs to the config's own kommun (``config.home``). Returns (manifest entry, events in
    the files, events stored in all, load)."""
    entry, in_files, stored = raddning.import_files(list(paths), Manifest(config.raw_dir), config.home.kod)
    return entry, in_files, stored, _load(config)


@locked
def import_survey(config: Config, path: Path) -> tuple[survey.SurveyImport, LoadResult]:
    """Read, validate and store the mapped columns of a survey export, one file per round, for the
    config's own kommun (``config.home``), then load. A round imported before is replaced.

    Nothing is written if any check fails, and an interrupt leaves either the earlier rounds or the new ones,
    never a mix. An interrupt after the new rounds were stored, while the database is being rebuilt, ends with a
    line saying that the import took effect and what rebuilds the database (:func:`interrupts.done`).
    """
    if config.survey is None:
        raise ConfigError(
            f"{config.path} has no [survey] section, so lagesbild does not know which columns to read.",
            hint="Add a [survey] section (see the README's survey reference), then import again.",
        )
    imported = survey.import_file(path, config.survey, Manifest(config.raw_dir), config.home.kod)
    checkpoint("survey-stored")
    return imported, _load(config)


def suggest_survey(path: Path) -> str:
    """A proposed ``[survey]`` mapping for a survey export, as commented TOML to review (writes nothing)."""
    from lagesbild_cli.errors import ParseError
    from lagesbild_cli.sources import read_given, survey_suggest, survey_toml

    if not path.is_file():
        raise ParseError(f"{path.name} does not exist.", hint="Give the path of the survey tool's CSV export.")
    data = read_given(
        path, limit=survey_suggest.MAX_FILE_BYTES, what="a survey export", hint="Export the survey as CSV."
    )
    return survey_toml.to_toml(survey_suggest.suggest(data, path.name))


@dataclass(frozen=True)
class DesoAreas:
    """A kommun's DeSO areas with their population in the latest year SCB's stored answer holds."""

    kommun: Kommun
    year: int
    areas: tuple[tuple[str, int], ...]  # (DeSO code, population), in code order


def deso_areas(config: Config) -> DesoAreas:
    """The DeSO areas of ``config.kommun`` from SCB's population per DeSO in data/raw/ (fetched or imported)."""
    import polars as pl

    kommun = config.kommun
    relative = scb.DESO.format(kod=kommun.kod)
    path = config.raw_dir / relative
    if not path.is_file():
        raise DataMissingError(
            f"SCB's population per DeSO area of {kommun.namn} ({kommun.kod}) is not in data/raw/{relative}.",
            hint=f"Fetch it with 'lagesbild fetch --source scb --kommun {kommun.kod}', then run this again.",
        )
    frame = scb.parse_deso(path.read_bytes(), f"data/raw/{relative}").filter(pl.col("kommun_kod") == kommun.kod)
    if frame.is_empty():
        raise DataMissingError(
            f"data/raw/{relative} holds no DeSO area of {kommun.namn} ({kommun.kod}).",
            hint=f"Fetch it again with 'lagesbild fetch --source scb --kommun {kommun.kod}'.",
        )
    year = int(frame["ar"].max())  # type: ignore[arg-type]
    latest = frame.filter(pl.col("ar") == year).sort("deso_kod")
    return DesoAreas(kommun, year, tuple(zip(latest["deso_kod"], latest["folkmangd"], strict=True)))


@locked
def load(config: Config) -> LoadResult:
    return _load(config)


@locked
def build(
    config: Config,
    year: int | None = None,
    *,
    final: bool = False,
    compare_with: Path | None = None,
    report_date: date | None = None,
    renderer: RenderProcess | None = None,
    allow_missing: tuple[str, ...] = (),
) -> report.BuiltReport:
    """Compute the indicators (reloading if raw data or queries changed) and write the report as HTML,
    PDF and data exports. ``final`` requires the narrative texts; ``compare_with`` names an earlier
    report (its folder or csv/indikatorer.csv) to show what has changed since; ``report_date`` is the
    date printed in the report (default: the newest data), so the same inputs give identical files.
    ``renderer``, started before, renders the PDF (see :mod:`pdf_render`); without one it is rendered here.
    A final is refused while a section's source is missing or stale, unless ``allow_missing`` names it."""
    context, sheets = _report_inputs(
        config, year, final, compare_with, report_date, with_sheets=True, allow_missing=allow_missing
    )
    return report.write_report(context, config, sheets, renderer)


def _report_inputs(
    config: Config,
    year: int | None,
    final: bool,
    compare_with: Path | None,
    report_date: date | None,
    *,
    with_sheets: bool,
    allow_missing: tuple[str, ...] = (),
) -> tuple[report.ReportContext, tuple[tables.Sheet, ...]]:
    """A report's context (reloading first if raw data or queries changed) and, ``with_sheets``, its exports.
    A database found damaged while reading it is rebuilt from data/raw/ (it is derived data), with a notice."""
    if loader.is_stale(config):
        _load(config)
    try:
        return _read_inputs(
            config, year, final, compare_with, report_date, with_sheets=with_sheets, allow_missing=allow_missing
        )
    except DatabaseDamagedError as exc:
        notice(f"{exc.message} It is rebuilt from {provenance.shown(config.raw_dir)} now.")
        _load(config)
    return _read_inputs(
        config, year, final, compare_with, report_date, with_sheets=with_sheets, allow_missing=allow_missing
    )


def _read_inputs(
    config: Config,
    year: int | None,
    final: bool,
    compare_with: Path | None,
    report_date: date | None,
    *,
    with_sheets: bool,
    allow_missing: tuple[str, ...] = (),
) -> tuple[report.ReportContext, tuple[tables.Sheet, ...]]:
    with open_store(config.db_path) as store:
        context = report.build_context(
            store,
            config,
            year,
            final=final,
            compare_with=compare_with,
            report_date=report_date,
            allow_missing=allow_missing,
        )
        sheets = tables.sheets(store, config.kommun, context.year, context.values) if with_sheets else ()
    return context, sheets


@locked
def preview(
    config: Config,
    year: int | None = None,
    *,
    final: bool = False,
    compare_with: Path | None = None,
    report_date: date | None = None,
    allow_missing: tuple[str, ...] = (),
) -> report.Preview:
    """The report's web page alone, as :func:`build` would write it, in data/processed/preview/: for reading
    texts and numbers while they are worked on. No PDF and no exports; the report set is not touched."""
    context, _ = _report_inputs(
        config, year, final, compare_with, report_date, with_sheets=False, allow_missing=allow_missing
    )
    return report.write_preview(context, config)


@locked
def build_many(
    config: Config,
    kommuner: Sequence[Kommun],
    year: int | None = None,
    *,
    final: bool = False,
    report_date: date | None = None,
    workers: int | None = None,
    preview: bool = False,
    allow_missing: tuple[str, ...] = (),
) -> batch.BatchResult:
    """Reports for several kommuner (e.g. a whole län) from one load, in parallel, plus a län overview; with
    ``preview``, their web pages only (see :func:`preview`), one after the other in this process."""
    if loader.is_stale(config):
        _load(config)
    return batch.build_many(
        config,
        kommuner,
        year,
        final=final,
        report_date=report_date,
        workers=workers,
        preview=preview,
        allow_missing=allow_missing,
    )


@dataclass(frozen=True)
class DemoResult:
    config: Config
    report: report.BuiltReport


def demo(folder: Path = DEMO_DIR, *, force: bool = False, renderer: RenderProcess | None = None) -> DemoResult:
    """Write the example project for Gagnef into ``folder`` from the data shipped with lagesbild, offline,
    and build its latest report: Brå, boundaries and the recorded SCB/Kolada/MCF answers are stored as a
    fetch would; the Polisen archive, the fictitious survey and the rescue-service export go through the
    importers. A folder with other files is refused unless ``force`` (see :func:`demo.write_project`)."""
    config = load_config(demo_project.write_project(folder, force=force))
    with runlock.exclusive(config.data_dir):
        manifest = Manifest(config.raw_dir)
        demo_project.store_fetched(config.raw_dir)
        polisen.import_file(demo_project.POLISEN_ARCHIVE, manifest)
        if config.survey is not None:
            survey.import_file(demo_project.SURVEY, config.survey, manifest, config.home.kod)
        raddning.import_files(demo_project.RADDNING, manifest, config.home.kod)
        _load(config)
    return DemoResult(config=config, report=build(config, renderer=renderer))


def check_sources(
    config: Config,
    sources: Sequence[str] | None = None,
    *,
    out: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    today: date | None = None,
) -> ContractReport:
    """Ask every enabled source (or ``sources``) for one small answer and check it against what the pipeline
    relies on; the answers are kept in ``out`` (default: data/contracts/<UTC time>/) with an index.json.
    Nothing in data/raw/ or the database changes. ``today`` dates the freshness checks (default: today)."""
    from lagesbild_cli.contracts import run as contracts  # the check's own modules: no build needs them

    return contracts.check_sources(
        config, select_sources(config, sources), out=out, transport=transport, clock=clock, sleep=sleep, today=today
    )
