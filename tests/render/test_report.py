"""The rendered report: the numbers a reader sees equal Brå's, in Swedish format, in HTML and PDF."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import pypdf
import pytest

from conftest import ReportFiles
from lagesbild_cli import pipeline
from lagesbild_cli.context import formatting
from lagesbild_cli.context.bra import rank_text
from lagesbild_cli.render.report import render_pdf
from lagesbild_cli.settings.config import Config
from reading import Tables, parse_html, pdf_text


def bra_value(bra_long: list[dict[str, str]], variabel: str, enhet: str, geo: str, year: int) -> float:
    return next(
        float(r["varde"])
        for r in bra_long
        if r["variabel"] == variabel and r["enhet"] == enhet and r["geografi"] == geo and r["ar"] == str(year)
    )


def fmt(value: float) -> str:
    return formatting.number(value).replace("\u00a0", " ")


SERIES = [
    "Totalt antal anmälda brott",
    "Bostadsinbrott",
    "Skadegörelsebrott",
    "Våld i nära relationer, mot kvinnor",
    "Stöld och tillgreppsbrott, totalt",
]


def crime_row(tables: Tables, serie: str) -> list[str]:
    return next(r for r in tables.rows if r and r[0].rstrip(" *") == serie and len(r) == 8)


def test_both_files_are_written_where_the_user_expects(gagnef_2023: ReportFiles) -> None:
    assert gagnef_2023.html.parts[-3:] == ("2026", "2023", "lagesbild.html")
    assert gagnef_2023.pdf.name == "lagesbild.pdf" and gagnef_2023.pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("serie", SERIES)
def test_the_crime_table_shows_bras_numbers(
    gagnef_2023: ReportFiles, bra_long: list[dict[str, str]], serie: str
) -> None:
    row = crime_row(parse_html(gagnef_2023.html.read_text(encoding="utf-8")), serie)
    assert row[1] == fmt(bra_value(bra_long, serie, "Antal", "Gagnef", 2023))
    assert row[3] == fmt(bra_value(bra_long, serie, "Antal per 100 000 inv", "Gagnef", 2023))
    assert row[4] == fmt(bra_value(bra_long, serie, "Antal per 100 000 inv", "Dalarnas län", 2023))
    assert row[5] == fmt(bra_value(bra_long, serie, "Antal per 100 000 inv", "Hela landet", 2023))


def test_the_total_row_in_full(gagnef_2023: ReportFiles) -> None:
    row = crime_row(parse_html(gagnef_2023.html.read_text(encoding="utf-8")), "Totalt antal anmälda brott")
    # 494 crimes (Poisson 451–540), 4 721 per 100 000 vs län 8 604 and riket 14 349; lowest of 15
    assert row == ["Totalt antal anmälda brott", "494", "451–540", "4 721", "8 604", "14 349", "+11 %", "1 av 15"]


def test_summary_states_the_rank_in_words(gagnef_2023: ReportFiles) -> None:
    text = " ".join(parse_html(gagnef_2023.html.read_text(encoding="utf-8")).text)
    assert "Under 2023 anmäldes 494 brott i Gagnefs kommun, 4 721 per 100 000 invånare." in text
    assert "Räknat per invånare har Gagnef lägst antal anmälda brott av länets 15 kommuner." in text


def test_ntu_values_come_with_their_intervals(gagnef_2023: ReportFiles, bra_long: list[dict[str, str]]) -> None:
    tables = parse_html(gagnef_2023.html.read_text(encoding="utf-8"))
    row = next(r for r in tables.rows if r and r[0].startswith("Otrygghet vid utevistelse") and len(r) == 7)
    variabel = "Otrygghet vid utevistelse sent på kvällen i det egna bostadsområdet"
    andel = bra_value(
        bra_long, variabel, next(r["enhet"] for r in bra_long if r["variabel"] == variabel), "Gagnef", 2023
    )
    assert row[1:6] == [f"{fmt(andel)} %", "5–15", "23,5 %", "26,5 %", "lägre"]
    assert row[6] == "ingen säkerställd förändring"  # the change since 2020 (z test), a column of its own
    assert "bygger på 77 svarande 2023" in " ".join(" ".join(tables.text).split())


def test_charts_are_inline_svg_with_title_and_description(gagnef_2023: ReportFiles) -> None:
    html = gagnef_2023.html.read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(svgs) == 16  # small multiples, one per Brå series, and the län map (the shipped boundaries)
    for svg in svgs:
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Gagnef 4\u00a0721" in svgs[0]  # the kommun's line is labelled directly with its last value
    assert "<img" not in html and "http://" not in html.split("<body>")[0]


def test_the_bilbrott_definition_break_is_marked_and_explained(gagnef_2023: ReportFiles) -> None:
    html = gagnef_2023.html.read_text(encoding="utf-8")
    svg = re.search(r'<svg[^>]*aria-labelledby="chart-bilbrott-title.*?</svg>', html, re.S)
    assert svg is not None
    assert ">Definitionsbrott: 2017 inte jämförbart</text>" in svg.group(0)
    assert "Från 2018: Definitionsbrott: 2017 inte jämförbart." in svg.group(0)  # the chart's description
    paths = re.findall(r'<path d="([^"]*)"', svg.group(0))
    assert len(paths) == 3 and all(p.count("M") == 2 for p in paths)  # no line from 2017 to 2018
    total = re.search(r'<svg[^>]*aria-labelledby="chart-totalt_antal_anmalda_brott-title.*?</svg>', html, re.S)
    assert total is not None and "Definitionsbrott" not in total.group(0)
    text = " ".join(" ".join(parse_html(html).text).split())
    assert (
        "Definitionsbrott i serien Bilbrott från 2018: Brås serie för bilbrott har för 2017 bara en femtedel av "
        "nivån året efter: i hela landet 11 896 anmälda bilbrott 2017 mot 57 046 2018"
    ) in text
    assert "Bilbrott, per 100 000 invånare Lodrät linje: definitionsbrott från 2018, se under diagrammen." in text
    method = " ".join(html.split('<section id="metod">')[1].split("</section>")[0].split())
    assert "ingen förändring eller trend räknas över brottet" in method
    assert "I den här rapporten gäller det serien Bilbrott från 2018" in method


def test_the_pdf_shows_the_same_numbers(gagnef_2023: ReportFiles, bra_long: list[dict[str, str]]) -> None:
    text = pdf_text(gagnef_2023.pdf.read_bytes())
    assert "Lägesbild över brottslighet och trygghet Gagnefs kommun · Dalarnas län · 2023" in text
    assert "Under 2023 anmäldes 494 brott i Gagnefs kommun, 4 721 per 100 000 invånare" in text
    for serie in ("Bostadsinbrott", "Skadegörelsebrott"):
        count = fmt(bra_value(bra_long, serie, "Antal", "Gagnef", 2023))
        rate = fmt(bra_value(bra_long, serie, "Antal per 100 000 inv", "Gagnef", 2023))
        assert re.search(rf"{serie} {count} \S+ {rate} ", text), serie
    assert "Källor och metod" in text and "inte all brottslighet" in text
    assert re.search(r"Sida 3 av \d+", text)


def test_the_pdf_is_tagged_and_embeds_its_typeface(gagnef_2023: ReportFiles) -> None:
    """Source Sans 3, shipped with lagesbild; DejaVu Sans only for the signs its Latin subset lacks (▲ ▼ ●) and
    DejaVu Sans Mono for the checksums."""
    reader = pypdf.PdfReader(io.BytesIO(gagnef_2023.pdf.read_bytes()))
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Source-Sans-3" in f for f in fonts), fonts
    assert all("Source-Sans-3" in f or "DejaVu" in f for f in fonts), fonts


def test_another_dalarna_kommun_gets_its_own_correct_report(
    loaded_config: Config, bra_long: list[dict[str, str]]
) -> None:
    built = pipeline.preview(loaded_config.with_kommun("Falun"), 2024)  # its web page is the report's
    assert built.html.parts[-3:] == ("2080", "2024", "lagesbild.html")
    tables = parse_html(built.html.read_text(encoding="utf-8"))
    row = crime_row(tables, "Totalt antal anmälda brott")
    assert row[1] == fmt(bra_value(bra_long, "Totalt antal anmälda brott", "Antal", "Falun", 2024))
    assert row[3] == fmt(bra_value(bra_long, "Totalt antal anmälda brott", "Antal per 100 000 inv", "Falun", 2024))
    assert "anmäldes" in " ".join(tables.text) and "i Falu kommun" in " ".join(tables.text)
    # only the list of loaded files, and the map of the län's kommuner with its table, name the other kommuner
    html = built.html.read_text(encoding="utf-8")
    the_map = re.search(r'<figure class="map">.*?</table>', html, flags=re.S)
    assert the_map is not None and "Gagnef" in the_map.group(0)
    before_sources = " ".join(parse_html(html.replace(the_map.group(0), "")).text).split("Filer som rapporten")[0]
    assert "Gagnef" not in before_sources


def test_the_year_defaults_to_the_latest_with_data(loaded_config: Config) -> None:
    built = pipeline.preview(loaded_config, None)
    assert built.context.year == 2024
    assert crime_row(parse_html(built.html.read_text(encoding="utf-8")), "Totalt antal anmälda brott")[1] == "471"


@pytest.mark.parametrize(
    ("rank", "count", "text"),
    [
        (1, 15, "lägst i Dalarnas län"),
        (15, 15, "högst i Dalarnas län"),
        (3, 15, "plats 3 av 15 (1 = lägst)"),
        (None, 15, "kan inte rangordnas"),
        (1, 1, "enda kommunen med data i länet"),
    ],
)
def test_rank_in_words(rank: int | None, count: int, text: str) -> None:
    assert rank_text(rank, count, "Dalarnas län") == text


def test_a_tie_is_never_presented_as_a_rank(gagnef_2023: ReportFiles) -> None:
    """Equal rates share a place: a tie at the bottom is not "lägst", and the tables say "delad"."""
    assert rank_text(1, 15, "Dalarnas län", 12) == "delad plats 1–12 av 15 (1 = lägst)"
    assert formatting.place(2, 2, 15) == "2–3 av 15 (delad)" and formatting.place(2, 1, 15) == "2 av 15"
    tables = parse_html(gagnef_2023.html.read_text(encoding="utf-8"))
    # 2023: Gagnef and Orsa both have 29 per 100 000 (Brå's rounded rate), and no robberies of young people in 9
    # of 15 kommuner: ties, but on fewer than 10 reports, so too few to judge and no place at all (issue 28)
    for serie in ("Våld i inomhusmiljö mot barn och unga, flickor", "Rån mot privatperson, unga"):
        row = next(r for r in tables.rows if r and r[0].rstrip(" *") == serie and len(r) == 7)
        assert row[6] == "för få för att bedöma"
    assert crime_row(tables, "Totalt antal anmälda brott")[7] == "1 av 15"


def _pdf_bytes(pdf: bytes) -> bytes:
    """The PDF with every compressed stream inflated, so embedded content can be searched."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, flags=re.DOTALL):
        try:
            parts.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


