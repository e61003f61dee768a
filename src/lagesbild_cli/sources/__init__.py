"""One module per data source: ``fetch`` writes raw bytes to ``data/raw/<source>/``, ``parse`` is a
pure function from bytes to tidy polars frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lagesbild_cli.errors import LagesbildError, NoNetworkError, ParseError
from lagesbild_cli.i18n import _, ngettext

Schema = dict[str, pl.DataType | type[pl.DataType]]  # a frame's column types, for empty frames too


def read_given(path: Path, *, limit: int, what: str, hint: str) -> bytes:
    """The bytes of a file the user gave to an import, at most ``limit`` of them: a larger file (``what`` it
    should be, e.g. "a Brå workbook") is refused by its name before it fills the memory. Only the file name
    is shown, never its folder."""
    size = path.stat().st_size
    if size <= limit:
        with path.open("rb") as file:
            data = file.read(limit + 1)  # bounded even if the file grows while it is read
        if len(data) <= limit:
            return data
        size = len(data)
    raise ParseError(
        _("{file} is {size}, more than the {limit} limit for {what}.").format(
            file=path.name, size=_megabytes(size), limit=_megabytes(limit), what=what
        ),
        hint=hint,
    )


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{size / 2**20:.1f} MB"


@dataclass
class SourceResult:
    """What one source's fetch did: the per-source line of ``lagesbild fetch``'s summary."""

    source: str
    fetched: int = 0  # files downloaded and stored
    unchanged: int = 0  # the server said the stored file is current (304)
    kept: int = 0  # nothing to fetch, so what is on disk was kept
    failures: list[str] = field(default_factory=list)
    detail: str = ""
    unreachable: list[str] = field(default_factory=list)  # "no network: bra.se could not be reached", once each
    network: list[str] = field(default_factory=list)  # the ``failures`` that are only an unreachable host
    by_hand: str = ""  # what to download by hand instead, when something failed

    def fail(self, exc: LagesbildError, where: str = "") -> None:
        """Record a failure; one whose host could not be reached is summed up by ``unreachable``."""
        text = f"{where}: {exc}" if where else str(exc)
        self.failures.append(text)
        if isinstance(exc, NoNetworkError):
            self.network.append(text)
            if exc.message not in self.unreachable:
                self.unreachable.append(exc.message)

    @property
    def details(self) -> list[str]:
        """The failures worth a line each; an unreachable host is said once, in ``summary``."""
        return [f for f in self.failures if f not in self.network]

    @property
    def status(self) -> str:
        """The summary line's status word, in the run's language."""
        if self.failures:
            return _("failed")
        return _("fetched") if self.fetched else _("unchanged")

    def summary(self) -> str:
        counts = (
            (self.fetched, ngettext("{n} fetched", "{n} fetched", self.fetched)),
            (self.unchanged, ngettext("{n} unchanged", "{n} unchanged", self.unchanged)),
            (self.kept, ngettext("{n} kept from before", "{n} kept from before", self.kept)),
            (len(self.failures), ngettext("{n} failed", "{n} failed", len(self.failures))),
        )
        parts = [text.format(n=n) for n, text in counts if n]
        if self.unreachable:
            reasons = "; ".join(self.unreachable)
            if not self.details and not self.fetched and not self.unchanged and not self.kept:
                return reasons
            parts.append(reasons)
        text = ", ".join(parts) or _("nothing to do")
        return f"{text} ({self.detail})" if self.detail else text
