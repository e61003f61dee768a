"""Report context → HTML (Jinja) → PDF (WeasyPrint), written atomically.

The context comes from :mod:`lagesbild_cli.context`; the templates only present it. Jinja runs
with autoescape and StrictUndefined; WeasyPrint may fetch nothing but ``data:`` URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from lagesbild_cli.context import ReportContext, build_context, formatting, tables
from lagesbild_cli.errors import RenderError
from lagesbild_cli.i18n import _
from lagesbild_cli.render import exports, markup, pdf_cache, word
from lagesbild_cli.render.pdf_render import RenderProcess, render_failed, render_pdf, safe_url_fetcher
from lagesbild_cli.settings.config import Config
from lagesbild_cli.settings.text import clean_text
from lagesbild_cli.storage import staging
from lagesbild_cli.storage.checkpoints import checkpoint
from lagesbild_cli.storage.raw import atomic_write_bytes


@dataclass(frozen=True)
class BuiltReport:
    html: Path
    pdf: Path
    docx: Path
    context: ReportContext
    exports: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Preview:
    html: Path
    context: ReportContext


def _finalize(value: object) -> object:
    """Every value a template prints passes here: plain text loses control characters (Markup, which
    the templates and markdown-it made, is left alone)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean_text(value)
    return value


def css_string(value: object) -> Markup:
    """A quoted CSS string for a ``<style>`` element: quotes, backslashes, line breaks and ``<`` (which could
    close the element) are escaped as CSS code points, so any kommun name prints as written."""
    text = clean_text(str(value))
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>&\n\r' else ch for ch in text)
    return Markup(f'"{escaped}"')


@cache
def environment(templates_dir: Path) -> jinja2.Environment:
    """One environment per templates folder and process, so that each template is compiled once, not once per
    report of a batch (a quarter of a second for the report's). Jinja checks each template's file before it
    uses its compiled form (``auto_reload``), so an edited template is compiled again."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(
        tal=formatting.number,
        procent=formatting.percent,
        forandring=formatting.signed_percent,
        intervall=formatting.interval,
        enhet=formatting.unit,
        plats=formatting.place,
        datum=formatting.swedish_date,
        css_string=css_string,
        markdown=markup.render_markdown,
    )
    return env


def render_html(context: ReportContext, templates_dir: Path) -> str:
    env = environment(templates_dir)
    css = (templates_dir / "style.css").read_text(encoding="utf-8")
    try:
        return markup.drop_blank_between_blocks(env.get_template("report.html.j2").render(r=context, css=css))
    except jinja2.TemplateError as exc:
        raise RenderError(
            _("The report template failed: {error}").format(error=exc), hint=_("Fix the template in templates/.")
        ) from None


def _pdf(html: str, config: Config, renderer: RenderProcess | None) -> Callable[[], bytes]:
    """The PDF of ``html``, to be waited for: the one rendered before from the same HTML (see :mod:`pdf_cache`),
    else a new one from ``renderer``, or rendered here when there is none."""
    cache = pdf_cache.open_cache(config.processed_dir)
    name = pdf_cache.key(cache, html) if cache else ""
    kept = pdf_cache.get(cache, name) if cache else None
    if kept is not None:
        if renderer is not None:
            renderer.close()  # still loading WeasyPrint, for nothing: the rest of the build goes on without it
        return lambda: kept

    def rendered_here() -> bytes:
        try:
            return render_pdf(html)
        except Exception as exc:  # WeasyPrint raises many kinds; none may leave a half-written report
            raise render_failed(str(exc)) from None

    pending = renderer.submit(html) if renderer else rendered_here

    def wait() -> bytes:
        pdf = pending()
        if cache:
            pdf_cache.put(cache, name, pdf)
        return pdf

    return wait


def report_dir(config: Config, year: int) -> Path:
    return config.reports_dir / config.kommun.kod / str(year)


def preview_dir(config: Config, year: int, name: str | None = None) -> Path:
    """Where a preview goes: beside the report sets, never in one (data/processed/preview/<name>/<year>/;
    ``name`` is the kommun's code unless given, as ``lan-20`` for a län's overview)."""
    return config.processed_dir / "preview" / (name or config.kommun.kod) / str(year)


def write_preview(context: ReportContext, config: Config) -> Preview:
    """The report's web page alone, the same HTML a build writes, in its preview folder: no PDF and no
    exports, so it takes a moment, and the report set in reports/ stays as it was."""
    path = preview_dir(config, context.year) / "lagesbild.html"
    atomic_write_bytes(path, render_html(context, config.templates_dir).encode("utf-8"))
    return Preview(html=path, context=context)


def write_report(
    context: ReportContext,
    config: Config,
    sheets: tuple[tables.Sheet, ...] = (),
    renderer: RenderProcess | None = None,
) -> BuiltReport:
    """Render the report in full, then write the whole set (HTML, PDF, Word, xlsx, every CSV) into a new folder
    that replaces the previous report's folder only when all of it is written. With a ``renderer`` the PDF is
    rendered there while the Word document and the exports are made here."""
    html = render_html(context, config.templates_dir)
    checkpoint("render")
    pdf = _pdf(html, config, renderer)
    out = report_dir(config, context.year)
    title = f"{context.title} – {context.kommun_fullnamn} {context.year}: indikatorer"
    with staging.replaced_folder(out, config.data_dir) as folder:
        atomic_write_bytes(folder / "lagesbild.html", html.encode("utf-8"))
        written = exports.write(folder, sheets, title, context.report_date) if sheets else []
        document = word.render_docx(
            html,
            title=f"{context.title} – {context.kommun_fullnamn} {context.year}",
            author=context.compiled_by,
            reference=config.profile.word_template,
            dated=context.report_date,
        )
        atomic_write_bytes(folder / "lagesbild.docx", document)
        atomic_write_bytes(folder / "lagesbild.pdf", pdf())
    return BuiltReport(
        html=out / "lagesbild.html",
        pdf=out / "lagesbild.pdf",
        context=context,
        docx=out / "lagesbild.docx",
        exports=tuple(out / path.relative_to(folder) for path in written),
    )


__all__ = [
    "BuiltReport",
    "Preview",
    "ReportContext",
    "build_context",
    "render_html",
    "render_pdf",
    "safe_url_fetcher",
    "write_preview",
    "write_report",
]