def test_the_pdf_renderer_fetches_nothing_but_data_urls(tmp_path: Path) -> None:
    import weasyprint

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER", encoding="utf-8")
    html = f'<html><head><link rel="attachment" href="file://{secret}"></head><body><p>Hej</p></body></html>'
    # the check can fail: WeasyPrint's default fetcher does embed the file
    assert b"TOP-SECRET-MARKER" in _pdf_bytes(weasyprint.HTML(string=html).write_pdf())
    assert b"TOP-SECRET-MARKER" not in _pdf_bytes(render_pdf(html))


def test_templates_are_compiled_once_and_again_when_edited(tmp_path: Path) -> None:
    """The environment is kept per folder (a batch compiles each template once), and still sees an edit."""
    import os

    from lagesbild_cli.render import report

    probe = tmp_path / "probe.j2"
    probe.write_text("ett", encoding="utf-8")
    env = report.environment(tmp_path)
    assert report.environment(tmp_path) is env
    first = env.get_template("probe.j2")
    assert env.get_template("probe.j2") is first and first.render() == "ett"  # compiled once
    probe.write_text("två", encoding="utf-8")
    os.utime(probe, ns=(probe.stat().st_atime_ns, probe.stat().st_mtime_ns + 1_000_000))  # a later edit
    assert env.get_template("probe.j2").render() == "två"
