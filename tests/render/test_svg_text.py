"""Chart labels drawn whole land exactly where WeasyPrint's letter-by-letter drawing puts them."""

from __future__ import annotations

import importlib

import pypdfium2
import pytest
import weasyprint

from lagesbild_cli.render import report, svg_text, weasyprint_fixes

# Labels as the charts write them: start, middle and end anchors, bold, a no-break space, Swedish letters,
# and one label that places each glyph (dx list), which must keep WeasyPrint's own path.
SVG = """<html lang="sv"><body><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 120" width="300" height="120"
 font-family="DejaVu Sans, sans-serif" font-size="10">
  <text x="150" y="20" text-anchor="middle" fill="#444444">Malung-Sälen</text>
  <text x="150" y="40" text-anchor="end" fill="#444444">10\u00a0286</text>
  <text x="20" y="60" fill="#0072B2" font-weight="bold">Gagnef 1 234</text>
  <text x="20" y="80" fill="#A02B74" font-size="8" text-anchor="end">Ny indelning</text>
  <text x="20" y="100" dx="0 4 4" fill="#1a1a1a">Åre</text>
</svg></body></html>"""


def letters(pdf: bytes) -> list[tuple[str, tuple[float, ...]]]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0].get_textpage()
        return [
            (page.get_text_range(i, 1), tuple(round(v, 1) for v in page.get_charbox(i)))
            for i in range(page.count_chars())
            if page.get_text_range(i, 1).strip()
        ]
    finally:
        document.close()


def test_labels_land_where_letter_by_letter_drawing_puts_them(monkeypatch: pytest.MonkeyPatch) -> None:
    svg = importlib.import_module("weasyprint.svg")
    original = importlib.import_module("weasyprint.svg.text").text
    with monkeypatch.context() as letter_by_letter:
        letter_by_letter.setattr(svg_text, "install", lambda: False)
        letter_by_letter.setattr(svg, "text", original)
        letter_by_letter.setattr(
            svg, "TAGS", {tag: original if tag in ("text", "tspan", "a") else draw for tag, draw in svg.TAGS.items()}
        )
        before = letters(report.render_pdf(SVG))
    after = letters(report.render_pdf(SVG))
    assert getattr(svg.text, "shaped_whole", False)
    assert "".join(ch for ch, _ in after) == "Malung-Sälen10286Gagnef1234NyindelningÅre"
    assert [ch for ch, _ in after] == [ch for ch, _ in before]
    moved = [(ch, a, b) for (ch, a), (_, b) in zip(after, before, strict=True) if a != pytest.approx(b, abs=0.15)]
    assert moved == []


def test_a_label_is_shaped_as_a_whole() -> None:
    """Shaped whole, "fi" becomes DejaVu's ligature: one glyph, so f and i share a box. Letter by letter it
    could not (Kozea/WeasyPrint#2249)."""
    drawn = letters(report.render_pdf(SVG.replace("Ny indelning", "Ny definition")))
    text = "".join(ch for ch, _ in drawn)
    f = text.index("definition") + 2
    assert text[f : f + 2] == "fi"
    assert drawn[f][1] == drawn[f + 1][1]


def test_the_locked_weasyprint_draws_labels_whole() -> None:
    """A WeasyPrint upgrade fails here until its svg/text.py is read again and its version added."""
    assert weasyprint.__version__ in weasyprint_fixes.CHECKED_VERSIONS["weasyprint"]
    assert svg_text.install() is True
    assert getattr(importlib.import_module("weasyprint.svg").text, "shaped_whole", False)


def test_another_weasyprint_version_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    svg = importlib.import_module("weasyprint.svg")
    original = importlib.import_module("weasyprint.svg.text").text
    monkeypatch.setattr(svg, "text", original)
    monkeypatch.setattr(svg, "TAGS", dict(svg.TAGS))
    monkeypatch.setitem(weasyprint_fixes.CHECKED_VERSIONS, "weasyprint", ("99.0",))
    assert svg_text.install() is False
    assert svg.text is original
