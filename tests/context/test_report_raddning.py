"""The rescue-service section (MCF, Kolada's building fires, the rescue service's own event reports) and
the measures in place, tied to the prioritised problems."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from builders import FakeKolada, FakeMcf, mcf_count, population_fixture
from conftest import RADDNING_EXPORTS, ReportFiles, exported_csv, no_sleep
from lagesbild_cli import pipeline
from lagesbild_cli.context import formatting
from lagesbild_cli.database.store import open_store
from lagesbild_cli.errors import ConfigError
from lagesbild_cli.render.report import Preview
from lagesbild_cli.settings.config import Config, KoladaSettings, McfSettings, ServiceSettings, load_config
from reading import parse_html, text_of

EXPORTS = RADDNING_EXPORTS
PLAN = """
[[plan.problems]]
id = "otrygghet-kvall"
title = "Otrygghet på kvällen"
indicators = ["bra:totalt_antal_anmalda_brott"]

[[plan.problems]]
title = "Skadegörelse och bränder"
indicators = ["bra:skadegorelsebrott"]

[[plan.problems]]
title = "Narkotika bland unga"
indicators = ["bra:narkotikabrott"]

[[plan.measures]]
name = "Medborgarlöfte 2025–2026"
kind = "medborgarlöfte"
partners = ["Gagnefs kommun", "Lokalpolisområde Falun-Borlänge"]
areas = ["Björbo", "Gagnef"]
start = 2025
end = 2026
problems = ["otrygghet-kvall"]
follow_up = "Trygghetsvandringar varje höst; polisens närvaro redovisas i lokala BRÅ"

[[plan.measures]]
name = "Grannsamverkan"
kind = "grannsamverkan"
partners = ["Polisen", "Gagnefs kommun", "Villaägarna"]
start = 2019
indicators = ["bra:skadegorelsebrott"]
figures = { "grannsamverkansområden" = 14, "hushåll" = 1340 }
figures_date = 2026-09-01
"""


def expected_deliberate() -> Counter[tuple[str, int]]:
    """Deliberate fires per kommun and year, counted straight from the CSV files."""
    counted: Counter[tuple[str, int]] = Counter()
    for path in EXPORTS:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                fire = row["utlosandeHandelseText"].startswith("Brand") or row["foljdolyckaGruppText"].startswith(
                    "Brand"
                )
                if fire and row["orsakAvsiktText"] == "Avsiktlig händelse":
                    counted[(row["kommun"], int(row["datum"][:4]))] += 1
    return counted


def with_plan(folder: Path, plan: str = PLAN) -> Config:
    path = folder / "lagesbild.toml"
    path.write_text(path.read_text(encoding="utf-8") + plan, encoding="utf-8")
    return load_config(path)


@pytest.fixture(scope="module")
def rescue(tmp_path_factory: pytest.TempPathFactory, loaded_dir: Path) -> Iterator[tuple[Config, Preview]]:
    folder = tmp_path_factory.mktemp("rescue") / "project"
    shutil.copytree(loaded_dir, folder)
    config = with_plan(folder)
    server = HTTPServer()
    server.start()
    try:
        FakeMcf(server)
        FakeKolada(server)
        server.expect_request("/api/v2/tables/TAB638/data").respond_with_data(population_fixture())
        config = replace(
            config,
            mcf=McfSettings(url=server.url_for("/PxWeb/api/v1/sv/PxData"), table="B/B1/B11", years=10),
            kolada=KoladaSettings(
                url=server.url_for("/v3"), kpis=("N07540",), first_year=2017, fire_kpis=("U07415", "N07415")
            ),
            scb=ServiceSettings(url=server.url_for("/api/v2")),
        )
        # SCB's population too; its DeSO call fails, which is fine here. One fetch, so the store loads once.
        server.expect_request("/api/v2/tables/TAB6574/data").respond_with_data(b"{}", status=404)
        report = pipeline.fetch(config, ["mcf", "kolada", "scb"], sleep=no_sleep)
        assert [r.source for r in report.failed] == ["scb"], [r.failures for r in report.failed]
        assert all("TAB6574" in failure for failure in report.failed[0].failures), report.failed[0].failures
    finally:
        server.clear()
        server.stop()
    pipeline.import_raddning(config, EXPORTS)
    yield config, pipeline.preview(config, 2024)  # the web page; the demo's tests read this section in a PDF


def test_import_counts_deliberate_fires_per_kommun_and_year(rescue: tuple[Config, Preview]) -> None:
    config, _ = rescue
    expected = expected_deliberate()
    with open_store(config.db_path) as store:
        got = {
            (r["kommun_kod"], r["ar"]): r["avsiktliga"]
            for r in store.rows("select * from ind_raddning_avsiktliga where omrade = 'Hela kommunen'")
        }
    assert {k: v for k, v in got.items() if v} == dict(expected)
    assert sum(expected.values()) == 22 + 23  # as PROVENANCE.md counts them for Dalarna
    assert got[("2026", 2018)] == expected[("2026", 2018)] and got[("2026", 2019)] == expected[("2026", 2019)]


def _fires(kommun: str) -> Counter[tuple[str, int]]:
    """The kommun's fires per kind and year, counted straight from the CSV files."""
    counted: Counter[tuple[str, int]] = Counter()
    for path in EXPORTS:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["kommun"] == kommun and "fordon" in row["utlosandeHandelseText"]:
                    counted[("fordon", int(row["datum"][:4]))] += 1
    return counted


