"""One TOML table read key by key, so that every config error names the key, the file and the
expected form."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from lagesbild_cli.errors import ConfigError

T = TypeVar("T")


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
        return ConfigError(f"{self.path}: key '{self._key(key)}' {problem}.", hint=f"Expected {expected}.")

    def misspelt(self, key: str, expected: str) -> ConfigError | None:
        """A required ``key`` is missing: is one of the keys not read yet a misspelling of it?"""
        typo = closest(key, (k for k in self.data if k not in self.read))
        if typo is None:
            return None
        return ConfigError(
            f"Unknown key '{self._key(typo)}' in {self.path}; did you mean '{self._key(key)}'?",
            hint=f"'{self._key(key)}' is required: {expected[0].lower()}{expected[1:]}.",
        )

    def get(self, key: str, kind: type[T], expected: str, default: T | None = None) -> T:
        self.read.add(key)
        if key not in self.data:
            if default is None:
                raise self.misspelt(key, f"Expected {expected}") or self.error(key, "is missing", expected)
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise self.error(key, f"has the value {value!r}", expected)
        return value

    def table(self, key: str, *, required: bool = True) -> TomlTable:
        self.read.add(key)
        value = self.data.get(key, None if required else {})
        if value is None and (typo := self.misspelt(key, f"Expected a [{self._key(key)}] table")) is not None:
            raise typo
        if not isinstance(value, dict):
            raise self.error(key, "is missing" if value is None else "is not a table", f"a [{self._key(key)}] table")
        return TomlTable(value, self._key(key), self.path)

    def reject_unknown(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            close = closest(unknown[0], self.read)
            guess = f"; did you mean '{self._key(close)}'?" if close else "."
            raise ConfigError(
                f"Unknown key '{self._key(unknown[0])}' in {self.path}{guess}",
                hint="Check the spelling against the config reference in README.md "
                f"(known keys here: {', '.join(sorted(self.read))}).",
            )
