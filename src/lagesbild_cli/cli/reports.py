"""Building reports: build (one kommun, several, a whole län) and the example project."""

from __future__ import annotations

import shlex
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from lagesbild_cli.i18n import N_, _, ngettext
from lagesbild_cli.settings.defaults import DEFAULT_CONFIG, DEMO_DIR

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lagesbild_cli.batch import Coverage
    from lagesbild_cli.context import ReportContext
    from lagesbild_cli.render.report import BuiltReport
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
    _echo,
    _run,
    app,
    draft_app,
)


@app.command(
    help=_(
        "Compute the indicators and write the report as HTML, PDF and data exports (xlsx, csv).\n\n"
        "--kommun takes one kommun or a comma-separated list; --lan builds the whole län in parallel and adds "
        "a one-page län overview."
    )
)
def build(
    config: ConfigOption = DEFAULT_CONFIG,
    kommun: KommunOption = None,
    year: Annotated[
        int | None, typer.Option("--year", "-y", help=_("Report year; default: the latest with data."))
    ] = None,
    final: Annotated[bool, typer.Option("--final", help=_("A final version: the narrative texts must exist."))] = False,
    compare_with: Annotated[
        Path | None,
        typer.Option(
            "--compare-with",
            help=_("An earlier report's folder (or its csv/indikatorer.csv), to show what has changed."),
        ),
    ] = None,
    lan: Annotated[str | None, typer.Option("--lan", "-l", help=_("Build every kommun of this län."))] = None,
    report_date: Annotated[
        str | None,
        typer.Option("--date", help=_("The report's date, YYYY-MM-DD; default: the date of the newest data.")),
    ] = None,
    allow_missing: Annotated[
        str | None,
        typer.Option(
            "--allow-missing",
            help=_(
                "With --final: publish although these sources (comma-separated, e.g. polisen,mcf) are missing "
                "or stale; the cover and those sections say so."
            ),
        ),
    ] = None,
    preview: Annotated[
        bool,
        typer.Option(
            "--preview",
            help=_(
                "Write only the web page, in a moment, into data/processed/preview/: for reading texts and "
                "numbers while you work on them. No PDF or exports; the report in reports/ is left as it is."
            ),
        ),
    ] = False,
) -> None:
    """Compute the indicators and write the report (help: above)."""
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
        _echo(_("Wrote {path} (a preview: the web page only; no PDF or exports were made)").format(path=page.html))
        _gap_lines(page.context)
        return
    result = _run(
        lambda: pipeline.build_many(
            cfg, many, year, final=final, report_date=when, preview=preview, allow_missing=allowed
        )
    )
    for pdf in result.built:
        _echo(_("Wrote {path}").format(path=pdf))
    if result.overview:
        _echo(_("Wrote {path}").format(path=result.overview))
    if preview and (result.built or result.overview):
        _echo(_("(previews: the web pages only; no PDF or exports were made)"))
    for failed, message in result.failed:
        _echo(
            _("Error ({kommun} {code}): {message}").format(kommun=failed.namn, code=failed.kod, message=message),
            err=True,
        )
    if result.overview_failed:
        _echo(_("Error (the län overview): {message}").format(message=result.overview_failed), err=True)
    if result.failed:
        some_failed = ngettext(
            "{failed} of {count} report failed; the others were written.",
            "{failed} of {count} reports failed; the others were written.",
            len(many),
        )
        _echo(some_failed.format(failed=len(result.failed), count=len(many)), err=True)
    elif result.overview_failed:
        written = ngettext(
            "The {count} report listed above was written; the län overview was not.",
            "The {count} reports listed above were written; the län overview was not.",
            len(result.built),
        )
        _echo(written.format(count=len(result.built)), err=True)
    _coverage_table(result.coverage)
    if result.failed or result.overview_failed:
        raise typer.Exit(1)


COVERAGE_KOMMUN = N_("Kommun")  # the län table's first heading and its marks, translated where shown
COVERAGE_OK = N_("ok")
COVERAGE_SNAPSHOT = N_("snapshot")


def _coverage_table(rows: Sequence[Coverage]) -> None:
    """The end of a batch build: per kommun, what its report has data from and what it lacks."""
    if not rows:
        return
    from lagesbild_cli.settings.collation import swedish_key

    names = [_(name) for name, _state in rows[0].sources]  # batch.COVERAGE's names, marked there
    heading = _(COVERAGE_KOMMUN)
    width = max(len(heading), *(len(r.kommun.namn) for r in rows)) + 2
    marks = {"ok": _(COVERAGE_OK), "snapshot": _(COVERAGE_SNAPSHOT), "missing": "–"}
    lacking = [r for r in rows if r.lacks]
    summary = ngettext(
        "What each kommun's report has: {ok}, – (missing), {snapshot} (delivered with lagesbild); "
        "{lacking} of {count} kommun lacks something.",
        "What each kommun's report has: {ok}, – (missing), {snapshot} (delivered with lagesbild); "
        "{lacking} of {count} kommuner lack something.",
        len(rows),
    )
    _echo(summary.format(ok=marks["ok"], snapshot=marks["snapshot"], lacking=len(lacking), count=len(rows)))
    # each column as wide as its heading or its widest mark ("ögonblicksbild" is wider than "befolkning")
    widths = [max(len(name), *(len(m) for m in marks.values())) for name in names]
    header = "  ".join(f"{name:<{w}}" for name, w in zip(names, widths, strict=True))
    typer.echo(f"{heading:<{width}}{header}".rstrip())
    for row in sorted(rows, key=lambda r: swedish_key(r.kommun.namn)):
        cells = "  ".join(f"{marks[state]:<{w}}" for w, (_name, state) in zip(widths, row.sources, strict=True))
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
            _("{unknown} is not a source; use some of {names}.").format(
                unknown=", ".join(unknown), names=",".join(SOURCE_NAMES)
            ),
            param_hint="'--allow-missing'",
        )
    return names


