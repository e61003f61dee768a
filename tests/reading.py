"""Reading what a report shows, as a reader or a screen reader meets it: the rows of its HTML tables and its
visible text, and the PDF's pages and text."""

from __future__ import annotations

from html.parser import HTMLParser

import pypdfium2

from conftest import ReportFiles
from lagesbild_cli.render.report import BuiltReport, Preview


class Tables(HTMLParser):
    """Rows of every table as lists of cell texts, plus the whole visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title", "desc"):
            self._skip += 1
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title", "desc"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse_html(html: str) -> Tables:
    parser = Tables()
    parser.feed(html.replace("\u00a0", " "))
    return parser


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text as a reader copies it, one line a line. PDFium reads a whole report in a fraction of
    a second, where pypdf takes about as long as WeasyPrint took to render it."""
    document = pypdfium2.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_bounded().replace("\r\n", "\n") for page in document]
    finally:
        document.close()


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.replace("\u00a0", " ").split()) for page in pdf_pages(data))


def text_of(built: BuiltReport | Preview | ReportFiles) -> str:
    return " ".join(" ".join(parse_html(built.html.read_text(encoding="utf-8")).text).split())
