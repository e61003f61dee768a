"""Getting data in: fetch, the imports by hand, the survey's helpers and load."""

from __future__ import annotations

import shlex
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from lagesbild_cli.i18n import _, ngettext
from lagesbild_cli.settings.defaults import DEFAULT_CONFIG

if TYPE_CHECKING:
    from lagesbild_cli.database.loader import LoadResult
    from lagesbild_cli.sources.by_hand import Imported

# The commands import what they use where they run. pipeline and doctor pull in polars, DuckDB, WeasyPrint,
# openpyxl and httpx (seconds of imports), which --help, version, kommuner, init and usage or config errors
# never need; the config, the kommun list and the demo are light but still cost as much as Typer, so --help
# imports none of them. tests/test_startup.py guards both.
import typer

from lagesbild_cli.cli.app import (
    ConfigOption,
    KommunOption,
    SourceOption,
    _config,
    _echo,
    _fail,
    _report_problems,
    _run,
    app,
    import_app,
    survey_app,
)


@app.command(
    help=_(
        "Download every source (Brå, Polisen, SCB, Kolada, MCF, geodata) into data/raw/ and load DuckDB.\n\n"
        "Brå's workbooks are found through Brå's page and its search (with a headless Chrome/Chromium when the "
        "page shows its hits only by script, if one is installed; see [sources.bra] browser).\n\n"
        "A failing source does not stop the others; the summary says what each did, and the exit code is 1 "
        "if any failed."
    )
)
def fetch(
    config: ConfigOption = DEFAULT_CONFIG,
    kommun: KommunOption = None,
    source: SourceOption = None,
    offline: Annotated[
        bool, typer.Option("--offline", help=_("Fetch nothing; rebuild the database from what is on disk."))
    ] = False,
) -> None:
    """Download every source into data/raw/ and load DuckDB (help: above)."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

    cfg = _config(config, kommun)
    from lagesbild_cli import pipeline

    if offline:
        loaded = _run(lambda: pipeline.load(cfg))
        _echo(_("Offline: loaded what is on disk into {path}").format(path=loaded.db_path))
        return
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def progress(name: str, stage: str) -> None:
            if stage == "start":
                tasks[name] = bars.add_task(_("Fetching {source}…").format(source=name), total=1)
            else:
                bars.update(tasks[name], completed=1)

        report = _run(lambda: pipeline.fetch(cfg, source, progress=progress))
    for result in report.results:
        _echo(f"{result.source:<8} {result.status:<9} {result.summary()}")
        for failure in result.details:
            _echo(f"  - {failure}", err=True)
    if report.load is not None:
        _echo(_("Database: {path}").format(path=report.load.db_path))
    _report_problems(report.load)
    if report.failed:
        by_hand = [r.by_hand for r in report.failed if r.by_hand]
        if by_hand:
            _echo(_("What failed can be downloaded by hand:"), err=True)
            for text in by_hand:
                _echo(f"  {text}", err=True)
        if any(r.unreachable for r in report.failed):
            again = (
                _("Or run 'lagesbild fetch' again once the servers can be reached.")
                if by_hand
                else _("Run 'lagesbild fetch' again once the servers can be reached.")
            )
            _echo(again, err=True)
        names = ", ".join(r.source for r in report.failed)
        failed = ngettext(
            "Error: {count} source failed: {names}. Its previous data is untouched.",
            "Error: {count} sources failed: {names}. Their previous data is untouched.",
            len(report.failed),
        )
        _echo(failed.format(count=len(report.failed), names=names), err=True)
        raise typer.Exit(1)


@import_app.command("bra", help=_("Import Brå workbooks downloaded by hand from Brå's indicator page."))
def import_bra(
    paths: Annotated[list[Path], typer.Argument(help=_("Workbooks (.xlsx) or folders of them."))],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import Brå workbooks downloaded by hand."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    imported, loaded = _run(lambda: pipeline.import_bra(cfg, paths))
    for kommun, entry, skipped in imported:
        _echo(
            _("Imported {name} ({code}) → data/raw/{file}").format(name=kommun.namn, code=kommun.kod, file=entry.file)
        )
        for note in skipped:
            _echo(_("  skipped {note}").format(note=note))
    loaded_into = ngettext(
        "Loaded {count} workbook into {path}", "Loaded {count} workbooks into {path}", loaded.bra_workbooks
    )
    _echo(loaded_into.format(count=loaded.bra_workbooks, path=loaded.db_path))
    _report_problems(loaded)


def _imported_by_hand(imported: list[Imported], loaded: LoadResult) -> None:
    for item in imported:
        _echo(
            _("Imported {name} ({what}) → data/raw/{file}").format(name=item.name, what=item.what, file=item.entry.file)
        )
        if item.next_url:
            _echo(
                _("  Kolada's answer continues on another page: save {url} too and import it.").format(
                    url=item.next_url
                )
            )
    _echo(_("Database: {path}").format(path=loaded.db_path))
    _report_problems(loaded)


@import_app.command(
    "scb", help=_("Import SCB's population saved by hand from SCB's API (the README gives the address).")
)
def import_scb(
    paths: Annotated[list[Path], typer.Argument(help=_("SCB answers (json-stat2) of table TAB638 or TAB6574."))],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import SCB's population saved by hand."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    _imported_by_hand(*_run(lambda: pipeline.import_scb(cfg, paths)))


@import_app.command(
    "kolada", help=_("Import Kolada's answers saved by hand from Kolada's API (the README gives the addresses).")
)
def import_kolada(
    paths: Annotated[list[Path], typer.Argument(help=_("Kolada v3 answers (.json): KPIs, values, groups."))],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import Kolada's answers saved by hand."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    _imported_by_hand(*_run(lambda: pipeline.import_kolada(cfg, paths)))


@import_app.command(
    "mcf",
    help=_("Import MCF's rescue-service statistics (table B11) saved by hand (the README gives the addresses)."),
)
def import_mcf(
    paths: Annotated[list[Path], typer.Argument(help=_("MCF's table B11: its description and json answers."))],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import MCF's rescue-service statistics saved by hand."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    _imported_by_hand(*_run(lambda: pipeline.import_mcf(cfg, paths)))


@import_app.command("geo", help=_("Import the kommun boundaries saved by hand (the README gives the address)."))
def import_geo(
    path: Annotated[Path, typer.Argument(help=_("A GeoJSON file of Sweden's kommun boundaries."))],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import the kommun boundaries saved by hand."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    _imported_by_hand(*_run(lambda: pipeline.import_geo(cfg, path)))


@import_app.command("polisen", help=_("Merge a file of Polisen events into the archive in data/raw/polisen/."))
def import_polisen(
    path: Annotated[Path, typer.Argument(help=_("A JSON file of Polisen events (API answer or archive)."))],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Merge a file of Polisen events into the archive."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    in_file, new, loaded = _run(lambda: pipeline.import_polisen(cfg, path))
    _echo(
        _("Read {count} events from {file}; {new} were new to the archive. Database: {path}").format(
            count=in_file, file=path, new=new, path=loaded.db_path
        )
    )


@import_app.command(
    "raddning",
    help=_("Import the rescue service's event reports (händelserapporter): deliberate fires per area and year."),
)
def import_raddning(
    paths: Annotated[list[Path], typer.Argument(help=_("CSV exports of the rescue service's event reports."))],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import the rescue service's event reports."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    entry, in_files, stored, loaded = _run(lambda: pipeline.import_raddning(cfg, paths))
    _echo(
        _("Read {count} events; {stored} events are stored in data/raw/{file}; database: {path}").format(
            count=in_files, stored=stored, file=entry.file, path=loaded.db_path
        )
    )


@import_app.command(
    "survey",
    help=_(
        "Import the citizen survey: only the columns mapped in [survey] are read and stored.\n\n"
        "Each survey year (round) comes from one export: a round imported before is replaced, and the command "
        "says from which earlier file."
    ),
)
def import_survey(
    path: Annotated[Path, typer.Argument(help=_("The survey tool's CSV export."))],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import the citizen survey's mapped columns."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    imported, loaded = _run(lambda: pipeline.import_survey(cfg, path))
    rounds = ", ".join(map(str, imported.rounds))
    folder = imported.entries[0].file.rsplit("/", 1)[0]
    imported_rows = ngettext(
        "Imported {count} survey row (mapped columns only) of {kommun}'s round(s) {rounds} → data/raw/{folder}/; "
        "database: {path}",
        "Imported {count} survey rows (mapped columns only) of {kommun}'s round(s) {rounds} → data/raw/{folder}/; "
        "database: {path}",
        imported.respondents,
    )
    _echo(
        imported_rows.format(
            count=imported.respondents, kommun=cfg.home.namn, rounds=rounds, folder=folder, path=loaded.db_path
        )
    )
    for year, earlier in imported.replaced:
        _echo(_("Replaced round {year} from the earlier import of {file}.").format(year=year, file=earlier))


@survey_app.command(
    "suggest",
    help=_(
        "Propose a [survey] mapping for a survey export, as commented TOML to review and paste into "
        "lagesbild.toml: the id, year, area, sex, age and weight columns, the questions lagesbild knows with "
        "their answers sorted into yes, no and left out, and the answers it could not place.\n\n"
        "Free text and contact details (e-mail, phone) are never shown: such columns are named by their header."
    ),
)
def survey_suggest(
    path: Annotated[Path, typer.Argument(help=_("The survey tool's CSV export."))],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help=_("Write the proposal to this file instead of the screen."))
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=_("Overwrite the --out file if it exists."))] = False,
) -> None:
    """Propose a [survey] mapping for a survey export."""
    from lagesbild_cli import pipeline
    from lagesbild_cli.errors import ConfigError

    text = _run(lambda: pipeline.suggest_survey(path))
    if out is None:
        typer.echo(text, nl=False)  # TOML to paste: printed as it is
        return
    if out.exists() and not force:
        _fail(
            ConfigError(
                _("{path} already exists; lagesbild survey suggest does not overwrite it.").format(path=out),
                hint=_("Choose another --out file, or add --force to overwrite it."),
            )
        )
    _run(lambda: out.write_text(text, encoding="utf-8"))
    _echo(
        _(
            "Wrote a proposed [survey] mapping to {path}. Check every line, paste it into lagesbild.toml, "
            "then run: lagesbild import survey {file}"
        ).format(path=out, file=shlex.quote(str(path))),
        err=True,
    )


@app.command(
    help=_(
        "List the kommun's DeSO areas (SCB) with their population, to fill in deso = [...] under "
        '[survey.areas."NAME"] in lagesbild.toml without a map program.'
    )
)
def areas(config: ConfigOption = DEFAULT_CONFIG, kommun: KommunOption = None) -> None:
    """List the kommun's DeSO areas with their population."""
    cfg = _config(config, kommun)
    from lagesbild_cli import pipeline

    found = _run(lambda: pipeline.deso_areas(cfg))
    total = sum(n for _code, n in found.areas)
    k = found.kommun
    comment = [
        _("The DeSO areas of {kommun} ({code}) and their population in {year} (SCB, table TAB6574):").format(
            kommun=k.namn, code=k.kod, year=found.year
        ),
        ngettext(
            "{count} area, {people} inhabitants.", "{count} areas, {people} inhabitants.", len(found.areas)
        ).format(count=len(found.areas), people=_thousands(total)),
        _("SCB's names of the areas (RegSO) are not available in lagesbild yet: DeSO areas have codes only."),
        _(
            "The letter after {code} tells the kind of area: A mostly outside towns, B mostly in a town "
            "other than the kommun's central town, C mostly in the central town. SCB's DeSO map on scb.se "
            "shows where each area lies."
        ).format(code=k.kod),
        _(
            'Copy the lines of the areas that make up a report area into deso = [...] under its [survey.areas."NAME"] '
            "table in lagesbild.toml."
        ),
    ]
    lines = [
        *(f"# {line}" for paragraph in comment for line in textwrap.wrap(paragraph, 100)),
        "deso = [",
        *(f'  "{code}",  # ' + _("{people} inhabitants").format(people=_thousands(n)) for code, n in found.areas),
        "]",
    ]
    typer.echo("\n".join(lines))


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")


@app.command(help=_("Rebuild the DuckDB database from data/raw/ alone."))
def load(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Rebuild the DuckDB database from data/raw/ alone."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    result = _run(lambda: pipeline.load(cfg))
    loaded = ngettext(
        "Loaded {count} Brå workbook, {events} Polisen events and {values} Kolada values into {path}",
        "Loaded {count} Brå workbooks, {events} Polisen events and {values} Kolada values into {path}",
        result.bra_workbooks,
    )
    _echo(
        loaded.format(
            count=result.bra_workbooks,
            events=result.tables["raw_polisen_handelser"],
            values=result.tables["raw_kolada_varden"],
            path=result.db_path,
        )
    )
    _report_problems(result)
