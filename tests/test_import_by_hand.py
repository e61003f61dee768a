"""lagesbild import scb|kolada|mcf|geo: a file a person saved from the source's own API in a browser is checked as
strictly as a Brå workbook, stored under the fetcher's name with its file name as origin, and the database
reloaded; a broken one is refused by name, place and what to do, and nothing is stored. The offline fetch names
these commands."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import BRA_XLSX, DEMO, GEOJSON, SAMPLES
from lagesbild_cli.cli import app
from reading import parse_html

RAW = DEMO / "raw"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A new project for Gagnef with Gagnef's Brå workbook imported, as on a computer without network."""
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--kommun", "Gagnef", "--dir", str(tmp_path)]).exit_code == 0
    config = tmp_path / "lagesbild.toml"
    assert runner.invoke(app, ["import", "bra", str(BRA_XLSX / "Gagnef.xlsx"), "--config", str(config)]).exit_code == 0
    return config


def saved(tmp_path: Path, packed: Path, name: str) -> Path:
    """A recorded answer as a browser saves it: the bytes the API sent, under a name the person chose."""
    target = tmp_path / "Hämtningar" / name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(gzip.decompress(packed.read_bytes()) if packed.suffix == ".gz" else packed.read_bytes())
    return target


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def manifest(config: Path) -> dict[str, dict[str, object]]:
    path = config.parent / "data/raw/manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def test_import_scb_stores_tab638_as_fetched_and_the_report_says_hamtad(project: Path, tmp_path: Path) -> None:
    file = saved(tmp_path, RAW / "scb/folkmangd_TAB638.json.gz", "TAB638.json")
    code, output = invoke("import", "scb", str(file), "--config", str(project))
    assert code == 0, output
    assert (
        "Imported TAB638.json (SCB's population per region 2024–2024 (TAB638)) → data/raw/scb/folkmangd_TAB638.json"
        in output
    )
    entry = manifest(project)["scb/folkmangd_TAB638.json"]
    assert entry["origin"] == "TAB638.json" and entry["status"] is None
    assert str(tmp_path) not in json.dumps(entry)
    assert invoke("build", "--preview", "--config", str(project))[0] == 0
    html = (project.parent / "data/processed/preview/2026/2024/lagesbild.html").read_text(encoding="utf-8")
    kommunen = " ".join(
        " ".join(parse_html(html.split('<section id="kommunen">')[1].split("</section>")[0]).text).split()
    )
    assert "Gagnefs kommun hade 10 383 invånare den 31 december 2024." in kommunen
    assert "Dalarnas län hade 286 368 invånare." in kommunen  # the imported table has the län, the snapshot does not
    assert "Källa: SCB, hämtad " in kommunen and "levererade med lagesbild" not in kommunen.split("kommungränser")[0]


def test_import_scb_refuses_a_table_without_kommuner_and_stores_nothing(project: Path, tmp_path: Path) -> None:
    file = tmp_path / "riket.json"
    shutil.copy(SAMPLES / "scb/pxweb_v2_TAB638_data_riket_1cell.jsonstat2.json", file)
    before = manifest(project)
    code, output = invoke("import", "scb", str(file), "--config", str(project))
    assert code == 1
    assert "riket.json: table TAB638 holds no kommun's population." in output
    assert "valueCodes[Region]=*" in output and str(tmp_path) not in output
    assert manifest(project) == before and not (project.parent / "data/raw/scb").exists()


def test_import_kolada_takes_values_descriptions_and_groups_and_refuses_a_cut_off_page(
    project: Path, tmp_path: Path
) -> None:
    values = saved(tmp_path, SAMPLES / "kolada/kolada_v3_data_N21704_2023_5kommuner.json", "N21704.json")
    kpis = saved(tmp_path, RAW / "kolada/kpi_0_p1.json.gz", "kpi.json")
    groups = saved(tmp_path, RAW / "kolada/grupper_2026_p1.json.gz", "grupper.json")
    broken = tmp_path / "Hämtningar" / "data.json"
    broken.write_bytes(values.read_bytes()[:700])
    code, output = invoke("import", "kolada", str(values), str(broken), "--config", str(project))
    assert code == 1 and re.search(r"data\.json is not a JSON file \(.*line \d+ column \d+", output), output
    assert not any(k.startswith("kolada/") for k in manifest(project))  # all or nothing
    code, output = invoke("import", "kolada", str(values), str(kpis), str(groups), "--config", str(project))
    assert code == 0, output
    assert "Imported N21704.json (Kolada's values of N21704) → data/raw/kolada/data_hand_" in output
    assert "Imported grupper.json (Kolada's comparison groups) → data/raw/kolada/grupper_2026_p1.json" in output
    stored = {k: v["origin"] for k, v in manifest(project).items() if k.startswith("kolada/")}
    assert sorted(stored.values()) == ["N21704.json", "grupper.json", "kpi.json"]


