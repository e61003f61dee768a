"""``lagesbild demo``: a complete report from the data shipped in the package, offline, with one command."""

from __future__ import annotations

import csv
import gzip
import json
import zipfile
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from conftest import REPO, Demo
from lagesbild_cli import demo
from lagesbild_cli.cli import app
from lagesbild_cli.errors import ConfigError
from lagesbild_cli.sources import polisen
from reading import pdf_text


def test_the_demo_writes_a_project_and_says_where_the_report_is(built: Demo) -> None:
    assert f"Wrote {built.report / 'lagesbild.html'}" in built.output
    assert f"Wrote {built.report / 'lagesbild.pdf'}" in built.output
    assert (built.report / "lagesbild.pdf").read_bytes().startswith(b"%PDF")
    assert (built.report / "indikatorer.xlsx").stat().st_size > 0
    assert {"anmalda_brott.csv", "survey.csv", "raddningstjanst.csv", "polisen_handelser.csv"} <= {
        p.name for p in (built.report / "csv").glob("*.csv")
    }
    assert (built.folder / "lagesbild.toml").exists()
    for text in ("sammanfattning.md", "annan-information.md", "analys.md", "atgarder.md"):
        assert "Exempeltext" in (built.folder / "text" / text).read_text(encoding="utf-8")


def test_every_section_has_data_and_no_placeholder(built: Demo) -> None:
    html = built.html
    for marker in ('class="missing', 'class="note missing', 'class="placeholder', "[Text saknas"):
        assert marker not in html, marker
    assert "Exempeltext i demoprojektet" in built.section("analys")


def test_the_pdf_holds_the_sections_of_every_source(built: Demo) -> None:
    """The PDF a reader opens: the sections the web page has, from every source, are printed too."""
    text = pdf_text((built.report / "lagesbild.pdf").read_bytes())
    for words in (
        "Jämförelse med Sveriges kommuner och liknande kommuner",
        "Kolada (RKA), nyckeltal från Brå, SCB och MCF (tidigare MSB)",
        "Publicerade händelser – inte brottsstatistik",
        "Trygghet och utsatthet per område",
        "Räddningstjänstens insatser",
        "Händelser per tid på dygnet",
        "Exempeltext i demoprojektet",
    ):
        assert words in text, words


def test_the_figures_a_reader_reads(built: Demo) -> None:
    assert "Under 2024 anmäldes 471 brott i Gagnefs kommun" in built.section("sammanfattning")  # Brå's workbook
    survey = built.section("var")
    assert "Djurås" in survey and "Mockfjärd" in survey
    events = polisen.parse(demo.POLISEN_ARCHIVE.read_bytes(), "archive")
    local_year = pl.col("tidpunkt").dt.convert_time_zone("Europe/Stockholm").dt.year()
    in_2024 = events.filter(pl.col("kommun_kod") == "2026", local_year == 2024).height
    assert f"{in_2024} publicerade händelser i Gagnef under år 2024" in survey
    measures = built.section("pagaende")
    assert "Medborgarlöfte 2025–2026" in measures and "Grannsamverkan" in measures
    assert "Narkotika i offentlig miljö" in built.section("atgarder")


def test_the_rescue_services_figures_come_from_the_shipped_answers(built: Demo) -> None:
    answer = json.loads(gzip.decompress((demo.DATA / "raw" / "mcf" / "b11_kommuner.json.gz").read_bytes()))
    keys = [c["code"] for c in answer["columns"] if c["type"] != "c"]
    incidents = 0
    for row in answer["data"]:
        cell = dict(zip(keys, row["key"], strict=True))
        if (cell["kommun"], cell["ar"]) == ("2026", "2024") and cell["konvHandelsetypId"] not in ("14", "15"):
            incidents += int(row["values"][0])
    section = built.section("raddning")
    assert f"Alla inträffade och befarade olyckor {incidents} " in section
    gagnef_fires = {2018: 0, 2019: 0}
    for path in demo.RADDNING:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["kommun"] == "2026":
                    gagnef_fires[int(row["datum"][:4])] += 1
    assert gagnef_fires == {2018: 3, 2019: 6}  # as the export's PROVENANCE.md counts them
    assert f"Hela kommunen {gagnef_fires[2018]} / 0* {gagnef_fires[2019]} / 0" in section  # * fewer than five


def test_no_local_folder_in_the_report_or_the_exports(built: Demo) -> None:
    private = [str(built.folder), str(built.folder.parent), str(REPO), str(Path.home()) + "/"]
    texts = {"lagesbild.html": built.html}
    texts |= {p.name: p.read_text(encoding="utf-8-sig") for p in (built.report / "csv").glob("*.csv")}
    with zipfile.ZipFile(built.report / "indikatorer.xlsx") as book:
        texts |= {f"xlsx:{n}": book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml")}
    for name, text in texts.items():
        for folder in private:
            assert folder not in text, (name, folder)
    manifest = json.loads((built.folder / "data" / "raw" / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest.values():
        assert not any(folder in entry["origin"] for folder in private), entry
    assert manifest["bra/2026.xlsx"]["origin"] == "lagesbilds exempeldata (demo): bra/Gagnef.xlsx"


def test_a_folder_with_other_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path} is not empty" in result.stderr and "--force" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_force_writes_the_demo_beside_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError):
        demo.write_project(tmp_path)
    config = demo.write_project(tmp_path, force=True)
    assert config == tmp_path / "lagesbild.toml" and (tmp_path / "text" / "analys.md").exists()
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_an_earlier_demo_may_be_written_again(built: Demo) -> None:
    demo.check_folder(built.folder)  # no error: the folder holds a demo


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "file")])
    assert result.exit_code == 1 and "is a file, not a folder" in result.stderr