def test_the_deliberate_fires_table_names_its_fires_shows_every_area_and_marks_small_numbers(
    rescue: tuple[Config, Preview],
) -> None:
    """All of Gagnef's fires in the export are vehicle fires (2018 and 2019): the table says so, shows the
    area Gagnef with no fire as 0, marks every cell with fewer than five fires, and says the export's years
    in a 2024 report."""
    config, built = rescue
    fires = _fires("2026")
    assert fires == {("fordon", 2018): 3, ("fordon", 2019): 6}
    html = built.html.read_text(encoding="utf-8")
    table = html.split('<caption id="tab-raddning-3">')[1].split("</table>")[0]
    rows = parse_html("<table><caption>x</caption>" + table + "</table>").rows
    caption = " ".join(unescape(table.split("</caption>")[0]).split())
    assert caption == (
        "Fordonsbränder och därav avsiktliga per område enligt räddningstjänstens händelserapporter, Gagnef 2018–2019"
    )
    assert rows[0] == ["Område", "2018: fordonsbränder / därav avsiktliga", "2019: fordonsbränder / därav avsiktliga"]
    shown = {r[0]: r[1:] for r in rows[1:]}
    assert shown["Hela kommunen"] == ["3 / 0*", "6 / 0"]  # 6 fires: no mark
    assert shown["Gagnef"] == ["0 / 0*", "0 / 0*"]  # an area without a fire is shown, as zero
    assert list(shown) == [
        "Hela kommunen",
        "Djurås",
        "Gagnef",
        "Mockfjärd",
        "Dala-Floda, Björbo",
        "Sifferbo, Nordåker",
        "Utanför kommunens områden eller utan DeSO",
    ]
    assert all(cell.endswith("*") for area, cells in shown.items() if area != "Hela kommunen" for cell in cells)
    assert "Bränder och därav avsiktliga" not in html
    text = text_of(built)
    assert "Avsiktliga bränder per område, 2018–2019" in text
    assert "Räddningstjänstens export omfattar fordonsbränder 2018–2019, inte 2024: tabellen visar läget då" in text
    assert "* färre än fem bränder: slumpen styr." in text
    with open_store(config.db_path) as store:
        from lagesbild_cli.context.raddning import rescue_section

        section = rescue_section(store, config.kommun, 2018, ())
    assert section.deliberate is not None and section.deliberate.years == (2018,)  # nothing after the report year


