"""The report's HTML without the blank text between block, table and SVG tags.

The templates are indented for people to read; every indentation between two tags becomes a text node that
WeasyPrint parses, boxes and lays out although it shows nothing (about 3 000 in the full report, an eighth
of the render). Blank text between two tags of the kinds below is insignificant in both the browser and
WeasyPrint (the style sheet makes none of them inline blocks), so it is dropped; blank text next to an
inline tag (``a``, ``strong``, ``span``, ``code`` …) is a space between words and stays.
"""

from __future__ import annotations

import re

BLOCK_TAGS = (
    "html head body meta title style link main header footer section nav aside article div p blockquote hr "
    "h1 h2 h3 h4 h5 h6 ul ol li dl dt dd figure figcaption details summary "
    "table caption colgroup col thead tbody tfoot tr th td "
    "svg g defs desc line circle ellipse rect path polyline polygon text"
).split()

_NAME = "|".join(sorted(BLOCK_TAGS, key=len, reverse=True))
_BLANK_BETWEEN_BLOCKS = re.compile(rf"(</?(?:{_NAME})(?=[\s/>])[^<>]*>)[ \t\r\n]+(?=</?(?:{_NAME})[\s/>])")


def drop_blank_between_blocks(html: str) -> str:
    """``html`` with the blank text between two block, table or SVG tags removed; nothing else changes."""
    return _BLANK_BETWEEN_BLOCKS.sub(r"\1", html)
