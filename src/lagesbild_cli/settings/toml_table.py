"""One TOML table read key by key, so that every config error names the key, the file and the
expected form."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from lagesbild_cli.errors import ConfigError
from lagesbild_cli.i18n import _

T = TypeVar("T")


def parse_toml(text: str, path: Path, hint: str) -> dict[str, Any]:
    """The TOML document ``text`` read from ``path``; a syntax error names the file and gives ``hint``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{path} is not valid TOML: {error}.").format(path=path, error=exc), hint=hint) from None


def read_toml(path: Path, hint: str) -> dict[str, Any]:
    """The TOML file ``path`` as UTF-8 text; a syntax or encoding error names the file and gives ``hint``.
    A missing file raises FileNotFoundError for the caller to name in its own words."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(_("{path} is not valid TOML: {error}.").format(path=path, error=exc), hint=hint) from None
    return parse_toml(text, path, hint)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``word`` (a likely misspelling of it), if any is close."""
    found = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


class TomlTable:
    """One TOML table, read key by key, so that every error can name the key and the file."""

    def __init__(self, data: dict[str, Any], name: str, path: Path) -> None:
        self.data = data
        self.name = name
        self.path = path
        self.read: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.name}.{key}" if self.name else key

    def error(self, key: str, problem: str, expected: str) -> ConfigError:
        """``problem`` (what is wrong with the key's value, "is missing") and ``expected`` (the form it should have,
        "a year, e.g. 2015") are phrases in the run's language."""
        return ConfigError(
            _("{path}: key '{key}' {problem}.").format(path=self.path, key=self._key(key), problem=problem),
            hint=_("Expected {expected}.").format(expected=expected),
        )

    def misspelt(self, key: str, expected: str) -> ConfigError | None:
        """A required ``key`` is missing: is one of the keys not read yet a misspelling of it?"""
        typo = closest(key, (k for k in self.data if k not in self.read))
        if typo is None:
            return None
        return ConfigError(
            _("Unknown key '{key}' in {path}; did you mean '{close}'?").format(
                key=self._key(typo), path=self.path, close=self._key(key)
            ),
            hint=_("'{key}' is required: expected {expected}.").format(key=self._key(key), expected=expected),
        )

    def get(self, key: str, kind: type[T], expected: str, default: T | None = None) -> T:
        self.read.add(key)
        if key not in self.data:
            if default is None:
                raise self.misspelt(key, expected) or self.error(key, _("is missing"), expected)
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise self.error(key, _("has the value {value}").format(value=repr(value)), expected)
        return value

    def table(self, key: str, *, required: bool = True) -> TomlTable:
        self.read.add(key)
        value = self.data.get(key, None if required else {})
        expected = _("a [{table}] table").format(table=self._key(key))
        if value is None and (typo := self.misspelt(key, expected)) is not None:
            raise typo
        if not isinstance(value, dict):
            raise self.error(key, _("is missing") if value is None else _("is not a table"), expected)
        return TomlTable(value, self._key(key), self.path)

    def reject_unknown(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            close = closest(unknown[0], self.read)
            message = (
                _("Unknown key '{key}' in {path}; did you mean '{close}'?")
                if close
                else _("Unknown key '{key}' in {path}.")
            )
            raise ConfigError(
                message.format(key=self._key(unknown[0]), path=self.path, close=self._key(close or "")),
                hint=_(
                    "Check the spelling against the config reference in README.md (known keys here: {keys})."
                ).format(keys=", ".join(sorted(self.read))),
            )
