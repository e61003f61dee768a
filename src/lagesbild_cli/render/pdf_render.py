"""HTML → PDF with WeasyPrint, in this process or in one started early.

:func:`render_pdf` is the one place WeasyPrint renders a report. A single ``lagesbild build`` or ``demo``
starts a :class:`RenderProcess` as soon as its config is read: that process spends the second it takes to
import WeasyPrint while this one imports polars and DuckDB, reads the database and writes the HTML, and it
renders while this one writes the data exports. Everything else (batches, tests, the bench) renders here.

The process is spawned, not forked, and owns nothing: it gets HTML through a pipe and sends back PDF bytes or
the renderer's error. When this process ends or is killed, the pipe closes and the render process ends too.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, NoReturn

from lagesbild_cli import interrupts
from lagesbild_cli.errors import RenderError
from lagesbild_cli.i18n import N_, _


def safe_url_fetcher() -> Any:
    """WeasyPrint's fetcher allowing ``data:`` URLs only and no redirects: rendering reads no file and
    makes no request."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), allow_redirects=False)


def render_pdf(html: str) -> bytes:
    """The report's PDF/UA-1 file, tagged and finished (see :mod:`pdf_ua`), its charts drawn from images (see
    :mod:`chart_images`), with WeasyPrint's unneeded work left out (see :mod:`svg_text`, :mod:`weasyprint_fixes`)."""
    from lagesbild_cli.render import chart_images, pdf_ua, svg_text, weasyprint_fixes

    weasyprint_fixes.load()
    svg_text.install()
    weasyprint_fixes.install()
    with objects_before_set_aside():
        document = weasyprint_fixes.html_class()(
            string=with_fonts(chart_images.as_images(html)), url_fetcher=safe_url_fetcher(), base_url=None
        )
        pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1", custom_metadata=True, finisher=pdf_ua.finish)
    return pdf


def with_fonts(html: str) -> str:
    """``html`` with the shipped typeface's ``@font-face`` rules (see :mod:`fonts`) ahead of its own styles."""
    from lagesbild_cli.render import fonts

    return html.replace("<head>", f"<head>\n<style>{fonts.font_face_css()}</style>", 1)


@contextmanager
def objects_before_set_aside() -> Iterator[None]:
    """While WeasyPrint renders, Python's cycle collector scans only the objects the render makes.

    A render makes so many objects that the collector runs hundreds of times, and each full collection also
    scanned everything that existed before (the imported libraries, the caller's data): about a tenth of the
    full report's render, a third less with those set aside. Garbage is collected first and what is left is
    frozen (:func:`gc.freeze`) until the render ends, so memory stays as it was."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _serve(connection: Connection) -> None:
    """The render process: load WeasyPrint at once, then render each HTML received until told to stop."""
    interrupts.leave_to_parent()  # Ctrl-C stops the build, which stops this process: no traceback from here
    render_pdf("<html lang='sv'><title>.</title><p>.</p></html>")  # imports, fonts and style sheets, ready
    while True:
        try:
            html = connection.recv()
        except EOFError:  # the build ended or was killed
            return
        if html is None:
            return
        try:
            answer: tuple[bool, bytes | str] = (True, render_pdf(html))
        except Exception as exc:  # WeasyPrint raises many kinds: each goes back as the build's render error
            answer = (False, str(exc))
        try:
            connection.send(answer)
        except OSError:  # nobody is waiting any more
            return


AGAIN = N_("Run 'lagesbild build' again; the previous report is untouched.")


def render_failed(detail: str) -> RenderError:
    """The build's error when WeasyPrint raised, here or in the render process."""
    return RenderError(_("WeasyPrint could not render the PDF: {detail}").format(detail=detail), hint=_(AGAIN))


def _stopped() -> NoReturn:
    raise RenderError(
        _("The PDF renderer stopped before the PDF was done (out of memory, or stopped from outside)."),
        hint=_(AGAIN),
    )


class RenderProcess:
    """A render process started now, to render one or more reports later (see the module's text)."""

    def __init__(self) -> None:
        spawn = multiprocessing.get_context("spawn")
        self._connection, theirs = spawn.Pipe()
        self._process = spawn.Process(target=_serve, args=(theirs,), name="lagesbild-render", daemon=True)
        try:
            self._process.start()
        except OSError:
            self._connection.close()
            raise
        finally:
            theirs.close()

    def submit(self, html: str) -> Callable[[], bytes]:
        """Send ``html`` to be rendered; the returned call waits for the PDF (or raises :class:`RenderError`)."""
        try:
            self._connection.send(html)
        except OSError:
            return _stopped

        def wait() -> bytes:
            try:
                ok, value = self._connection.recv()
            except (EOFError, OSError):
                _stopped()
            if not ok:
                raise render_failed(value)
            assert isinstance(value, bytes)
            return value

        return wait

    def close(self) -> None:
        """Stop the process now, whether it rendered or not (a report taken from the PDF cache needs none)."""
        self._connection.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()

    def __enter__(self) -> RenderProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def started_early() -> Iterator[RenderProcess | None]:
    """A render process for the build run inside, stopped when it ends; None when WeasyPrint is loaded here
    already (a test, a batch), so the import it would save is already paid, or when no process can be
    started (a process limit, no memory): the build then renders here, only slower."""
    if "weasyprint" in sys.modules:
        yield None
        return
    try:
        renderer = RenderProcess()
    except OSError:
        yield None
        return
    with renderer:
        yield renderer