def test_reimporting_the_same_export_does_not_double_count(rescue: tuple[Config, Preview], tmp_path: Path) -> None:
    config, _ = rescue
    folder = tmp_path / "again"
    shutil.copytree(config.path.parent, folder)
    copy = load_config(folder / "lagesbild.toml")
    _, in_files, stored, _ = pipeline.import_raddning(copy, EXPORTS[:1])
    assert in_files == 176 and stored == 176 + 146


def test_the_section_shows_rates_alarms_apart_and_the_source(rescue: tuple[Config, Preview]) -> None:
    config, built = rescue
    text = text_of(built)
    assert "Räddningstjänstens insatser" in text
    with open_store(config.db_path) as store:
        row = store.rows(
            "select antal, per_1000, medel5_per_1000 from ind_raddning_insatser "
            "where geo_kod = '2026' and ar = 2024 and kategori = 'brand_byggnad'"
        )[0]
    assert row["antal"] == mcf_count("2026", "2024", "1")
    shown = f"Brand i byggnad {row['antal']} {formatting.number(row['per_1000'], 2)}"
    assert shown in text
    assert formatting.number(row["medel5_per_1000"], 2) in text
    assert "Automatlarm utan brandtillbud redovisas för sig, inte som olycka" in text
    assert "Källa: MCF (tidigare MSB), statistikdatabasen tabell B11" in text
    assert "Händelser per månad i Gagnef" in text and "Händelser per tid på dygnet" in text


def test_the_building_fire_series_break_is_two_lines_with_a_mark(rescue: tuple[Config, Preview]) -> None:
    _, built = rescue
    html = built.html.read_text(encoding="utf-8")
    svg = re.search(r'<svg[^>]*aria-labelledby="chart-brand-byggnad-kolada-title.*?</svg>', html, re.S)
    assert svg is not None
    labels = [unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg.group(0))]
    assert any(t.startswith("Gagnef –2023 ") for t in labels)
    assert any(t.startswith("Gagnef 2024– ") for t in labels)
    assert any(t.startswith("Definitionsbrott") for t in labels)
    # never one joined line: one path per geography and definition, none crossing from 2023 to 2024
    paths = re.findall(r'<path d="([^"]*)"', svg.group(0))
    assert len(paths) == 6  # kommun, län and riket, once per definition
    assert all(p.count("M") == 1 for p in paths)
    assert "U07415" in text_of(built) and "N07415" in text_of(built)


def test_measures_are_listed_and_tied_to_problems(rescue: tuple[Config, Preview]) -> None:
    _, built = rescue
    text = text_of(built)
    assert "Pågående brottsförebyggande åtgärder" in text
    assert "Medborgarlöfte 2025–2026 (medborgarlöfte)" in text
    assert "Gagnefs kommun, Lokalpolisområde Falun-Borlänge" in text
    assert "Trygghetsvandringar varje höst" in text
    assert "Omfattning 14 grannsamverkansområden, 1 340 hushåll (per 1 september 2026)" in text
    assert "Grannsamverkan (grannsamverkan)" in text and "från 2019, pågående" in text
    # Grannsamverkan follows the vandalism indicator, so that problem is addressed; the first has the löfte
    assert "Prioriterade problem utan pågående åtgärd: Narkotika bland unga." in text
    section = re.search(r'<section id="atgarder">.*?</section>', built.html.read_text(encoding="utf-8"), re.S)
    assert section is not None
    plan = " ".join(" ".join(parse_html(section.group(0)).text).split())
    assert "Otrygghet på kvällen" in plan and "Medborgarlöfte 2025–2026" in plan


def test_without_mcf_data_or_measures_the_sections_say_how_to_add_them(gagnef_2023: ReportFiles) -> None:
    text = text_of(gagnef_2023)
    assert "Uppgifter från MCF om räddningstjänstens insatser saknas för 2023." in text
    assert "Inga pågående åtgärder är angivna i den här rapporten." in text and "[[plan.measures]]" not in text
    assert "räddningstjänstens egna händelserapporter, som inte finns i den här rapporten" in text
    assert "Koladas nyckeltal för bränder i byggnad (U07415, N07415) saknas för 2023." in text
    assert "lagesbild fetch" not in text and "lagesbild import" not in text


