"""The kommun's graphic profile as the report shows it: the logo as a ``data:`` URL, the primary colour in
contrast-safe shades, and the kommun's typeface as ``@font-face`` rules.

The colour rule (stated in the method section): text, headings and the kommun's line in the charts use the
kommun's colour when it reaches 4.5:1 against white (WCAG 2.1, 1.4.3), rules and frames when it reaches 3:1
(1.4.11); otherwise the same hue made darker, step by step, until it does. A colour too like the län's orange or
riket's grey leaves the charts' kommun line in the neutral blue, so the three lines stay apart. Without a profile
the report keeps its neutral blue.
"""

from __future__ import annotations

import base64
import colorsys
from dataclasses import dataclass

from lagesbild_cli.context.charts import COLOURS
from lagesbild_cli.settings.config import ProfileSettings

TEXT_CONTRAST = 4.5  # WCAG 2.1 AA, text
MARK_CONTRAST = 3.0  # WCAG 2.1 AA, graphical objects
DARK_CONTRAST = 8.0  # a second, darker shade: the whole kommun's dot beside its areas' dots
NEUTRAL_ACCENT = "#0072B2"  # the neutral report's blue (rules, the kommun's line)
NEUTRAL_TEXT = "#0b3d62"  # and its headings
FONT_FAMILY = "Kommunens typsnitt"


@dataclass(frozen=True)
class ReportProfile:
    colour: str | None  # as the config gives it
    accent: str  # rules, frames: ≥ 3:1 against white
    accent_text: str  # headings, links, the kommun's line and its label: ≥ 4.5:1 against white
    logo_uri: str | None
    font_css: str  # @font-face rules for the kommun's typeface, or ""
    chart_line: str = NEUTRAL_ACCENT  # the kommun's line and dots in the charts
    chart_dark: str = NEUTRAL_TEXT  # the whole kommun's dot among its areas'
    charts_neutral: bool = True  # the kommun's colour is too like the län's orange or riket's grey for a line

    @property
    def line_words(self) -> str:
        """How the text names the kommun's line in the charts."""
        return "blå" if self.charts_neutral else "kommunens färg"

    @property
    def logo(self) -> bool:
        return self.logo_uri is not None

    @property
    def css(self) -> str:
        """Custom properties for style.css, and the kommun's typeface first in the font stack ("" when neutral:
        style.css's own values stay)."""
        if self.colour is None and not self.font_css:
            return ""
        text = self.accent_text
        rules = f":root {{ --accent: {self.accent}; --accent-text: {text}; --accent-label: {text}; --link: {text}; }}"
        if self.font_css:
            rules += f"\n{self.font_css}\nhtml, body {{ font-family: {css_quote(FONT_FAMILY)}, sans-serif; }}"
        return rules


NEUTRAL = ReportProfile(None, NEUTRAL_ACCENT, NEUTRAL_TEXT, None, "")


def css_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _channel(value: float) -> float:
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2.1)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str = "#ffffff") -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _hex(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in (r, g, b))


def darkened(colour: str, ratio: float) -> str:
    """``colour`` when it reaches ``ratio`` against white, else the same hue and saturation made darker in
    steps of 1 % lightness until it does."""
    if contrast(colour) >= ratio:
        return colour
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    while lightness > 0:
        lightness = max(0.0, lightness - 0.01)
        shade = _hex(*colorsys.hls_to_rgb(hue, lightness, saturation))
        if contrast(shade) >= ratio:
            return shade
    return "#000000"


def _hue_saturation(colour: str) -> tuple[float, float]:
    hue, _, saturation = colorsys.rgb_to_hls(*(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)))
    return hue * 360, saturation


def alike(a: str, b: str) -> bool:
    """True when two colours would pass for each other as lines: both greyish (saturation under 0,25), or both
    coloured with hues less than 40 degrees apart."""
    (hue_a, sat_a), (hue_b, sat_b) = _hue_saturation(a), _hue_saturation(b)
    if sat_a < 0.25 or sat_b < 0.25:
        return sat_a < 0.25 and sat_b < 0.25
    return min(abs(hue_a - hue_b), 360 - abs(hue_a - hue_b)) < 40


def report_profile(settings: ProfileSettings) -> ReportProfile:
    """The profile the report shows; the neutral one when the config gives no logo, colour or typeface."""
    if settings.logo is None and settings.colour is None and not settings.fonts:
        return NEUTRAL
    accent, accent_text, chart_line, chart_dark = NEUTRAL_ACCENT, NEUTRAL_TEXT, NEUTRAL_ACCENT, NEUTRAL_TEXT
    neutral = True
    if settings.colour is not None:
        accent, accent_text = darkened(settings.colour, MARK_CONTRAST), darkened(settings.colour, TEXT_CONTRAST)
        if not any(alike(settings.colour, COLOURS[level]) for level in ("lan", "riket")):
            chart_line, chart_dark = accent_text, darkened(settings.colour, DARK_CONTRAST)
            neutral = False
    logo = settings.logo
    uri = f"data:{logo.media_type};base64,{base64.b64encode(logo.data).decode('ascii')}" if logo else None
    faces = "\n".join(
        f"@font-face {{ font-family: {css_quote(FONT_FAMILY)}; font-weight: {font.weight}; font-style: normal; "
        f"src: url(data:font/{'otf' if font.format == 'opentype' else 'ttf'};base64,"
        f"{base64.b64encode(font.data).decode('ascii')}) format({css_quote(font.format)}); }}"
        for font in settings.fonts
    )
    return ReportProfile(settings.colour, accent, accent_text, uri, faces, chart_line, chart_dark, neutral)
