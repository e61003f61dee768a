"""The project and the tool: init, kommuner, doctor, check-sources and version."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from lagesbild_cli import __version__
from lagesbild_cli.i18n import N_, _, ngettext
from lagesbild_cli.settings.defaults import DEFAULT_CONFIG

if TYPE_CHECKING:
    from lagesbild_cli.doctor import Check

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
    _echo,
    _remember_config,
    _run,
    app,
)


@app.command(
    help=_("Write a commented lagesbild.toml for one kommun (--kommun) or a whole län (--lan), to start a new project.")
)
def init(
    kommun: Annotated[
        str | None, typer.Option("--kommun", "-k", help=_("Kommun code or name, e.g. 2062 or Mora."))
    ] = None,
    folder: Annotated[
        Path, typer.Option("--dir", "-d", help=_("Folder for lagesbild.toml (made if missing)."))
    ] = Path(),
    force: Annotated[bool, typer.Option("--force", help=_("Overwrite an existing lagesbild.toml."))] = False,
    lan: Annotated[
        str | None,
        typer.Option("--lan", "-l", help=_("A län project instead: every kommun of this län, for a länsstyrelse.")),
    ] = None,
) -> None:
    """Write a commented lagesbild.toml for a new project."""
    from lagesbild_cli.settings import init_config

    if (kommun is None) == (lan is None):
        raise typer.BadParameter(_("give either --kommun or --lan."), param_hint="'--kommun' / '--lan'")
    if lan is not None:
        made = _run(lambda: init_config.create_lan(lan, folder, force=force))
        path = made.path
        config = shlex.quote(str(path))
        _echo(
            _("Wrote {path}: a län project for the {count} kommuner of {lan}. Next steps:").format(
                path=path, count=len(made.kommuner), lan=made.lan.namn
            )
        )
        _echo(_("  1. Fill in [http] contact in {path}.").format(path=path))
        _echo(f"  2. lagesbild fetch --config {config}")
        _echo(_("     (or download Brå's workbooks by hand: {command})").format(command=_bra_by_hand(config)))
        _echo(f"  3. lagesbild build --lan {made.lan.kod} --config {config}")
        return
    assert kommun is not None
    created = _run(lambda: init_config.create(kommun, folder, force=force))
    config = shlex.quote(str(created.path))
    _echo(
        _("Wrote {path} for {kommun} ({code}). Next steps:").format(
            path=created.path, kommun=created.kommun.fullnamn, code=created.kommun.kod
        )
    )
    _echo(_("  1. Fill in [report] and [http] contact in {path}.").format(path=created.path))
    _echo(f"  2. lagesbild fetch --config {config}")
    _echo(_("     (or download Brå's workbooks by hand: {command})").format(command=_bra_by_hand(config)))
    _echo(f"  3. lagesbild build --config {config}")
    _echo(
        _("     (while you write the texts, only the web page in a moment: {command})").format(
            command=f"lagesbild build --preview --config {config}"
        )
    )


def _bra_by_hand(config: str) -> str:
    """The command that imports Brå's workbooks saved by hand, FOLDER in the run's language."""
    return f"lagesbild import bra {_(FOLDER)} --config {config}"


FOLDER = N_("FOLDER")  # a placeholder in a suggested command


@app.command(help=_("List kommun codes and names (SCB), e.g. to fill in lagesbild.toml."))
def kommuner(
    lan: Annotated[str | None, typer.Option("--lan", "-l", help=_("Only this län (code or name)."))] = None,
) -> None:
    """List kommun codes and names (SCB), e.g. to fill in lagesbild.toml."""
    from lagesbild_cli.settings.kommuner import all_kommuner, resolve_lan

    wanted = _run(lambda: resolve_lan(lan, where="--lan").kod) if lan else None
    for k in all_kommuner():
        if wanted is None or k.lan_kod == wanted:
            typer.echo(f"{k.kod}  {k.namn:<16}  {k.lan.namn}")


@app.command(
    help=_(
        "Check Python, packages, WeasyPrint's libraries, the font, the config, the browser for Brå's search "
        "(found, not started), write access and data age."
    )
)
def doctor(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Check that this machine and this project are ready (help: above)."""
    from lagesbild_cli import doctor as doctor_checks

    _remember_config(config)
    checks = doctor_checks.run(config)
    _doctor_lines(checks)
    errors = sum(c.status == "ERROR" for c in checks)
    warnings = sum(c.status == "WARN" for c in checks)
    _echo(
        _("{errors}, {warnings}.").format(
            errors=ngettext("{count} error", "{count} errors", errors).format(count=errors),
            warnings=ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings),
        )
    )
    if errors:
        raise typer.Exit(1)


def _doctor_lines(checks: list[Check]) -> None:
    """doctor's checks, one line each (status, name, detail) and what to do under a check that is not OK."""
    from lagesbild_cli.doctor import STATUSES

    shown = {status: _(label) for status, label in STATUSES.items()}
    width = max(5, *map(len, shown.values()))
    for check in checks:
        _echo(f"{shown[check.status]:<{width}} {check.name}: {check.detail}")
        if check.fix:
            _echo(" " * (width + 1) + f"→ {check.fix}")


@app.command(
    "check-sources",
    help=_(
        "Check that every source still answers in the format lagesbild reads (one small request each).\n\n"
        "One line per source: ok, changed: <what>, or unreachable: <why>. Every answer is kept with its URL, "
        "time and sha256 (--out must be a new or empty folder). Exit code 1 when a contract has changed, or when "
        "no source could be reached at all (nothing was checked); a source that cannot be reached while others "
        "can is only a warning (exit code 0), since nothing can be said about its format."
    ),
)
def check_sources(
    config: ConfigOption = DEFAULT_CONFIG,
    source: SourceOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help=_("Folder for the answers; default: data/contracts/<UTC time>/.")),
    ] = None,
) -> None:
    """Check that every source still answers in the format lagesbild reads (help: above)."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    report = _run(lambda: pipeline.check_sources(cfg, source, out=out))
    for outcome in report.outcomes:
        _echo(outcome.line())
    _echo(_("Answers: {folder}").format(folder=report.folder))
    if report.outcomes and len(report.unreachable) == len(report.outcomes):
        _echo(
            _(
                "Error: no source could be reached: check the network (or a proxy or firewall), then run again. "
                "Nothing was checked."
            ),
            err=True,
        )
        raise typer.Exit(EXIT_ERROR)
    if report.unreachable:
        names = ", ".join(o.source for o in report.unreachable)
        _echo(
            _(
                "Warning: {names} could not be reached, so their format was not checked (not an error); "
                "run again later."
            ).format(names=names),
            err=True,
        )
    if report.changed:
        names = ", ".join(o.source for o in report.changed)
        _echo(
            _(
                "Error: the format of {names} has changed; lagesbild fetch may fail or misread it. "
                "The answers are in {folder}."
            ).format(names=names, folder=report.folder),
            err=True,
        )
        raise typer.Exit(EXIT_ERROR)


@app.command(help=_("Print the version."))
def version() -> None:
    """Print the version."""
    typer.echo(f"lagesbild {__version__}")
