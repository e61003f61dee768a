"""The PDF a kommun publishes is PDF/UA without the defects a screen reader trips on: everything tagged is
reachable from the structure root, the running header and page numbers are artifacts, every table has rows,
every figure a text, every link its own words, and no header word is broken mid-syllable."""

from __future__ import annotations

import itertools
import re

import pypdfium2
import pytest

import pdf_structure
from conftest import Demo
from reading import parse_html, pdf_pages


@pytest.fixture(scope="module")
def structure(built: Demo) -> pdf_structure.Structure:
    return pdf_structure.check(built.report / "lagesbild.pdf")


def test_every_structure_element_is_reachable_and_no_content_is_orphaned(structure: pdf_structure.Structure) -> None:
    assert structure.unreachable == []
    assert structure.orphan_content == []  # the running header and "Sida X av Y" are /Artifact
    assert structure.elements["/Table"] > 40 and structure.elements["/Figure"] > 15


def test_tables_have_rows_and_cells_their_headers(structure: pdf_structure.Structure) -> None:
    assert structure.tables_without_rows == 0  # no caption left alone at a page break
    assert structure.cells_without_headers == 0


def test_figures_have_alt_text(structure: pdf_structure.Structure) -> None:
    assert structure.figures_without_alt == 0


def test_links_are_announced_by_their_words_not_an_id(structure: pdf_structure.Structure, built: Demo) -> None:
    ids = set(re.findall(r'\bid="([^"]+)"', built.html))
    contents = structure.link_contents
    assert contents and all(c.strip() and c not in ids and not c.startswith("#") for c in contents), contents
    assert "Brottslighetens omfattning och utveckling" in contents  # the contents page: the title, no leader dots
    assert not any("..." in c for c in contents)


def test_document_level_pdf_ua_entries(structure: pdf_structure.Structure) -> None:
    assert structure.display_doc_title
    assert structure.pdfua_in_xmp
    assert structure.lang == "sv"
    assert structure.bookmarks >= 1


def test_extracted_text_is_clean_and_header_words_are_whole(built: Demo) -> None:
    pages = pdf_pages((built.report / "lagesbild.pdf").read_bytes())
    text = "\n".join(pages)
    assert "\ufffd" not in text
    assert "Gagnefs kommun · Lägesbild 2024" in pages[2]  # the running header is still printed
    assert re.search(r"Sida 3 av \d+", pages[2])
    header_words = {
        word
        for cell in re.findall(r"<thead>(.*?)</thead>", built.html, re.S)
        for word in re.findall(r"\w{4,}", " ".join(parse_html(cell).text))
    }
    lines = text.splitlines()
    broken = [
        (a, b)
        for a, b in itertools.pairwise(lines)
        if (end := re.search(r"(\w+)$", a))
        and (start := re.match(r"(\w+)", b))
        and end.group(1) + start.group(1) in header_words
        and end.group(1) not in header_words
    ]
    assert broken == []


def test_no_text_starts_outside_the_page(built: Demo) -> None:
    """A table too wide for the page pushes its last columns off it, where no reader sees them (the plan
    table's 'Pågående åtgärder' once did): every piece of text starts inside the page's right edge."""
    assert text_starting_beyond((built.report / "lagesbild.pdf").read_bytes()) == []


def text_starting_beyond(data: bytes, margin: float = 10) -> list[tuple[int, str]]:
    """(page, text) of every run of text whose left edge lies within ``margin`` of the page's right edge or
    beyond it (PDFium's text rectangles: one per run of text on a line)."""
    outside: list[tuple[int, str]] = []
    document = pypdfium2.PdfDocument(data)
    try:
        for number, page in enumerate(document, start=1):
            width, _ = page.get_size()
            text = page.get_textpage()
            for index in range(text.count_rects()):
                left, bottom, right, top = text.get_rect(index)
                words = text.get_text_bounded(left, bottom, right, top).strip()
                if words and left > width - margin:
                    outside.append((number, words))
    finally:
        document.close()
    return outside


def test_the_check_for_text_outside_the_page_finds_it() -> None:
    """The check above can fail: a table pushed past the right edge, as the plan table's once was."""
    from lagesbild_cli.render.report import render_pdf

    cells = "".join(f"<td>kolumn{n}</td>" for n in range(40))
    pdf = render_pdf(f"<html lang='sv'><body><table><tr>{cells}</tr></table><p>Inuti</p></body></html>")
    outside = text_starting_beyond(pdf)
    assert outside and all(words.startswith("kolumn") for _, words in outside)
    assert "Inuti" not in " ".join(words for _, words in outside)
