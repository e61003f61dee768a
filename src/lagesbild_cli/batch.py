"""Many reports from one load of the store: a whole län (``--lan 20``) or a list of kommuner, rendered
in parallel across cores, plus a län overview (every kommun against the län and riket, ranked charts, NTU, the
map). A failing kommun is reported; the others still complete."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path

from lagesbild_cli import interrupts
from lagesbild_cli.context import data_date, report_sheets
from lagesbild_cli.context import lan_overview as lan_context
from lagesbild_cli.database.store import Store, open_store
from lagesbild_cli.errors import DataMissingError, LagesbildError, storage_error
from lagesbild_cli.i18n import N_, _
from lagesbild_cli.render import exports, markup, report
from lagesbild_cli.settings.config import Config
from lagesbild_cli.settings.kommuner import Kommun, Lan
from lagesbild_cli.storage import staging
from lagesbild_cli.storage.raw import atomic_write_bytes

# What a kommun's report can draw on, per source: the kommuner the store has data for, and whether that source's
# data is the national snapshot delivered with lagesbild (then "snapshot", not "ok"). The names head the table's
# columns: translated where shown (N_).
COVERAGE: tuple[tuple[str, str, str | None], ...] = (
    (N_("Brå workbook"), "select kommun_kod as k from bra_arbetsbocker", None),
    (N_("population"), "select region_kod as k from raw_scb_folkmangd where niva = 'kommun'", "scb"),
    ("Kolada", "select geo_kod as k from raw_kolada_varden where geo_niva = 'kommun'", None),
    ("Polisen", "select kommun_kod as k from raw_polisen_handelser", None),
    ("MCF", "select kommun_kod as k from raw_mcf_handelser where antal is not null", None),
    (N_("boundaries"), "select kommun_kod as k from raw_geo_kommuner", "geo"),
)


@dataclass(frozen=True)
class Coverage:
    kommun: Kommun
    sources: tuple[tuple[str, str], ...]  # (source, "ok" | "snapshot" | "missing"), in COVERAGE's order

    @property
    def lacks(self) -> tuple[str, ...]:
        return tuple(name for name, state in self.sources if state == "missing")


def coverage(store: Store, kommuner: Sequence[Kommun]) -> tuple[Coverage, ...]:
    """Per kommun, which sources its report has data from: the table a län batch ends with."""
    have = {}
    for name, sql, source in COVERAGE:
        codes = {r["k"] for r in store.rows(f"select distinct k from ({sql})")}
        snapshot = source is not None and bool(
            store.rows(
                "select coalesce(bool_and(file like 'national/%'), false) as s from manifest where source = $s",
                {"s": source},
            )[0]["s"]
        )
        have[name] = (codes, snapshot)
    return tuple(
        Coverage(
            kommun=k,
            sources=tuple(
                (name, ("snapshot" if snapshot else "ok") if k.kod in codes else "missing")
                for name, (codes, snapshot) in have.items()
            ),
        )
        for k in kommuner
    )


@dataclass(frozen=True)
class BatchResult:
    built: tuple[Path, ...]  # the PDFs, or for a preview the web pages
    failed: tuple[tuple[Kommun, str], ...]
    overview: Path | None
    overview_failed: str | None = None  # why the län overview could not be made (the reports were still written)
    coverage: tuple[Coverage, ...] = ()  # what each kommun's report has data from


def _build_one(
    config: Config,
    year: int | None,
    final: bool,
    report_date: date | None,
    preview: bool = False,
    allow_missing: tuple[str, ...] = (),
) -> tuple[bool, str]:
    """In a worker process: one kommun's report (or its preview). Errors come back as text (they cross
    processes)."""
    try:
        with open_store(config.db_path) as store:
            context = report.build_context(
                store, config, year, final=final, report_date=report_date, allow_missing=allow_missing
            )
            if preview:
                return True, str(report.write_preview(context, config).html)
            sheets = report_sheets(store, context)
        return True, str(report.write_report(context, config, sheets).pdf)
    except LagesbildError as exc:
        return False, str(exc)
    except OSError as exc:  # no permission, a full disk: the user's to fix, not a bug
        return False, str(storage_error(exc))
    except Exception as exc:  # a bug in one kommun must not take the others down
        return False, _("internal error ({exception}: {message})").format(exception=type(exc).__name__, message=exc)


def build_many(
    config: Config,
    kommuner: Sequence[Kommun],
    year: int | None,
    *,
    final: bool = False,
    report_date: date | None = None,
    workers: int | None = None,
    preview: bool = False,
    allow_missing: tuple[str, ...] = (),
) -> BatchResult:
    """The caller holds the data folder's lock and has loaded the store. A ``preview`` (web pages only, no
    render) runs in this process alone: starting a worker would take longer than the pages."""
    check_inputs(config, kommuner, year)
    workers = workers or min(os.cpu_count() or 1, len(kommuner))
    wants_overview = len(kommuner) > 1 and len({k.lan_kod for k in kommuner}) == 1
    tasks: list[Callable[[], object]] = []
    if wants_overview:  # first, so the warm parent takes it while the workers start
        tasks.append(partial(_overview, config, kommuner[0].lan, year, report_date, preview))
    tasks += [
        partial(_build_one, replace(config, kommun=k), year, final, report_date, preview, allow_missing)
        for k in kommuner
    ]
    results = [task() for task in tasks] if preview else _run_shared(tasks, workers)
    overview = results.pop(0) if wants_overview else None
    outcomes = [r for r in results if isinstance(r, tuple)]
    built = tuple(Path(text) for ok, text in outcomes if ok)
    failed = tuple((k, text) for k, (ok, text) in zip(kommuner, outcomes, strict=True) if not ok)
    with open_store(config.db_path) as store:
        covered = coverage(store, kommuner)
    return BatchResult(
        built=built,
        failed=failed,
        overview=overview if isinstance(overview, Path) else None,
        overview_failed=overview if isinstance(overview, str) else None,
        coverage=covered,
    )


def check_inputs(config: Config, kommuner: Sequence[Kommun], year: int | None) -> None:
    """Before anything is written: a batch none of whose kommuner has Brå data (for ``year``) is refused, instead
    of rewriting every report set without it and failing at the län overview."""
    with open_store(config.db_path) as store:
        found = store.rows(
            "select count(*) as n from ind_anmalda_brott where geo_niva = 'kommun' and antal is not null "
            "and list_contains($kommuner, geo_kod) and ($y is null or ar = $y)",
            {"kommuner": [k.kod for k in kommuner], "y": year},
        )[0]["n"]
    if found:
        return
    lans = {k.lan_kod: k.lan for k in kommuner}
    if len(kommuner) == 1:
        where = kommuner[0].namn
    elif len(lans) == 1:
        where = _("the {count} kommuner of {lan}").format(count=len(kommuner), lan=next(iter(lans.values())).namn)
    else:
        where = _("the kommuner")
    message = (
        _("No Brå data for {where} in {year}; nothing was written.")
        if year
        else _("No Brå data for {where}; nothing was written.")
    )
    raise DataMissingError(
        message.format(where=where, year=year),
        hint=_(
            "Import their Brå workbooks with 'lagesbild import bra FOLDER' (or fetch them with 'lagesbild fetch' "
            "and a config for a kommun of that län), then build again."
        ),
    )


def _overview(config: Config, lan: Lan, year: int | None, report_date: date | None, preview: bool) -> Path | str | None:
    """The län overview, or why it could not be made: the kommuner's reports are written all the same."""
    try:
        return lan_overview(config, lan, year, report_date, preview)
    except LagesbildError as exc:
        return str(exc)
    except OSError as exc:
        return str(storage_error(exc))