def test_a_measure_naming_an_unknown_problem_is_a_config_error(loaded_config: Config) -> None:
    plan = PLAN.replace('problems = ["otrygghet-kvall"]', 'problems = ["otrygghet"]')
    with pytest.raises(ConfigError, match=r"(?s)measures\[1\].problems.*'otrygghet'.*otrygghet-kvall"):
        with_plan(loaded_config.path.parent, plan)


def test_measures_can_live_in_their_own_file(loaded_config: Config) -> None:
    folder = loaded_config.path.parent
    problems, measures = PLAN.split("[[plan.measures]]", 1)
    (folder / "atgarder.toml").write_text(
        ("[[measures]]" + measures).replace("[[plan.measures]]", "[[measures]]"), encoding="utf-8"
    )
    config = with_plan(folder, '\n[plan]\nmeasures_file = "atgarder.toml"\n' + problems)
    assert [m.name for m in config.plan.measures] == ["Medborgarlöfte 2025–2026", "Grannsamverkan"]
    assert [p.id for p in config.plan.problems] == [
        "otrygghet-kvall",
        "skadegorelse-och-brander",
        "narkotika-bland-unga",
    ]
    assert config.plan.measures[1].figures == (("grannsamverkansområden", 14.0), ("hushåll", 1340.0))
    assert config.plan.measures[0].period == "2025–2026"
    assert config.plan.measures_source == "atgarder.toml"


def test_rescue_figures_have_indicator_ids_and_an_export_sheet(rescue: tuple[Config, Preview]) -> None:
    config, built = rescue
    with open_store(config.db_path) as store:
        row = store.rows(
            "select per_1000, medel5_per_1000 from ind_raddning_insatser "
            "where geo_kod = '2026' and ar = 2024 and kategori = 'brand_byggnad'"
        )[0]
    ids = {r[0]: r for r in csv.reader(exported_csv(config, built, "indikatorer.csv").splitlines(), delimiter=";")}
    assert float(ids["mcf:brand_byggnad"][3].replace(",", ".")) == pytest.approx(row["per_1000"], abs=0.01)
    assert float(ids["mcf:brand_byggnad:medel5"][3].replace(",", ".")) == pytest.approx(
        row["medel5_per_1000"], abs=0.01
    )
    assert "mcf:brand_byggnad:medel5" in ids and "raddning:avsiktliga_brander" in ids
    assert ids["raddning:avsiktliga_brander"][2] == "2019"  # the newest year of the export up to the report year
    assert "Brand i byggnad;Gagnef;2026;2024;" in exported_csv(config, built, "raddningstjanst.csv")


def test_a_problem_no_measure_addresses_has_none() -> None:
    from lagesbild_cli.context import plan_rows
    from lagesbild_cli.context.values import IndicatorValue
    from lagesbild_cli.settings.plan import Measure, PlanProblem

    values = tuple(IndicatorValue(i, i, 2024, 1.0, "u", "s") for i in ("bra:a", "bra:b", "survey:c@X"))
    problems = (PlanProblem("A", ("bra:a",), "", id="a"), PlanProblem("B", ("bra:b",), "", id="b"))
    by_id = Measure("Löfte", "medborgarlöfte", (), (), "2025", "", ("a",), (), "", "")
    by_indicator = Measure("Vandring", "annan åtgärd", (), (), "", "", (), ("survey:c@X",), "", "")
    rows = plan_rows(problems, values, (by_id, by_indicator))
    assert [[m.name for m in r.measures] for r in rows] == [["Löfte"], []]
    following_b = Measure("Grannsamverkan", "grannsamverkan", (), (), "", "", (), ("bra:b",), "", "")
    rows = plan_rows(problems, values, (by_id, following_b))
    assert [[m.name for m in r.measures] for r in rows] == [["Löfte"], ["Grannsamverkan"]]
