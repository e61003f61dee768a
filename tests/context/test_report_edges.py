"""Issue 28, at the edges: every figure under its rule. The comparison table's units, small answers in the
survey, series too small to judge, one precision and one wording per rule, and method text for the report's
own län. Each test reads what a reader gets: the demo's HTML text and its CSV exports."""

from __future__ import annotations

import csv
import re

from conftest import Demo
from reading import parse_html


def _rows(built: Demo, section_id: str) -> list[list[str]]:
    found = re.search(rf'<section id="{section_id}">(.*?)</section>', built.html, re.S)
    assert found is not None, section_id
    return [r for r in parse_html(found.group(1)).rows if r]


def _text(built: Demo, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}">(.*?)</section>', built.html, re.S)
    assert found is not None, section_id
    return " ".join(" ".join(parse_html(found.group(1)).text).split())


def _csv(built: Demo, file: str) -> list[dict[str, str]]:
    text = (built.report / "csv" / file).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines(), delimiter=";"))


def test_fire_kpis_keep_their_unit_decimals_and_producer(built: Demo) -> None:
    """U07415/N07415 are per 1 000 invånare: Gagnef 0,18, länet 0,15, riket 0,13 in 2024 (not "0 | 0 | 0"
    under a header saying "per 100 000"), with no place "1 av 1" when only Gagnef has a value, and MCF named."""
    rows = {r[0]: r for r in _rows(built, "jamforelse")}
    header = next(r for name, r in rows.items() if name.startswith("Nyckeltal"))
    assert "100 000" not in header[0]  # the header states no unit that a row does not have
    fire = next(r for name, r in rows.items() if name.startswith("Byggnadsbränder med spridning"))
    assert "antal per 1 000 invånare" in fire[0] and "MCF" in fire[0]
    assert fire[1:2] + fire[3:5] == ["0,18", "0,15", "0,13"]
    assert fire[2] == "ingen plats: 1 av 290 kommuner med värde"
    crime = next(r for name, r in rows.items() if name.startswith("Anmälda brott totalt"))
    assert "antal per 100 000 invånare" in crime[0] and crime[1:3] == ["4 526", "37–38 av 290 (delad)"]
    text = _text(built, "jamforelse")
    assert "nyckeltal från Brå och SCB samt MCF (tidigare MSB)" in text
    exported = [r for r in _csv(built, "kolada_rang_riket.csv") if r["Nyckeltal"] == "N07415" and r["År"] == "2024"]
    assert len(exported) == 1
    row = exported[0]
    assert row["Enhet"] == "antal per 1 000 invånare" and row["Producent"] == "MCF (tidigare MSB)"
    assert row["Kommuner med värde"] == "1" and row["Kommuner i Sverige"] == "290"
    place = next(v for k, v in row.items() if k.startswith("Plats i riket"))
    assert place == ""
