"""The full statutory report (§ 4): structure, traffic lights, charts' alt text, the accessible PDF,
narratives that stay inert, the åtgärdsplan with baselines, the comparison and the data exports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import openpyxl
import pypdf
import pytest

from builders import fetch_services, write_hostile_narratives
from conftest import BRA_XLSX, GEOJSON, POLISEN_ARCHIVE, SURVEY_CSV, Demo, ReportFiles, write_config
from lagesbild_cli import pipeline
from lagesbild_cli.context import tables
from lagesbild_cli.errors import ConfigError, RenderError
from lagesbild_cli.render import exports
from lagesbild_cli.render.report import Preview
from lagesbild_cli.settings.config import Config, load_config
from lagesbild_cli.settings.plan import PlanProblem
from lagesbild_cli.storage.raw import Manifest
from reading import parse_html, pdf_text

SURVEY = SURVEY_CSV
H2 = [
    "Läget i korthet",
    "Innehåll",
    "Inledning och metod",
    "Kommunen i korthet",
    "Brottslighetens omfattning och utveckling",
    "Var och när",
    "Utsatthet och otrygghet enligt NTU",
    "Brottslighetens konsekvenser",
    "Jämförelse med Sveriges kommuner och liknande kommuner",
    "Räddningstjänstens insatser",
    "Pågående brottsförebyggande åtgärder",
    "Annan information av betydelse",
    "Analys",
    "Underlag till åtgärdsplan",
    "Tabellbilaga",
    "Källor och metod",
]


def project(folder: Path) -> Config:
    config = fetch_services(load_config(write_config(folder)))
    pipeline.import_bra(config, [BRA_XLSX])
    pipeline.import_polisen(config, POLISEN_ARCHIVE)
    Manifest(config.raw_dir).store(
        "geo/kommuner.geojson",
        GEOJSON.read_bytes(),
        source="geo",
        origin="loopback test copy",
        status=200,
    )
    return config


@pytest.fixture(scope="module")
def gagnef(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Config, Preview]]:
    """Gagnef's 2024 draft as a web page; the tests of the PDF and the exports read the built final report
    (``final`` below, the same figures), so the report is rendered once."""
    config = project(tmp_path_factory.mktemp("gagnef"))
    pipeline.import_survey(config, SURVEY)
    yield config, pipeline.preview(config, 2024)


def headings(html: str, level: int) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", "", h).split())
        for h in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", html, flags=re.DOTALL)
    ]


def test_every_section_of_section_4_is_there_in_order(gagnef: tuple[Config, Preview]) -> None:
    html = gagnef[1].html.read_text(encoding="utf-8")
    assert len(headings(html, 1)) == 1
    assert headings(html, 2) == H2
    rows = [
        r
        for r in parse_html(html).rows
        if r
        and r[0].startswith(("Kartläggning", "Brottslighetens konsekv", "Annan information", "Analys", "Grund för"))
    ]
    assert [r[0] for r in rows][:5] == [
        "Kartläggning av brottsligheten och dess omfattning",
        "Brottslighetens konsekvenser",
        "Annan information av betydelse",
        "Analys",
        "Grund för åtgärdsplanen",
    ]


def test_traffic_lights_follow_the_rules(gagnef: tuple[Config, Preview]) -> None:
    rows = {
        r[0]: r
        for r in parse_html(gagnef[1].html.read_text(encoding="utf-8")).rows
        if r and len(r) == 5 and r[2].startswith(("▼", "▲", "●", "–"))
    }
    total = next(v for k, v in rows.items() if k.startswith("Totalt antal anmälda brott"))
    assert total[1:] == ["4 526", "▼ lägre", "▼ lägre", "→ ingen säkerställd förändring"]
    # 0 crimes: too few to judge, named in one sentence under the table instead of a row of dashes
    assert not any(k.startswith("Rån mot privatperson, unga") for k in rows)
    few = re.search(r"För få anmälda brott 2024 för att bedöma \(färre än 10\):([^.]*)\.", gagnef[1].html.read_text())
    assert few is not None and "Rån mot privatperson, unga" in few.group(1)
    assert len(rows) >= 8 + 5  # the series that can be judged and NTU's five


def test_every_chart_has_alt_text(gagnef: tuple[Config, Preview]) -> None:
    html = gagnef[1].html.read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.DOTALL)
    assert len(svgs) >= 15 + 12 + 1  # 15 series, 12 survey dot plots, the map
    for svg in svgs:
        title = re.search(r"<title[^>]*>(.*?)</title>", svg, flags=re.DOTALL)
        assert 'role="img"' in svg and title and len(title.group(1).strip()) > 30
    assert "Karta: Anmälda brott per 100 000 invånare i Dalarnas läns kommuner 2024" in html


def test_tables_have_header_scopes(gagnef: tuple[Config, Preview]) -> None:
    html = gagnef[1].html.read_text(encoding="utf-8")
    ths = re.findall(r"<th(?:\s[^>]*)?>", html)
    assert ths and all("scope=" in th for th in ths)


def test_the_pdf_is_tagged_with_bookmarks(built: Demo) -> None:
    """The demo's PDF: Gagnef's full 2024 report with every section's data, rendered once per run."""
    reader = pypdf.PdfReader(io.BytesIO((built.report / "lagesbild.pdf").read_bytes()))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "sv"
    assert reader.metadata is not None and reader.metadata.title.startswith("Lägesbild över brottslighet")

    def flatten(items: list) -> list[str]:  # type: ignore[type-arg]
        return [t for o in items for t in (flatten(o) if isinstance(o, list) else [o.title])]

    titles = flatten(reader.outline)
    for heading in H2:
        assert heading in titles or heading == "Innehåll"
    text = pdf_text((built.report / "lagesbild.pdf").read_bytes())
    assert "Läget i korthet" in text and "4 526 per 100 000" in text


