"""The ``lagesbild`` command: thin Typer commands over :mod:`lagesbild_cli.pipeline`.

Exit codes, the same for every command:

- 0: success.
- 1: an error the message explains (EXIT_ERROR): bad input, a failed download, missing data, and what the
  operating system refuses (no permission, a read-only or full disk, a missing folder). Nothing already
  stored is lost.
- 2: a usage error (EXIT_USAGE), from click: an unknown command or option, a bad option value such as
  ``--year abc``, or no command at all (then the help is printed too).
- 70: a bug in lagesbild (EXIT_BUG, EX_SOFTWARE in sysexits.h): the message names the exception and
  where it was raised, asks for a report, and shows no traceback full of data.
- 130 and 143: stopped by Ctrl-C (SIGINT) or SIGTERM, as a shell reports a process ended by the signal. One
  line says what had taken effect (see :func:`interrupts.done`) and that everything else is as it was.

Errors are mapped to these codes in one place, :func:`_run`; an interrupt anywhere in a command in
:class:`_Commands`.
"""

from __future__ import annotations

import re
import shlex
import signal
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO, TypeVar

import typer
from typer.core import TyperGroup

from lagesbild_cli import __version__, interrupts
from lagesbild_cli.errors import LagesbildError, storage_error
from lagesbild_cli.settings.defaults import DEFAULT_CONFIG, DEMO_DIR, SOURCE_NAMES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lagesbild_cli.batch import Coverage
    from lagesbild_cli.database.loader import LoadResult
    from lagesbild_cli.settings.config import Config
    from lagesbild_cli.settings.kommuner import Kommun
    from lagesbild_cli.sources.by_hand import Imported

# The commands import what they use where they run. pipeline and doctor pull in polars, DuckDB, WeasyPrint,
# openpyxl and httpx (seconds of imports), which --help, version, kommuner, init and usage or config errors
# never need; the config, the kommun list and the demo are light but still cost as much as Typer, so --help
# imports none of them. tests/test_startup.py guards both.

T = TypeVar("T")

EXIT_ERROR = 1
EXIT_USAGE = 2  # click's own code for usage errors
EXIT_BUG = 70  # EX_SOFTWARE


class _Commands(TyperGroup):
    """The commands, each run as one run: an interrupt anywhere in one (Ctrl-C, SIGTERM) ends it with one line
    and exit code 130 or 143, never click's "Aborted!" or a traceback."""

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]  # typer's own click's Context
        interrupts.forget()
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:  # Interrupted too
            _interrupted(exc)


app = typer.Typer(
    name="lagesbild",
    cls=_Commands,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Typer's rich help costs half a second of imports before a word is shown
    help="Build a municipality's lägesbild of crime (SFS 2023:196) from Brå and other open data.",
)
import_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="Import files downloaded by hand into data/raw/."
)
app.add_typer(import_app, name="import")
survey_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="Help with the citizen survey's [survey] mapping."
)
app.add_typer(survey_app, name="survey")

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="The config file.", show_default=True)]
KommunOption = Annotated[
    str | None, typer.Option("--kommun", "-k", help="Kommun code or name; overrides the config for this run.")
]


# The --config of this run when it is not ./lagesbild.toml: every command suggested in a message then carries it,
# so that the suggestion, run from another folder, still works on this project (set by _config and doctor).
_given_config: Path | None = None
_SUGGESTED = re.compile(
    r"\blagesbild (?:fetch|build|load|doctor|check-sources|import (?:bra|polisen|raddning|survey|scb|kolada|mcf|geo))\b"
    r"(?: (?:[A-Z]{2,}\b|--source [a-z]+|--year \d+|--(?!config\b)[a-z][a-z-]*\b(?! [a-z0-9])))*"
)


def _remember_config(path: Path) -> None:
    global _given_config  # one run, one config
    _given_config = None if path == DEFAULT_CONFIG else path


def _with_config(text: str) -> str:
    """``text`` with ``--config PATH`` after every ``lagesbild <command> [ARGS]`` it suggests, when the run's
    config is not the default ./lagesbild.toml (as init's next steps do)."""
    if _given_config is None:
        return text
    option = f" --config {shlex.quote(str(_given_config))}"

    def add(match: re.Match[str]) -> str:
        given = text.startswith(" --config", match.end())
        return match.group(0) if given else match.group(0) + option

    return _SUGGESTED.sub(add, text)


