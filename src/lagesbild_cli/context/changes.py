"""What has changed since the previous lägesbild: its exported ``indikatorer.csv`` against this build's
indicator values, by id."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lagesbild_cli.context.values import IndicatorValue
from lagesbild_cli.errors import ValidationError
from lagesbild_cli.i18n import _


@dataclass(frozen=True)
class Change:
    id: str
    name: str
    unit: str
    before: float
    before_year: int
    now: float
    now_year: int

    @property
    def difference(self) -> float:
        return self.now - self.before


def read_previous(path: Path) -> dict[str, tuple[float, int]]:
    """A previous build's indicators: ``indikatorer.csv`` (or its folder, or the xlsx beside it)."""
    if path.is_dir():
        path = path / "csv" / "indikatorer.csv"
    if path.suffix == ".xlsx":
        path = path.parent / "csv" / "indikatorer.csv"
    if not path.is_file():
        raise ValidationError(
            _("{path} does not exist.").format(path=path),
            hint=_("Give --compare-with the folder of an earlier report or its csv/indikatorer.csv."),
        )
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    if not rows or not {"Id", "År", "Värde"} <= set(rows[0]):
        raise ValidationError(
            _("{path} is not an indikatorer.csv written by lagesbild.").format(path=path),
            hint=_("Use the csv/indikatorer.csv exported beside an earlier report."),
        )
    previous = {}
    for n, row in enumerate(rows, start=2):
        if not row["Värde"]:
            continue
        try:
            previous[row["Id"]] = (float(row["Värde"].replace(",", ".")), int(row["År"]))
        except ValueError:
            raise ValidationError(
                _("{path}, line {n}: value {value} or year {year} is not a number.").format(
                    path=path, n=n, value=repr(row["Värde"]), year=repr(row["År"])
                ),
                hint=_("Use an unedited indikatorer.csv from an earlier report."),
            ) from None
    return previous


def described(path: Path) -> str:
    """The earlier report as the report names it: by file name, never by the user's local folder."""
    return f"förra lägesbilden ({path.name if path.suffix == '.csv' else 'indikatorer.csv'})"


def changes(previous: dict[str, tuple[float, int]], values: Sequence[IndicatorValue]) -> tuple[Change, ...]:
    return tuple(
        Change(v.id, v.name, v.unit, previous[v.id][0], previous[v.id][1], v.value, v.year)
        for v in values
        if v.value is not None and v.id in previous and not v.id.endswith(":antal")
    )
