"""The report's charts handed to WeasyPrint as images, not as inline SVG.

The web page keeps its charts inline: a screen reader reads their ``title`` and ``desc`` and a browser scales
them. For the PDF the same SVG goes into an ``<img>`` as a ``data:`` URL. WeasyPrint draws both alike (the
pages are pixel-identical and the PDF's tags the same: a Figure whose Alt is the chart's title), but an inline
chart's elements are also part of the HTML document, so WeasyPrint's CSS cascade computes a style, and one for
each of its pseudo-elements, for each of the about 1 500 lines, dots and labels, which it then never uses. As
an image the SVG is parsed on its own. That was about a tenth of the full report's render.

A chart that is not well-formed XML (WeasyPrint reads an SVG image as XML) stays inline, as does one without a
``title`` to become the image's alternative text.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from html import escape

SVG_NS = "{http://www.w3.org/2000/svg}"

# the templates write each chart as one <svg> element with no <svg> inside it
_INLINE_SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.DOTALL)


def _as_image(match: re.Match[str]) -> str:
    svg = match.group(0)
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return svg
    title = root.find(f"{SVG_NS}title")
    alt = "".join(title.itertext()) if title is not None else ""  # as WeasyPrint takes an inline chart's
    width, height = root.get("width"), root.get("height")
    if root.tag != f"{SVG_NS}svg" or not alt.strip() or not width or not height:
        return svg
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img alt="{escape(alt, quote=True)}" width="{escape(width, quote=True)}" '
        f'height="{escape(height, quote=True)}" src="data:image/svg+xml;base64,{data}">'
    )


def as_images(html: str) -> str:
    """``html`` with every well-formed inline chart as an ``<img>`` of the same SVG, alt text from its title."""
    return _INLINE_SVG.sub(_as_image, html)
