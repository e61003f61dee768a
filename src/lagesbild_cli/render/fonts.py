"""The report's typeface in the PDF: Source Sans 3, shipped with the package (``data/fonts``, SIL OFL 1.1).

WeasyPrint renders with a fetcher that allows ``data:`` URLs only (see :func:`pdf_render.safe_url_fetcher`),
so each font file goes into its ``@font-face`` rule as a ``data:`` URL. The rules are added to the PDF
only: the web page names the family first in its font stack and falls back to the reader's system fonts,
so it carries no font files of its own (the kommun's web usually has its own typeface).
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

FAMILY = "Source Sans 3"
FONTS = Path(__file__).resolve().parents[1] / "data" / "fonts"
# file name → (weight, style)
FACES = {
    "source-sans-3-latin-400-normal.woff2": ("400", "normal"),
    "source-sans-3-latin-400-italic.woff2": ("400", "italic"),
    "source-sans-3-latin-600-normal.woff2": ("600", "normal"),
    "source-sans-3-latin-700-normal.woff2": ("700", "normal"),
}


@cache
def font_face_css() -> str:
    """One ``@font-face`` rule per shipped face, its file inline; read once per process."""
    rules = []
    for name, (weight, style) in FACES.items():
        data = base64.b64encode((FONTS / name).read_bytes()).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; font-style: {style}; '
            f'src: url("data:font/woff2;base64,{data}") format("woff2"); }}'
        )
    return "\n".join(rules)
