"""The kommun's graphic profile in the report: its logo on the cover (HTML and PDF), its colour made
contrast-safe in headings and the kommun's chart lines, and the page still passing axe-core."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pypdfium2
import pytest

import browser as chromium
from lagesbild_cli import pipeline
from lagesbild_cli.context.profile import contrast, darkened, report_profile
from lagesbild_cli.settings.config import Config, ProfileSettings, load_config
from reading import pdf_text

BRAND = "#7FB3D5"  # a light blue: 2.1:1 against white, too light for text or lines
LOGO = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40">
<rect x="0" y="0" width="40" height="40" rx="6" fill="#7FB3D5"/>
<path d="M8 30 L20 10 L32 30 Z" fill="#ffffff"/>
<text x="48" y="27" font-family="sans-serif" font-size="18" fill="#1a1a1a">Gagnef</text>
</svg>
"""


def profiled(config: Config) -> Config:
    (config.path.parent / "logo.svg").write_text(LOGO, encoding="utf-8")
    text = config.path.read_text(encoding="utf-8")
    config.path.write_text(text + f'\n[profil]\nlogo = "logo.svg"\nfarg = "{BRAND}"\n', encoding="utf-8")
    return load_config(config.path)


def test_a_light_brand_colour_becomes_a_darker_shade_of_the_same_hue() -> None:
    shade = darkened(BRAND.lower(), 4.5)
    assert contrast(BRAND.lower()) < 3
    assert shade == "#377ba8"
    assert contrast(shade) >= 4.5
    assert contrast(darkened("#0b3d62", 4.5)) > 4.5 and darkened("#0b3d62", 4.5) == "#0b3d62"  # dark stays


@pytest.mark.parametrize(("colour", "alike"), [("#c0601a", True), ("#707070", True), ("#2e7d32", False)])
def test_a_colour_like_the_lans_or_rikets_line_leaves_the_kommun_line_blue(colour: str, alike: bool) -> None:
    """An orange kommun would draw its line like the län's, a grey one like riket's: its line stays blue."""
    shown = report_profile(ProfileSettings(colour=colour))
    assert shown.charts_neutral is alike
    assert shown.chart_line == ("#0072B2" if alike else darkened(colour, 4.5))
    assert shown.accent_text == darkened(colour, 4.5)  # headings take the kommun's colour all the same


def test_the_profile_puts_the_logo_on_the_cover_and_a_safe_shade_in_headings_and_charts(
    loaded_config: Config,
) -> None:
    config = profiled(loaded_config)
    html = pipeline.preview(config, 2024).html.read_text(encoding="utf-8")
    cover = html[html.index('<section class="cover">') : html.index("</section>")]
    logo = re.search(r'<img class="cover-logo" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="([^"]+)">', cover)
    assert logo is not None and logo.group(1) == "Gagnefs kommuns logotyp"
    shade = darkened(BRAND.lower(), 4.5)
    assert f"--accent-text: {shade};" in html  # headings, captions, links
    assert re.search(rf'<path d="[^"]+" fill="none" stroke="{shade}" stroke-width="2.2"/>', html)  # Gagnef's line
    assert 'stroke="#0072B2" stroke-width="2.2"' not in html  # no chart keeps the neutral blue
    words = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Kommunens färg." in words and "annars används en mörkare nyans av samma färg som når det" in words
    assert "Gagnef (kommunens färg, heldragen)" in words


def test_another_kommuns_report_keeps_the_neutral_look(loaded_config: Config) -> None:
    html = pipeline.preview(profiled(loaded_config).with_kommun("Vansbro"), 2024).html.read_text(encoding="utf-8")
    assert '<img class="cover-logo"' not in html and "--accent-text: #3" not in html
    assert 'stroke="#0072B2" stroke-width="2.2"' in html


def test_the_pdf_and_the_word_document_carry_the_logo_on_the_cover(loaded_config: Config) -> None:
    built = pipeline.build(profiled(loaded_config), 2024)
    document = pypdfium2.PdfDocument(built.pdf.read_bytes())
    try:
        kinds = [obj.type for obj in document[0].get_objects(max_depth=3)]
    finally:
        document.close()
    assert pypdfium2.raw.FPDF_PAGEOBJ_IMAGE in kinds or pypdfium2.raw.FPDF_PAGEOBJ_PATH in kinds
    assert "Gagnef" in pdf_text(built.pdf.read_bytes())
    assert "Gagnefs kommuns logotyp" in built.html.read_text(encoding="utf-8")
    with zipfile.ZipFile(built.docx) as docx:  # the Word document's cover has the logo as a picture
        body = docx.read("word/document.xml").decode("utf-8")
        assert 'descr="Gagnefs kommuns logotyp"' in body
        assert any(name.startswith("word/media/") and name.endswith(".png") for name in docx.namelist())


def test_axe_finds_no_violation_on_a_page_with_the_profile(loaded_config: Config) -> None:
    lacks = chromium.missing()
    if lacks:
        if chromium.required():
            pytest.fail("the browser tests need " + "; ".join(lacks))
        pytest.skip("the browser tests need " + "; ".join(lacks))
    page = pipeline.preview(profiled(loaded_config), 2024).html
    with chromium.browser() as driver:
        driver.set_window_size(1280, 900)
        driver.get(Path(page).as_uri())
        violations = chromium.axe_violations(driver)
    assert violations == [], violations


def test_the_kommuns_typeface_is_embedded_and_named_first(loaded_config: Config) -> None:
    """An own typeface (here DejaVu Sans under another name, a real TrueType file) goes into the page as
    @font-face rules with data: URLs, first in the body's font stack; the report set stays self-contained."""
    system = Path("/usr/share/fonts/truetype/dejavu")
    if not (system / "DejaVuSans-Bold.ttf").is_file():
        pytest.skip("needs DejaVu Sans's font files (fonts-dejavu-core)")
    folder = loaded_config.path.parent
    shutil.copy(system / "DejaVuSans.ttf", folder / "Kommun-Regular.ttf")
    shutil.copy(system / "DejaVuSans-Bold.ttf", folder / "Kommun-Bold.ttf")
    text = loaded_config.path.read_text(encoding="utf-8")
    extra = '\n[profil]\ntypsnitt = "Kommun-Regular.ttf"\ntypsnitt_fet = "Kommun-Bold.ttf"\n'
    loaded_config.path.write_text(text + extra, encoding="utf-8")
    html = pipeline.preview(load_config(loaded_config.path), 2024).html.read_text(encoding="utf-8")
    faces = re.findall(r'@font-face \{ font-family: "Kommunens typsnitt"; font-weight: (\d+);[^}]*data:font/ttf', html)
    assert faces == ["400", "700"]
    assert 'html, body { font-family: "Kommunens typsnitt", sans-serif; }' in html
    assert "--accent-text: #0b3d62;" in html  # no colour given: the neutral colours stay
