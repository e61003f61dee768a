"""The PDF draws the report's charts from images of the same SVG: the same pages, the same figure texts."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pypdfium2
import pytest

import pdf_structure
from conftest import Demo
from lagesbild_cli.render import chart_images, report

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" width="100" height="50" role="img" '
    'aria-labelledby="c-title"><title id="c-title">Gagnef 4 526 &amp; länet 8 750 "per 100 000"</title>'
    '<text x="5" y="20">Åre</text></svg>'
)


def test_a_chart_becomes_an_image_of_the_same_svg_with_its_title_as_alt_text() -> None:
    html = f"<p>före</p><figure>{SVG}</figure><p>efter</p>"
    out = chart_images.as_images(html)
    img = re.fullmatch(
        r'<p>före</p><figure><img alt="([^"]*)" width="100" height="50" src="([^"]*)"></figure>'
        r"<p>efter</p>",
        out,
    )
    assert img is not None, out
    assert img.group(1) == "Gagnef 4 526 &amp; länet 8 750 &quot;per 100 000&quot;"
    prefix = "data:image/svg+xml;base64,"
    assert img.group(2).startswith(prefix)
    assert base64.b64decode(img.group(2)[len(prefix) :]).decode("utf-8") == SVG


@pytest.mark.parametrize(
    "svg",
    [
        SVG.replace("Åre", "Åre&nbsp;kommun"),  # not XML: WeasyPrint could not read it as an image
        re.sub(r"<title.*?</title>", "", SVG),  # no text for the image
        SVG.replace(' width="100"', ""),  # no size
    ],
    ids=["not-xml", "no-title", "no-width"],
)
def test_a_chart_that_cannot_become_an_image_stays_inline(svg: str) -> None:
    html = f"<figure>{svg}</figure><figure>{SVG}</figure>"
    out = chart_images.as_images(html)
    assert out.startswith(f"<figure>{svg}</figure><figure><img alt=")
    assert out.count("<svg") == 1


def _figures(pdf: bytes, folder: Path) -> list[str]:
    path = folder / "figures.pdf"
    path.write_bytes(pdf)
    return pdf_structure.check(path).figure_alts


def _pages(pdf: bytes) -> list[bytes]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=50 / 72).to_pil().tobytes() for page in document]
    finally:
        document.close()


def test_the_reports_charts_map_and_dot_plots_look_and_read_the_same_as_images(
    built: Demo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every kind of chart the report draws: the line charts with their values, the map and a dot plot."""
    html = built.html
    head, body_end = html[: html.index("<main")], html[html.rindex("</main>") :]
    parts = [
        re.search(r'(?s)<section id="kommunen">.*?</section>', html),
        re.search(r'(?s)<div class="chart-row">.*?</figure>\s*</div>', html),
        re.search(r'(?s)<figure class="dotplot">.*?</figure>', html),
    ]
    assert all(parts)
    doc = head + "<main>" + "".join(p.group(0) for p in parts if p) + body_end
    assert doc.count("<svg") == 4 and chart_images.as_images(doc).count("<svg") == 0

    as_images = report.render_pdf(doc)
    monkeypatch.setattr(chart_images, "as_images", lambda html: html)
    inline = report.render_pdf(doc)

    figures = _figures(as_images, tmp_path)
    assert len(figures) == 4
    assert figures == _figures(inline, tmp_path)
    assert figures[0].startswith("Karta: Anmälda brott per 100 000 invånare i Dalarnas läns kommuner")
    assert _pages(as_images) == _pages(inline)
