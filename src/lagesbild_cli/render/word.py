"""The report as a Word document (``lagesbild.docx``): the report's own HTML, made plain for Word, converted by
pandoc with a reference document that gives the styles, page layout, header and footer.

The same HTML as the web page and the PDF goes in, so the document has the same sections, tables, notes and
source lines, and no number is computed here. :func:`word_html` changes only what Word cannot take or shows
differently:

- each chart (inline SVG) becomes a PNG image (pandoc's Word writer cannot embed SVG on its own; resvg draws
  it, with the system's fonts, DejaVu Sans as in the PDF) whose
  alternative text is the chart's description, the SVG's ``title``: the same text a screen reader reads on
  the web page. Its caption, with the source, follows the image, then the table of its values;
- a figure's parts become plain paragraphs (pandoc lays a figure with several parts out as a table, which
  Word's accessibility check takes for a table without a header row);
- the cover's heading becomes the document's title (the Title style and the document properties), and every
  other heading moves up a level, so the sections are Heading 1, their parts Heading 2 and 3;
- source lines get the paragraph style "Källa", figure captions "Image Caption", so that a kommun's template
  can style them;
- a unit under a label (``<span class="unit">``, a block of its own on the web page) starts a new line;
- each table gets column widths from its longest texts and spans the page (without widths pandoc leaves the
  layout to the word processor, and LibreOffice squeezes a table into a third of the page), and its numbers
  stay right-aligned, as the ``num`` class aligns them on the web page.

pandoc marks every table's header rows as repeating header rows (``w:tblHeader``), writes the alternative text
into each picture (``wp:docPr/@descr``), and the title, author and language (sv-SE) into the document
properties and the styles. The images are files in a temporary folder beside pandoc's output (as ``data:``
URLs in the HTML they cost pandoc a second more), and so is the kommun's logo on the cover (an SVG logo drawn
as PNG); the templates write no other ``<img>``, and the narrative
texts' images are shown as text (:mod:`markup`), so pandoc reads nothing else. The same report gives the same
bytes: pandoc dates the document by ``SOURCE_DATE_EPOCH``, here the report's date.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

from lagesbild_cli.errors import ConfigError, RenderError
from lagesbild_cli.i18n import _

SVG_NS = "{http://www.w3.org/2000/svg}"
LANGUAGE = "sv-SE"
# the shipped reference document, made by scripts/make_word_reference.py: the PDF's fonts, colours and sizes
DEFAULT_REFERENCE = Path(__file__).resolve().parents[1] / "data" / "word" / "referens.docx"
SOURCE_STYLE = "Källa"
CAPTION_STYLE = "Image Caption"
# a chart's width in the document: a fifth wider than in the PDF, where two stand side by side; at most the
# width of an A4 page's text
CHART_SCALE = 1.2
MAX_WIDTH_CM = 16.0
PANDOC_TIMEOUT_SECONDS = 300
PNG_SCALE = 2  # pixels per SVG unit: about 160 dpi at the size above, sharp on screen and on paper

_FIGURE = re.compile(r"<figure\b[^>]*>(.*?)</figure>", re.DOTALL)
_SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.DOTALL)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.DOTALL)
_DETAILS_OPEN = re.compile(r"<details\b[^>]*>\s*<summary\b[^>]*>.*?</summary>", re.DOTALL)
_COVER_TITLE = re.compile(r'<h1 class="cover-title">.*?</h1>', re.DOTALL)
_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.DOTALL)
_LOGO = re.compile(r'<img class="cover-logo" src="data:image/(svg\+xml|png);base64,([A-Za-z0-9+/=]+)" alt="([^"]*)">')
LOGO_WIDTH_CM = 5.0
_SOURCE = re.compile(r'<p class="source">(.*?)</p>', re.DOTALL)
_TABLE = re.compile(r"(<table\b[^>]*>\s*(?:<caption\b.*?</caption>)?)(.*?</table>)", re.DOTALL)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.DOTALL)
_CELL = re.compile(r"<t([hd])\b([^>]*)>(.*?)</t\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_UNIT = re.compile(r'(?:(?<=</span>)|(?<=[^>\s]))\s*<span class="unit">')
_NUM_CELL = re.compile(r'<(t[hd]) class="num"')
# a column's width follows its longest text, between these many characters (a short column still holds a
# number, a long text wraps)
MIN_COLUMN_CHARS, MAX_COLUMN_CHARS = 8, 32


def chart_png(svg: str, path: Path) -> None:
    """One chart as a PNG file on a white ground (resvg, in Rust: no Python runs while it draws, so a Ctrl-C
    waits until the chart is drawn, and it pulls in no XML library that would change how openpyxl reads)."""
    import resvg_py

    try:
        png = resvg_py.svg_to_bytes(svg_string=svg, zoom=PNG_SCALE, background="#ffffff")
    except ValueError as exc:
        raise RenderError(_("A chart could not be drawn for the Word document: {error}").format(error=exc)) from None
    path.write_bytes(bytes(png))


def _image(svg: str, folder: Path) -> str:
    """A chart's SVG as an ``<img>`` of its PNG, alt text from its title; left as it is (pandoc then drops it)
    if it is not a well-formed SVG with a title and a size, which the templates never write. The PNG goes
    into ``folder`` under the file name the ``<img>`` gives."""
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return svg
    title = root.find(f"{SVG_NS}title")
    alt = " ".join("".join(title.itertext()).split()) if title is not None else ""
    try:
        width, height = float(root.get("width", "")), float(root.get("height", ""))
    except ValueError:
        return svg
    if not alt:
        return svg
    width_cm = min(width * 2.54 / 96 * CHART_SCALE, MAX_WIDTH_CM)
    height_cm = width_cm * height / width
    name = f"diagram-{sum(1 for _ in folder.glob('diagram-*.png')) + 1:02d}.png"
    chart_png(svg, folder / name)
    return (
        f'<p><img alt="{escape(alt, quote=True)}" width="{width_cm:.2f}cm" height="{height_cm:.2f}cm" src="{name}"></p>'
    )


def _logo(match: re.Match[str], folder: Path) -> str:
    """The kommun's logo on the cover (checked when the config was read) as a PNG file: an SVG drawn by resvg."""
    kind, data, alt = match.group(1), base64.b64decode(match.group(2)), match.group(3)
    if kind == "png":
        (folder / "logotyp.png").write_bytes(data)
    else:
        chart_png(data.decode("utf-8"), folder / "logotyp.png")
    return f'<p><img alt="{alt}" width="{LOGO_WIDTH_CM:.1f}cm" src="logotyp.png"></p>'


