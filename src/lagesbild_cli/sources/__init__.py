"""One module per data source: ``fetch`` writes raw bytes to ``data/raw/<source>/``, ``parse`` is a
pure function from bytes to tidy polars frames."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from lagesbild_cli.errors import LagesbildError, NoNetworkError

Schema = dict[str, pl.DataType | type[pl.DataType]]  # a frame's column types, for empty frames too


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
        if self.failures:
            return "failed"
        return "fetched" if self.fetched else "unchanged"

    def summary(self) -> str:
        parts = [
            f"{n} {word}"
            for n, word in (
                (self.fetched, "fetched"),
                (self.unchanged, "unchanged"),
                (self.kept, "kept from before"),
                (len(self.failures), "failed"),
            )
            if n
        ]
        if self.unreachable:
            reasons = "; ".join(self.unreachable)
            if not self.details and not self.fetched and not self.unchanged and not self.kept:
                return reasons
            parts.append(reasons)
        text = ", ".join(parts) or "nothing to do"
        return f"{text} ({self.detail})" if self.detail else text
