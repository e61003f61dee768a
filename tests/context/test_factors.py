"""Risk and protective factors from Kolada under "Annan information av betydelse": the kommun against the län and
riket, labelled context and not cause, and "saknas" where Kolada has no value (never a number made up)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from builders import KOLADA, kolada_item
from conftest import Demo, exported_csv, store_raw
from lagesbild_cli import pipeline
from lagesbild_cli.context.factors import DEVIATIONS, FACTORS, KPIS
from lagesbild_cli.render.report import Preview
from lagesbild_cli.settings.config import Config, load_config
from reading import parse_html

# Kolada's answers for Gagnef (2026), Dalarna (0020) and riket (0000): SYNTHETIC values in Kolada v3's shape
VALUES = [
    ("N03937", "2026", 2023, 5.0),
    ("N03937", "2026", 2024, 5.24),
    ("N03937", "0020", 2024, 6.13),
    ("N03937", "0000", 2024, 6.81),
    ("N15436", "2026", 2024, 88.4),
    ("N15436", "0000", 2024, 85.2),
    ("N03937", "2026", 2025, 9.9),  # after the report's year: never shown in the 2024 report
    ("U00489", "2026", 2024, 0.0),
    ("U00490", "2026", 2024, 1.0),
]


@pytest.fixture(scope="module")
def with_factors(owned_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Preview]:
    folder = tmp_path_factory.mktemp("factors") / "project"
    shutil.copytree(owned_dir, folder)
    config = load_config(folder / "lagesbild.toml")
    items = [kolada_item(k, g, y, v) for k, g, y, v in VALUES]
    store_raw(config, "kolada/data_0_0_p1.json", json.dumps({"values": items, "count": len(items)}).encode())
    meta = json.loads((KOLADA / "kolada_v3_kpi_metadata_crime_ntu_DERIVED.json").read_text(encoding="utf-8"))
    wanted = [v for v in meta["values"] if v["id"] in ("U00489", "U00490")]
    store_raw(config, "kolada/kpi_0_p1.json", json.dumps({"values": wanted, "count": len(wanted)}).encode())
    return config, pipeline.preview(config, 2024)


def panel(html: str) -> tuple[str, list[list[str]]]:
    found = re.search(r'<section id="annan">(.*?)</section>', html, re.S)
    assert found is not None
    parsed = parse_html(found.group(1))
    return " ".join(" ".join(parsed.text).split()), parsed.rows


def test_the_panel_shows_each_factor_against_lan_and_riket_as_context_not_cause(
    with_factors: tuple[Config, Preview],
) -> None:
    text, rows = panel(with_factors[1].html.read_text(encoding="utf-8"))
    assert "De är sammanhang, inte orsaker" in text
    assert "(sammanhang, inte orsaker)" in text  # the table's caption says it too
    assert ["Arbetslöshet", "riskfaktor", "2024", "5,24", "6,13", "6,81"] in rows
    assert [
        "Elever i årskurs 9 som är behöriga till gymnasiets yrkesprogram",
        "skyddsfaktor",
        "2024",
        "88,4",
        "–",
        "85,2",
    ] in rows
    assert ["Unga 16–24 år som varken arbetar eller studerar", "riskfaktor", "–", "saknas", "saknas", "saknas"] in rows
    assert "Anmälda våldsbrott jämfört med modellberäknat värde: fler än modellen väntar sig (2024)." in text
    assert (
        "Anmälda stöld- och tillgreppsbrott jämfört med modellberäknat värde: ungefär som modellen väntar sig" in text
    )
    assert "9,9" not in text


def test_the_export_holds_the_panel(with_factors: tuple[Config, Preview]) -> None:
    config, preview = with_factors
    lines = exported_csv(config, preview, "riskfaktorer.csv").splitlines()
    assert lines[0] == "Nyckeltal;Faktor;Slag;År;Kommunen;Länet;Riket;Anmärkning"
    assert "N03937;Arbetslöshet;riskfaktor;2024;5,24;6,13;6,81;sammanhang, inte orsak" in lines
    assert any(line.startswith("N02797;") and ";saknas;saknas;saknas;" in line for line in lines)
    assert any(line.startswith("U00489;") and ";fler än modellen väntar sig;" in line for line in lines)


def test_the_demo_says_saknas_for_factors_kolada_has_not_given_it(built: Demo) -> None:
    """The demo's Kolada answers hold no factor KPI and no real recorded value exists: "saknas", never a number."""
    text, rows = panel(built.html)
    assert "Risk- och skyddsfaktorer i Gagnef" in text and "sammanhang, inte orsaker" in text
    shown = [r for r in rows if r and r[0] in {name for _, name, _ in FACTORS}]
    assert len(shown) == len(FACTORS) and all(r[3:] == ["saknas"] * 3 for r in shown)
    assert "Kolada har inga värden för dem i den här rapporten" in text
    method = built.section("metod")
    assert "De ställs bara bredvid varandra, utan statistisk prövning, och är sammanhang, inte orsaker." in method


def test_the_panel_asks_kolada_for_every_kpi_it_shows() -> None:
    assert set(KPIS) == {k for k, _, _ in FACTORS} | {k for k, _ in DEVIATIONS}
