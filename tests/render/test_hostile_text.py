"""Text from outside — Polisen's summaries, Brå's titles, config strings, narrative Markdown — is
untrusted: it renders escaped, loses control characters, and makes WeasyPrint fetch nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from builders import write_hostile_narratives
from conftest import BRA_XLSX, write_config
from lagesbild_cli import pipeline
from lagesbild_cli.cli import app
from lagesbild_cli.errors import RenderError
from lagesbild_cli.render.weasyprint_check import check_weasyprint
from lagesbild_cli.settings.config import load_config
from reading import pdf_text

HOSTILE = (
    "<script>alert(1)</script>",
    '<img src="file:///etc/passwd">',
    "</svg><svg onload=alert(2)>",
    "{{ 7*7 }}{% raw %}",
    "\x00\x07\x1b[31mröd\x7f",
    "\u202eevil\u202c",
    "x" * 10_000,
)


def hostile_events() -> list[dict[str, object]]:
    return [
        {
            "id": 900_000 + n,
            "datetime": f"2024-0{n % 9 + 1}-1{n % 9} 12:00:00 +02:00",
            "name": f"1{n % 9} juni 12.00, Misshandel, Gagnef",
            "summary": text,
            "url": f"/x/{n}/",
            "type": "Misshandel" if n % 2 else text[:40],
            "location": {"name": "Gagnef", "gps": "60.5,15.0"},
        }
        for n, text in enumerate(HOSTILE)
    ]


def hostile_workbook(tmp_path: Path) -> Path:
    book = openpyxl.load_workbook(BRA_XLSX / "Gagnef.xlsx")
    book.worksheets[1]["A1"] = "Bil<script>alert(3)</script>brott (anmälda brott) i kommunen, länet och hela landet"
    folder = tmp_path / "bra"
    folder.mkdir()
    book.save(folder / "Gagnef.xlsx")
    return folder / "Gagnef.xlsx"


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from weasyprint.urls import URLFetcher

    tmp_path = tmp_path_factory.mktemp("hostile")
    config_path = write_config(tmp_path)
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        text.replace(
            'title = "Lägesbild över brottslighet och trygghet"',
            'title = "Lägesbild <img src=\\"file:///etc/passwd\\"> {{ 7*7 }}"',
        ),
        encoding="utf-8",
    )
    write_hostile_narratives(tmp_path / "text")  # the config's narrative folder
    config = load_config(config_path)
    pipeline.import_bra(config, [hostile_workbook(tmp_path)])
    events = tmp_path / "events.json"
    events.write_text(json.dumps(hostile_events()), encoding="utf-8")
    pipeline.import_polisen(config, events)
    fetched: list[str] = []
    real = URLFetcher.fetch

    def spy(self: URLFetcher, url: str, headers: object = None) -> object:
        fetched.append(url)
        return real(self, url, headers)

    URLFetcher.fetch = spy  # type: ignore[method-assign]
    try:
        built = pipeline.build(config, 2024)
    finally:
        URLFetcher.fetch = real  # type: ignore[method-assign]
    return built, fetched


def test_everything_renders_escaped(hostile_build) -> None:  # type: ignore[no-untyped-def]
    built, _ = hostile_build
    html = built.html.read_text(encoding="utf-8")
    body = html.split("<body>")[1]
    assert "<script" not in body and "<img" not in body and "<svg onload" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # Polisen's summary, shown as text
    assert "Bil&lt;script&gt;alert(3)&lt;/script&gt;brott" in body  # Brå's title
    assert "Lägesbild &lt;img src=&#34;file:///etc/passwd&#34;&gt; {{ 7*7 }}" in html  # config: not evaluated
    assert "49" not in html.split("<title>")[1].split("</title>")[0]


def test_narrative_markdown_keeps_its_emphasis_and_shows_html_as_text(hostile_build) -> None:  # type: ignore[no-untyped-def]
    built, _ = hostile_build
    section = built.html.read_text(encoding="utf-8").split('<section id="analys">')[1].split("</section>")[0]
    narrative = section.split('<div class="narrative">')[1]  # the coordinator's text, after the analysis' tables
    assert "<strong>fler</strong>" in narrative
    assert "<script" not in narrative and "<img" not in narrative and "<iframe" not in narrative
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in narrative  # shown as text
    assert "!karta" in narrative and "Se metadata och" in narrative  # links to local addresses: plain text
    assert "<a " not in narrative and "href" not in narrative


def test_control_characters_and_bidi_overrides_are_dropped(hostile_build) -> None:  # type: ignore[no-untyped-def]
    built, _ = hostile_build
    html = built.html.read_text(encoding="utf-8")
    assert not any(c in html for c in ("\x00", "\x07", "\x1b", "\x7f", "\u202e"))
    assert "[31mröd" in html and "evil" in html


def test_long_text_is_cut_and_the_pdf_renders(hostile_build) -> None:  # type: ignore[no-untyped-def]
    built, _ = hostile_build
    assert "x" * 301 not in built.html.read_text(encoding="utf-8")
    text = pdf_text(built.pdf.read_bytes())
    assert "Publicerade händelser" in text and "alert(1)" in text


def test_rendering_fetches_nothing(hostile_build) -> None:  # type: ignore[no-untyped-def]
    _, fetched = hostile_build
    assert [u for u in fetched if not u.startswith("data:")] == []


def test_exports_keep_hostile_text_inert(hostile_build) -> None:  # type: ignore[no-untyped-def]
    built, _ = hostile_build
    book = openpyxl.load_workbook(io.BytesIO((built.pdf.parent / "indikatorer.xlsx").read_bytes()))
    assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)


def test_old_weasyprint_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RenderError, match=r"WeasyPrint 69\.1 is installed, but lagesbild needs 70"):
        check_weasyprint("69.1")
    check_weasyprint("70.0")
    from importlib import metadata

    monkeypatch.setattr(metadata, "version", lambda name: "68.0")
    result = CliRunner().invoke(app, ["kommuner"])
    assert result.exit_code == 1 and "needs 70 or newer" in result.stderr