def test_the_xlsx_holds_the_reports_numbers(built: Demo) -> None:
    """The demo's exports: Gagnef's full 2024 report, as above."""
    book = openpyxl.load_workbook(built.report / "indikatorer.xlsx", read_only=True)
    assert {"Indikatorer", "Anmälda brott", "Bedömning", "NTU", "Trygghetsundersökning", "Källor"} <= set(
        book.sheetnames
    )
    crime = list(book["Anmälda brott"].iter_rows(values_only=True))
    assert crime[0][0].startswith("Källa: Brå")
    row = next(r for r in crime if r[0] == "Totalt antal anmälda brott" and r[1] == "Gagnef" and r[2] == 2024)
    assert (row[3], row[4]) == (471, 4526)
    survey = [r for r in book["Trygghetsundersökning"].iter_rows(values_only=True) if r[3] == "Nordåker"]
    assert survey and all(r[6] is None for r in survey)  # suppressed in the report, suppressed here
    csv_text = (built.report / "csv" / "indikatorer.csv").read_bytes().decode("utf-8-sig")
    assert "bra:totalt_antal_anmalda_brott;Totalt antal anmälda brott;2024;4526,0" in csv_text


DECIMAL_POINT = re.compile(r"\d\.\d")


def test_every_exported_number_has_a_decimal_comma(built: Demo) -> None:
    folder = built.report
    points = []
    for path in sorted((folder / "csv").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.reader(handle, delimiter=";"), start=1):
                points += [f"{path.name}:{line}: {c}" for c in row if "://" not in c and DECIMAL_POINT.search(c)]
    book = openpyxl.load_workbook(folder / "indikatorer.xlsx", read_only=True)
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            points += [
                f"{ws.title}: {c}" for c in row if isinstance(c, str) and "://" not in c and DECIMAL_POINT.search(c)
            ]
    assert points == []
    with (folder / "csv" / "indikatorer.csv").open(encoding="utf-8-sig", newline="") as handle:
        ntu = [r for r in csv.reader(handle, delimiter=";") if r[0].startswith("ntu:")]
    assert ntu and all(re.fullmatch(r"95 % KI \d+,\d–\d+,\d", r[6]) for r in ntu if r[6]), ntu


def test_the_change_column_says_what_it_is(built: Demo) -> None:
    with (built.report / "csv" / "anmalda_brott.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0][4] == "Antal per 100 000 invånare"
    assert rows[0][7] == "Förändring av antal per 100 000 inv. mot snittet för de tre föregående åren (%)"
    total = {int(r[2]): r for r in rows[1:] if r[0] == "Totalt antal anmälda brott" and r[1] == "Gagnef"}
    rate = {year: float(r[4].replace(",", ".")) for year, r in total.items()}
    mean = (rate[2021] + rate[2022] + rate[2023]) / 3
    # one decimal, as the method says
    assert float(total[2024][7].replace(",", ".")) == pytest.approx(100 * (rate[2024] - mean) / mean, abs=0.05)
    assert re.fullmatch(r"−?-?\d+,\d", total[2024][7])


def _csv_rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / "csv" / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_the_exports_speak_the_reports_words(built: Demo) -> None:
    """Gagnef 2024's exports: Swedish labels and the report's names in the value columns, a stated precision,
    n beside Kish's effective n, rank in the län and judgement words, the comparison group's mean and range, and
    every table the report shows (MCF by month and hour, Polisen's zero months, the deliberate fires)."""
    folder = built.report
    everything = "\n".join(p.read_text(encoding="utf-8-sig") for p in (folder / "csv").glob("*.csv"))
    everything = re.sub(r"(?m)^[a-z]+:\S+?;", ";", everything)  # the ids of indikatorer.csv (the plan's keys)
    for code in (";kommun;", ";lan;", ";riket;", "brand_ej_byggnad", "utan_risk", ";alder;", ";kon;", ";omrade;"):
        assert code not in everything, code
    long_decimals = [c for c in re.findall(r"\d+,\d+", everything) if len(c.split(",")[1]) > 3]
    assert long_decimals == []  # no 3,453832176748506: at most one decimal more than the report
    rescue = _csv_rows(folder, "raddningstjanst.csv")
    row = next(
        r
        for r in rescue
        if r["Händelsetyp"] == "Brand i annat än byggnad (t.ex. fordon, container)" and r["Geografi"] == "Gagnef"
    )
    assert row["År"] and re.fullmatch(r"\d+,\d{1,3}", row["Per 1 000 invånare"])
    assert {r["Geografi"] for r in rescue} == {"Gagnef", "Dalarnas län", "Riket"}
    survey = _csv_rows(folder, "survey.csv")
    whole = next(r for r in survey if r["Indelning"] == "Hela kommunen" and r["År"] == "2024" and r["Andel (%)"])
    kish = "Effektivt antal svarande (Kish; intervallen bygger på det)"
    assert int(whole[kish]) < int(whole["Antal svarande (n)"])  # weighted: fewer effective respondents
    assert {r["Indelning"] for r in survey} == {"Hela kommunen", "Område", "Kön", "Ålder"}
    judged = {r["Brottsserie"]: r for r in _csv_rows(folder, "anmalda_brott_bedomning.csv")}
    total = judged["Totalt antal anmälda brott"]
    assert total["Plats i länet (1 = lägst; lika värden delar platsen)"] == "2"  # as the summary says: plats 2 av 15
    assert total["Kommuner i länet med värde"] == "15"
    assert total["Jämfört med länet"] in ("lägre", "i nivå med", "högre")
    group = _csv_rows(folder, "kolada_jamforelsegrupp.csv")
    assert group and all(r["Gruppens medelvärde"] and r["Gruppens lägsta värde"] for r in group)
    times = _csv_rows(folder, "raddningstjanst_manad_timme.csv")
    assert {(r["Indelning"], r["Kategori"]) for r in times} >= {("Månad", "Bränder"), ("Starttimme", "Alla olyckor")}
    assert [r["Månad eller starttimme"] for r in times[:2]] == ["januari", "februari"]
    events = _csv_rows(folder, "polisen_handelser.csv")
    assert {r["Grupp"] for r in events} == {
        "Våld, hot, vapen och sexualbrott",
        "Stöld, inbrott och bedrägeri",
        "Skadegörelse och brand",
        "Narkotika",
        "Trafik",
        "Övrigt",
    }
    assert len(events) == 6 * len({r["Månad"] for r in events})  # every month of the archive, zeros too
    assert any(r["Antal publicerade händelser"] == "0" for r in events)
    assert all(not r["Månad"].startswith("2025") and not r["Månad"].endswith("2025") for r in events)
    fires = {(r["Område"], r["År"]): r for r in _csv_rows(folder, "avsiktliga_brander.csv")}
    assert fires[("Gagnef", "2019")] == {
        "Område": "Gagnef",
        "År": "2019",
        "Slag av brand": "Fordonsbränder",
        "Bränder": "0",
        "Därav avsiktliga": "0",
        "Färre än 5 bränder": "ja",
    }
    assert fires[("Hela kommunen", "2019")]["Bränder"] == "6"
    book = openpyxl.load_workbook(folder / "indikatorer.xlsx", read_only=True)
    assert {"Jämförelsegrupp", "Räddning månad och tid", "Avsiktliga bränder"} <= set(book.sheetnames)


def test_csv_numbers_are_plain_decimals_with_a_comma() -> None:
    values = (1e-05, float("nan"), 2.5e16, 4526.0)
    sheet = tables.Sheet("Test", "test.csv", "test", ("Id", "Tal"), tuple((str(i), v) for i, v in enumerate(values)))
    lines = exports.csv_bytes(sheet).decode("utf-8-sig").split("\r\n")[1:5]
    assert lines == ["0;0,00001", "1;", "2;25000000000000000", "3;4526,0"]


def test_exports_neutralise_formulas(tmp_path: Path) -> None:
    sheet = tables.Sheet(
        "Test",
        "test.csv",
        "test",
        ("Text", "Tal"),
        (('=HYPERLINK("http://x")', 1.5), ("@SUM(A1)", -2), ("vanlig", None)),
    )
    text = exports.csv_bytes(sheet).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and ";-2\r\n" in text and ";1,5\r\n" in text
    path = tmp_path / "t.xlsx"
    path.write_bytes(exports.xlsx_bytes([sheet], "t"))
    cells = [c for row in openpyxl.load_workbook(path)["Test"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert '\'=HYPERLINK("http://x")' in [c.value for c in cells]


def test_missing_narratives_are_working_notes_in_a_draft_and_errors_when_final(
    gagnef: tuple[Config, Preview], tmp_path: Path
) -> None:
    config, built = gagnef
    html = built.html.read_text(encoding="utf-8")
    notes = [p for p in parse_html(html).text if "Text saknas: här skriver samordningsfunktionen" in p]
    assert html.count('class="working-note"') >= 3 and len(notes) == 3
    assert "analys.md" not in html and "[narrative]" not in html  # no file name or config key (issue 29)
    no_folder = replace(config, plan=replace(config.plan, narrative_dir=None))
    with pytest.raises(ConfigError, match="names no folder"):
        pipeline.build(no_folder, 2024, final=True)
    folder = tmp_path / "text"
    folder.mkdir()
    with_texts = replace(config, plan=replace(config.plan, narrative_dir=folder))
    (folder / "analys.md").write_text("# Analys\n\nBostadsinbrotten har minskat.", encoding="utf-8")
    with pytest.raises(RenderError, match=r"missing: .*annan-information\.md, .*atgarder\.md"):
        pipeline.build(with_texts, 2024, final=True)


PROBLEMS = (PlanProblem("Otrygghet i Gagnef tätort", ("survey:otrygg_kvall@Gagnef", "bra:bostadsinbrott"), ""),)


@pytest.fixture(scope="module")
def final(
    gagnef: tuple[Config, Preview], gagnef_2023: ReportFiles, tmp_path_factory: pytest.TempPathFactory
) -> Preview:
    """Gagnef's final 2024 report as a web page: hostile narratives, a problem in the plan and a comparison
    with Gagnef's 2023 report (the run's shared one: the same Brå figures), each read by its own test below.
    (That rendering hostile narratives to PDF fetches nothing is tested on test_hostile_text's build.)"""
    config, _ = gagnef
    folder = write_hostile_narratives(tmp_path_factory.mktemp("final") / "text")
    final = replace(config, plan=replace(config.plan, narrative_dir=folder, problems=PROBLEMS))
    # the test project has no MCF data: a final needs every section's source, or says it is published without it
    return pipeline.preview(final, 2024, final=True, compare_with=gagnef_2023.pdf.parent, allow_missing=("mcf",))


def test_hostile_narrative_renders_as_inert_text(final: Preview) -> None:
    html = final.html.read_text(encoding="utf-8")
    narrative = html.split('<section id="analys">')[1].split("</section>")[0]
    assert "<strong>fler</strong>" in narrative
    assert "<script" not in narrative and "<img" not in narrative and "<iframe" not in narrative
    assert "&lt;script&gt;alert" in narrative  # shown as text
    assert "Slutversion, skapad" in html


def test_plan_shows_baselines_and_rejects_unknown_ids(gagnef: tuple[Config, Preview], final: Preview) -> None:
    config, _ = gagnef
    html = final.html.read_text(encoding="utf-8")
    table = parse_html(html).rows
    start = next(i for i, r in enumerate(table) if r and r[0] == "Otrygghet i Gagnef tätort")
    rows = table[start : start + 2]  # the problem's two indicators
    assert "Otrygg ute ensam sent en kväll i bostadsområdet, Gagnef" in rows[0]
    assert not any("survey:" in c or "bra:" in c for r in rows for c in r)  # no indicator id in the report
    # Gagnef 2024: 27,4 % otrygga (weighted), printed as the survey section prints it (issue 28)
    assert any("27 % (2024)" in " ".join(r) for r in rows)
    assert not any("27,4 %" in " ".join(r) for r in rows)
    assert any("106 anmälda brott per 100 000 invånare" in " ".join(r) for r in rows)
    bad = replace(config, plan=replace(config.plan, problems=(PlanProblem("X", ("bra:finns_inte",), ""),)))
    with pytest.raises(ConfigError, match="unknown indicator ids: bra:finns_inte"):
        pipeline.build(bad, 2024)


def test_compare_with_an_earlier_report(final: Preview) -> None:
    rows = {
        r[0]: r
        for r in parse_html(final.html.read_text(encoding="utf-8")).rows
        if r and len(r) == 5 and "(" in r[1] and r[1].endswith(")")
    }
    total = rows["Totalt antal anmälda brott"]
    assert total[1:4] == ["4 721,0 (2023)", "4 526,0 (2024)", "−195,0"]


def test_another_dalarna_kommun_gets_every_section(gagnef: tuple[Config, Preview]) -> None:
    config, _ = gagnef
    built = pipeline.preview(config.with_kommun("Mora"), 2024)  # from Gagnef's project, as --kommun Mora
    html = built.html.read_text(encoding="utf-8")
    assert headings(html, 2) == H2
    assert "Mora kommun hade" in html and "4 526" not in html.split("Kommunen i korthet")[0]


def test_a_plan_following_a_survey_round_the_year_lacks_shows_it_missing(gagnef: tuple[Config, Preview]) -> None:
    """The demo's survey has rounds 2022 and 2024; a 2021 report of the same plan shows the survey baselines as
    missing for 2021, not an error about unknown ids (a plan is followed year after year)."""
    config, _ = gagnef
    followed = ("survey:otrygg_kvall@Gagnef", "bra:narkotikabrott")
    plan = replace(config.plan, problems=(PlanProblem("Otrygghet i Gagnef", followed, "", id="otrygghet"),))
    built = pipeline.preview(replace(config, plan=plan), 2021)
    table = parse_html(built.html.read_text(encoding="utf-8")).rows
    start = next(i for i, r in enumerate(table) if r and r[0] == "Otrygghet i Gagnef")
    survey_row, bra_row = (" ".join(r) for r in table[start : start + 2])
    assert "saknas för 2021" in survey_row and "Gagnef" in survey_row
    assert "(2021)" in bra_row and "saknas" not in bra_row