def _run(action: Callable[[], T]) -> T:
    """Run one pipeline step; the one place where errors become exit codes."""
    try:
        return action()
    except Exception as exc:
        if interrupts.received() is not None or _caused_by_interrupt(exc):
            _interrupted(exc)  # an error the interrupt caused (a library cut off mid-work) is the interrupt
        if isinstance(exc, LagesbildError):
            _fail(exc)
        if isinstance(exc, OSError):  # no permission, a read-only or full disk, a missing folder: the user can fix it
            _fail(storage_error(exc, base=_working_dir()))
        # a bug: say so, keep data out of the message
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        typer.echo(
            f"Internal error (a bug in lagesbild {__version__}): {type(exc).__name__} at "
            f"{Path(frame.filename).name}:{frame.lineno}. Please report it.",
            err=True,
        )
        raise typer.Exit(EXIT_BUG) from None


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt (Ctrl-C, or SIGTERM as :class:`interrupts.Interrupted`) is behind ``exc``: a
    library that catches it mid-work raises its own error (DuckDB's "interrupted"), with the signal's as cause."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt) or type(current).__name__ == "InterruptException":
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


NOTHING_CHANGED = "nothing was changed; the raw data, the database and the reports are as they were."
_told_interrupted = False  # one run, one line


def _interrupted(exc: BaseException) -> NoReturn:
    """End a run stopped by a signal: one line (see :func:`_tell_interrupted`), exit code 128 + the signal's."""
    signum = exc.signum if isinstance(exc, interrupts.Interrupted) else interrupts.received() or signal.SIGINT
    _tell_interrupted(signum)
    raise typer.Exit(128 + signum) from None


def _tell_interrupted(signum: int) -> None:
    """One line for a run stopped by a signal: what had taken effect (the notes of :func:`interrupts.done`) and
    that everything else is as it was."""
    global _told_interrupted
    _told_interrupted = True
    how = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    notes = interrupts.notes()
    if not notes:
        line = f"Interrupted by {how}: {NOTHING_CHANGED}"
    else:
        shown = "; ".join(notes[:3]) + (f"; and {len(notes) - 3} more" if len(notes) > 3 else "")
        line = f"Interrupted by {how}, after: {shown}. Nothing else was changed."
    typer.echo(_with_config(line), err=True)


def _fail(exc: LagesbildError) -> NoReturn:
    typer.echo(_with_config(f"Error ({exc.kind}): {exc}"), err=True)
    raise typer.Exit(EXIT_ERROR) from None


def _working_dir() -> Path | None:
    try:
        return Path.cwd()
    except OSError:  # the working folder was removed
        return None


def _report_problems(loaded: LoadResult | None) -> None:
    """Raw files that no longer parse were left out of the database: say so and exit 1."""
    if loaded is None or not loaded.problems:
        return
    for problem in loaded.problems:
        typer.echo(_with_config(f"Error (left out of the database): {problem}"), err=True)
    raise typer.Exit(1)


def _config(path: Path, kommun: str | None = None) -> Config:
    from lagesbild_cli.settings.config import load_config

    _remember_config(path)
    config = _run(lambda: load_config(path))
    return _run(lambda: config.with_kommun(kommun)) if kommun else config


def _known_sources(values: list[str] | None) -> list[str] | None:
    """--source: a name lagesbild fetches and checks; another is a usage error (exit 2), like --year abc."""
    for value in values or []:
        if value not in SOURCE_NAMES:
            raise typer.BadParameter(
                f"{value!r} is not a source lagesbild fetches or checks; choose from: {', '.join(SOURCE_NAMES)}.",
                param_hint="'--source'",
            )
    return values


SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        "-s",
        help=f"Only this source (repeatable): {', '.join(SOURCE_NAMES)}.",
        callback=_known_sources,
    ),
]


