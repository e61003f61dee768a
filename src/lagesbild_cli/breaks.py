"""Definition breaks per indicator, from the package data table ``data/definitionsbrott.csv``, as
marks for the charts, notes for the text, and a table for the indicator queries (no change is
computed across a break)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from lagesbild_cli.charts import Mark


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


@cache
def definition_breaks() -> dict[str, tuple[Mark, ...]]:
    result: dict[str, list[Mark]] = {}
    for b in all_breaks():
        result.setdefault(b.indikator, []).append(Mark(b.year, f"Definitionsbrott: {b.label}", breaks_line=True))
    return {key: tuple(marks) for key, marks in result.items()}


def preliminary(period: int | None, final_publication: str | None, today: date) -> tuple[Mark, ...]:
    """A mark for a KPI whose final figures for ``period`` are not yet published."""
    if period is None or not final_publication or date.fromisoformat(final_publication[:10]) <= today:
        return ()
    return (Mark(period, "Preliminära värden"),)
