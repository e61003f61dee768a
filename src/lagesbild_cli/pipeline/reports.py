"""Building reports: one kommun's report set or preview, a whole län, the example project, the sources'
format check."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lagesbild_cli import batch
from lagesbild_cli import demo as demo_project
from lagesbild_cli.context import report_sheets, tables
from lagesbild_cli.context.analysis import draft_text
from lagesbild_cli.database import loader
from lagesbild_cli.database.store import open_store
from lagesbild_cli.errors import ConfigError, DatabaseDamagedError, notice
from lagesbild_cli.i18n import _
from lagesbild_cli.render import report
from lagesbild_cli.render.pdf_render import RenderProcess
from lagesbild_cli.settings.config import Config, load_config
from lagesbild_cli.settings.defaults import DEMO_DIR
from lagesbild_cli.settings.kommuner import Kommun
from lagesbild_cli.sources import (
    polisen,
    raddning,
    survey,
)
from lagesbild_cli.sources._http import Clock, Sleep
from lagesbild_cli.storage import provenance, runlock
from lagesbild_cli.storage.raw import Manifest

if TYPE_CHECKING:
    import httpx

    from lagesbild_cli.contracts.run import ContractReport
from lagesbild_cli.pipeline.fetching import locked, rebuild_database, select_sources


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

    def read() -> tuple[report.ReportContext, tuple[tables.Sheet, ...]]:
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
            for warning in context.hand_numbers:
                notice(warning)
            sheets = report_sheets(store, context) if with_sheets else ()
        return context, sheets

    if loader.is_stale(config):
        rebuild_database(config)
    try:
        return read()
    except DatabaseDamagedError as exc:
        notice(
            _("{problem} It is rebuilt from {folder} now.").format(
                problem=exc.message, folder=provenance.shown(config.raw_dir)
            )
        )
        rebuild_database(config)
    return read()


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
    context, _sheets = _report_inputs(
        config, year, final, compare_with, report_date, with_sheets=False, allow_missing=allow_missing
    )
    return report.write_preview(context, config)


DRAFT_FILE = "analys.utkast.md"


@locked
def draft_analysis(config: Config, year: int | None = None) -> Path:
    """Write the analysis as a draft for the coordinator to edit: ``analys.utkast.md`` beside the texts, built from
    the report's matrix and ranking (the same sentences and numbers). It never replaces a file: an existing draft
    or text is left as it is and the call refuses. Returns the file written."""
    if not config.owns_inputs:
        raise ConfigError(
            _("The analysis draft belongs to {home}'s own texts, not to {kommun}'s.").format(
                home=config.home.namn, kommun=config.kommun.namn
            ),
            hint=_("Write the draft from the kommun's own lagesbild.toml."),
        )
    folder = config.plan.narrative_dir
    if folder is None:
        raise ConfigError(
            _(
                "{file} names no folder for the samordningsfunktion's texts, so there is nowhere to write the draft."
            ).format(file=config.path.name),
            hint=_('Add [narrative] folder = "text" to the config.'),
        )
    context, _sheets = _report_inputs(config, year, False, None, None, with_sheets=False)
    if context.analysis is None:  # pragma: no cover - build_context always analyses
        raise ConfigError(_("The report has no analysis to draft."), hint=_("Build the report first."))
    text = draft_text(context.analysis, context.kommun.namn)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / DRAFT_FILE
    try:
        with target.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise ConfigError(
            _("{path} already exists; lagesbild never writes over a text.").format(path=target),
            hint=_("Rename or delete {file} to get a new draft; your own analys.md is never touched.").format(
                file=target.name
            ),
        ) from None
    return target


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
        rebuild_database(config)
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
        rebuild_database(config)
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
