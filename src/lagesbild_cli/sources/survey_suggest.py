"""``lagesbild survey suggest``: read a survey export and propose its ``[survey]`` mapping as commented TOML.

The columns' roles are guessed from their headers and values: the respondent id, the survey year (all
values 1990–2100), the area, sex and age (few short labels; age bands such as "25–44"), the design weight
(positive decimals). Question columns are matched to the indicators lagesbild knows
(:mod:`lagesbild_cli.settings.survey_catalogue`) by their wording, and their answers sorted into yes, no and
left out by their words; answers the words do not place are listed for the user to place.

What a person wrote is never echoed: a column that holds free text or contact details (an '@', a phone
number, many different long answers, or a header such as "E-post" or "Övrigt") is named by its header only,
and so are the id and weight columns. Pure: reads nothing but the bytes it is given.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from lagesbild_cli.errors import ParseError
from lagesbild_cli.i18n import N_, _
from lagesbild_cli.settings.survey_catalogue import CATALOGUE, KnownIndicator, classify, normalise
from lagesbild_cli.sources.survey import PHONE, decode, parse_weight, sniff_separator

MAX_FILE_BYTES = 100 * 2**20  # a survey export; the demo's 2 800 respondents are 1.6 MB
MAX_CATEGORIES = 15  # a question column has at most this many different answers
MAX_AREAS = 200  # as many areas as a mapping may have
STRAY = 100  # contact details in under one row in this many are strays in a column of answers

_ID = {"löpnr", "lopnr", "löpnummer", "id", "respondent", "respondentid", "respid", "svarsid", "responseid", "nr"}
_YEAR = {"år", "ar", "year", "enkätår", "undersökningsår", "svarsår", "surveyyear", "omgång"}
_AREA = {
    "område",
    "omrade",
    "bostadsområde",
    "delområde",
    "stadsdel",
    "kommundel",
    "ort",
    "tätort",
    "postort",
    "district",
    "area",
    "neighbourhood",
    "neighborhood",
    "village",
    "town",
}
_AREA_PHRASES = (" var bor du ", " where do you live ", " vilken ort ", " vilket område ")
_SEX = {"kön", "kon", "gender", "sex"}
_AGE = {"ålder", "alder", "åldersgrupp", "aldersgrupp", "åldersklass", "age", "agegroup", "ageband"}
_WEIGHT = {"vikt", "vikter", "viktning", "designvikt", "weight", "weights", "weighting", "wt"}
_PRIVATE_HEADER = {
    "e-post": N_("e-mail addresses"),
    "epost": N_("e-mail addresses"),
    "email": N_("e-mail addresses"),
    "e-mail": N_("e-mail addresses"),
    "mejl": N_("e-mail addresses"),
    "telefon": N_("phone numbers"),
    "telefonnummer": N_("phone numbers"),
    "mobil": N_("phone numbers"),
    "phone": N_("phone numbers"),
    "namn": N_("names"),
    "name": N_("names"),
    "adress": N_("addresses"),
    "address": N_("addresses"),
    "personnummer": N_("personal identity numbers"),
    "övrigt": N_("free text"),
    "övriga": N_("free text"),
    "kommentar": N_("free text"),
    "kommentarer": N_("free text"),
    "fritext": N_("free text"),
    "synpunkter": N_("free text"),
    "framföra": N_("free text"),
    "comment": N_("free text"),
    "comments": N_("free text"),
    "other": N_("free text"),
}
_WOMEN_MEN = {
    "kvinna",
    "kvinnor",
    "man",
    "män",
    "flicka",
    "pojke",
    "tjej",
    "kille",
    "female",
    "male",
    "woman",
    "women",
    "men",
}
_AGE_BAND = re.compile(
    r"^(\d{1,3}\s*[-–—]\s*\d{1,3}|\d{1,3}\s*\+|\d{1,3}\s*(år\s*)?(och|eller|or|and)\s*(äldre|över|older|over|more)"
    r"|(under|upp till|yngre än|up to|under age)\s*\d{1,3})(\s*(år|years?))?$",
    re.IGNORECASE,
)
_NO_PLACE = ("vill inte", "vill ej", "uppger ej", "ej angiv", "annat", "annan", "okänd", "vet ej", "vet inte",
             "utanför", "other", "prefer not", "unknown", "don't know", "outside")  # fmt: skip


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    values: tuple[str, ...]  # each row's cell, stripped; "" for a blank

    @cached_property
    def counts(self) -> Counter[str]:
        return Counter(v for v in self.values if v)

    @cached_property
    def tokens(self) -> list[str]:
        return re.findall(r"[^\W_]+(?:-[^\W_]+)*", self.header.casefold())

    def named(self, words: set[str]) -> bool:
        """The header is short and one of its words names the role ("Kön", "Age group", "weight_final")."""
        return len(self.tokens) <= 4 and any(t in words for t in self.tokens)

    @property
    def blanks(self) -> int:
        return sum(1 for v in self.values if not v)


@dataclass(frozen=True)
class ProposedIndicator:
    known: KnownIndicator
    column: str
    yes: tuple[str, ...]
    no: tuple[str, ...]
    exclude: tuple[str, ...]
    unknown: tuple[tuple[str, int], ...]  # answers the words do not place, with their number of rows
    hidden: int  # answers not shown because they look like free text or contact details


@dataclass
class Suggestion:
    origin: str
    rows: int
    encoding: str
    separator: str
    id_column: str | None = None
    year_column: str | None = None
    years: list[tuple[str, int]] = field(default_factory=list)
    area_column: str | None = None
    areas: list[tuple[str, int]] = field(default_factory=list)
    unplaced: list[tuple[str, int]] = field(default_factory=list)
    sex_column: str | None = None
    sex_values: list[tuple[str, int]] = field(default_factory=list)
    sex_unplaced: list[tuple[str, int]] = field(default_factory=list)
    age_column: str | None = None
    age_values: list[tuple[str, int]] = field(default_factory=list)
    age_unplaced: list[tuple[str, int]] = field(default_factory=list)
    weight_column: str | None = None
    weight_by_values: bool = False  # guessed from its values alone, not its header
    indicators: list[ProposedIndicator] = field(default_factory=list)
    other_questions: list[str] = field(default_factory=list)  # headers of questions lagesbild does not know
    not_used: list[tuple[str, str]] = field(default_factory=list)  # (header, why)


def read_columns(data: bytes, origin: str) -> tuple[list[Column], str, str]:
    """Every column of the export, in memory only, with the encoding and separator found."""
    text, encoding = decode(data, origin)
    separator = sniff_separator(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = next(reader)
        records = [r for r in reader if any(cell.strip() for cell in r)]
    except StopIteration:
        raise ParseError(
            _("{origin} is empty.").format(origin=origin),
            hint=_("Export the survey again, with its first row of headers."),
        ) from None
    except csv.Error as exc:
        raise ParseError(
            _("{origin}, line {line}: {error}.").format(origin=origin, line=reader.line_num, error=exc),
            hint=_("The file is not a well-formed CSV; export it again."),
        ) from None
    if not records:
        raise ParseError(
            _("{origin} has a header but no answers.").format(origin=origin),
            hint=_("Export the survey again, with its answers."),
        )
    columns = [
        Column(i, " ".join(h.split()), tuple(r[i].strip() if i < len(r) else "" for r in records))
        for i, h in enumerate(header)
    ]
    return columns, encoding, separator


def _is_year(column: Column) -> bool:
    values = list(column.counts)
    return (
        bool(values)
        and column.blanks == 0
        and len(values) <= 20
        and all(v.isascii() and v.isdigit() and 1990 <= int(v) <= 2100 for v in values)
        and not any(t.startswith(("föd", "född", "birth")) for t in column.tokens)
    )


def _is_weight(column: Column) -> bool:
    values = list(column.counts)
    weights = [parse_weight(v) for v in values]
    return (
        column.blanks == 0
        and len(values) > 1
        and all(w is not None for w in weights)
        and any(w is not None and w != int(w) for w in weights)
    )


def _is_id(column: Column, years: tuple[str, ...] | None) -> bool:
    if column.blanks or not all(re.fullmatch(r"[\w-]{1,20}", v) for v in column.counts):
        return False
    keys = list(zip(years, column.values, strict=True)) if years else list(column.values)
    return len(set(keys)) == len(keys)


def _private(column: Column, asked: bool) -> str | None:
    """Why a column is never read nor echoed (free text, contact details), or None. The header of a
    question lagesbild knows (``asked``) is not held against it, only its values."""
    for token in [] if asked else column.tokens:
        if token in _PRIVATE_HEADER:
            return _PRIVATE_HEADER[token]
    values = list(column.counts)
    rows = sum(column.counts.values()) or 1
    emails = sum(n for v, n in column.counts.items() if "@" in v)
    phones = sum(n for v, n in column.counts.items() if PHONE.search(v))
    # a contact column is full of them; one stray address typed into "annat" does not make Kön a contact column
    # (its value is never shown: see shown(), and the import refuses it)
    if emails * STRAY > rows:
        return N_("e-mail addresses")
    if phones * STRAY > rows:
        return N_("phone numbers or other long numbers")
    long = [v for v in values if len(v) > 20]
    singles = sum(1 for n in column.counts.values() if n == 1)
    if len(values) > MAX_AREAS or (len(values) >= 5 and long and singles * 2 > len(values)):
        return N_("free text")
    return None


def shown(value: str) -> bool:
    """An answer label may be shown in full; a long one, an e-mail address or a phone number is not."""
    return "@" not in value and not PHONE.search(value) and len(value) <= 80


def _by_count(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _split(
    counts: Counter[str], published: Callable[[str], bool]
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(published groups, answers that are no group of their own), each by number of rows."""
    keep = Counter({v: n for v, n in counts.items() if published(v)})
    rest = Counter({v: n for v, n in counts.items() if not published(v)})
    return _by_count(keep), _by_count(rest)


