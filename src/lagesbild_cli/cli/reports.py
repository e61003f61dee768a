"""Building reports: build (one kommun, several, a whole län) and the example project."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from lagesbild_cli.settings.defaults import DEFAULT_CONFIG, DEMO_DIR

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lagesbild_cli.batch import Coverage
    from lagesbild_cli.context import ReportContext
    from lagesbild_cli.settings.config import Config
    from lagesbild_cli.settings.kommuner import Kommun

# The commands import what they use where they run. pipeline and doctor pull in polars, DuckDB, WeasyPrint,
# openpyxl and httpx (seconds of imports), which --help, version, kommuner, init and usage or config errors
# never need; the config, the kommun list and the demo are light but still cost as much as Typer, so --help
# imports none of them. tests/test_startup.py guards both.
import typer

from lagesbild_cli.cli.app import (
    ConfigOption,
    KommunOption,
    _config,
    _run,
    _with_config,
    app,
    draft_app,
)


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
    allow_missing: Annotated[
        str | None,
        typer.Option(
            "--allow-missing",
            help="With --final: publish although these sources (comma-separated, e.g. polisen,mcf) are missing "
            "or stale; the cover and those sections say so.",
        ),
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
    allowed = _allowed_missing(allow_missing)
    base = _config(config)
    many = _kommun_list(lan, kommun, base.kommun)
    cfg = _run(lambda: base.with_kommun(kommun)) if kommun and not many else base
    if not many and not preview:
        _build_one(cfg, year, final=final, compare_with=compare_with, report_date=when, allow_missing=allowed)
        return
    from lagesbild_cli import pipeline

    if not many:
        page = _run(
            lambda: pipeline.preview(
                cfg, year, final=final, compare_with=compare_with, report_date=when, allow_missing=allowed
            )
        )
        typer.echo(f"Wrote {page.html} (a preview: the web page only; no PDF or exports were made)")
        _gap_lines(page.context)
        return
    result = _run(
        lambda: pipeline.build_many(
            cfg, many, year, final=final, report_date=when, preview=preview, allow_missing=allowed
        )
    )
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


def _allowed_missing(text: str | None) -> tuple[str, ...]:
    """--allow-missing as source names; an unknown name is a usage error (exit 2)."""
    if not text:
        return ()
    from lagesbild_cli.settings.defaults import SOURCE_NAMES

    names = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = [n for n in names if n not in SOURCE_NAMES]
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)} is not a source; use some of {','.join(SOURCE_NAMES)}.",
            param_hint="'--allow-missing'",
        )
    return names


def _gap_lines(context: ReportContext) -> None:
    """The end of every build: one line per source a section lacks or has stale data from, and what to do."""
    for gap in context.gaps:
        state = "stale (the last fetch failed)" if gap.stale else "missing"
        published = " (published without it: --allow-missing)" if context.final else ""
        typer.echo(
            f"{gap.source}: {state} in the {context.kommun.namn} {context.year} report{published}; {gap.todo}.",
            err=True,
        )


def _build_one(
    cfg: Config,
    year: int | None,
    *,
    final: bool,
    compare_with: Path | None,
    report_date: date | None,
    allow_missing: tuple[str, ...] = (),
) -> None:
    from lagesbild_cli.render import pdf_render

    with pdf_render.started_early() as renderer:  # WeasyPrint loads there while this process reads the database
        from lagesbild_cli import pipeline

        built = _run(
            lambda: pipeline.build(
                cfg,
                year,
                final=final,
                compare_with=compare_with,
                report_date=report_date,
                renderer=renderer,
                allow_missing=allow_missing,
            )
        )
    typer.echo(f"Wrote {built.html}\nWrote {built.pdf}\nWrote {built.docx}")
    if built.exports:
        typer.echo(f"Wrote {built.exports[0]} and {len(built.exports) - 1} CSV files in {built.exports[1].parent}")
    _gap_lines(built.context)


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
    typer.echo(f"Wrote {built.html}\nWrote {built.pdf}\nWrote {built.docx}")
    if built.exports:
        typer.echo(f"Wrote {built.exports[0]} and {len(built.exports) - 1} CSV files in {built.exports[1].parent}")
    typer.echo(
        f"Open the PDF to read the report. The project's settings are in {result.config.path}; "
        f"build it again with: lagesbild build --config {result.config.path}"
    )


@draft_app.command("analys")
def draft_analys(
    config: ConfigOption = DEFAULT_CONFIG,
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="Report year; default: the latest with data.")
    ] = None,
) -> None:
    """Write a draft of the analysis (analys.utkast.md beside the texts) from the report's matrix and ranking.

    Never writes over a file. Edit the draft, save it as analys.md and remove its first line: until then the
    report labels it an unedited draft and a final build refuses it.
    """
    cfg = _config(config)
    from lagesbild_cli import pipeline

    written = _run(lambda: pipeline.draft_analysis(cfg, year))
    typer.echo(f"Wrote {written}")
    typer.echo(
        "Edit it, save it as analys.md in the same folder and remove its first line (<!-- lagesbild:utkast -->); "
        "until then the report marks the text as an unedited draft and a final build refuses it."
    )