@app.command()
def fetch(
    config: ConfigOption = DEFAULT_CONFIG,
    kommun: KommunOption = None,
    source: SourceOption = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Fetch nothing; rebuild the database from what is on disk.")
    ] = False,
) -> None:
    """Download every source (Brå, Polisen, SCB, Kolada, MCF, geodata) into data/raw/ and load DuckDB.

    Brå's workbooks are found through Brå's page and its search (with a headless Chrome/Chromium when the
    page shows its hits only by script, if one is installed; see [sources.bra] browser).

    A failing source does not stop the others; the summary says what each did, and the exit code is 1
    if any failed.
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

    cfg = _config(config, kommun)
    from lagesbild_cli import pipeline

    if offline:
        loaded = _run(lambda: pipeline.load(cfg))
        typer.echo(f"Offline: loaded what is on disk into {loaded.db_path}")
        return
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def progress(name: str, stage: str) -> None:
            if stage == "start":
                tasks[name] = bars.add_task(f"Fetching {name}…", total=1)
            else:
                bars.update(tasks[name], completed=1)

        report = _run(lambda: pipeline.fetch(cfg, source, progress=progress))
    for result in report.results:
        typer.echo(f"{result.source:<8} {result.status:<9} {result.summary()}")
        for failure in result.details:
            typer.echo(_with_config(f"  - {failure}"), err=True)
    if report.load is not None:
        typer.echo(f"Database: {report.load.db_path}")
    _report_problems(report.load)
    if report.failed:
        by_hand = [r.by_hand for r in report.failed if r.by_hand]
        if by_hand:
            typer.echo("What failed can be downloaded by hand:", err=True)
            for text in by_hand:
                typer.echo(_with_config(f"  {text}"), err=True)
        if any(r.unreachable for r in report.failed):
            again = "Or run" if by_hand else "Run"
            typer.echo(_with_config(f"{again} 'lagesbild fetch' again once the servers can be reached."), err=True)
        names = ", ".join(r.source for r in report.failed)
        typer.echo(
            f"Error: {len(report.failed)} source(s) failed: {names}. Their previous data is untouched.", err=True
        )
        raise typer.Exit(1)


@import_app.command("bra")
def import_bra(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks (.xlsx) or folders of them.")],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import Brå workbooks downloaded by hand from Brå's indicator page."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    imported, loaded = _run(lambda: pipeline.import_bra(cfg, paths))
    for kommun, entry, skipped in imported:
        typer.echo(f"Imported {kommun.namn} ({kommun.kod}) → data/raw/{entry.file}")
        for note in skipped:
            typer.echo(f"  skipped {note}")
    workbooks = "workbook" if loaded.bra_workbooks == 1 else "workbooks"
    typer.echo(f"Loaded {loaded.bra_workbooks} {workbooks} into {loaded.db_path}")
    _report_problems(loaded)


def _imported_by_hand(imported: list[Imported], loaded: LoadResult) -> None:
    for item in imported:
        typer.echo(f"Imported {item.name} ({item.what}) → data/raw/{item.entry.file}")
        if item.next_url:
            typer.echo(f"  Kolada's answer continues on another page: save {item.next_url} too and import it.")
    typer.echo(f"Database: {loaded.db_path}")
    _report_problems(loaded)


@import_app.command("scb")
def import_scb(
    paths: Annotated[list[Path], typer.Argument(help="SCB answers (json-stat2) of table TAB638 or TAB6574.")],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import SCB's population saved by hand from SCB's API (the README gives the address)."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    _imported_by_hand(*_run(lambda: pipeline.import_scb(cfg, paths)))


@import_app.command("kolada")
def import_kolada(
    paths: Annotated[list[Path], typer.Argument(help="Kolada v3 answers (.json): KPIs, values, groups.")],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import Kolada's answers saved by hand from Kolada's API (the README gives the addresses)."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    _imported_by_hand(*_run(lambda: pipeline.import_kolada(cfg, paths)))


@import_app.command("mcf")
def import_mcf(
    paths: Annotated[list[Path], typer.Argument(help="MCF's table B11: its description and json answers.")],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import MCF's rescue-service statistics (table B11) saved by hand (the README gives the addresses)."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    _imported_by_hand(*_run(lambda: pipeline.import_mcf(cfg, paths)))


@import_app.command("geo")
def import_geo(
    path: Annotated[Path, typer.Argument(help="A GeoJSON file of Sweden's kommun boundaries.")],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import the kommun boundaries saved by hand (the README gives the address)."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    _imported_by_hand(*_run(lambda: pipeline.import_geo(cfg, path)))


@import_app.command("polisen")
def import_polisen(
    path: Annotated[Path, typer.Argument(help="A JSON file of Polisen events (API answer or archive).")],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Merge a file of Polisen events into the archive in data/raw/polisen/."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    in_file, new, loaded = _run(lambda: pipeline.import_polisen(cfg, path))
    typer.echo(f"Read {in_file} events from {path}; {new} were new to the archive. Database: {loaded.db_path}")


@import_app.command("raddning")
def import_raddning(
    paths: Annotated[list[Path], typer.Argument(help="CSV exports of the rescue service's event reports.")],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import the rescue service's event reports (händelserapporter): deliberate fires per area and year."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    entry, in_files, stored, loaded = _run(lambda: pipeline.import_raddning(cfg, paths))
    typer.echo(
        f"Read {in_files} events; {stored} events are stored in data/raw/{entry.file}; database: {loaded.db_path}"
    )


@import_app.command("survey")
def import_survey(
    path: Annotated[Path, typer.Argument(help="The survey tool's CSV export.")], config: ConfigOption = DEFAULT_CONFIG
) -> None:
    """Import the citizen survey: only the columns mapped in [survey] are read and stored.

    Each survey year (round) comes from one export: a round imported before is replaced, and the command
    says from which earlier file."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    imported, loaded = _run(lambda: pipeline.import_survey(cfg, path))
    rounds = ", ".join(map(str, imported.rounds))
    folder = imported.entries[0].file.rsplit("/", 1)[0]
    typer.echo(
        f"Imported {imported.respondents} survey rows (mapped columns only) of {cfg.home.namn}'s round(s) {rounds} "
        f"→ data/raw/{folder}/; database: {loaded.db_path}"
    )
    for year, earlier in imported.replaced:
        typer.echo(f"Replaced round {year} from the earlier import of {earlier}.")


