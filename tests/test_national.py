"""The national snapshot shipped with lagesbild: a project with Brå's workbooks alone (no fetch, no network) gets
its population and map from it, and the report names it as delivered with lagesbild, never as fetched."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from conftest import BRA_XLSX, store_raw
from lagesbild_cli.cli import app
from reading import parse_html


def _text(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.S)
    assert found is not None, pattern
    return " ".join(" ".join(parse_html(found.group(1)).text).split())


def test_bra_alone_gives_population_and_map_from_the_snapshot(tmp_path: Path) -> None:
    runner = CliRunner()
    config = str(tmp_path / "lagesbild.toml")
    assert runner.invoke(app, ["init", "--kommun", "Gagnef", "--dir", str(tmp_path)]).exit_code == 0
    imported = runner.invoke(app, ["import", "bra", str(BRA_XLSX), "--config", config])
    assert imported.exit_code == 0, imported.output
    built = runner.invoke(app, ["build", "--preview", "--config", config])
    assert built.exit_code == 0, built.output
    html = (tmp_path / "data/processed/preview/2026/2024/lagesbild.html").read_text(encoding="utf-8")

    kommunen = _text(html, r'<section id="kommunen">(.*?)</section>')
    assert "Gagnefs kommun hade 10 383 invånare den 31 december 2024." in kommunen
    assert "Källa: SCB, uppgifter levererade med lagesbild, publicerade 21 februari 2025." in kommunen
    assert (
        '<figure class="map">' in html
        and "Anmälda brott per 100 000 invånare i Dalarnas läns kommuner 2024" in kommunen
    )
    assert (
        "kommungränser: Valmyndigheten via okfse/sweden-geojson, uppgifter levererade med lagesbild, "
        "publicerade 7 juni 2020." in kommunen
    )
    assert "SCB saknas" not in kommunen
    assert "hämtad" not in kommunen.split("Källa: SCB")[1].split(".")[0]

    found = re.search(r'<section id="metod">(.*?)</section>', html, re.S)
    assert found is not None
    method = parse_html(found.group(1)).rows
    scb = next(r for r in method if r and r[0] == "SCB, folkmängd (tabellerna TAB638 och TAB6574)")
    assert scb[1] == "uppgifter levererade med lagesbild, publicerade 21 februari 2025"  # the sources' list
    assert "national/scb/folkmangd_TAB638.json" not in html  # the report names no file; the exports list them


def test_a_fetched_or_imported_file_wins_over_the_snapshot(tmp_path: Path) -> None:
    from lagesbild_cli import pipeline
    from lagesbild_cli.database.store import open_store
    from lagesbild_cli.settings.config import load_config
    from lagesbild_cli.sources import national

    runner = CliRunner()
    assert runner.invoke(app, ["init", "--kommun", "Gagnef", "--dir", str(tmp_path)]).exit_code == 0
    config = load_config(tmp_path / "lagesbild.toml")
    pipeline.import_bra(config, [BRA_XLSX / "Gagnef.xlsx"])
    shape = next(f for f in national.files() if f.source == "geo").read()
    store_raw(config, "geo/kommuner.geojson", shape)  # as a fetch or an import stores it
    pipeline.load(config)
    with open_store(config.db_path) as store:
        files = [r["file"] for r in store.rows("select file from manifest where file like 'national/%'")]
    assert files == ["national/scb/folkmangd_TAB638.json"]
