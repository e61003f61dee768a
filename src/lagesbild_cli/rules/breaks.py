"""Definition breaks per indicator, from the package data table ``data/definitionsbrott.csv``: notes for
the text, a table for the indicator queries (no change is computed across a break) and, through
:func:`lagesbild_cli.context.charts.definition_breaks`, marks for the charts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class DefinitionBreak:
    indikator: str  # bra:<serie_id>, kolada:<KPI>
    year: int  # the first year of the new definition
    label: str  # short, on the chart
    explanation: str  # the note in the text; may be empty


@cache
def all_breaks() -> tuple[DefinitionBreak, ...]:
    text = resources.files("lagesbild_cli").joinpath("data", "definitionsbrott.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return tuple(
        DefinitionBreak(row["indikator"], int(row["ar"]), row["text"], (row.get("forklaring") or "").strip())
        for row in rows
    )