# WeasyPrint's native libraries keep about 2 MB per rendered report in the process (not Python objects:
# gc and malloc_trim do not return it), so no process renders without limit: this process takes at most
# PARENT_TASKS and then hands its place to one more worker, and each worker process is replaced after
# WORKER_TASKS. (ProcessPoolExecutor's own max_tasks_per_child can deadlock on Python 3.11: gh-115634.)
PARENT_TASKS = 20
WORKER_TASKS = 50


def _run_shared(tasks: Sequence[Callable[[], object]], workers: int) -> list[object]:
    """Run the tasks on ``workers`` cores: this process takes a share and ``workers - 1`` spawned worker
    processes the rest, each taking the next task when it is free.

    This process has already imported polars, DuckDB and the templates (and WeasyPrint after its first
    render), which a new process pays about two seconds for; so it works instead of waiting, up to
    PARENT_TASKS. Spawn, not fork: a forked child of a process whose polars/DuckDB thread pools are
    running can deadlock on their locks. A worker that dies fails only its own task; a new one takes over.
    With ``workers = 1`` the same limits hold: this process renders first, then one worker at a time.
    """
    results: list[object] = [None] * len(tasks)
    queue = iter(range(len(tasks)))
    lock = threading.Lock()
    errors: list[BaseException] = []
    spawn = multiprocessing.get_context("spawn")

    def next_task() -> int | None:
        with lock:
            return next(queue, None)

    def feed_worker() -> None:  # one thread per worker process: it waits, the process works
        pool: ProcessPoolExecutor | None = None
        done = 0
        try:
            while (i := next_task()) is not None:
                if pool is None or done == WORKER_TASKS:
                    if pool is not None:
                        pool.shutdown()
                    pool, done = (
                        ProcessPoolExecutor(max_workers=1, mp_context=spawn, initializer=interrupts.leave_to_parent),
                        0,
                    )
                try:
                    results[i] = pool.submit(tasks[i]).result()
                    done += 1
                except BrokenProcessPool as exc:  # the process died hard: its task fails, a new one goes on
                    results[i] = (False, _("the worker process stopped unexpectedly ({reason})").format(reason=exc))
                    pool.shutdown()
                    pool = None
        except BaseException as exc:  # re-raised in the calling thread below
            errors.append(exc)
        finally:
            if pool is not None:
                pool.shutdown()

    feeders = [threading.Thread(target=feed_worker, daemon=True) for _worker in range(workers - 1)]
    for feeder in feeders:
        feeder.start()
    for _round in range(PARENT_TASKS):
        if (i := next_task()) is None:
            break
        results[i] = tasks[i]()
    else:  # this process has done its share: one more worker takes its place
        feeders.append(threading.Thread(target=feed_worker, daemon=True))
        feeders[-1].start()
    for feeder in feeders:
        feeder.join()
    if errors:
        raise errors[0]
    return results


