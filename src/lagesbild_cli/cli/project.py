"""The project and the tool: init, kommuner, doctor, check-sources and version."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from lagesbild_cli import __version__
from lagesbild_cli.settings.defaults import DEFAULT_CONFIG

if TYPE_CHECKING:
    pass

# The commands import what they use where they run. pipeline and doctor pull in polars, DuckDB, WeasyPrint,
# openpyxl and httpx (seconds of imports), which --help, version, kommuner, init and usage or config errors
# never need; the config, the kommun list and the demo are light but still cost as much as Typer, so --help
# imports none of them. tests/test_startup.py guards both.
import typer

from lagesbild_cli.cli.app import (
    EXIT_ERROR,
    ConfigOption,
    SourceOption,
    _config,
    _remember_config,
    _run,
    _with_config,
    app,
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
