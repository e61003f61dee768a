"""Definition breaks per indicator: found in the national series itself (:func:`detect`) and confirmed by
the package data table ``data/definitionsbrott.csv`` (the hand list, with Brå's note or ours). The loader
writes both into the table ``definitionsbrott``; the indicator queries compute no change or trend across a
break, the charts break their line there and the text explains it.

The rule found in the data (stated in the report's method section):

* A year is a break when the national (riket) rate changes from the year before by a factor of at least
  :data:`JUMP` (doubles, or halves), and at least :data:`SAME_WAY` of the kommuner with reports in
  either year move the same way: a real change in crime does not double the whole country in one year,
  and a jump carried by a few large kommuner is not a change of definition.
* A definition that is phased in over several years moves riket on after its first year: each following
  year whose national rate still changes by a factor of at least :data:`PHASE_IN` the same way is a
  break too, so no change is computed until the new definition is complete.

Brå's fifteen series 2017–2024 change by at most ×1,27 up and ×0,64 down from one year to the next
outside their breaks (bilbrott 2018, ×4,8; våld i nära relationer 2018–2020), so the factor 2 leaves
real changes alone."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

JUMP = 2.0  # riket's rate at least doubles or halves in one year
SAME_WAY = 0.5  # and more than half of the kommuner with reports move the same way
PHASE_IN = 1.25  # a break goes on while riket keeps changing by a quarter or more the same way


@dataclass(frozen=True)
class DefinitionBreak:
    indikator: str  # bra:<serie_id>, kolada:<KPI>
    year: int  # the first year of the new definition
    label: str  # short, on the chart
    explanation: str  # the note in the text; may be empty


@dataclass(frozen=True)
class FoundBreak:
    """A break found in the national series: the year, riket's rate the year before and that year, and
    the share of kommuner (with reports in either year) that moved the same way (None: no kommun data)."""

    year: int
    riket_before: float
    riket_after: float
    same_way: float | None
    phase_in: bool  # a year after the first jump, while the new definition is phased in


@cache
def all_breaks() -> tuple[DefinitionBreak, ...]:
    """The hand list, ``data/definitionsbrott.csv``."""
    text = resources.files("lagesbild_cli").joinpath("data", "definitionsbrott.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return tuple(
        DefinitionBreak(row["indikator"], int(row["ar"]), row["text"], (row.get("forklaring") or "").strip())
        for row in rows
    )


def _factor(before: float | None, after: float | None) -> float | None:
    """after / before, or None when either is missing or the year before is zero."""
    if before is None or after is None or before <= 0 or after < 0:
        return None
    return after / before


def _share_same_way(kommuner: Iterable[Mapping[int, float | None]], year: int, up: bool) -> float | None:
    """The share of kommuner with reports in ``year - 1`` or ``year`` whose rate moved the way riket did."""
    moved = total = 0
    for series in kommuner:
        before, after = series.get(year - 1), series.get(year)
        if before is None or after is None or (before == 0 and after == 0):
            continue
        total += 1
        moved += after > before if up else after < before
    return moved / total if total else None


def detect(
    riket: Mapping[int, float | None], kommuner: Iterable[Mapping[int, float | None]] = ()
) -> tuple[FoundBreak, ...]:
    """The breaks in one series by the rule in the module's docstring: ``riket`` maps year → riket's rate
    per 100 000, ``kommuner`` one such mapping per kommun (each kommun's own rate)."""
    kommuner = list(kommuner)
    years = sorted(y for y, v in riket.items() if v is not None)
    found: list[FoundBreak] = []
    for year in years:
        before, after = riket.get(year - 1), riket.get(year)
        factor = _factor(before, after)
        if factor is None or before is None or after is None:
            continue
        up = factor > 1
        previous = found[-1] if found else None
        if previous is not None and previous.year == year - 1 and (previous.riket_after > previous.riket_before) == up:
            if factor >= PHASE_IN or factor <= 1 / PHASE_IN:
                found.append(FoundBreak(year, before, after, _share_same_way(kommuner, year, up), phase_in=True))
                continue
        if factor >= JUMP or factor <= 1 / JUMP:
            share = _share_same_way(kommuner, year, up)
            if share is None or share > SAME_WAY:
                found.append(FoundBreak(year, before, after, share, phase_in=False))
    return tuple(found)
