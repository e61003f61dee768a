"""The report's HTML without the blank text between block, table and SVG tags, and narrative Markdown made safe.

The templates are indented for people to read; every indentation between two tags becomes a text node that
WeasyPrint parses, boxes and lays out although it shows nothing (about 3 000 in the full report, an eighth
of the render). Blank text between two tags of the kinds below is insignificant in both the browser and
WeasyPrint (the style sheet makes none of them inline blocks), so it is dropped; blank text next to an
inline tag (``a``, ``strong``, ``span``, ``code`` …) is a space between words and stays.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from markupsafe import Markup

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

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


# Narrative Markdown (the samordningsfunktion's texts, see :func:`render_markdown`) is rendered by markdown-it into
# tokens, which are cleaned here before they become HTML: only then are entities such as &#x202e; decoded, so a
# bidi control written as an entity is dropped too, and a link's address is known.
BIDI_CONTROLS = dict.fromkeys([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def markdown() -> MarkdownIt:
    """CommonMark without raw HTML and without images."""
    from markdown_it import MarkdownIt  # only reports render markdown; the config is read by every command

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def render_markdown(text: str) -> Markup:
    """Narrative Markdown (a Jinja filter: ``{{ text | markdown }}``) as HTML, without bidi controls or links to
    local addresses."""
    return Markup(narrative_html(markdown(), text))


def narrative_html(md: MarkdownIt, text: str) -> str:
    """``text`` rendered by ``md`` without bidi controls (also those written as entities) and without links to
    this machine or the local network (169.254.169.254, 10.x, 192.168.x, localhost …): such a link's text stays,
    as plain text, so a reader of the report is never sent to an address inside the kommun's network."""
    tokens = md.parse(text)
    for token in tokens:
        if token.children:
            token.children = _cleaned(token.children)
    html: str = md.renderer.render(tokens, md.options, {})
    return html


def _cleaned(children: list[Token]) -> list[Token]:
    kept: list[Token] = []
    dropping = False
    for child in children:
        if child.type == "link_open" and _local(str(child.attrs.get("href", ""))):
            dropping = True
            continue
        if child.type == "link_close" and dropping:
            dropping = False
            continue
        child.content = child.content.translate(BIDI_CONTROLS)
        child.attrs = {k: v.translate(BIDI_CONTROLS) if isinstance(v, str) else v for k, v in child.attrs.items()}
        kept.append(child)
    return kept


def _local(href: str) -> bool:
    """Whether a link points at this machine or a private, link-local or otherwise non-public address."""
    try:
        host = urlsplit(href.strip()).hostname
    except ValueError:
        return True  # not a URL a browser could follow either
    if not host:
        return False  # a relative link or mailto:
    host = host.rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        try:  # the forms browsers read as IPv4 too: 2130706433, 0x7f.1, 127.1
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return False  # a name
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast
