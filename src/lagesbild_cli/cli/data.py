"""Getting data in: fetch, the imports by hand, the survey's helpers and load."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    _fail,
    _report_problems,
    _run,
    _with_config,
    app,
    import_app,
    survey_app,
)


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
