"""Make the neutral Word template lagesbild ships: src/lagesbild_cli/data/word/referens.docx.

pandoc's own reference document (every style its Word writer uses) with the PDF's look: DejaVu Sans, the
report's dark blue headings at the PDF's sizes, grey source lines and captions, A4 with the PDF's margins, and
Swedish (sv-SE) as the language of every style. A kommun's own template replaces it ([profil] word_template).

Run it again after a change here, and commit the file it writes:

    uv run python scripts/make_word_reference.py
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import docx
import pypandoc
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle

OUT = Path(__file__).resolve().parents[1] / "src" / "lagesbild_cli" / "data" / "word" / "referens.docx"
FONT = "DejaVu Sans"
HEADING = RGBColor(0x0B, 0x3D, 0x62)  # h1–h4 in templates/style.css
KICKER = RGBColor(0x00, 0x72, 0xB2)
GREY = RGBColor(0x55, 0x55, 0x55)  # .source, .note, figcaption
TEXT = RGBColor(0x1A, 0x1A, 0x1A)
# style name → (size in pt, colour, bold, space before, space after): the PDF's h2, h3, h4 are the document's
# Heading 1, 2 and 3 (the cover's h1 is the Title)
PARAGRAPHS: dict[str, tuple[float, RGBColor, bool, float, float]] = {
    "Normal": (10, TEXT, False, 0, 6),
    "Body Text": (10, TEXT, False, 3, 6),
    "First Paragraph": (10, TEXT, False, 3, 6),
    "Compact": (10, TEXT, False, 1, 1),
    "Title": (26, HEADING, True, 0, 6),
    "Subtitle": (14, GREY, False, 0, 12),
    "Author": (10, GREY, False, 0, 12),
    "Heading 1": (16, HEADING, True, 18, 8),
    "Heading 2": (11.5, HEADING, True, 14, 4),
    "Heading 3": (10, HEADING, True, 10, 3),
    "Table Caption": (9.5, HEADING, True, 10, 4),
    "Image Caption": (8, GREY, False, 2, 8),
}
SOURCE_STYLE = "Källa"  # render/word.py gives source lines this style


def _lang(style: ParagraphStyle) -> None:
    rpr = style.element.get_or_add_rPr()
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = rpr.makeelement(qn("w:lang"), {qn("w:val"): "sv-SE", qn("w:eastAsia"): "sv-SE", qn("w:bidi"): "ar-SA"})
    rpr.append(lang)


def _paragraph_style(document: docx.document.Document, name: str) -> ParagraphStyle:
    try:
        style = document.styles[name]
    except KeyError:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
    assert isinstance(style, ParagraphStyle)
    return style


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        default = Path(folder) / "reference.docx"
        pandoc = pypandoc.get_pandoc_path()
        subprocess.run(
            [pandoc, "-o", str(default), "--print-default-data-file", "reference.docx"], check=True, timeout=60
        )
        document = docx.Document(str(default))

    styles = {**PARAGRAPHS, SOURCE_STYLE: (8, GREY, False, 2, 8)}
    for name, (size, colour, bold, before, after) in styles.items():
        style = _paragraph_style(document, name)
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = colour
        style.font.bold = bold
        style.font.italic = False
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rfonts.set(qn(attr), FONT)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            rfonts.attrib.pop(qn(attr), None)
        _lang(style)
        if name.startswith("Heading") or name in ("Title", "Table Caption"):
            style.paragraph_format.keep_with_next = True
    document.styles["Subtitle"].font.color.rgb = KICKER

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = (
        Mm(22),
        Mm(20),
        Mm(24),
        Mm(22),
    )
    props = document.core_properties
    props.title, props.author, props.language = "", "lagesbild", "sv-SE"
    props.comments = "Neutral mall för lagesbild.docx (scripts/make_word_reference.py)"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(OUT))
    print(f"Wrote {OUT}")


if __name__ == "__main__":
    main()
