"""Two costs of WeasyPrint's render that the report never needs, removed for the versions they were checked on.

**Pseudo-elements for every element.** WeasyPrint's user-agent style sheet has six rules that match any
element: ``::marker`` and five for footnotes and notes (``::footnote-call``, ``::footnote-marker``,
``::note-call``, ``::note-marker``, ``::note-callback``). So its cascade computes six more styles for each
element of a document, about 20 000 for the full report, and nothing reads them: the report has no footnotes
or notes (nothing in its style sheet is floated to a footnote; a test checks) and only ``li`` elements are list
items, in WeasyPrint's sheet and in the report's. :func:`html_class` gives an HTML class whose user-agent sheet
is WeasyPrint's own with ``::marker`` scoped to ``li`` and the five note rules left out.

**Page references rebuilt for each tag.** pydyf's ``PDF.page_references`` builds the tuple of every page's
reference each time it is read, and WeasyPrint's PDF/UA tagging reads it once per tagged box: for the full
report about 9 000 tuples of 40 references. :func:`install` makes it build the tuple again only when the pages
have changed.

Together about a tenth of the full report's render.

**Native libraries looked for under every platform's names.** WeasyPrint opens each of its native libraries
(Pango, HarfBuzz, fontconfig, …) by trying up to six names, Linux, macOS and Windows spellings, and cffi looks
each name that does not open at once up with ``ctypes.util.find_library``, which on Linux runs ``ldconfig``
and then compiles and links a test program with gcc: about 20 ms a name, a quarter of a CPU-second and
twenty processes for every Python that loads WeasyPrint. On Linux that lookup can only ever answer with a
library's soname, which WeasyPrint's list already holds and the dynamic loader opens directly; so
:func:`load` imports WeasyPrint with the lookup answering "not found" at once, and the same libraries open.

All apply only to the versions below, whose code was read and whose PDFs were compared byte for byte
(tests/test_weasyprint_fixes.py); any other version renders as it is, and a test fails when the lock moves so
that the fixes get checked again.
"""

from __future__ import annotations

import sys
from functools import cache
from importlib import import_module
from importlib.metadata import version
from typing import Any

# The one lock for every change lagesbild makes to WeasyPrint's and pydyf's behaviour (these two and svg_text's)
CHECKED_VERSIONS = {"weasyprint": ("70.0",), "pydyf": ("0.13.0",)}

# the rules of WeasyPrint's user-agent sheet (html5_ua.css) that match every element, and what replaces each
UA_RULES = {
    "::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }": (
        "li::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }"
    ),
    "::footnote-call { content: counter(footnote); vertical-align: super; font-size: smaller; "
    "line-height: inherit }": "",
    '::footnote-marker { content: counter(footnote) ". " }': "",
    "::note-call { content: counter(note); vertical-align: super; font-size: smaller; line-height: inherit }": "",
    '::note-marker { content: counter(note) ". " }': "",
    '::note-callback { content: "\u202f↩" }': "",  # a narrow no-break space before the arrow
}


def checked(package: str) -> bool:
    """True when the installed ``package`` is a version these changes were checked on."""
    return version(package) in CHECKED_VERSIONS[package]


def _not_looked_up(name: str) -> None:
    """``ctypes.util.find_library`` while WeasyPrint loads (see :func:`load`)."""
    return None


def load() -> None:
    """Import WeasyPrint; on Linux, with the versions checked, its native libraries opened by their sonames
    without a lookup per name (see the module's notes)."""
    if "weasyprint.text.ffi" in sys.modules or sys.platform != "linux" or not checked("weasyprint"):
        import_module("weasyprint")
        return
    import ctypes.util

    find_library = ctypes.util.find_library
    ctypes.util.find_library = _not_looked_up
    try:
        import_module("weasyprint")
    finally:
        ctypes.util.find_library = find_library


def lean_ua_text(ua: str) -> str | None:
    """WeasyPrint's user-agent sheet without the rules for every element; None if one is not there as read."""
    for rule, replacement in UA_RULES.items():
        if ua.count(f"\n{rule}\n") != 1:
            return None
        ua = ua.replace(f"\n{rule}\n", f"\n{replacement}\n")
    return ua


@cache
def html_class() -> Any:
    """The HTML class to render with: WeasyPrint's, with the lean user-agent sheet where it was checked."""
    from importlib.resources import files

    import weasyprint
    import weasyprint.css
    from weasyprint.html import UA_COUNTER_STYLE, UA_STYLESHEET

    if not checked("weasyprint"):
        return weasyprint.HTML
    text = lean_ua_text((files(weasyprint.css) / "html5_ua.css").read_text("utf-8"))
    if text is None:
        return weasyprint.HTML
    lean = weasyprint.CSS(string=text, counter_style=UA_COUNTER_STYLE)

    class LeanHTML(weasyprint.HTML):  # type: ignore[misc]
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [lean if sheet is UA_STYLESHEET else sheet for sheet in super()._ua_stylesheets(forms)]

    return LeanHTML


def _page_references(pdf: Any) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    kept = pdf.__dict__.get("_kept_page_references")
    if kept is None or kept[0] != kids:
        kept = (list(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_kept_page_references"] = kept
    references: tuple[bytes, ...] = kept[1]
    return references


def install() -> bool:
    """Build page references once per set of pages from now on in this process; True when in effect."""
    import pydyf

    current = pydyf.PDF.__dict__.get("page_references")
    if isinstance(current, property) and current.fget is _page_references:
        return True
    if not checked("pydyf") or not isinstance(current, property):
        return False
    pydyf.PDF.page_references = property(_page_references)
    return True
