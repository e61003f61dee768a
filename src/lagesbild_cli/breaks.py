"""Definition breaks per indicator, from the package data table ``data/definitionsbrott.csv``, as
marks for the charts."""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from importlib import resources

from lagesbild_cli.charts import Mark


@cache
def definition_breaks() -> dict[str, tuple[Mark, ...]]:
    text = resources.files("lagesbild_cli").joinpath("data", "definitionsbrott.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    result: dict[str, list[Mark]] = {}
    for row in rows:
        result.setdefault(row["indikator"], []).append(Mark(int(row["ar"]), f"Definitionsbrott: {row['text']}"))
    return {key: tuple(marks) for key, marks in result.items()}


def preliminary(period: int | None, final_publication: str | None, today: date) -> tuple[Mark, ...]:
    """A mark for a KPI whose final figures for ``period`` are not yet published."""
    if period is None or not final_publication or date.fromisoformat(final_publication[:10]) <= today:
        return ()
    return (Mark(period, "Preliminära värden"),)
