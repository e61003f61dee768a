"""Sweden's 290 kommuner and 21 län (SCB, "Kommuner i kodnummerordning"), shipped as package data.

Every place that takes a kommun accepts its four-digit code ("2026") or its name ("Gagnef",
"Gagnefs kommun"); :func:`resolve_kommun` turns either into a :class:`Kommun`.
"""

from __future__ import annotations

import csv
import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from lagesbild_cli.errors import UnknownKommunError, UnknownLanError
from lagesbild_cli.i18n import _

RIKET_KOD = "00"
# Names that do not follow the genitive rule in Kommun.fullnamn
_IRREGULAR_FULL_NAMES = {"2080": "Falu kommun", "0980": "Region Gotland"}
RIKET_NAMN = "Hela landet"


@dataclass(frozen=True, order=True)
class Lan:
    kod: str
    namn: str


@dataclass(frozen=True, order=True)
class Kommun:
    kod: str
    namn: str

    @property
    def lan_kod(self) -> str:
        return self.kod[:2]

    @property
    def fullnamn(self) -> str:
        """ "Gagnefs kommun", "Mora kommun", "Borås kommun": no genitive s after a vowel or s, x, z."""
        if self.kod in _IRREGULAR_FULL_NAMES:
            return _IRREGULAR_FULL_NAMES[self.kod]
        if self.namn[-1].casefold() in "aeiouyåäösxz":
            return f"{self.namn} kommun"
        return f"{self.namn}s kommun"

    @property
    def lan(self) -> Lan:
        return lan_by_code()[self.lan_kod]


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("lagesbild_cli").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def all_kommuner() -> tuple[Kommun, ...]:
    return tuple(Kommun(r["kommun_kod"], r["kommun_namn"]) for r in _read_csv("kommuner.csv"))


@cache
def lan_by_code() -> dict[str, Lan]:
    return {r["lan_kod"]: Lan(r["lan_kod"], r["lan_namn"]) for r in _read_csv("lan.csv")}


def kommuner_in_lan(lan_kod: str) -> list[Kommun]:
    return [k for k in all_kommuner() if k.lan_kod == lan_kod]


def normalise_name(name: str) -> str:
    """Fold a place name so that "Malung–Sälen", "malung-sälen" and "Malung-Sälens kommun" meet."""
    text = unicodedata.normalize("NFC", name).strip().casefold()
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    text = " ".join(text.split())
    if text.endswith(" kommun"):
        text = text.removesuffix(" kommun")
        # "Gagnefs kommun" → "gagnef"; names that end in s themselves ("Borås") keep it
        if text.endswith("s") and text not in _names():
            text = text[:-1]
    return text


@cache
def _names() -> frozenset[str]:
    return frozenset(" ".join(k.namn.casefold().replace("\u2013", "-").split()) for k in all_kommuner())


@cache
def _by_name() -> dict[str, Kommun]:
    return {normalise_name(k.namn): k for k in all_kommuner()}


def find_kommun(code_or_name: str) -> Kommun | None:
    """The kommun with this code or name, or None."""
    value = code_or_name.strip()
    if value.isdigit():
        value = value.zfill(4)
        return next((k for k in all_kommuner() if k.kod == value), None)
    return _by_name().get(normalise_name(value))


def suggest_kommuner(code_or_name: str, n: int = 3) -> list[Kommun]:
    """The kommuner whose names are closest to a misspelt one ("Moraa" → Mora), best first."""
    names = _by_name()
    return [names[m] for m in difflib.get_close_matches(normalise_name(code_or_name), list(names), n=n, cutoff=0.7)]


def example_kommun(kommun: Kommun | None) -> Kommun:
    """The kommun to show in examples: the user's own where known."""
    return kommun or Kommun("0180", "Stockholm")


def resolve_kommun(code_or_name: str, *, where: str = "", example: Kommun | None = None) -> Kommun:
    """The kommun with this code or name; a clear error if there is none, suggesting the closest names.
    ``example`` is the user's own kommun, shown in the hint when no name is close."""
    found = find_kommun(code_or_name)
    if found is None:
        close = suggest_kommuner(code_or_name)
        ex = example_kommun(example)
        hint = (
            _("Did you mean {names}?").format(names=_or(f"{k.namn} ({k.kod})" for k in close))
            if close
            else _(
                "Use the four-digit code from SCB's list 'Kommuner i kodnummerordning' (e.g. {code}) or "
                "the kommun's name (e.g. {name}); 'lagesbild kommuner' lists them all."
            ).format(code=ex.kod, name=ex.namn)
        )
        message = (
            _("{value} is not a Swedish kommun code or name ({where}).")
            if where
            else _("{value} is not a Swedish kommun code or name.")
        )
        raise UnknownKommunError(message.format(value=repr(code_or_name), where=where), hint=hint)
    return found


def find_lan(code_or_name: str) -> Lan | None:
    value = code_or_name.strip()
    if value.isdigit():
        return lan_by_code().get(value.zfill(2))
    return _lan_names().get(normalise_name(value))


@cache
def _lan_names() -> dict[str, Lan]:
    """Every accepted spelling of each län's name ("dalarnas län", "dalarnas", "dalarna") → the län."""
    names = {}
    for lan in lan_by_code().values():
        short = normalise_name(lan.namn.removesuffix(" län"))
        for name in (normalise_name(lan.namn), short, short.removesuffix("s")):
            names[name] = lan
    return names


def resolve_lan(code_or_name: str, *, where: str = "", example: Kommun | None = None) -> Lan:
    """The län with this code or name; a clear error suggesting the closest names if there is none."""
    found = find_lan(code_or_name)
    if found is not None:
        return found
    names = _lan_names()
    close = list(
        dict.fromkeys(names[m] for m in difflib.get_close_matches(normalise_name(code_or_name), list(names), 5, 0.7))
    )
    ex = example_kommun(example).lan
    hint = (
        _("Did you mean {names}?").format(names=_or(f"{lan.namn} ({lan.kod})" for lan in close))
        if close
        else _("Use a two-digit län code (e.g. {code}) or a name (e.g. {name}); the codes are {codes}.").format(
            code=ex.kod, name=ex.namn, codes=", ".join(lan_by_code())
        )
    )
    message = _("{value} is not a län code or name ({where}).") if where else _("{value} is not a län code or name.")
    raise UnknownLanError(message.format(value=repr(code_or_name), where=where), hint=hint)


def _or(names: Iterable[str]) -> str:
    """Names joined as alternatives: "Mora (2062) or Orsa (2034)"."""
    return _(" or ").join(names)