def lan_overview(
    config: Config, lan: Lan, year: int | None, report_date: date | None, preview: bool = False
) -> Path | None:
    """The län overview: every kommun × the key Brå series against the län and riket, a ranked bar chart per
    series, NTU per kommun, the map and the sources. Its PDF with the web page and the exports beside it, or
    for a ``preview`` its web page alone (data/processed/preview/lan-<kod>/)."""
    with open_store(config.db_path) as store:
        when = report_date or data_date(store)
        data = lan_context.overview(store, lan, year, when)
    html = overview_html(config, data)
    if preview:
        page = report.preview_dir(config, data.year, f"lan-{lan.kod}") / "lansoversikt.html"
        atomic_write_bytes(page, html.encode("utf-8"))
        return page
    pdf = report.render_pdf(html)
    folder = config.reports_dir / f"lan-{lan.kod}" / str(data.year)
    with staging.replaced_folder(folder, config.data_dir) as new:
        atomic_write_bytes(new / "lansoversikt.html", html.encode("utf-8"))
        atomic_write_bytes(new / "lansoversikt.pdf", pdf)
        exports.write(new, lan_context.sheets(data), data.title, when)
    return folder / "lansoversikt.pdf"


def overview_html(config: Config, data: lan_context.LanOverview) -> str:
    env = report.environment(config.templates_dir)
    css = (config.templates_dir / "style.css").read_text(encoding="utf-8")
    html = env.get_template("overview.html.j2").render(o=data, css=css)
    return markup.drop_blank_between_blocks(html)
