"""Nothing hollow is ever published (issue 29, points 1–3): every § 4 section stays in every report with one
Swedish line for what is missing; the report never holds a command, a config key, an indicator id or a file
path (what to do goes to the command line and, in the own kommun's drafts, a working note); a final refuses
while a section's source is missing, unless --allow-missing names it, and then says so on the cover."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import Demo
from lagesbild_cli import pipeline
from lagesbild_cli.cli import app
from lagesbild_cli.settings.config import load_config
from reading import parse_html, pdf_text

BRA = Path(__file__).parents[1] / "src" / "lagesbild_cli" / "data" / "demo" / "bra"
SECTIONS = ("kommunen", "omfattning", "var", "ntu", "konsekvenser", "jamforelse", "raddning", "pagaende", "annan")
SECTIONS += ("analys", "atgarder", "metod")
# a command, an option, a config key or file, an indicator id; the tool's name in prose ("beräknade av lagesbild ur
# Koladas värden", the snapshot's "levererade med lagesbild") is not a command
COMMANDS = "fetch|import|build|init|demo|doctor|load|survey|areas|kommuner|check-sources|version"
FORBIDDEN = re.compile(
    rf"\blagesbild (?:{COMMANDS})\b|\buv run\b|--|\.toml|\[\[|\[(?:narrative|survey|kommun|plan|sources)"
    r"|\b(?:bra|ntu|survey|kolada|polisen|scb|mcf):[a-zåäö]"
)
NOTE = "Arbetsanteckning – visas inte i slutversionen"
TEXTS = {"annan-information.md": "Inget att tillägga.", "analys.md": "Läget är lugnt.", "atgarder.md": "Fortsätt."}


def words(html: str) -> str:
    return " ".join(" ".join(parse_html(html).text).split())


def section(html: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.S)
    assert found is not None, section_id
    return words(found.group(1))


def hollow(text: str, where: str, folder: Path) -> None:
    """No command, option, config key, indicator id or local path in what a reader gets."""
    found = FORBIDDEN.search(text)
    assert found is None, f"{where}: {text[max(0, found.start() - 80) : found.end() + 40]!r}"
    assert str(folder) not in text and "/tmp/" not in text, where


def exports_text(report: Path) -> str:
    """Every cell of the CSV and xlsx exports, but the indikatorer table's Id column: the key an earlier
    report is compared by (build --compare-with) and problems name their indicators by (see the report)."""
    cells: list[str] = []
    for file in sorted((report / "csv").glob("*.csv")):
        rows = list(csv.DictReader(io.StringIO(file.read_text(encoding="utf-8-sig")), delimiter=";"))
        cells += [v for r in rows for k, v in r.items() if not (file.name == "indikatorer.csv" and k == "Id") and v]
    book = openpyxl.load_workbook(report / "indikatorer.xlsx", read_only=True)
    for sheet in book.worksheets:
        id_column = None  # the sheet's header row (below its title rows) names the Id column
        for row in sheet.iter_rows(values_only=True):
            cells += [str(v) for i, v in enumerate(row) if v is not None and i != id_column]
            id_column = row.index("Id") if "Id" in row else id_column
    return "\n".join(cells)


@pytest.fixture(scope="module")
def mora(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new user's project offline: init --kommun Mora, Brå's workbook by hand, the samordningsfunktion's texts
    (so that a final fails only for what the data lacks); SCB and the boundaries come from the shipped snapshot."""
    folder = tmp_path_factory.mktemp("mora")
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--kommun", "Mora", "--dir", str(folder)]).exit_code == 0
    config = str(folder / "lagesbild.toml")
    assert runner.invoke(app, ["import", "bra", str(BRA / "Mora.xlsx"), "--config", config]).exit_code == 0
    (folder / "text").mkdir()
    for name, text in TEXTS.items():
        (folder / "text" / name).write_text(text, encoding="utf-8")
    with (folder / "lagesbild.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[narrative]\nfolder = "text"\n')
    return folder


def build(folder: Path, *options: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["build", "--config", str(folder / "lagesbild.toml"), *options])
    return result.exit_code, result.stdout, result.stderr


def test_a_bra_only_draft_has_every_section_and_says_what_is_missing(mora: Path) -> None:
    code, _, stderr = build(mora)
    assert code == 0, stderr
    # the build ends with one line per missing source and what to do (commands are fine on the command line)
    lines = stderr.splitlines()
    for source in ("polisen", "kolada", "mcf"):
        assert sum(line.startswith(f"{source}: missing in the Mora 2024 report") for line in lines) == 1, stderr
    assert "lagesbild import polisen FILE" in stderr
    assert not any(line.startswith(("bra:", "scb:", "geo:")) for line in lines), stderr  # Brå; SCB, map: snapshot
    report = mora / "data/processed/reports/2062/2024"
    html = (report / "lagesbild.html").read_text(encoding="utf-8")
    for section_id in SECTIONS:
        assert section(html, section_id)
    assert "Polisens publicerade händelser saknas för 2024." in section(html, "var")
    assert (
        "kan visas av en egen trygghetsundersökning (per område) och av Polisens publicerade händelser; ingen av "
        "dem finns i den här rapporten" in section(html, "var")
    )
    assert "Koladas nyckeltal för jämförelsen med Sveriges kommuner saknas för 2024." in section(html, "jamforelse")
    assert "Uppgifter från MCF om räddningstjänstens insatser saknas för 2024." in section(html, "raddning")
    assert "sammanställd med verktyget lagesbild ur öppna data från Brå och SCB;" in section(html, "inledning")
    assert "Arbetsanteckning – visas inte i slutversionen. Polisens händelser hämtas när polisen.se kan nås" in words(
        html
    )
    hollow(words(html), "html", mora)
    hollow(pdf_text((report / "lagesbild.pdf").read_bytes()), "pdf", mora)
    hollow(exports_text(report), "exports", mora)


def test_a_final_with_missing_sources_is_refused_naming_each(mora: Path) -> None:
    code, _, stderr = build(mora, "--final")
    assert code == 1
    assert "these sources are missing or stale: polisen (missing); kolada (missing); mcf (missing)." in stderr
    assert "lagesbild fetch --source polisen" in stderr and "--allow-missing polisen,kolada,mcf" in stderr
    code, _, stderr = build(mora, "--final", "--allow-missing", "polisen,mcf")
    assert code == 1 and "kolada (missing)" in stderr and "polisen (missing)" not in stderr


def test_allow_missing_publishes_a_final_that_says_so(mora: Path) -> None:
    code, _, stderr = build(mora, "--final", "--allow-missing", "polisen,kolada,mcf")
    assert code == 0, stderr
    assert "polisen: missing in the Mora 2024 report (published without it" in stderr
    report = mora / "data/processed/reports/2062/2024"
    html = (report / "lagesbild.html").read_text(encoding="utf-8")
    cover = words(re.search(r'<section class="cover">(.*?)</section>', html, re.S).group(1))  # type: ignore[union-attr]
    assert "Version Slutversion" in cover
    assert "Den här slutversionen saknar uppgifter från Polisen, Kolada och MCF." in cover
    for section_id, line in (
        ("var", "Polisens publicerade händelser saknas för 2024."),
        ("jamforelse", "Koladas nyckeltal för jämförelsen med Sveriges kommuner saknas för 2024."),
        ("raddning", "Uppgifter från MCF om räddningstjänstens insatser saknas för 2024."),
    ):
        assert f"{line} Den här slutversionen publiceras utan dem." in section(html, section_id)
    assert NOTE not in html and 'class="working-note"' not in html  # a final shows no working note
    hollow(words(html), "html", mora)
    hollow(exports_text(report), "exports", mora)


def test_allow_missing_names_sources(mora: Path) -> None:
    code, _, stderr = build(mora, "--final", "--allow-missing", "polis")
    assert code == 2 and "polis is not a source" in stderr


@pytest.fixture(scope="module")
def demo_copy(built: Demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project copied (the shared one is only read): its final and another kommun's page."""
    folder = tmp_path_factory.mktemp("demo-copy") / "project"
    shutil.copytree(built.folder, folder)
    return folder


def test_the_demos_draft_and_final_hold_no_command_key_id_or_path(built: Demo, demo_copy: Path) -> None:
    hollow(words(built.html), "demo html", built.folder)
    hollow(exports_text(built.report), "demo exports", built.folder)
    assert NOTE not in built.html  # the demo is complete: nothing for the coordinator to do
    final = pipeline.preview(load_config(demo_copy / "lagesbild.toml"), final=True)
    text = text_of_page(final.html)
    assert "Slutversion, skapad" in text and "saknar uppgifter" not in text
    hollow(text, "demo final", demo_copy)


def test_a_report_for_another_kommun_has_no_working_notes(demo_copy: Path) -> None:
    """A kommun other than the config's own (--kommun, a län batch) gets a report that holds what there is:
    its coordinator cannot act on this project's settings."""
    config = load_config(demo_copy / "lagesbild.toml").with_kommun("Leksand")
    text = text_of_page(pipeline.preview(config).html)
    assert NOTE not in text
    assert "Ingen egen trygghetsundersökning för Leksand för 2024 finns i den här rapporten." in text
    assert "Samordningsfunktionens text för det här avsnittet finns inte i den här rapporten." in text
    hollow(text, "leksand", demo_copy)


def text_of_page(page: Path) -> str:
    return words(page.read_text(encoding="utf-8"))
