"""The outcome of one source's contract check: ``ok``, ``changed: <what>`` or ``unreachable: <why>``."""

from __future__ import annotations

from dataclasses import dataclass

from lagesbild_cli.i18n import N_, _

OK = N_("ok")  # the status recorded in index.json, and the word shown (translated) in the outcome line
CHANGED = N_("changed")
UNREACHABLE = N_("unreachable")


@dataclass(frozen=True)
class Outcome:
    """One source's line: ``ok``, ``changed: <what>`` or ``unreachable: <why>``."""

    source: str
    status: str
    detail: str

    def line(self) -> str:
        status = _(self.status)
        return f"{self.source:<8} {status}: {self.detail}" if self.detail else f"{self.source:<8} {status}"
