"""The demo's PDF read as a publication (issue 31): the key message first, readable printed sizes, a body of
text and charts with the values in an appendix linked both ways, and no body page left mostly empty."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from pypdf import PdfReader

from conftest import Demo
from reading import parse_html

A4_HEIGHT = 841.89
TOP, BOTTOM = 22 / 25.4 * 72, 24 / 25.4 * 72  # the page margins (style.css @page)


@dataclass(frozen=True)
class Page:
    text: str  # the page's characters in reading order, without spaces
    sizes: tuple[float, ...]  # each character's printed size in points
    lowest: float  # the lowest text's bottom edge, in points above the page's foot


def _pages(data: bytes) -> list[Page]:
    """Each page's characters with their printed size: the font size times the scale of the character's
    whole transformation (a chart is an image scaled into the page, its text with it)."""
    document = pypdfium2.PdfDocument(data)
    pages = []
    try:
        for page in document:
            textpage = page.get_textpage()
            chars, sizes, bottoms = [], [], []
            for i in range(textpage.count_chars()):
                char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
                if not char.strip():
                    continue
                matrix = pdfium_c.FS_MATRIX()
                pdfium_c.FPDFText_GetMatrix(textpage.raw, i, matrix)
                scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
                chars.append(char)
                sizes.append(pdfium_c.FPDFText_GetFontSize(textpage.raw, i) * scale)
                bottoms.append(textpage.get_charbox(i)[1])
            # the running header and page number are artifacts, not text: the lowest text is the content's
            pages.append(Page("".join(chars), tuple(sizes), min(bottoms, default=A4_HEIGHT)))
    finally:
        document.close()
    return pages


@pytest.fixture(scope="module")
def pages(built: Demo) -> list[Page]:
    return _pages((built.report / "lagesbild.pdf").read_bytes())


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _sizes_of(pages: list[Page], sentence: str) -> tuple[float, ...]:
    wanted = _squeezed(sentence)
    for page in pages:
        at = page.text.find(wanted)
        if at >= 0:
            return page.sizes[at : at + len(wanted)]
    raise AssertionError(f"not in the PDF: {sentence}")


def _sections(data: bytes) -> dict[str, int]:
    """Each major section (h2, the outline's second level) and the index of the page it begins on."""
    reader = PdfReader(io.BytesIO(data))
    top = next(o for o in reader.outline if isinstance(o, list))
    return {o.title: reader.get_destination_page_number(o) for o in top if not isinstance(o, list)}


@pytest.fixture(scope="module")
def sections(built: Demo) -> dict[str, int]:
    return _sections((built.report / "lagesbild.pdf").read_bytes())


def test_the_key_message_comes_right_after_the_cover(pages: list[Page], sections: dict[str, int]) -> None:
    """Page 1 is the cover (kommun, year, status; no log of sources), pages 2–3 hold "Läget i korthet": the key
    points, the table against län and riket and where to read more; the contents follow."""
    cover = pages[0].text
    assert "Gagnefskommun·Dalarnaslän·2024" in cover and "Utkast" in cover
    assert not re.search(r"hämtad\d", cover)  # the sources and their dates are in the method section
    assert sections["Läget i korthet"] == 1 and sections["Innehåll"] == 3
    assert pages[1].text.startswith("Lägetikorthet")
    # the analysis' ranking first, then the crime figures
    assert _squeezed("Det viktigaste Enligt analysens regler sticker ett problemområde ut") in pages[1].text
    assert _squeezed("Under 2024 anmäldes 471 brott i Gagnefs kommun") in pages[1].text
    in_brief = pages[1].text + pages[2].text
    for text in ("Gagnef 2024 jämfört med länet och riket", "Läs mer i avsnitten", "Anmälda brott visar"):
        assert _squeezed(text) in in_brief, text


def test_printed_text_is_readable(pages: list[Page]) -> None:
    """Body text 10 pt or more, everything else (tables, notes, the charts' axes and labels) 8 pt or more. The
    map's labels are left out: placing them readably is the map's own work (issue 31, point 5)."""
    for sentence in (
        "Diagrammen visar anmälda brott per 100 000 invånare i Gagnef",  # a paragraph
        "Under 2024 anmäldes 471 brott i Gagnefs kommun",  # a key point
        "Rapporten använder samma regler för alla kommuner.",  # the method's text
    ):
        assert min(_sizes_of(pages, sentence)) >= 9.95, sentence
    for number, page in enumerate(pages, 1):
        if "likabredaklasser" in page.text:  # the map's legend: its page is the map's
            continue
        small = "".join(c for c, s in zip(page.text, page.sizes, strict=True) if s < 7.95)
        assert not small, (number, small[:60])
    # the charts' text: the small multiples' axes and direct labels
    chart_labels = _sizes_of(pages, "Gagnef4526")
    assert min(chart_labels) >= 7.95


def test_every_chart_links_to_its_values_in_the_appendix_and_back(built: Demo) -> None:
    html = built.html
    appendix = html.split('<section id="tabellbilaga">')[1].split("</section>")[0]
    body = html.split('<section id="tabellbilaga"')[0]
    charts = re.findall(r'<svg [^>]*aria-labelledby="(chart-[^"]+)-title', body)
    assert len(charts) >= 15
    for chart in charts:
        assert f'<p class="to-values" id="{chart}-ref"><a href="#{chart}-values">Värden i tabellbilagan</a></p>' in body
        assert f'<caption id="{chart}-values">' in appendix and f'href="#{chart}-ref"' in appendix
        assert f'id="{chart}-values"' not in body  # the table is in the appendix only
    total = appendix.split('<caption id="chart-totalt_antal_anmalda_brott-values">')[1].split("</table>")[0]
    rows = [r for r in parse_html("<table>" + total + "</table>").rows if r and r[0].isdigit()]
    assert [r[0] for r in rows] == [str(y) for y in range(2017, 2025)]  # every year, not only the last
    assert rows[-1] == ["2024", "4 526", "8 750", "14 090"]
    # the Polisen month × category table is a sentence in the body, the table in the appendix
    assert 'id="tab-events-1"' in appendix and 'id="tab-events-1"' not in body
    assert "Per kategori:" in built.section("var") and "månader som arkivet täcker" in built.section("var")
    # the file list with checksums is in the appendix, not in the method section
    # … and the list of raw files with checksums only in the exports: the report names no file
    assert "bladet Källor i rapportens Excelfil" in appendix and "SHA-256" not in built.html
    assert ".xlsx" not in appendix and ".json" not in appendix


def test_no_body_page_is_less_than_half_used_except_before_a_major_section(
    pages: list[Page], sections: dict[str, int]
) -> None:
    starts = set(sections.values())
    usable = A4_HEIGHT - TOP - BOTTOM
    for index in range(1, sections["Tabellbilaga"]):
        used = (A4_HEIGHT - TOP - pages[index].lowest) / usable
        assert used >= 0.5 or index + 1 in starts, (index + 1, round(used, 2), pages[index].text[:80])


def test_the_body_is_at_most_24_pages(sections: dict[str, int]) -> None:
    """Everything before the appendix ("Tabellbilaga") fits on 24 pages: the cover, "Läget i korthet", the
    contents, the sections the law asks for and the method."""
    assert sections["Tabellbilaga"] <= 24  # the index of the appendix's first page: 24 pages before it
