"""The report as a Word document (issue 32): lagesbild.docx in every report set, read back with python-docx as
Word reads it: the report's sections as real heading styles in order, a header row on every table, alt text on
every picture, Swedish as its language, title and author in its properties, the same key figures as the web
page; a kommun's own template gives its styles and header; LibreOffice opens it and makes a PDF of it."""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from conftest import Demo, write_config
from lagesbild_cli.errors import ConfigError, RenderError
from lagesbild_cli.render import word
from lagesbild_cli.settings.config import load_config
from reading import parse_html, pdf_text

WORD_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
LOGO_PNG = (  # a 1×1 red pixel
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00"
    b"\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


def words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def open_docx(path: Path) -> Document:
    return docx.Document(str(path))


@pytest.fixture(scope="module")
def document(built: Demo) -> Document:
    return open_docx(built.report / "lagesbild.docx")


def headings(document: Document) -> list[tuple[int, str]]:
    found = []
    for paragraph in document.paragraphs:
        match = re.fullmatch(r"Heading (\d)", paragraph.style.name if paragraph.style else "")
        if match:
            found.append((int(match.group(1)), words(paragraph.text)))
    return found


def html_headings(html: str) -> list[tuple[int, str]]:
    """The web page's headings below the cover's title, a level up (h2 is the document's Heading 1)."""
    found = re.findall(r"<h([2-6])\b[^>]*>(.*?)</h\1>", html, re.S)
    return [(int(level) - 1, words(" ".join(parse_html(text).text))) for level, text in found]


def test_every_section_heading_is_a_word_heading_in_order(built: Demo, document: Document) -> None:
    found = headings(document)
    assert found == html_headings(built.html)
    assert [text for level, text in found if level == 1][:4] == [
        "Läget i korthet",
        "Innehåll",
        "Inledning och metod",
        "Kommunen i korthet",
    ]
    assert ("Brottslighetens omfattning och utveckling" in [t for _, t in found]) and found[-1][
        1
    ] == "Källor och hämtningsdatum"  # the method, last
    # no level is skipped: each heading is at most one level below the one before it
    levels = [level for level, _ in found]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))


def test_the_title_and_author_are_the_documents(document: Document) -> None:
    title = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Title"]
    expected = "Lägesbild över brottslighet och trygghet (exempel) – Gagnefs kommun 2024"
    assert title == [expected]
    properties = document.core_properties
    assert properties.title == expected
    assert properties.author == "Samordningsfunktionen för brottsförebyggande arbete (exempel)"
    assert properties.language == "sv-SE"


def test_the_language_of_every_style_is_swedish(document: Document) -> None:
    defaults = document.styles.element.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", WORD_NS)
    assert defaults is not None and defaults.get(qn("w:val")) == "sv-SE"
    other = {
        lang.get(qn("w:val"))
        for lang in document.styles.element.iterfind(".//w:lang", WORD_NS)
        if lang.get(qn("w:val")) is not None
    }
    assert other == {"sv-SE"}


def test_every_table_has_a_marked_header_row(built: Demo, document: Document) -> None:
    tables = document.tables
    assert len(tables) == built.html.count("<table")
    for table in tables:
        first = table._tbl.tr_lst[0]
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None, table.rows[0].cells[0].text
    # the measures under way, once tables of labels alone, have one too
    measure = next(t for t in tables if t.rows[1].cells[0].text == "Parter")
    assert [c.text for c in measure.rows[0].cells] == ["Uppgift", "Om åtgärden"]


def test_every_chart_is_a_picture_with_its_description_as_alt_text(built: Demo, document: Document) -> None:
    described = [
        words(" ".join(parse_html(title).text))
        for title in re.findall(r"<svg\b.*?<title\b[^>]*>(.*?)</title>", built.html, re.S)
    ]
    pictures = [d.get("descr") for d in document.element.body.xpath(".//wp:docPr")]
    assert len(document.inline_shapes) == len(pictures) == len(described) > 20
    assert [words(p or "") for p in pictures] == described
    assert any(p.startswith("Linjediagram över totalt antal anmälda brott") and "Gagnef 4 526" in p for p in described)


def test_no_empty_paragraph_is_used_as_spacing(document: Document) -> None:
    empty = [
        n
        for n, p in enumerate(document.paragraphs)
        if not p.text.strip() and not p._p.xpath(".//w:drawing") and not p._p.xpath(".//w:hyperlink")
    ]
    assert empty == []