@survey_app.command("suggest")
def survey_suggest(
    path: Annotated[Path, typer.Argument(help="The survey tool's CSV export.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the proposal to this file instead of the screen.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --out file if it exists.")] = False,
) -> None:
    """Propose a [survey] mapping for a survey export, as commented TOML to review and paste into
    lagesbild.toml: the id, year, area, sex, age and weight columns, the questions lagesbild knows with
    their answers sorted into yes, no and left out, and the answers it could not place.

    Free text and contact details (e-mail, phone) are never shown: such columns are named by their header."""
    from lagesbild_cli import pipeline
    from lagesbild_cli.errors import ConfigError

    text = _run(lambda: pipeline.suggest_survey(path))
    if out is None:
        typer.echo(text, nl=False)
        return
    if out.exists() and not force:
        _fail(
            ConfigError(
                f"{out} already exists; lagesbild survey suggest does not overwrite it.",
                hint="Choose another --out file, or add --force to overwrite it.",
            )
        )
    _run(lambda: out.write_text(text, encoding="utf-8"))
    typer.echo(
        f"Wrote a proposed [survey] mapping to {out}. Check every line, paste it into lagesbild.toml, "
        f"then run: lagesbild import survey {shlex.quote(str(path))}",
        err=True,
    )


@app.command()
def areas(config: ConfigOption = DEFAULT_CONFIG, kommun: KommunOption = None) -> None:
    """List the kommun's DeSO areas (SCB) with their population, to fill in deso = [...] under
    [survey.areas."NAME"] in lagesbild.toml without a map program."""
    cfg = _config(config, kommun)
    from lagesbild_cli import pipeline

    found = _run(lambda: pipeline.deso_areas(cfg))
    total = sum(n for _, n in found.areas)
    k = found.kommun
    lines = [
        f"# The DeSO areas of {k.namn} ({k.kod}) and their population in {found.year} (SCB, table TAB6574):",
        f"# {len(found.areas)} areas, {_thousands(total)} inhabitants.",
        "# SCB's names of the areas (RegSO) are not available in lagesbild yet: DeSO areas have codes only.",
        f"# The letter after {k.kod} tells the kind of area: A mostly outside towns, B mostly in a town",
        "# other than the kommun's central town, C mostly in the central town. SCB's DeSO map on scb.se",
        "# shows where each area lies.",
        "# Copy the lines of the areas that make up a report area into deso = [...] under its",
        '# [survey.areas."NAME"] table in lagesbild.toml.',
        "deso = [",
        *(f'  "{code}",  # {_thousands(n)} inhabitants' for code, n in found.areas),
        "]",
    ]
    typer.echo("\n".join(lines))


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")


