"""The tool's own errors.

Every expected failure is a :class:`LagesbildError`: it says what is wrong, where (file, sheet,
cell, URL) and what to do. The CLI maps them to exit code 1 in one place; anything else is a bug
(exit code 2).
"""

from __future__ import annotations


class LagesbildError(Exception):
    """An expected, user-facing failure."""

    kind = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  → {self.hint}"
        return self.message


class ConfigError(LagesbildError):
    """lagesbild.toml is missing, unreadable or has a wrong key or value."""

    kind = "config error"


class UnknownKommunError(ConfigError):
    """A kommun code or name that is not one of Sweden's 290 kommuner."""

    kind = "unknown kommun"


class UnknownLanError(ConfigError):
    """A län code or name that is not one of Sweden's 21 län."""

    kind = "unknown län"


class FetchError(LagesbildError):
    """A download failed; the previous raw file is untouched."""

    kind = "fetch error"


class NoNetworkError(FetchError):
    """A host could not be reached at all (no network, an unknown name, a refused connection).

    Not retried: every later request to the same host in the run fails at once with it."""


class ParseError(LagesbildError):
    """A raw file does not have the layout the parser expects."""

    kind = "parse error"


class ValidationError(LagesbildError):
    """An input file breaks its contract (e.g. survey answers the config does not map)."""

    kind = "validation error"


class DataMissingError(LagesbildError):
    """The store lacks data that a step needs (e.g. build before any fetch)."""

    kind = "missing data"


class RenderError(LagesbildError):
    """The report could not be rendered; the previous report is untouched."""

    kind = "render error"
