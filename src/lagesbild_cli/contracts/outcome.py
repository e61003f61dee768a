"""The outcome of one source's contract check: ``ok``, ``changed: <what>`` or ``unreachable: <why>``."""

from __future__ import annotations

from dataclasses import dataclass

OK = "ok"
CHANGED = "changed"
UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Outcome:
    """One source's line: ``ok``, ``changed: <what>`` or ``unreachable: <why>``."""

    source: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.source:<8} {self.status}: {self.detail}" if self.detail else f"{self.source:<8} {self.status}"