@app.command()
def load(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Rebuild the DuckDB database from data/raw/ alone."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    result = _run(lambda: pipeline.load(cfg))
    workbooks = "workbook" if result.bra_workbooks == 1 else "workbooks"
    typer.echo(
        f"Loaded {result.bra_workbooks} Brå {workbooks}, {result.tables['raw_polisen_handelser']} Polisen "
        f"events and {result.tables['raw_kolada_varden']} Kolada values into {result.db_path}"
    )
    _report_problems(result)


@app.command()
def build(
    config: ConfigOption = DEFAULT_CONFIG,
    kommun: KommunOption = None,
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="Report year; default: the latest with data.")
    ] = None,
    final: Annotated[bool, typer.Option("--final", help="A final version: the narrative texts must exist.")] = False,
    compare_with: Annotated[
        Path | None,
        typer.Option(
            "--compare-with", help="An earlier report's folder (or its csv/indikatorer.csv), to show what has changed."
        ),
    ] = None,
    lan: Annotated[str | None, typer.Option("--lan", "-l", help="Build every kommun of this län.")] = None,
    report_date: Annotated[
        str | None, typer.Option("--date", help="The report's date, YYYY-MM-DD; default: the date of the newest data.")
    ] = None,
    preview: Annotated[
        bool,
        typer.Option(
            "--preview",
            help="Write only the web page, in a moment, into data/processed/preview/: for reading texts and "
            "numbers while you work on them. No PDF or exports; the report in reports/ is left as it is.",
        ),
    ] = False,
) -> None:
    """Compute the indicators and write the report as HTML, PDF and data exports (xlsx, csv).

    --kommun takes one kommun or a comma-separated list; --lan builds the whole län in parallel and adds
    a one-page län overview.
    """
    when = _report_date(report_date)
    base = _config(config)
    many = _kommun_list(lan, kommun, base.kommun)
    cfg = _run(lambda: base.with_kommun(kommun)) if kommun and not many else base
    if not many and not preview:
        _build_one(cfg, year, final=final, compare_with=compare_with, report_date=when)
        return
    from lagesbild_cli import pipeline

    if not many:
        page = _run(lambda: pipeline.preview(cfg, year, final=final, compare_with=compare_with, report_date=when))
        typer.echo(f"Wrote {page.html} (a preview: the web page only; no PDF or exports were made)")
        return
    result = _run(lambda: pipeline.build_many(cfg, many, year, final=final, report_date=when, preview=preview))
    for pdf in result.built:
        typer.echo(f"Wrote {pdf}")
    if result.overview:
        typer.echo(f"Wrote {result.overview}")
    if preview and (result.built or result.overview):
        typer.echo("(previews: the web pages only; no PDF or exports were made)")
    for failed, message in result.failed:
        typer.echo(_with_config(f"Error ({failed.namn} {failed.kod}): {message}"), err=True)
    if result.overview_failed:
        typer.echo(_with_config(f"Error (the län overview): {result.overview_failed}"), err=True)
    if result.failed:
        typer.echo(f"{len(result.failed)} of {len(many)} reports failed; the others were written.", err=True)
    elif result.overview_failed:
        typer.echo(f"The {len(result.built)} reports listed above were written; the län overview was not.", err=True)
    _coverage_table(result.coverage)
    if result.failed or result.overview_failed:
        raise typer.Exit(1)


def _coverage_table(rows: Sequence[Coverage]) -> None:
    """The end of a batch build: per kommun, what its report has data from and what it lacks."""
    if not rows:
        return
    from lagesbild_cli.settings.collation import swedish_key

    names = [name for name, _ in rows[0].sources]
    width = max(len("Kommun"), *(len(r.kommun.namn) for r in rows)) + 2
    marks = {"ok": "ok", "snapshot": "snapshot", "missing": "–"}
    lacking = [r for r in rows if r.lacks]
    typer.echo(
        f"What each kommun's report has: ok, – (missing), snapshot (delivered with lagesbild); "
        f"{len(lacking)} of {len(rows)} kommuner lack something."
    )
    typer.echo(f"{'Kommun':<{width}}" + "  ".join(names))
    for row in sorted(rows, key=lambda r: swedish_key(r.kommun.namn)):
        cells = "  ".join(f"{marks[state]:<{len(name)}}" for (name, state) in row.sources)
        typer.echo(f"{row.kommun.namn:<{width}}{cells}".rstrip())


def _build_one(
    cfg: Config, year: int | None, *, final: bool, compare_with: Path | None, report_date: date | None
) -> None:
    from lagesbild_cli.render import pdf_render

    with pdf_render.started_early() as renderer:  # WeasyPrint loads there while this process reads the database
        from lagesbild_cli import pipeline

        built = _run(
            lambda: pipeline.build(
                cfg, year, final=final, compare_with=compare_with, report_date=report_date, renderer=renderer
            )
        )
    typer.echo(f"Wrote {built.html}\nWrote {built.pdf}")
    if built.exports:
        typer.echo(f"Wrote {built.exports[0]} and {len(built.exports) - 1} CSV files in {built.exports[1].parent}")