def _is_sex_value(value: str) -> bool:
    return value.casefold() in _WOMEN_MEN


def _is_age_value(value: str) -> bool:
    return bool(_AGE_BAND.match(value.strip()))


def _placed_area(value: str) -> bool:
    text = normalise(value)
    return not any(word in text for word in _NO_PLACE)


def _propose(known: KnownIndicator, column: Column) -> ProposedIndicator:
    sorted_into: dict[str, list[str]] = {"yes": [], "no": [], "exclude": []}
    unknown: list[tuple[str, int]] = []
    hidden = 0
    for value, n in _by_count(column.counts):
        kind = classify(known.scale, value)
        if not shown(value):
            hidden += 1
        elif kind is None:
            unknown.append((value, n))
        else:
            sorted_into[kind].append(value)
    return ProposedIndicator(
        known,
        column.header,
        tuple(sorted_into["yes"]),
        tuple(sorted_into["no"]),
        tuple(sorted_into["exclude"]),
        tuple(unknown),
        hidden,
    )


def suggest(data: bytes, origin: str) -> Suggestion:
    """The proposed mapping for a survey export."""
    columns, encoding, separator = read_columns(data, origin)
    result = Suggestion(origin, len(columns[0].values), encoding, separator)
    free = list(columns)

    def take(found: Column | None) -> Column | None:
        if found is not None:
            free.remove(found)
        return found

    def first(test: Callable[[Column], bool], words: set[str] | None = None) -> Column | None:
        named = [c for c in free if words and c.named(words) and test(c)]
        anywhere = [c for c in free if test(c)]
        return take(named[0] if named else anywhere[0] if anywhere and words is None else None)

    year = first(_is_year, _YEAR) or first(_is_year)
    if year is not None:
        result.year_column = year.header
        result.years = sorted(year.counts.items())
    weight = first(_is_weight, _WEIGHT)
    if weight is None:
        weight = first(lambda c: _is_weight(c) and not c.named(_ID) and _private(c, False) is None)
        result.weight_by_values = weight is not None
    if weight is not None:
        result.weight_column = weight.header
    years = year.values if year else None
    respondent = first(lambda c: _is_id(c, years), _ID) or first(lambda c: _is_id(c, years))
    if respondent is not None:
        result.id_column = respondent.header
    asked = {c.index for c in free if any(k.matches(c.header) for k in CATALOGUE)}
    for column in list(free):
        why = _private(column, column.index in asked)
        if why is not None:
            result.not_used.append((column.header, why))
            free.remove(column)

    def categorical(c: Column, most: int) -> bool:
        return c.index not in asked and 2 <= len(c.counts) <= most

    sex = first(lambda c: categorical(c, 6), _SEX) or first(
        lambda c: categorical(c, 6) and sum(_is_sex_value(v) for v in c.counts) >= 2
    )
    if sex is not None:
        result.sex_column = sex.header
        result.sex_values, result.sex_unplaced = _split(sex.counts, _is_sex_value)
    age = first(lambda c: categorical(c, 30), _AGE) or first(
        lambda c: categorical(c, 30) and sum(_is_age_value(v) for v in c.counts) * 2 > len(c.counts)
    )
    if age is not None:
        result.age_column = age.header
        result.age_values, result.age_unplaced = _split(age.counts, _is_age_value)
    area = first(
        lambda c: categorical(c, MAX_AREAS) and (c.named(_AREA) or any(p in normalise(c.header) for p in _AREA_PHRASES))
    )
    if area is not None:
        result.area_column = area.header
        result.areas, result.unplaced = _split(area.counts, _placed_area)
    # each known indicator to the column that fits it best (most word groups), each column used once
    fits = sorted(
        ((k.matches(c.header), c.index, n, k, c) for c in free for n, k in enumerate(CATALOGUE) if k.matches(c.header)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_columns: set[int] = set()
    used_ids: set[str] = set()
    proposals: list[tuple[int, ProposedIndicator]] = []
    for _score, index, order, known, column in fits:
        if index in used_columns or known.id in used_ids:
            continue
        used_columns.add(index)
        used_ids.add(known.id)
        proposals.append((order, _propose(known, column)))
    result.indicators = [p for _, p in sorted(proposals, key=lambda t: t[0])]
    for column in free:
        if column.index in used_columns:
            continue
        if 2 <= len(column.counts) <= MAX_CATEGORIES:
            result.other_questions.append(column.header)
        else:
            result.not_used.append((column.header, N_("not a question with a few answers to choose from")))
    return result


# ── The proposal as TOML ─────────────────────────────────────────────────────────────────────────────
