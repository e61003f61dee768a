"""The report with every source loaded: national rank, comparison group, Polisen's events, stale
marks, and a report from Kolada alone when Brå's workbook is missing."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from builders import VALUES, fetch_services
from conftest import BRA_XLSX, POLISEN_ARCHIVE, exported_csv, no_sleep, write_config
from lagesbild_cli import pipeline
from lagesbild_cli.context.polisen import events_section
from lagesbild_cli.context.sources import origin_text
from lagesbild_cli.database.store import open_store
from lagesbild_cli.render.report import BuiltReport, Preview
from lagesbild_cli.settings.config import Config, load_config
from lagesbild_cli.settings.kommuner import all_kommuner
from lagesbild_cli.storage.raw import FetchLog
from reading import parse_html, text_of

ARCHIVE = POLISEN_ARCHIVE


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory, loaded_dir: Path) -> Iterator[tuple[Config, Preview]]:
    folder = tmp_path_factory.mktemp("full") / "project"
    shutil.copytree(loaded_dir, folder)
    config = fetch_services(load_config(folder / "lagesbild.toml"))
    pipeline.import_polisen(config, ARCHIVE)
    yield config, pipeline.preview(config, 2023)  # the web page; the demo's tests read these sections in a PDF


def test_national_rank_in_words_and_numbers(full: tuple[Config, Preview]) -> None:
    _, built = full
    values = {k.kod: VALUES[("N07540", k.kod, 2023)] for k in all_kommuner()}
    rank = 1 + sum(v < values["2026"] for v in values.values())
    text = text_of(built)
    assert (
        f"Bland Sveriges kommuner har Gagnef plats {rank} av 290 (1 = lägst) för anmälda brott totalt "
        "per 100 000 invånare 2023."
    ) in text
    row = next(
        r
        for r in parse_html(built.html.read_text(encoding="utf-8")).rows
        if r and r[0].startswith("Anmälda brott totalt")
    )
    members = ["0861", "1060", "1272", "1452", "1498", "1766", "2460"]
    group = [VALUES[("N07540", m, 2023)] for m in members]
    mean = sum(group) / len(group)
    from lagesbild_cli.context.formatting import number

    assert row[1:] == [
        "4 721",
        f"{rank} av 290",
        "8 604",
        "14 349",
        f"{number(mean)} ({number(min(group))}–{number(max(group))})".replace("\u00a0", " "),
    ]
    assert "Liknande kommuner, övergripande, Gagnef, 2025" in text and "Mönsterås" in text


def _category_file() -> list[tuple[str, str]]:
    """The rows of the category file, read as a CSV of its own: (type, group)."""
    import csv
    from importlib import resources

    text = resources.files("lagesbild_cli").joinpath("data", "polisen_kategorier.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return [(r["typ"], r["kategori"]) for r in csv.DictReader(lines)]


def test_the_events_section_counts_what_polisen_published(full: tuple[Config, Preview]) -> None:
    _, built = full
    categories = {typ.casefold(): kategori for typ, kategori in _category_file()}
    events = [
        e
        for e in json.loads(ARCHIVE.read_text(encoding="utf-8"))
        if e["datetime"].startswith("2023-")
        and e["name"].endswith(", Gagnef")
        and categories.get(e["type"].strip().casefold(), "Övrigt") != "sammanfattning"
    ]
    text = text_of(built)
    assert "Publicerade händelser – inte brottsstatistik." in text
    assert f"{len(events)} publicerade händelser i Gagnef under år 2023." in text
    tables = parse_html(built.html.read_text(encoding="utf-8"))
    total_row = next(r for r in tables.rows if r and r[0] == "Totalt" and len(r) == 8)
    assert total_row[-1] == str(len(events))
    html = built.html.read_text(encoding="utf-8")
    section = html.split('<div id="handelser"')[1].split("</div>")[0]
    assert "Publicerade händelser – inte brottsstatistik" in section
    assert "per 100" not in section and "invånare" not in section  # never a rate


def test_the_archive_span_is_the_whole_archive_not_the_kommuns_events(full: tuple[Config, Preview]) -> None:
    _, built = full
    text = text_of(built)
    # The archive's first and last event are in other kommuner; Gagnef's own are later and earlier.
    assert "Arkivet omfattar händelser från 11 januari 2023 till 22 augusti 2026" in text
    assert "Den första händelsen i Gagnef i arkivet är från 23 mars 2023 och den senaste från 7 juli 2026." in text
    assert "Arkivet täcker bara en del av januari 2023." in text
    january = next(r for r in parse_html(built.html.read_text(encoding="utf-8")).rows if r and r[0] == "januari 2023")
    assert january[1:] == ["0"] * 7  # the archive had begun: nothing published is a real zero


def test_months_after_the_archive_ends_are_unknown_not_zero(full: tuple[Config, Preview]) -> None:
    config, _ = full
    with open_store(config.db_path) as store:
        section = events_section(store, config.kommun, 2026)
    assert section is not None
    shown = {m.label: m for m in section.months}
    assert shown["augusti 2026"].counts == (0,) * 6 and shown["augusti 2026"].total == 0
    for label in ("september 2026", "oktober 2026", "november 2026", "december 2026"):
        assert shown[label].counts == (None,) * 6 and shown[label].total is None
    assert section.partial_months == ("augusti 2026",)
    with open_store(config.db_path) as store:
        before = events_section(store, config.kommun, 2021)
    assert before is None  # the archive starts in 2023: a 2021 report shows no events from later years (issue 28)


def test_accidents_and_hemfridsbrott_are_neither_violence_nor_theft(full: tuple[Config, Preview]) -> None:
    config, built = full
    rows = parse_html(built.html.read_text(encoding="utf-8")).rows
    header = next(r for r in rows if r and r[0] == "Månad")
    assert header[1:] == [
        "Våld, hot, vapen och sexualbrott",
        "Stöld, inbrott och bedrägeri",
        "Skadegörelse och brand",
        "Narkotika",
        "Trafik",
        "Övrigt",
        "Totalt",
    ]
    november = dict(zip(header, next(r for r in rows if r and r[0] == "november 2023"), strict=True))
    # Gagnef in November 2023: a Hemfridsbrott (3 November, "grovt hemfridsbrott") and a traffic event. Entering a
    # home unlawfully is neither theft nor violence as such: it counts as Övrigt, as the method's table says.
    assert november["Stöld, inbrott och bedrägeri"] == "0" and november["Våld, hot, vapen och sexualbrott"] == "0"
    assert november["Övrigt"] == "1" and november["Trafik"] == "1" and november["Totalt"] == "2"
    with open_store(config.db_path) as store:
        section = events_section(store, config.kommun, 2025)
    assert section is not None
    february = next(m for m in section.months if m.label == "februari 2025")
    # 10 February 2025: "Vållande till kroppsskada" (an accident felling a tree) is 'Övrigt', not violence.
    assert dict(zip(section.categories, february.counts, strict=True))["Våld, hot, vapen och sexualbrott"] == 0
    assert dict(zip(section.categories, february.counts, strict=True))["Övrigt"] == 1


def test_the_methods_type_table_is_the_category_file(full: tuple[Config, Preview]) -> None:
    """Every row of the category file is in the method's table under its group, and nothing else is: the
    method cannot say one thing while the counts do another."""
    _, built = full
    html = built.html.read_text(encoding="utf-8")
    table = html.split('<caption id="polisen-typer">')[1].split("</table>")[0]
    rows = [r for r in parse_html("<table><caption>x</caption>" + table + "</table>").rows if len(r) == 2]
    printed = [(typ, group) for group, types in rows[1:] for typ in types.split("; ")]
    not_counted = "Räknas inte (Polisens sammanfattningar)"
    expected = [(typ, not_counted if group == "sammanfattning" else group) for typ, group in _category_file()]
    expected_other = [("alla typer som inte står i tabellen", "Övrigt")]
    assert sorted(printed) == sorted(expected + expected_other)
    assert ("Hemfridsbrott", "Övrigt") in printed and ("Bedrägeri", "Stöld, inbrott och bedrägeri") in printed
    assert ("Sexualbrott", "Våld, hot, vapen och sexualbrott") in printed
    assert ("Brand automatlarm", "Övrigt") in printed and ("Hets mot folkgrupp", "Övrigt") in printed
    method = text_of(built).split("Källor och metod")[-1]
    assert "Till våld räknas våld, hot, vapen och sprängningar" not in method
    assert "hemfridsbrott som stöld/inbrott" not in method


def test_population_is_stated_for_the_report_year(full: tuple[Config, Preview]) -> None:
    config, report_2023 = full
    built = pipeline.preview(config, 2024)
    assert "Gagnefs kommun hade 10 383 invånare den 31 december 2024 (SCB)." in text_of(built)
    assert "10 383 invånare den 31 december 2024" not in text_of(report_2023)  # 2024 is after the report year


def test_a_source_whose_last_fetch_failed_is_marked_stale(full: tuple[Config, Preview], tmp_path: Path) -> None:
    config, _ = full
    folder = tmp_path / "stale"
    shutil.copytree(config.data_dir.parent, folder)
    stale = replace(config, data_dir=folder / "data")
    FetchLog(stale.raw_dir).record("kolada", ok=False, error="HTTP 503")
    (stale.raw_dir / "manifest.json").touch()
    built = pipeline.preview(stale, 2023)
    assert "(inaktuellt: senaste hämtningen misslyckades" in text_of(built)


def test_without_a_bra_workbook_the_report_builds_from_kolada(tmp_path: Path) -> None:
    config = fetch_services(load_config(write_config(tmp_path)))
    built = pipeline.preview(config, None)
    assert built.context.crime is None and built.context.year == 2024
    text = text_of(built)
    assert "Brås arbetsbok Indikatorer för kommuners lägesbild för Gagnef saknas för 2024" in text
    assert "Arbetsanteckning – visas inte i slutversionen. Arbetsböckerna för Gagnef" in text
    assert "lagesbild import bra" not in text  # the way in goes to the command line, never into the report
    assert built.context.comparison is not None and built.context.comparison.chart is not None
    svg = built.html.read_text(encoding="utf-8")
    assert "Gagnef 4\u00a0526" in svg  # Kolada's 2024 value for Gagnef (Brå's figure), labelled on the chart


def test_a_hand_import_after_a_failed_fetch_is_not_stale_and_sources_never_loaded_are_not_on_the_cover(
    tmp_path: Path,
) -> None:
    config = load_config(write_config(tmp_path))  # a fresh clone: no data yet
    # the no_internet fixture makes bra.se and the geodata host unreachable, as on a computer without network
    report = pipeline.fetch(config, ["bra", "geo"], sleep=no_sleep)
    assert [r.source for r in report.failed] == ["bra", "geo"]
    pipeline.import_bra(config, [BRA_XLSX / "Gagnef.xlsx"])  # a minute later
    built = pipeline.preview(config, 2023)
    html = built.html.read_text(encoding="utf-8")
    assert "inaktuellt" not in html  # the workbook imported by hand is the newest the tool has had
    cover = html.split('<section class="cover">')[1].split("</section>")[0]
    assert "hämtad " not in cover and "Polisen" not in cover  # the sources and their dates are in the method
    assert "okänt datum" not in html
    appendix = parse_html(html.split('<section id="metod">')[1])
    bra = next(r for r in appendix.rows if r and r[0] == "Brå, Indikatorer för kommuners lägesbild")
    assert re.fullmatch(r"\d{1,2} [a-zä]+ \d{4}", bra[1]), bra  # imported by hand: a date, not stale
    # geodata was never fetched: the boundaries delivered with lagesbild stand in, named as such, never as fetched
    geo = next(r for r in appendix.rows if r and r[0].startswith("Kommungränser"))
    assert geo[1].startswith("uppgifter levererade med lagesbild, publicerade 7 juni 2020 (hämtningen ")
    assert geo[1].endswith(" misslyckades)")
    # a fetch that fails after the import does make the imported data stale
    time.sleep(1.1)  # the manifest and the fetch log count whole seconds
    assert pipeline.fetch(config, ["bra"], sleep=no_sleep).failed
    assert "(inaktuellt: senaste hämtningen misslyckades" in text_of(pipeline.preview(config, 2023))


ENGLISH = re.compile(
    r"\b(the|and|from|every|merged|with|which|rows|columns|events|imported|fetch|unknown|missing|failed|of)\b", re.I
)


def test_the_report_and_its_exports_have_no_english_and_no_local_folders(full: tuple[Config, Preview]) -> None:
    config, built = full
    text = text_of(built)
    assert "events merged" not in text and "from every fetch" not in text
    commands = re.sub(r"lagesbild (fetch|import \w+|build)", "", text)  # the report may tell what to run
    words = " ".join(w for w in commands.split() if "/" not in w and "." not in w.rstrip(".,;:)"))  # no URLs
    assert ENGLISH.findall(words) == []
    sources_csv = exported_csv(config, built, "kallor.csv")
    # the files, where they came from and their checksums: in the exports only, never in the report (trials)
    assert re.search(
        r"3[\u00a0 ]?566 händelser från alla hämtningar och inläsningar \(varje händelse räknas en gång\)", sources_csv
    )
    assert "Gagnef.xlsx, inläst för hand" in sources_csv and "Gagnef.xlsx" not in html_of(built)
    assert str(BRA_XLSX) not in sources_csv and str(BRA_XLSX) not in html_of(built)
    assert ENGLISH.findall(" ".join(w for w in sources_csv.split(";") if "://" not in w)) == []


def html_of(built: BuiltReport | Preview) -> str:
    return built.html.read_text(encoding="utf-8")


def test_origins_are_said_in_swedish_without_the_users_folders() -> None:
    assert origin_text("https://bra.se/a.xlsx") == "https://bra.se/a.xlsx"
    assert origin_text("12 events merged by id from every fetch and import") == (
        "12 händelser från alla hämtningar och inläsningar (varje händelse räknas en gång)"
    )
    assert origin_text("/home/anna/Hämtade filer/Mora.xlsx") == "Mora.xlsx, inläst för hand"
    assert origin_text(r"C:\Users\anna\Downloads\Mora.xlsx") == "Mora.xlsx, inläst för hand"
    assert origin_text("file:///home/anna/Mora.xlsx") == "Mora.xlsx, inläst för hand"
    assert origin_text("enkat.csv (original sha256 ab12, 812 rows, 9 mapped columns)") == (
        "enkat.csv, inläst för hand (812 svar, 9 frågor lästes in; kontrollsumma för originalfilen: ab12)"
    )
    assert origin_text("a.csv (sha256 ab12), b.csv (sha256 cd34)") == (
        "Inläst för hand: a.csv (kontrollsumma ab12), b.csv (kontrollsumma cd34)"
    )