def _figure(match: re.Match[str], folder: Path) -> str:
    """A figure as its image, its caption and the rest (the values table), one after the other."""
    body = match.group(1)
    caption = _FIGCAPTION.search(body)
    body = _FIGCAPTION.sub("", body)
    pictures = "".join(_image(svg.group(0), folder) for svg in _SVG.finditer(body))
    rest = _SVG.sub("", body)
    caption_html = f'<div data-custom-style="{CAPTION_STYLE}"><p>{caption.group(1)}</p></div>' if caption else ""
    return f"<div>{pictures}{caption_html}{rest}</div>"


def _column_widths(rows: str) -> list[float]:
    """Each column's share of the table's width: from the longest text in its body cells and the longest word
    in its header cells (a word does not wrap). Only rows with a cell for every column and none merged are
    measured. Empty when no row can be."""
    head, _, body = rows.rpartition("</thead>")
    measured: list[tuple[list[str], bool]] = []
    for part, is_head in ((head, True), (body, False)):
        for row in _ROW.finditer(part):
            cells = _CELL.findall(row.group(1))
            if not any("colspan" in attributes or "rowspan" in attributes for _, attributes, _ in cells):
                measured.append(([" ".join(_TAG.sub(" ", content).split()) for _, _, content in cells], is_head))
    columns = max((len(texts) for texts, _ in measured), default=0)
    longest = [MIN_COLUMN_CHARS] * columns
    for texts, is_head in measured:
        if len(texts) != columns:
            continue
        for n, text in enumerate(texts):
            size = max((len(word) for word in text.split()), default=0) if is_head else len(text)
            longest[n] = max(longest[n], min(size, MAX_COLUMN_CHARS))
    total = sum(longest)
    return [w / total for w in longest] if columns else []