def test_import_mcf_needs_the_tables_description_with_the_counts(project: Path, tmp_path: Path) -> None:
    counts = saved(tmp_path, RAW / "mcf/b11_kommuner.json.gz", "b11.json")
    month = saved(tmp_path, RAW / "mcf/b11_manad_20.json.gz", "b11-manad.json")
    meta = saved(tmp_path, RAW / "mcf/b11_metadata.json.gz", "B11-beskrivning.json")
    code, output = invoke("import", "mcf", str(counts), "--config", str(project))
    assert code == 1 and "MCF's counts need the description of table B11" in output
    code, output = invoke("import", "mcf", str(counts), str(month), str(meta), "--config", str(project))
    assert code == 0, output
    assert "→ data/raw/mcf/b11_kommuner.json" in output and "→ data/raw/mcf/b11_manad_20.json" in output
    assert manifest(project)["mcf/b11_metadata.json"]["origin"] == "B11-beskrivning.json"


def test_import_geo_refuses_a_map_with_holes_and_takes_the_whole_file(project: Path, tmp_path: Path) -> None:
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if f["properties"]["id"] != "2021"]  # no Vansbro
    holes = tmp_path / "kommuner-utan-vansbro.geojson"
    holes.write_text(json.dumps(doc), encoding="utf-8")
    code, output = invoke("import", "geo", str(holes), "--config", str(project))
    assert code == 1 and "kommuner-utan-vansbro.geojson has no boundary for Vansbro" in output
    assert "geo/kommuner.geojson" not in manifest(project)
    code, output = invoke("import", "geo", str(GEOJSON), "--config", str(project))
    assert code == 0, output
    assert "(boundaries of 290 kommuner) → data/raw/geo/kommuner.geojson" in output
    assert manifest(project)["geo/kommuner.geojson"]["origin"] == GEOJSON.name


def test_the_offline_fetch_names_the_import_of_each_source(project: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "fetch",
            "--source",
            "scb",
            "--source",
            "kolada",
            "--source",
            "mcf",
            "--source",
            "geo",
            "--config",
            str(project),
        ],
    )
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "What failed can be downloaded by hand:" in text
    scb = re.search(
        r"SCB: open (\S+) in a browser, save each answer as a file, then run: lagesbild import scb FILE", text
    )
    assert scb is not None and "/tables/TAB638/data?lang=sv&outputFormat=json-stat2" in scb.group(1)
    assert "/v3/municipality_groups?title=Gagnef in a browser" in text and "lagesbild import kolada FILE" in text
    assert "statistik.mcf.se/PxWeb/api/v1/sv/PxData/B/B1/B11" in text and "lagesbild import mcf FILE" in text
    assert "then run: lagesbild import geo FILE" in text


@pytest.mark.filterwarnings("default::lagesbild_cli.errors.Notice")  # shown as the command line shows notices
def test_another_lans_workbooks_are_stored_with_a_warning_and_doctor_says_the_own_one_is_missing(
    tmp_path: Path,
) -> None:
    """A coordinator in Ystad who imports Dalarna's workbooks is told so at once, and doctor no longer says the
    Brå data are OK while none of it is Ystad's (trial)."""
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--kommun", "Ystad", "--dir", str(tmp_path)]).exit_code == 0
    config = str(tmp_path / "lagesbild.toml")
    imported = runner.invoke(app, ["import", "bra", str(BRA_XLSX), "--config", config])
    assert imported.exit_code == 0, imported.output
    assert "None of the imported workbooks is from Skåne län: they are for Dalarnas län." in imported.output
    assert "The report for Ystad needs Ystad's own workbook" in imported.output
    doctor = runner.invoke(app, ["doctor", "--config", config])
    assert "Brå workbook for Ystad" in doctor.output
    assert "missing: the 15 workbooks stored are other kommuners'" in doctor.output