def _gap_lines(context: ReportContext) -> None:
    """The end of every build: one line per source a section lacks or has stale data from, and what to do."""
    for gap in context.gaps:
        if context.final and gap.stale:
            line = _(
                "{source}: stale (the last fetch failed) in the {kommun} {year} report "
                "(published without it: --allow-missing); {todo}."
            )
        elif context.final:
            line = _("{source}: missing in the {kommun} {year} report (published without it: --allow-missing); {todo}.")
        elif gap.stale:
            line = _("{source}: stale (the last fetch failed) in the {kommun} {year} report; {todo}.")
        else:
            line = _("{source}: missing in the {kommun} {year} report; {todo}.")
        _echo(line.format(source=gap.source, kommun=context.kommun.namn, year=context.year, todo=gap.todo), err=True)


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
    _wrote(built)
    _gap_lines(built.context)


def _wrote(built: BuiltReport) -> None:
    """The files a build wrote, one line each."""
    for path in (built.html, built.pdf, built.docx):
        _echo(_("Wrote {path}").format(path=path))
    if built.exports:
        csv = ngettext(
            "Wrote {path} and {count} CSV file in {folder}",
            "Wrote {path} and {count} CSV files in {folder}",
            len(built.exports) - 1,
        )
        _echo(csv.format(path=built.exports[0], count=len(built.exports) - 1, folder=built.exports[1].parent))


def _report_date(text: str | None) -> date | None:
    """--date as a date; a malformed one is a usage error (exit 2), like --year abc."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            _("{text} is not a date of the form YYYY-MM-DD.").format(text=repr(text)), param_hint="'--date'"
        ) from None


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


@app.command(
    help=_(
        "Write a complete example project for Gagnef from data that comes with lagesbild, and build its report."
        "\n\nWorks offline. The project's lagesbild.toml, example texts and data show what a real project holds."
    )
)
def demo(
    folder: Annotated[
        Path, typer.Option("--dir", "-d", help=_("The folder to write the example project into."))
    ] = DEMO_DIR,
    force: Annotated[
        bool, typer.Option("--force", help=_("Write into a folder that has other files (they are left alone)."))
    ] = False,
) -> None:
    """Write the example project for Gagnef and build its report (help: above)."""
    from lagesbild_cli import demo as demo_project

    _run(lambda: demo_project.check_folder(folder, force=force))
    from lagesbild_cli.render import pdf_render

    _echo(
        _("Writing the example project for Gagnef into {folder} and building its report (about a minute)…").format(
            folder=folder
        )
    )
    with pdf_render.started_early() as renderer:
        from lagesbild_cli import pipeline

        result = _run(lambda: pipeline.demo(folder, force=force, renderer=renderer))
    _wrote(result.report)
    _echo(
        _(
            "Open the PDF to read the report. The project's settings are in {path}; "
            "build it again with: lagesbild build --config {config}"
        ).format(path=result.config.path, config=shlex.quote(str(result.config.path)))
    )


@draft_app.command(
    "analys",
    help=_(
        "Write a draft of the analysis (analys.utkast.md beside the texts) from the report's matrix and ranking."
        "\n\nNever writes over a file. Edit the draft, save it as analys.md and remove its first line: until then "
        "the report labels it an unedited draft and a final build refuses it."
    ),
)
def draft_analys(
    config: ConfigOption = DEFAULT_CONFIG,
    year: Annotated[
        int | None, typer.Option("--year", "-y", help=_("Report year; default: the latest with data."))
    ] = None,
) -> None:
    """Write the analysis draft for the coordinator to edit (help: above)."""
    cfg = _config(config)
    from lagesbild_cli import pipeline

    written = _run(lambda: pipeline.draft_analysis(cfg, year))
    _echo(_("Wrote {path}").format(path=written))
    if written.with_name("analys.md").exists():
        _echo(
            _(
                "analys.md already exists and the report keeps using it: copy what you want from the draft into "
                "analys.md yourself. The draft itself is not part of the report."
            )
        )
    else:
        _echo(
            _(
                "Edit it, save it as analys.md in the same folder and remove its first line ({marker}); "
                "until then the report marks the text as an unedited draft and a final build refuses it."
            ).format(marker="<!-- lagesbild:utkast -->")
        )