def _table(match: re.Match[str]) -> str:
    head, rest = match.group(1), match.group(2)
    rest = _NUM_CELL.sub(r'<\1 class="num" style="text-align: right"', rest)
    widths = _column_widths(rest)
    if not widths:
        return head + rest
    cols = "".join(f'<col style="width: {100 * w:.1f}%">' for w in widths)
    return f"{head}<colgroup>{cols}</colgroup>{rest}"


def word_html(html: str, folder: Path) -> str:
    """The report's HTML as pandoc should read it for Word (see the module's text); its charts' PNG files are
    written into ``folder``."""
    html = _STYLE.sub("", html)
    html = _COVER_TITLE.sub("", html)
    html = _LOGO.sub(lambda m: _logo(m, folder), html)
    html = _FIGURE.sub(lambda m: _figure(m, folder), html)
    html = _SVG.sub(lambda m: _image(m.group(0), folder), html)  # a chart outside a figure, if a template has one
    html = _DETAILS_OPEN.sub("", html).replace("</details>", "")
    html = _UNIT.sub('<br><span class="unit">', html)
    html = _SOURCE.sub(lambda m: f'<div data-custom-style="{SOURCE_STYLE}"><p>{m.group(1)}</p></div>', html)
    return _TABLE.sub(_table, html)


def render_docx(
    html: str, *, title: str, author: str, reference: Path | None = None, dated: date | None = None
) -> bytes:
    """The Word document of the report's ``html``, in the styles of ``reference`` (the shipped neutral one
    when None), created and modified on ``dated`` (the report's date; today when None). pandoc is the one
    pypandoc-binary ships, run as a program (pypandoc's own call changes the process's working folder while
    pandoc runs)."""
    import pypandoc

    reference = reference or DEFAULT_REFERENCE
    if not reference.is_file():
        raise ConfigError(
            _("The Word template {path} ([profil] word_template) does not exist.").format(path=reference),
            hint=_("Put the kommun's Word template (.docx) there, or remove the key to use lagesbild's own."),
        )
    environment = dict(os.environ)
    if dated is not None:
        midnight = datetime(dated.year, dated.month, dated.day, tzinfo=UTC)
        environment["SOURCE_DATE_EPOCH"] = str(int(midnight.timestamp()))
    with tempfile.TemporaryDirectory(prefix="lagesbild-docx-") as name:
        folder = Path(name)
        (folder / "lagesbild.html").write_text(word_html(html, folder), encoding="utf-8")
        out = folder / "lagesbild.docx"
        command = [
            pypandoc.get_pandoc_path(),
            str(folder / "lagesbild.html"),
            "--from=html",
            "--to=docx",
            f"--output={out}",
            f"--resource-path={folder}",
            f"--reference-doc={reference}",
            "--shift-heading-level-by=-1",
            f"--metadata=title:{title}",
            f"--metadata=author:{author}",
            f"--metadata=lang:{LANGUAGE}",
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=PANDOC_TIMEOUT_SECONDS, check=False, env=environment
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise _failed(str(exc), reference) from None
        if done.returncode != 0 or not out.is_file():
            raise _failed(done.stderr.decode("utf-8", "replace"), reference)
        return out.read_bytes()


def _failed(detail: str, reference: Path) -> RenderError:
    text = " ".join(detail.split())[:500]
    hint = (
        _("Check that {path} ([profil] word_template) is a Word document (.docx) that Word opens.").format(
            path=reference
        )
        if reference != DEFAULT_REFERENCE
        else _("Reinstall lagesbild (uv sync): pandoc comes with the package pypandoc-binary.")
    )
    return RenderError(_("The Word document could not be made: {detail}").format(detail=text), hint=hint)
