"""One module per data source: ``fetch`` writes raw bytes to ``data/raw/<source>/``, ``parse`` is a
pure function from bytes to tidy polars frames."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

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
        text = ", ".join(parts) or "nothing to do"
        return f"{text} ({self.detail})" if self.detail else text
