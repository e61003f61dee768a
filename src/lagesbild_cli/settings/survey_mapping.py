"""The ``[survey]`` section of lagesbild.toml: how a municipality's citizen-survey export maps to
the report's areas and indicators.

Only the columns named here are ever read from the survey file; everything else (free text,
e-mail addresses) is dropped while reading and never stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from lagesbild_cli.errors import ConfigError
from lagesbild_cli.i18n import _
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


LABEL_MAX = 40  # no group or area label longer than this is published (nor shown whole in a message)
MAX_AREAS = 200  # more areas than this make a report section of hundreds of pages: a mapping error

# Age bands as survey tools write them: "16–24", "16-24 år", "75+", "65 år och äldre", "under 25 år". Only
# ASCII digits, at most three of them: never a free-text answer, and never one person's exact age.
AGE_BAND = re.compile(
    r"""(?:[0-9]{1,3}\s*[-–—]\s*[0-9]{1,3}
        | [0-9]{1,3}\s*\+
        | [0-9]{1,3}\s+år\s+(?:och|eller)\s+(?:äldre|över|yngre|under)
        | (?:under|över)\s+[0-9]{1,3}
    )(?:\s*år)?""",
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class GroupColumn:
    """A column that splits respondents into published groups (sex, age): a closed list of answers, so that
    nothing a respondent typed (a name, an e-mail address in a survey tool's "annat" field) becomes a group.

    ``values`` are the groups, matched case-insensitively and published as the config spells them; without
    ``values``, answers that are age bands (:data:`AGE_BAND`) are the groups. ``unplaced`` answers belong to
    no group (stored, counted for the kommun, never published as a group)."""

    values: tuple[str, ...]
    unplaced: tuple[str, ...]
    bands: bool = False  # no values listed: age bands are the groups

    def label(self, answer: str) -> str | None:
        """The published group of an answer; None for a blank, unplaced or unknown answer."""
        key = answer.strip().casefold()
        if key in self._values:
            return self._values[key]
        if self.bands and key not in self._unplaced and AGE_BAND.fullmatch(answer.strip()):
            return answer.strip()
        return None

    def known(self, answer: str) -> bool:
        """True for a blank answer, a group and an unplaced answer."""
        key = answer.strip().casefold()
        return not key or key in self._unplaced or self.label(answer) is not None

    @cached_property
    def _values(self) -> dict[str, str]:
        return {v.casefold(): v for v in reversed(self.values)}  # the first spelling wins

    @cached_property
    def _unplaced(self) -> set[str]:
        return {u.casefold() for u in self.unplaced}


SEXES = GroupColumn(("Kvinna", "Man"), ())
AGE_BANDS = GroupColumn((), (), bands=True)


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
    sex: GroupColumn = SEXES  # the answers of sex_column that are groups
    age: GroupColumn = AGE_BANDS  # the answers of age_column that are groups

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

    def config_key(self, name: str) -> str:
        """The key in lagesbild.toml that names the column read under canonical ``name``."""
        if name.startswith("q_"):
            n = next(i for i, ind in enumerate(self.indicators, 1) if f"q_{ind.id}" == name)
            return f"survey.indicators[{n}].column"
        return {
            "id": "survey.id_column",
            "ar": "survey.year_column",
            "omrade": "survey.area_column",
            "kon": "survey.sex_column",
            "alder": "survey.age_column",
            "vikt": "survey.weight_column",
        }[name]

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
        raise table.error(key, _("is {value}").format(value=repr(values)), expected)
    return tuple(values)


def _labels(table: TomlTable, key: str, expected: str, default: list[str]) -> tuple[str, ...]:
    """A list of answer labels that may be published: each non-empty and at most LABEL_MAX characters."""
    values = _strings(table, key, expected, default)
    for value in values:
        if not value.strip() or len(value) > LABEL_MAX:
            shown = repr(value[:LABEL_MAX]) + ("…" if len(value) > LABEL_MAX else "")
            raise table.error(key, _("holds {value}").format(value=shown), expected)
    return values


def _group_column(table: TomlTable, name: str, default: tuple[str, ...], example: str) -> GroupColumn:
    """``<name>_values`` and ``<name>_unplaced``. Without values (age only: sex has a default), age bands are
    the groups."""
    expected = _("a list of the answers that are groups, each 1–{max} characters, e.g. {example}").format(
        max=LABEL_MAX, example=example
    )
    values = _labels(table, f"{name}_values", expected, list(default))
    if default and not values:
        raise table.error(f"{name}_values", _("is empty"), expected)
    unplaced = _strings(
        table, f"{name}_unplaced", _('a list of answers that are no group, e.g. ["Vill inte uppge"]'), []
    )
    return GroupColumn(values, unplaced, bands=not values)


def parse_survey(table: TomlTable) -> SurveyMapping | None:
    """The survey mapping, or None when the config has no [survey] section."""
    if not table.data:
        return None
    text = _("a column header of the survey file, as a string")
    optional = _("a column header, or leave the key out")
    mapping_areas = []
    areas = table.table("areas")
    if len(areas.data) > MAX_AREAS:
        raise ConfigError(
            _("{path}: [survey.areas] has {n} areas; at most {max} fit in a report.").format(
                path=table.path, n=len(areas.data), max=MAX_AREAS
            ),
            hint=_(
                "Group the survey's area answers into fewer report areas (several answers can form one area: "
                'answers = ["A", "B"]), or list answers that belong to no area in survey.unplaced.'
            ),
        )
    for name in list(areas.data):
        if len(name) > LABEL_MAX:
            raise ConfigError(
                _(
                    "{path}: an area in [survey.areas] has a name of {n} characters ({name}…); the report shows "
                    "at most {max}."
                ).format(path=table.path, n=len(name), name=repr(name[:LABEL_MAX]), max=LABEL_MAX),
                hint=_("Give the area a shorter name (the answers that form it may stay as they are)."),
            )
        area = areas.table(name)
        mapping_areas.append(
            SurveyArea(
                name=name,
                answers=_strings(area, "answers", _('a list of answers in the area column, e.g. ["Djurås"]')),
                deso=_strings(area, "deso", _('a list of DeSO codes, e.g. ["2026C1010"]'), []),
            )
        )
        area.reject_unknown()
    indicators = []
    items = table.get("indicators", list, _("a list of [[survey.indicators]] tables"))
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise table.error(
                "indicators",
                _("has item {n} = {value}").format(n=n, value=repr(item)),
                _("[[survey.indicators]] tables"),
            )
        ind = TomlTable(item, f"survey.indicators[{n}]", table.path)
        indicator = SurveyIndicator(
            id=ind.get("id", str, _('a short identifier, e.g. "otrygg_kvall"')),
            label=ind.get("label", str, _("the indicator's name in the report, in Swedish")),
            column=ind.get("column", str, text),
            yes=_strings(ind, "yes", _("a list of the answer labels that count as yes")),
            no=_strings(ind, "no", _("a list of the answer labels that count as no")),
            exclude=_strings(ind, "exclude", _('a list of answer labels left out, e.g. ["Vet ej"]'), []),
            ntu=ind.get("ntu", str, _("the id of a Brå NTU indicator to compare with"), "") or None,
        )
        if not indicator.id.isidentifier() or not indicator.id.isascii():
            raise ind.error(
                "id", _("is {value}").format(value=repr(indicator.id)), _("lower-case letters, digits and _ only")
            )
        if not indicator.yes or not indicator.no:
            raise ind.error("yes" if not indicator.yes else "no", _("is empty"), _("at least one answer label"))
        ind.reject_unknown()
        indicators.append(indicator)
    ids = [i.id for i in indicators]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ConfigError(
            _("{path}: two survey indicators have the id {id}.").format(path=table.path, id=repr(dup)),
            hint=_("Give each a unique id."),
        )
    mapping = SurveyMapping(
        id_column=table.get("id_column", str, text),
        year_column=table.get("year_column", str, text),
        area_column=table.get("area_column", str, text),
        sex_column=table.get("sex_column", str, optional, "") or None,
        age_column=table.get("age_column", str, optional, "") or None,
        weight_column=table.get("weight_column", str, optional, "") or None,
        areas=tuple(mapping_areas),
        unplaced=_strings(
            table, "unplaced", _('a list of area answers that belong to no area, e.g. ["Vill inte uppge"]'), []
        ),
        indicators=tuple(indicators),
        min_cell=table.get("min_cell", int, _("the smallest number of respondents a published cell may have"), 5),
        min_share=table.get("min_share", int, _("the smallest number of respondents behind a published share"), 30),
        sex=_group_column(table, "sex", SEXES.values, '["Kvinna", "Man"]'),
        age=_group_column(table, "age", (), '["16–24", "25–44", "45–64", "65+"]'),
    )
    if mapping.min_cell < 1 or mapping.min_share < mapping.min_cell:
        raise table.error(
            "min_share",
            _("is {value} with min_cell {min_cell}").format(value=mapping.min_share, min_cell=mapping.min_cell),
            _("min_cell ≥ 1 and min_share ≥ min_cell"),
        )
    table.reject_unknown()
    return mapping