def _report_date(text: str | None) -> date | None:
    """--date as a date; a malformed one is a usage error (exit 2), like --year abc."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date of the form YYYY-MM-DD.", param_hint="'--date'") from None


def _kommun_list(lan: str | None, kommun: str | None, own: Kommun) -> list[Kommun] | None:
    """The kommuner of a batch build, or None for a single report; ``own`` is the config's kommun."""

    from lagesbild_cli.settings.kommuner import kommuner_in_lan, resolve_kommun, resolve_lan

    def resolve() -> list[Kommun] | None:
        if lan:
            return kommuner_in_lan(resolve_lan(lan, where="--lan", example=own).kod)
        if kommun and "," in kommun:
            return [resolve_kommun(part, where="--kommun", example=own) for part in kommun.split(",") if part.strip()]
        return None

    return _run(resolve)


@app.command()
def demo(
    folder: Annotated[
        Path, typer.Option("--dir", "-d", help="The folder to write the example project into.")
    ] = DEMO_DIR,
    force: Annotated[
        bool, typer.Option("--force", help="Write into a folder that has other files (they are left alone).")
    ] = False,
) -> None:
    """Write a complete example project for Gagnef from data that comes with lagesbild, and build its report.

    Works offline. The project's lagesbild.toml, example texts and data show what a real project holds.
    """
    from lagesbild_cli import demo as demo_project

    _run(lambda: demo_project.check_folder(folder, force=force))
    from lagesbild_cli.render import pdf_render

    typer.echo(f"Writing the example project for Gagnef into {folder} and building its report (about a minute)…")
    with pdf_render.started_early() as renderer:
        from lagesbild_cli import pipeline

        result = _run(lambda: pipeline.demo(folder, force=force, renderer=renderer))
    built = result.report
    typer.echo(f"Wrote {built.html}\nWrote {built.pdf}")
    if built.exports:
        typer.echo(f"Wrote {built.exports[0]} and {len(built.exports) - 1} CSV files in {built.exports[1].parent}")
    typer.echo(
        f"Open the PDF to read the report. The project's settings are in {result.config.path}; "
        f"build it again with: lagesbild build --config {result.config.path}"
    )


@app.command()
def init(
    kommun: Annotated[
        str | None, typer.Option("--kommun", "-k", help="Kommun code or name, e.g. 2062 or Mora.")
    ] = None,
    folder: Annotated[Path, typer.Option("--dir", "-d", help="Folder for lagesbild.toml (made if missing).")] = Path(),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing lagesbild.toml.")] = False,
    lan: Annotated[
        str | None,
        typer.Option("--lan", "-l", help="A län project instead: every kommun of this län, for a länsstyrelse."),
    ] = None,
) -> None:
    """Write a commented lagesbild.toml for one kommun (--kommun) or a whole län (--lan), to start a new project."""
    from lagesbild_cli.settings import init_config

    if (kommun is None) == (lan is None):
        raise typer.BadParameter("give either --kommun or --lan.", param_hint="'--kommun' / '--lan'")
    if lan is not None:
        made = _run(lambda: init_config.create_lan(lan, folder, force=force))
        path = made.path
        typer.echo(f"Wrote {path}: a län project for the {len(made.kommuner)} kommuner of {made.lan.namn}. Next steps:")
        typer.echo(f"  1. Fill in [http] contact in {path}.")
        typer.echo(f"  2. lagesbild fetch --config {path}")
        typer.echo(f"     (or download Brå's workbooks by hand: lagesbild import bra FOLDER --config {path})")
        typer.echo(f"  3. lagesbild build --lan {made.lan.kod} --config {path}")
        return
    assert kommun is not None
    created = _run(lambda: init_config.create(kommun, folder, force=force))
    config = created.path
    typer.echo(f"Wrote {config} for {created.kommun.fullnamn} ({created.kommun.kod}). Next steps:")
    typer.echo(f"  1. Fill in [report] and [http] contact in {config}.")
    typer.echo(f"  2. lagesbild fetch --config {config}")
    typer.echo(f"     (or download Brå's workbooks by hand: lagesbild import bra FOLDER --config {config})")
    typer.echo(f"  3. lagesbild build --config {config}")
    typer.echo(
        f"     (while you write the texts, only the web page in a moment: lagesbild build --preview --config {config})"
    )


