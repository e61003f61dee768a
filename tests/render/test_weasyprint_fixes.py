"""WeasyPrint renders the same bytes without the styles and page lists the report never needs."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from importlib.resources import files

import pydyf
import pytest
import tinycss2
import weasyprint
import weasyprint.css

from conftest import REPO
from lagesbild_cli.render import report, weasyprint_fixes
from reading import pdf_pages

ROOT = REPO

# a list with markers of both kinds, a table, a details element and enough pages for the page references
DOC = (
    "<html lang='sv'><head><title>Prov</title><style>@page { size: A6 } td { border: 1px solid }</style></head><body>"
    "<h1>Rubrik</h1><ol><li>ett</li><li>två</li></ol><ul><li>punkt</li></ul>"
    "<details><summary>Värden</summary><p>dolt</p></details>"
    + "".join(
        f"<h2>Del {i}</h2><table><tr><th>År</th><td>{i}</td></tr></table><p>{'text ' * 60}</p>" for i in range(12)
    )
    + "</body></html>"
)


def _rules(css: str) -> list[str]:
    return [
        tinycss2.serialize([rule]).strip()
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    ]


def test_the_lean_sheet_leaves_out_only_the_rules_for_every_element() -> None:
    ua = (files(weasyprint.css) / "html5_ua.css").read_text("utf-8")
    lean = weasyprint_fixes.lean_ua_text(ua)
    assert lean is not None
    before, after = _rules(ua), _rules(lean)
    assert [r for r in before if r not in after] == list(weasyprint_fixes.UA_RULES)
    assert [r for r in after if r not in before] == [
        "li::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }"
    ]
    assert weasyprint_fixes.lean_ua_text(ua.replace("::note-call {", "::note-call{")) is None  # not as read


def test_the_report_needs_no_note_styles_and_has_no_list_items_but_li() -> None:
    """What makes the lean sheet safe for the report: a footnote or another list item would need the rules."""
    css = (ROOT / "templates" / "style.css").read_text(encoding="utf-8")
    assert "footnote" not in css and "note-" not in css
    assert "list-item" not in css.replace("counter-reset: list-item", "")


def test_the_fixes_change_no_byte_of_the_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = report.render_pdf(DOC)
    assert weasyprint_fixes.html_class() is not weasyprint.HTML
    assert isinstance(pydyf.PDF.__dict__["page_references"], property)
    with monkeypatch.context() as unfixed:
        unfixed.setattr(weasyprint_fixes, "html_class", lambda: weasyprint.HTML)
        unfixed.setattr(weasyprint_fixes, "install", lambda: False)
        unfixed.setattr(pydyf.PDF, "page_references", property(_original_page_references))
        plain = report.render_pdf(DOC)
    assert fixed == plain
    assert len(pdf_pages(fixed)) >= 10


def _original_page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    return tuple(f"{n} 0 R".encode("ascii") for n in pdf.pages["Kids"][::3])


def test_page_references_follow_the_pages() -> None:
    weasyprint_fixes.install()
    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    first = pdf.page_references
    assert first == _original_page_references(pdf) and pdf.page_references is first  # built once
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert pdf.page_references == _original_page_references(pdf) and len(pdf.page_references) == 4


def test_the_locked_versions_are_the_checked_ones() -> None:
    """An upgrade of WeasyPrint or pydyf fails here until the fixes are checked against it and its version added."""
    for package, versions in weasyprint_fixes.CHECKED_VERSIONS.items():
        assert importlib.metadata.version(package) in versions, package
    assert weasyprint_fixes.install() is True
    assert weasyprint_fixes.html_class() is not weasyprint.HTML


def test_other_versions_render_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(weasyprint_fixes, "CHECKED_VERSIONS", {"weasyprint": ("99.0",), "pydyf": ("99.0",)})
    weasyprint_fixes.html_class.cache_clear()
    try:
        assert weasyprint_fixes.html_class() is weasyprint.HTML
        monkeypatch.setattr(pydyf.PDF, "page_references", property(_original_page_references))
        assert weasyprint_fixes.install() is False
        assert pydyf.PDF.__dict__["page_references"].fget is _original_page_references
    finally:
        weasyprint_fixes.html_class.cache_clear()


LOADED = """
import json, subprocess, sys
started = []
class Counted(subprocess.Popen):
    def __init__(self, args, *rest, **kwargs):
        started.append(str(args))
        super().__init__(args, *rest, **kwargs)
subprocess.Popen = Counted
if sys.argv[1] == "fixed":
    from lagesbild_cli.render import weasyprint_fixes
    weasyprint_fixes.load()
else:
    import weasyprint
from weasyprint.text import ffi
names = ("gobject", "pango", "harfbuzz", "harfbuzz_subset", "harfbuzz_vector", "fontconfig", "pangoft2")
libraries = ("libgobject-2", "libpango", "libharfbuzz", "libfontconfig")
with open("/proc/self/maps", encoding="utf-8") as maps:
    files = sorted({line.split()[-1] for line in maps if any(name in line for name in libraries)})
print(json.dumps({"started": started, "opened": [n for n in names if getattr(ffi, n) is not None], "files": files}))
"""


@pytest.mark.skipif(not (sys.platform == "linux" and weasyprint_fixes.checked("weasyprint")), reason="Linux only")
def test_weasyprint_opens_the_same_libraries_without_a_lookup_process() -> None:
    def loaded(how: str) -> dict[str, list[str]]:
        done = subprocess.run([sys.executable, "-c", LOADED, how], capture_output=True, text=True, check=True)
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    plain, fixed = loaded("plain"), loaded("fixed")
    assert plain["started"]  # ldconfig, gcc: a lookup per name that does not open at once
    assert fixed["started"] == []
    assert fixed["opened"] == plain["opened"] and {"pango", "harfbuzz", "fontconfig"} <= set(fixed["opened"])
    assert fixed["files"] == plain["files"] and fixed["files"]