def test_the_key_figures_are_those_of_the_web_page(built: Demo, document: Document) -> None:
    """Gagnef 2024: 471 reported crimes, 4 526 per 100 000 inhabitants, in the table of Brå's series, with its
    source line and retrieval date after it (the demo's retrieval date is the day it was built, as on the page)."""
    table = next(t for t in document.tables if "Gagnef, antal" in words(t.rows[0].cells[1].text))
    total = next(r for r in table.rows if r.cells[0].text == "Totalt antal anmälda brott")
    assert [words(c.text) for c in total.cells][1:4] == ["471", "429–516", "4 526"]
    caption = document.element.body.xpath("./w:p[following-sibling::*[1][self::w:tbl]]")
    text = [words("".join(p.xpath(".//w:t/text()"))) for p in caption]
    assert "Anmälda brott 2024, Gagnef jämfört med Dalarnas län och riket" in text
    sources = [words(p.text) for p in document.paragraphs if p.style is not None and p.style.name == "Källa"]
    on_page = re.search(r"Källa: Brå, Indikatorer för kommuners lägesbild, hämtad \d{1,2} [a-zä]+ \d{4}\.", built.html)
    assert on_page is not None and any(s.endswith(on_page.group(0)) for s in sources)
    summary = next(t for t in document.tables if t.rows[0].cells[0].text == "Indikator")
    # the rows grouped by source, the unit in the group's row
    assert words(summary.rows[1].cells[0].text) == "Brå, anmälda brott, antal per 100 000 invånare"
    assert [words(c.text) for c in summary.rows[2].cells][:2] == ["Totalt antal anmälda brott", "4 526"]
    body = words("\n".join(p.text for p in document.paragraphs))
    assert "Under 2024 anmäldes 471 brott i Gagnef" in body and "4 526 per 100 000 invånare" in body


def test_the_method_says_what_the_word_document_holds_and_what_stays_the_data_of_record(built: Demo) -> None:
    method = built.section("metod")
    assert "Word-dokumentet har samma avsnitt, text, tabeller och källhänvisningar" in method
    assert "talen som lagesbild har räknat fram finns oförändrade i PDF:en och i Excel- och CSV-filerna" in method


def kommun_template(folder: Path) -> Path:
    """A kommun's own Word template: Heading 1 in red Courier New at 20 pt, a logo in the page header."""
    template = docx.Document()
    heading = template.styles["Heading 1"]
    heading.font.name = "Courier New"
    heading.font.size = Pt(20)
    heading.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    header = template.sections[0].header
    header.paragraphs[0].add_run().add_picture(io.BytesIO(LOGO_PNG), width=Pt(40))
    header.paragraphs[0].add_run(" Exempelkommunens logotyp")
    path = folder / "mall.docx"
    template.save(str(path))
    return path


def test_a_kommuns_template_gives_its_styles_and_header(built: Demo, tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    assert config.profile.word_template is None
    kommun_template(tmp_path)
    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + '\n[profil]\nword_template = "mall.docx"\n', encoding="utf-8")
    config = load_config(path)
    assert config.profile.word_template == tmp_path / "mall.docx"

    made = tmp_path / "lagesbild.docx"
    made.write_bytes(word.render_docx(built.html, title="T", author="A", reference=config.profile.word_template))
    document = open_docx(made)
    heading = document.styles["Heading 1"]
    assert heading.font.name == "Courier New" and heading.font.size == Pt(20)
    assert heading.font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    first = next(p for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1")
    assert first.text == "Läget i korthet"
    header = document.sections[0].header
    assert "Exempelkommunens logotyp" in header.paragraphs[0].text
    assert header._element.xpath(".//w:drawing") and header.part.related_parts  # the logo, as an image part


def test_a_template_that_is_no_word_document_is_named(built: Demo, tmp_path: Path) -> None:
    path = write_config(tmp_path)
    with_key = path.read_text(encoding="utf-8") + '\n[profil]\nword_template = "{}"\n'
    path.write_text(with_key.format("saknas.docx"), encoding="utf-8")
    missing = load_config(path).profile.word_template  # a config without the file still fetches and loads
    with pytest.raises(ConfigError, match=r"The Word template .*saknas.docx \(\[profil\] word_template\) does not"):
        word.render_docx("<h2>Rubrik</h2>", title="T", author="A", reference=missing)
    path.write_text(with_key.format("mall.dotx"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"saved as .docx"):
        load_config(path)
    broken = tmp_path / "trasig.docx"
    broken.write_text("inte ett Word-dokument", encoding="utf-8")
    with pytest.raises(RenderError, match="The Word document could not be made") as raised:
        word.render_docx("<h2>Rubrik</h2>", title="T", author="A", reference=broken)
    assert "trasig.docx" in (raised.value.hint or "")


def soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        message = "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui"
        if os.environ.get("LAGESBILD_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (LAGESBILD_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    return found


def test_libreoffice_makes_a_pdf_of_it(built: Demo, tmp_path: Path) -> None:
    program = soffice()
    assert program is not None
    profile = (tmp_path / "profile").as_uri()  # its own profile: parallel runs do not share one
    options = [f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
    done = subprocess.run(
        [program, *options, str(built.report / "lagesbild.docx")],
        capture_output=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    text = pdf_text((tmp_path / "lagesbild.pdf").read_bytes())
    assert "Brottslighetens omfattning och utveckling" in text and "4 526" in text
