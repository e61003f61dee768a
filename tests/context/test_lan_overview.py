"""The län overview of ``build --lan``: every kommun × the key Brå series against the län and riket, as a
länsstyrelse publishes it: the table once, on landscape pages, nothing outside the page, one ranked bar chart
per series, NTU per kommun, the same table in the exports with the symbols in words.

Dalarna (20) from the 15 imported workbooks; Skåne (12), whose workbooks the tests do not carry, laid out from
Dalarna's values spread over its 33 kommuner, to show that a long table breaks across pages without a copy."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2
import pytest

import pdf_structure
from lagesbild_cli import batch
from lagesbild_cli.context import lan_overview
from lagesbild_cli.database.store import open_store
from lagesbild_cli.render.report import render_pdf
from lagesbild_cli.rules.stats import poisson_lower, poisson_upper
from lagesbild_cli.settings.config import Config, load_config
from lagesbild_cli.settings.kommuner import kommuner_in_lan, resolve_lan
from reading import parse_html, pdf_pages, pdf_text

DAY = date(2026, 12, 5)
DALARNA = [k.namn for k in kommuner_in_lan("20")]
SKANE = [k.namn for k in kommuner_in_lan("12")]
CRIME_CAPTION = "per kommun, och nivån jämförd med länet och riket"


@dataclass(frozen=True)
class Overview:
    config: Config
    folder: Path
    html: str
    pdf: bytes


@pytest.fixture(scope="module")
def dalarna(loaded_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Overview:
    folder = tmp_path_factory.mktemp("lan-overview") / "project"
    shutil.copytree(loaded_dir, folder)
    config = load_config(folder / "lagesbild.toml")
    pdf = batch.lan_overview(config, resolve_lan("20"), 2024, DAY)
    assert pdf is not None
    return Overview(
        config, pdf.parent, (pdf.parent / "lansoversikt.html").read_text(encoding="utf-8"), pdf.read_bytes()
    )


@pytest.fixture(scope="module")
def skane(dalarna: Overview) -> Overview:
    """Skåne's 33 kommuner with Dalarna's cells in turn (its map from the stored boundaries)."""
    with open_store(dalarna.config.db_path) as store:
        real = lan_overview.overview(store, resolve_lan("20"), 2024, DAY)
        features = store.rows(
            "select kommun_kod, kommun_namn, geometri from raw_geo_kommuner where lan_kod = '12' order by 1"
        )
    references = [
        {"serie_id": s.serie_id, "serie": s.name, "geo_niva": level, "per_100k": value}
        for s in real.series
        for level, value in (("lan", s.lan), ("riket", s.riket))
    ]
    cells = [
        {
            "serie_id": s.serie_id,
            "kommun_kod": k.kod,
            "antal": c.antal,
            "per_100k": c.per_100k,
            "per_100k_ki_undre": c.ki_undre,
            "per_100k_ki_ovre": c.ki_ovre,
            "niva_mot_lan": c.vs_lan,
            "niva_mot_riket": c.vs_riket,
            "trend": c.trend,
        }
        for i, k in enumerate(kommuner_in_lan("12"))
        for s, c in zip(real.series, real.rows[i % len(real.rows)].cells, strict=True)
    ]
    data = lan_overview.assemble(
        resolve_lan("12"),
        2024,
        references,
        cells,
        [(f["kommun_kod"], f["kommun_namn"], f["geometri"]) for f in features],
        [],
        real.sources,
        DAY,
    )
    html = batch.overview_html(dalarna.config, data)
    return Overview(dalarna.config, dalarna.folder, html, render_pdf(html))


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def landscape_pages(pdf: bytes) -> list[int]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [i for i, page in enumerate(document) if page.get_size()[0] > page.get_size()[1]]
    finally:
        document.close()


def table_pages(pdf: bytes, caption: str = CRIME_CAPTION) -> list[int]:
    """The pages of a table: the one with its caption and the landscape pages that continue it (up to the
    next table's caption)."""
    pages, wide = pdf_pages(pdf), landscape_pages(pdf)
    found = [next(i for i, text in enumerate(pages) if caption in flat(text))]
    while found[-1] + 1 in wide and not re.search(
        r"NTU \d{4} \(procent\)|per kommun, och nivån", flat(pages[found[-1] + 1])
    ):
        found.append(found[-1] + 1)
    return found


def table_rows(pdf: bytes, names: list[str]) -> dict[str, int]:
    """How often each kommun starts a line on the pages of the crime table."""
    pages = pdf_pages(pdf)
    lines = [line.replace("\u00a0", " ").strip() for i in table_pages(pdf) for line in pages[i].splitlines()]
    return {name: sum(1 for line in lines if re.match(rf"{re.escape(name)} [\d–s]", line)) for name in names}


def text_outside(pdf: bytes) -> list[tuple[int, str]]:
    """(page, text) of every character whose box is not wholly inside the page (PDFium's char boxes)."""
    outside: list[tuple[int, str]] = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number, page in enumerate(document, start=1):
            width, height = page.get_size()
            text = page.get_textpage()
            for index in range(text.count_chars()):
                left, bottom, right, top = text.get_charbox(index)
                if left < 0 or bottom < 0 or right > width or top > height:
                    outside.append((number, text.get_text_range(index, 1)))
    finally:
        document.close()
    return outside


def test_the_table_appears_once_with_every_kommun(dalarna: Overview) -> None:
    assert table_rows(dalarna.pdf, DALARNA) == dict.fromkeys(DALARNA, 1)
    rows = parse_html(dalarna.html).rows
    kommun_rows = [r for r in rows if r and r[0] in DALARNA and len(r) == 2 + 3 * 6]
    assert [r[0] for r in kommun_rows].count("Gagnef") == 1 and len(kommun_rows) == 15
    gagnef = next(r for r in kommun_rows if r[0] == "Gagnef")
    assert gagnef[1:3] == ["471", "4 526"]  # all reported crimes: the count beside the rate


def test_a_long_table_breaks_across_pages_without_a_copy(skane: Overview) -> None:
    """Skåne's 33 rows on two landscape pages, the header repeated, each kommun once (the old overview floated
    the table beside the map, and WeasyPrint laid the float that crossed a page out twice)."""
    assert table_rows(skane.pdf, SKANE) == dict.fromkeys(SKANE, 1)
    pages = pdf_pages(skane.pdf)
    assert len(table_pages(skane.pdf)) == 2
    header = "Kommun Antal Per 100 000 Länet Riket"
    assert all(header in flat(pages[i]) for i in table_pages(skane.pdf))  # repeated on the second page


@pytest.mark.parametrize("which", ["dalarna", "skane"])
def test_nothing_lies_outside_the_page_and_wide_tables_are_landscape(
    which: str, request: pytest.FixtureRequest
) -> None:
    overview: Overview = request.getfixturevalue(which)
    assert text_outside(overview.pdf) == []
    wide = table_pages(overview.pdf)
    if 'id="ntu"' in overview.html:
        wide += table_pages(overview.pdf, "Trygghet och oro per kommun, NTU")
    assert landscape_pages(overview.pdf) == wide  # the wide tables alone, the title page, charts and method upright


def _stored(config: Config, serie_id: str, kommun: str) -> dict[str, Any]:
    with open_store(config.db_path) as store:
        rows = store.rows(
            """
            select a.antal, a.per_100k, t.antal as total_antal, t.per_100k as total_per_100k,
                   l.per_100k as lan, r.per_100k as riket
            from raw_bra_anmalda a
            join raw_bra_anmalda t on t.geo_kod = a.geo_kod and t.ar = a.ar
                and t.serie_id = 'totalt_antal_anmalda_brott'
            join raw_bra_anmalda l on l.serie_id = a.serie_id and l.ar = a.ar and l.geo_kod = '20'
            join raw_bra_anmalda r on r.serie_id = a.serie_id and r.ar = a.ar and r.geo_kod = '00'
            where a.serie_id = $s and a.geo_namn = $k and a.ar = 2024
            """,
            {"s": serie_id, "k": kommun},
        )
    assert len(rows) == 1
    return rows[0]


def _symbol(low: float, high: float, other: float) -> str:
    return "▼" if high < other else "▲" if low > other else "●"


@pytest.mark.parametrize(
    ("serie_id", "group", "kommun"),
    [
        ("totalt_antal_anmalda_brott", 0, "Borlänge"),
        ("bostadsinbrott", 2, "Gagnef"),
        ("narkotikabrott", 5, "Mora"),
    ],
)
def test_cells_hold_the_stored_rate_and_the_judgement_recomputed_from_the_counts(
    dalarna: Overview, serie_id: str, group: int, kommun: str
) -> None:
    """The rate as Brå gives it, and ▲ ● ▼ from a Poisson interval on the count, scaled by the kommun's
    population (total count / total rate), against the län's and riket's rates: the kommun reports' rule."""
    stored = _stored(dalarna.config, serie_id, kommun)
    scale = stored["total_per_100k"] / stored["total_antal"]  # 100 000 / the kommun's population
    low, high = poisson_lower(stored["antal"]) * scale, poisson_upper(stored["antal"]) * scale
    row = next(r for r in parse_html(dalarna.html).rows if r and r[0] == kommun and len(r) == 20)
    value, vs_lan, vs_riket = row[2 + 3 * group : 5 + 3 * group]
    rate = f"{round(stored['per_100k']):,}".replace(",", " ")
    assert re.match(rf"{rate}( [↑↓], (ökat|minskat))?$", value), value
    words = {"▼": "lägre", "▲": "högre", "●": "i nivå med"}
    for cell, other in ((vs_lan, stored["lan"]), (vs_riket, stored["riket"])):
        symbol = _symbol(low, high, other)
        assert cell == symbol + words[symbol]  # the symbol, and its words for a screen reader


def test_one_ranked_bar_chart_per_key_series(dalarna: Overview) -> None:
    charts = re.findall(r'<svg [^>]*aria-labelledby="(bars-[a-z_]+)-title', dalarna.html)
    assert charts == [f"bars-{s}" for s in lan_overview.KEY_SERIES]
    text = " ".join(" ".join(pdf_pages(dalarna.pdf)).replace("\u00a0", " ").split())
    for title in ("Bostadsinbrott 2024, anmälda brott per 100 000 invånare", "Länet 275", "Riket 314"):
        assert title in text
    # the total's chart: Borlänge highest first, Vansbro lowest last, as the table's rates order them
    total = re.search(r'id="bars-totalt_antal_anmalda_brott-title">([^<]+)<', dalarna.html)
    assert total is not None and "Borlänge 12 454; Avesta 10 914" in total.group(1).replace("\u00a0", " ")
    assert total.group(1).replace("\u00a0", " ").endswith("Vansbro 4 214.")


def test_ntu_per_kommun_and_the_sources_with_dates(dalarna: Overview) -> None:
    page = parse_html(dalarna.html)
    text = " ".join(" ".join(page.text).split())
    assert "Trygghet och oro per kommun (NTU)" in text
    assert "Otrygghet vid utevistelse sent på kvällen i det egna bostadsområdet" in text
    ntu_rows = [r for r in page.rows if r and r[0] in DALARNA and len(r) == 1 + 4 * 3]
    assert len(ntu_rows) == 15
    assert "15 arbetsböcker; hämtade eller inlästa" in text
    assert "Nivå mot länet och riket: för varje kommun räknas ett 95-procentigt konfidensintervall" in text


def test_the_exports_hold_the_table_with_the_symbols_in_words(dalarna: Overview) -> None:
    raw = (dalarna.folder / "csv" / "lansoversikt_anmalda_brott.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw), delimiter=";"))
    assert len([r for r in rows if r["Kod"] not in ("20", "00")]) == 15 * 6
    gagnef = next(r for r in rows if r["Kommun"] == "Gagnef" and r["Serie"] == "Bostadsinbrott")
    stored = _stored(dalarna.config, "bostadsinbrott", "Gagnef")
    assert gagnef["Per 100 000 invånare"] == str(round(stored["per_100k"]))
    assert gagnef["Antal anmälda brott"] == str(stored["antal"])
    html_row = next(r for r in parse_html(dalarna.html).rows if r and r[0] == "Gagnef" and len(r) == 20)
    assert gagnef["Jämfört med länet"] in ("lägre", "i nivå med", "högre")
    assert html_row[3 + 3 * 2].endswith(gagnef["Jämfört med länet"])
    key = (dalarna.folder / "csv" / "lansoversikt_teckenforklaring.csv").read_bytes().decode("utf-8-sig")
    assert "▲;högre: hela 95-procentsintervallet" in key
    assert (dalarna.folder / "indikatorer.xlsx").exists() and (dalarna.folder / "csv" / "lansoversikt_ntu.csv").exists()


def test_the_pdf_is_tagged_as_the_kommun_reports_are(dalarna: Overview) -> None:
    structure = pdf_structure.check(dalarna.folder / "lansoversikt.pdf")
    assert structure.unreachable == [] and structure.orphan_content == []
    assert structure.tables_without_rows == 0 and structure.cells_without_headers == 0
    assert structure.figures_without_alt == 0 and structure.elements["/Figure"] == 7  # the map and six charts
    assert structure.lang == "sv" and structure.pdfua_in_xmp


def test_a_kommun_without_ntu_values_reads_saknas() -> None:
    """Brå publishes NTU for a kommun only with enough answers: the others say so, in the table and the text."""
    lan = resolve_lan("20")
    rows = [
        {
            "indikator_id": "otrygghet_vid_utevistelse_sent_pa_kvallen_i_det_egna_bostadsomradet",
            "indikator": "Otrygghet vid utevistelse sent på kvällen i det egna bostadsområdet",
            "geo_kod": code,
            "ar": 2024,
            "andel": share,
            "ki_undre": share - 4,
            "ki_ovre": share + 4,
            "jamfort_med_lan": "ingen säker skillnad" if code == "2026" else None,
            "jamfort_med_riket": "lägre" if code == "2026" else None,
            "trend": "minskande" if code == "2026" else None,
        }
        for code, share in (("2026", 15.0), ("20", 19.0), ("00", 24.0))
    ]
    table = lan_overview._ntu_table(rows, kommuner_in_lan("20"), lan)
    assert table is not None and len(table.rows) == 15
    gagnef = next(cells[0] for k, cells in table.rows if k.namn == "Gagnef")
    assert (gagnef.value, gagnef.interval, gagnef.lan_symbol, gagnef.riket_symbol) == ("15\u00a0%", "11–19", "●", "▼")
    assert gagnef.words == "i nivå med länet, lägre än riket, minskat mot tre år tidigare"
    assert "Gagnef" not in table.missing and len(table.missing) == 14
    mora = next(cells[0] for k, cells in table.rows if k.namn == "Mora")
    assert (mora.value, mora.words) == ("saknas", "uppgift saknas")


def test_the_lead_counts_the_kommuner_by_the_level_rule_and_names_the_extremes(dalarna: Overview) -> None:
    text = " ".join(" ".join(parse_html(dalarna.html).text).split())
    levels = Counter(
        r[3]
        for r in parse_html(dalarna.html).rows
        if r and r[0] in DALARNA and len(r) == 20  # the total's "Länet" cell: symbol and words
    )
    assert levels == {"▲högre": 4, "▼lägre": 11}
    assert (
        "Av länets 15 kommuner låg 4 kommuner högre än länet och 11 kommuner lägre än länet. "
        "Högst var Borlänge (12 454), lägst Vansbro (4 214)." in text
    )


def test_the_overview_holds_no_command_key_id_or_path(dalarna: Overview) -> None:
    """The rule of every report (tests/test_hollow_report.py): the web page, the PDF and the exports."""
    from test_hollow_report import exports_text, hollow, words

    hollow(words(dalarna.html), "lansoversikt.html", dalarna.config.path.parent)
    hollow(pdf_text(dalarna.pdf), "lansoversikt.pdf", dalarna.config.path.parent)
    hollow(exports_text(dalarna.folder), "exports", dalarna.config.path.parent)


def test_a_kommun_without_a_workbook_reads_saknas_and_the_year_defaults_to_the_newest(dalarna: Overview) -> None:
    with open_store(dalarna.config.db_path) as store:
        newest = lan_overview.overview(store, resolve_lan("20"), None, DAY)
        cells = store.rows(
            "select b.*, null as rang_i_lanet, null as antal_lika, null as antal_rankade "
            "from ind_anmalda_brott_bedomning b where ar = 2024 and kommun_kod <> '2062'"  # Mora left out
        )
        references = store.rows(
            "select serie_id, serie, geo_niva, per_100k from ind_anmalda_brott "
            "where ar = 2024 and geo_kod in ('20', '00')"
        )
    assert newest.year == 2024
    data = lan_overview.assemble(resolve_lan("20"), 2024, references, cells, [], [], (), DAY)
    mora = next(r for r in data.rows if r.kommun.namn == "Mora")
    assert [c.value for c in mora.cells] == ["saknas"] * 6 and mora.cells[0].words == "uppgift saknas"
    assert "och en kommun kunde inte bedömas." in data.lead
    html = batch.overview_html(dalarna.config, data)
    row = next(r for r in parse_html(html).rows if r and r[0] == "Mora" and len(r) == 20)
    assert row[1:5] == ["–", "saknas", "–saknas", "–saknas"]
    chart = data.charts[0]
    assert chart.bars[-1].name == "Mora" and chart.bars[-1].value_label == "saknas"  # last, with no bar
    assert chart.bars[-1].width is None