@app.command()
def kommuner(
    lan: Annotated[str | None, typer.Option("--lan", "-l", help="Only this län (code or name).")] = None,
) -> None:
    """List kommun codes and names (SCB), e.g. to fill in lagesbild.toml."""
    from lagesbild_cli.settings.kommuner import all_kommuner, resolve_lan

    wanted = _run(lambda: resolve_lan(lan, where="--lan").kod) if lan else None
    for k in all_kommuner():
        if wanted is None or k.lan_kod == wanted:
            typer.echo(f"{k.kod}  {k.namn:<16}  {k.lan.namn}")


@app.command()
def doctor(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Check Python, packages, WeasyPrint's libraries, the font, the config, the browser for Brå's search
    (found, not started), write access and data age."""
    from lagesbild_cli import doctor as doctor_checks

    _remember_config(config)
    checks = doctor_checks.run(config)
    for check in checks:
        typer.echo(f"{check.status:<5} {check.name}: {check.detail}")
        if check.fix:
            typer.echo(_with_config(f"      → {check.fix}"))
    errors = sum(c.status == "ERROR" for c in checks)
    warnings = sum(c.status == "WARN" for c in checks)
    typer.echo(f"{errors} error(s), {warnings} warning(s).")
    if errors:
        raise typer.Exit(1)


@app.command("check-sources")
def check_sources(
    config: ConfigOption = DEFAULT_CONFIG,
    source: SourceOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the answers; default: data/contracts/<UTC time>/."),
    ] = None,
) -> None:
    """Check that every source still answers in the format lagesbild reads (one small request each).

    One line per source: ok, changed: <what>, or unreachable: <why>. Every answer is kept with its URL,
    time and sha256 (--out must be a new or empty folder). Exit code 1 when a contract has changed, or when
    no source could be reached at all (nothing was checked); a source that cannot be reached while others
    can is only a warning (exit code 0), since nothing can be said about its format.
    """
    cfg = _config(config)
    from lagesbild_cli import pipeline

    report = _run(lambda: pipeline.check_sources(cfg, source, out=out))
    for outcome in report.outcomes:
        typer.echo(outcome.line())
    typer.echo(f"Answers: {report.folder}")
    if report.outcomes and len(report.unreachable) == len(report.outcomes):
        typer.echo(
            "Error: no source could be reached: check the network (or a proxy or firewall), then run again. "
            "Nothing was checked.",
            err=True,
        )
        raise typer.Exit(EXIT_ERROR)
    if report.unreachable:
        names = ", ".join(o.source for o in report.unreachable)
        typer.echo(
            f"Warning: {names} could not be reached, so their format was not checked (not an error); run again later.",
            err=True,
        )
    if report.changed:
        names = ", ".join(o.source for o in report.changed)
        typer.echo(
            f"Error: the format of {names} has changed; lagesbild fetch may fail or misread it. "
            f"The answers are in {report.folder}.",
            err=True,
        )
        raise typer.Exit(EXIT_ERROR)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"lagesbild {__version__}")


@app.callback()
def startup() -> None:
    """Build a municipality's lägesbild of crime (SFS 2023:196) from Brå and other open data."""
    from lagesbild_cli.render.weasyprint_check import check_weasyprint

    _remember_config(DEFAULT_CONFIG)
    _show_notices()
    _run(check_weasyprint)


def _show_notices() -> None:
    """The library's notices (a damaged log read as empty, a damaged database rebuilt) as one line each on
    stderr; other warnings as Python shows them."""
    import warnings

    from lagesbild_cli.errors import Notice

    shown = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, Notice):
            typer.echo(_with_config(f"Note: {message}"), err=True)
        else:
            shown(message, category, filename, lineno, file, line)

    if not getattr(shown, "lagesbild", False):
        show.lagesbild = True  # type: ignore[attr-defined]
        warnings.showwarning = show


def main() -> None:
    interrupts.install()  # SIGTERM is a user's event like Ctrl-C: both end the run in _Commands, with one line
    try:
        app()
    except SystemExit:
        signum = interrupts.received()
        if signum is None or _told_interrupted:
            raise
        _tell_interrupted(signum)  # stopped while click read the arguments: nothing had begun
        sys.exit(128 + signum)
