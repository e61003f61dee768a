"""SVG text in the PDF shaped a label at a time, not a letter at a time.

WeasyPrint lays out and draws SVG ``<text>`` one code point at a time, so that ``x``, ``y``, ``dx``, ``dy`` and
``rotate`` lists can place each glyph. The charts' labels (about 4 000 letters in the full report) never use
such lists, and shaping each letter on its own cost a tenth of the render. Upstream calls drawing the whole text
in that case the fix for split combining marks and ligatures (Kozea/WeasyPrint#2249); :func:`install` does
exactly that for the WeasyPrint versions it was checked against (:data:`weasyprint_fixes.CHECKED_VERSIONS`, the
one lock for every change lagesbild makes to WeasyPrint), and leaves any other version alone.

The label is handed to WeasyPrint's own ``text`` as a string that iterates as one piece, so alignment, fill,
bounding box and text anchor follow WeasyPrint's code unchanged. tests/test_svg_text.py renders the same labels
both ways and compares where every letter lands.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

from lagesbild_cli.render.weasyprint_fixes import checked

# Attributes that position or space single glyphs: with any of them the text keeps WeasyPrint's own path.
_PER_GLYPH = ("dx", "dy", "rotate", "letter-spacing", "textLength")


class _OnePiece(str):
    """A text that iterates as one piece: WeasyPrint's per-letter loop then shapes and draws it once."""

    __slots__ = ()

    def __iter__(self) -> Iterator[str]:
        yield str(self)


def _whole(node: Any) -> bool:
    """True when no attribute of ``node`` places single glyphs: one ``x`` and one ``y`` at most."""
    attrib = node.attrib
    if any(name in attrib for name in _PER_GLYPH):
        return False
    return all(len(str(attrib.get(name, "")).split()) <= 1 for name in ("x", "y"))


def _shaped_whole(original: Callable[..., Any]) -> Callable[..., Any]:
    def text(svg: Any, node: Any, font_size: float) -> Any:
        element = node._etree_node
        label = element.text
        if not label or not _whole(node):
            return original(svg, node, font_size)
        element.text = _OnePiece(label)
        try:
            return original(svg, node, font_size)
        finally:
            element.text = label

    text.shaped_whole = True  # type: ignore[attr-defined]
    return text


def install() -> bool:
    """Draw simple SVG labels whole from now on in this process; True when that is in effect. Idempotent."""
    svg = importlib.import_module("weasyprint.svg")
    if getattr(svg.text, "shaped_whole", False):
        return True
    if not checked("weasyprint"):  # its svg/text.py read and its output compared letter by letter
        return False
    original = importlib.import_module("weasyprint.svg.text").text
    if svg.text is not original:
        return False
    replacement = _shaped_whole(original)
    # svg.draw_node tells text nodes by comparing TAGS entries with the module's ``text``: both change together
    svg.TAGS.update({tag: replacement for tag, draw in svg.TAGS.items() if draw is original})
    setattr(svg, "text", replacement)  # noqa: B010 (the module's name, not a known attribute)
    return True
