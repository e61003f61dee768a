"""The ``[survey]`` section of lagesbild.toml: how a municipality's citizen-survey export maps to
the report's areas and indicators.

Only the columns named here are ever read from the survey file; everything else (free text,
e-mail addresses) is dropped while reading and never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from lagesbild_cli.errors import ConfigError
from lagesbild_cli.settings.toml_table import TomlTable


@dataclass(frozen=True)
class SurveyIndicator:
    id: str
    label: str
    column: str
    yes: tuple[str, ...]
    no: tuple[str, ...]
    exclude: tuple[str, ...]  # "vet ej", "av andra skäl": left out of the denominator; blank always is
    ntu: str | None  # the Brå NTU indicator (its id) to show beside it, if any

    def code(self, label: str) -> int | None:
        """1 for yes, 0 for no, None for excluded or blank. Labels match case-insensitively."""
        return self._codes.get(label.strip().casefold())

    @cached_property
    def _codes(self) -> dict[str, int]:  # a load codes every answer of every respondent
        codes = {n.casefold(): 0 for n in self.no}
        codes.update({y.casefold(): 1 for y in self.yes})  # a label in both lists is yes, as it always was
        return codes

    def known(self) -> set[str]:
        return {x.casefold() for x in (*self.yes, *self.no, *self.exclude)}


@dataclass(frozen=True)
class SurveyArea:
    name: str
    answers: tuple[str, ...]
    deso: tuple[str, ...]


@dataclass(frozen=True)
class SurveyMapping:
    id_column: str
    year_column: str
    area_column: str
    sex_column: str | None
    age_column: str | None
    weight_column: str | None
    areas: tuple[SurveyArea, ...]
    unplaced: tuple[str, ...]  # area answers that belong to no report area ("Vill inte uppge")
    indicators: tuple[SurveyIndicator, ...]
    min_cell: int  # no cell with fewer respondents is published
    min_share: int  # no share with fewer respondents is published ("för få svar")

    def area_of(self, answer: str) -> str | None:
        return self._area_by_answer.get(answer.strip().casefold())

    @cached_property
    def _area_by_answer(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for area in self.areas:
            for answer in area.answers:
                found.setdefault(answer.casefold(), area.name)  # the first area naming an answer, as before
        return found

    def known_area_answers(self) -> set[str]:
        return {a.casefold() for area in self.areas for a in area.answers} | {u.casefold() for u in self.unplaced}

    def columns(self) -> dict[str, str]:
        """Canonical name → the survey file's column header, for every column that is read."""
        columns = {"id": self.id_column, "ar": self.year_column, "omrade": self.area_column}
        for key, value in (("kon", self.sex_column), ("alder", self.age_column), ("vikt", self.weight_column)):
            if value:
                columns[key] = value
        columns.update({f"q_{i.id}": i.column for i in self.indicators})
        return columns


def _strings(table: TomlTable, key: str, expected: str, default: list[str] | None = None) -> tuple[str, ...]:
    values = table.get(key, list, expected, default)
    if not all(isinstance(v, str) for v in values):
        raise table.error(key, f"is {values!r}", expected)
    return tuple(values)


def parse_survey(table: TomlTable) -> SurveyMapping | None:
    """The survey mapping, or None when the config has no [survey] section."""
    if not table.data:
        return None
    text = "a column header of the survey file, as a string"
    optional = "a column header, or leave the key out"
    mapping_areas = []
    areas = table.table("areas")
    for name in list(areas.data):
        area = areas.table(name)
        mapping_areas.append(
            SurveyArea(
                name=name,
                answers=_strings(area, "answers", 'a list of answers in the area column, e.g. ["Djurås"]'),
                deso=_strings(area, "deso", 'a list of DeSO codes, e.g. ["2026C1010"]', []),
            )
        )
        area.reject_unknown()
    indicators = []
    items = table.get("indicators", list, "a list of [[survey.indicators]] tables")
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise table.error("indicators", f"has item {n} = {item!r}", "[[survey.indicators]] tables")
        ind = TomlTable(item, f"survey.indicators[{n}]", table.path)
        indicator = SurveyIndicator(
            id=ind.get("id", str, 'a short identifier, e.g. "otrygg_kvall"'),
            label=ind.get("label", str, "the indicator's name in the report, in Swedish"),
            column=ind.get("column", str, text),
            yes=_strings(ind, "yes", "a list of the answer labels that count as yes"),
            no=_strings(ind, "no", "a list of the answer labels that count as no"),
            exclude=_strings(ind, "exclude", 'a list of answer labels left out, e.g. ["Vet ej"]', []),
            ntu=ind.get("ntu", str, "the id of a Brå NTU indicator to compare with", "") or None,
        )
        if not indicator.id.isidentifier() or not indicator.id.isascii():
            raise ind.error("id", f"is {indicator.id!r}", "lower-case letters, digits and _ only")
        if not indicator.yes or not indicator.no:
            raise ind.error("yes" if not indicator.yes else "no", "is empty", "at least one answer label")
        ind.reject_unknown()
        indicators.append(indicator)
    ids = [i.id for i in indicators]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ConfigError(f"{table.path}: two survey indicators have the id {dup!r}.", hint="Give each a unique id.")
    mapping = SurveyMapping(
        id_column=table.get("id_column", str, text),
        year_column=table.get("year_column", str, text),
        area_column=table.get("area_column", str, text),
        sex_column=table.get("sex_column", str, optional, "") or None,
        age_column=table.get("age_column", str, optional, "") or None,
        weight_column=table.get("weight_column", str, optional, "") or None,
        areas=tuple(mapping_areas),
        unplaced=_strings(
            table, "unplaced", 'a list of area answers that belong to no area, e.g. ["Vill inte uppge"]', []
        ),
        indicators=tuple(indicators),
        min_cell=table.get("min_cell", int, "the smallest number of respondents a published cell may have", 5),
        min_share=table.get("min_share", int, "the smallest number of respondents behind a published share", 30),
    )
    if mapping.min_cell < 1 or mapping.min_share < mapping.min_cell:
        raise table.error(
            "min_share",
            f"is {mapping.min_share} with min_cell {mapping.min_cell}",
            "min_cell ≥ 1 and min_share ≥ min_cell",
        )
    table.reject_unknown()
    return mapping
