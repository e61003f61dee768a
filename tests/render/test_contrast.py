"""Every colour that carries text or data passes WCAG 2.1 AA against its background: 4.5:1 for text
(1.4.3), 3:1 for lines and dots (1.4.11). The ratio is WCAG's, from relative luminance."""

from __future__ import annotations

import re

import pytest

from conftest import REPO
from lagesbild_cli.context import charts, maps

TEMPLATES = REPO / "templates"
WHITE = "#ffffff"


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB hex colour (#rgb or #rrggbb)."""
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_formula_gives_wcags_known_ratios() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#777777", WHITE) == pytest.approx(4.48, abs=0.01)  # the grey that just fails
    assert contrast("#E69F00", WHITE) == pytest.approx(2.25, abs=0.01)  # Okabe–Ito orange: not for text


@pytest.mark.parametrize("level", sorted(charts.COLOURS))
def test_each_geographys_colour_passes_as_text_and_as_a_line(level: str) -> None:
    """The line, its dots and its direct label ("Länet 1 234") share the colour: text's 4.5:1 applies."""
    assert contrast(charts.COLOURS[level], WHITE) >= 4.5


def test_the_geographies_stay_distinct() -> None:
    colours = list(charts.COLOURS.values())
    assert len(set(colours)) == 3 and len(set(charts.DASHES.values())) == 3  # never colour alone


def test_map_labels_are_readable_on_every_class() -> None:
    for fill, text in zip(maps.PALETTE, maps.TEXT_ON, strict=True):
        assert contrast(fill, text) >= 4.5, (fill, text)


def test_every_text_and_data_mark_in_the_chart_templates() -> None:
    """Text fills need 4.5:1 on the white chart; dots and marker lines 3:1. Grid lines carry no data."""
    for template in ("_line_chart.svg.j2", "_dot_plot.svg.j2"):
        source = (TEMPLATES / template).read_text(encoding="utf-8")
        texts = re.findall(r'<text[^>]*\bfill="(#[0-9A-Fa-f]{6})"', source)
        marks = re.findall(r'<(?:circle|path)[^>]*\b(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', source)
        marks += re.findall(r'<line[^>]*stroke="(#[0-9A-Fa-f]{6})" stroke-width="1(?:\.6)?"', source)
        assert texts and (marks or "c.colour" in source)  # the dot plot's marks: the kommun's colour, below
        for colour in texts:
            assert contrast(colour, WHITE) >= 4.5, (template, colour)
        for colour in marks:
            assert contrast(colour, WHITE) >= 3, (template, colour)


def test_the_dot_plots_neutral_kommun_colours_pass_as_marks() -> None:
    """The dot plot draws the kommun's dots in the context's colours (the neutral blue, or the kommun's profile,
    which context/profile.py makes contrast-safe)."""
    plot = charts.dot_plot("d", "t", "d", [charts.DotData("A", 0.2, 0.1, 0.3, "20 %", is_total=True)])
    assert contrast(plot.colour, WHITE) >= 3 and contrast(plot.total_colour, WHITE) >= 4.5


def test_every_text_colour_in_the_stylesheet_on_its_background() -> None:
    css = (TEMPLATES / "style.css").read_text(encoding="utf-8")
    checked = 0
    for selector, body in re.findall(r"([^{}]*)\{([^{}]*)\}", css):
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9A-Fa-f]{3,6})\b", body)
        if colour is None:
            continue
        background = re.search(r"background(?:-color)?:\s*(#[0-9A-Fa-f]{3,6})\b", body)
        ratio = contrast(colour.group(1), background.group(1) if background else WHITE)
        assert ratio >= 4.5, (selector.strip(), colour.group(1), round(ratio, 2))
        checked += 1
    assert checked > 15
