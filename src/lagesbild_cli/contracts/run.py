"""The loop over the sources: each check runs against the configured URLs through one :class:`Http` client,
its answers are recorded, and its outcome is ``ok``, ``changed`` or ``unreachable``."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

from lagesbild_cli.contracts import bra, geo, kolada, mcf, polisen, scb
from lagesbild_cli.contracts.answers import Probe, Recorder
from lagesbild_cli.contracts.base import Context, Findings
from lagesbild_cli.contracts.outcome import CHANGED, OK, UNREACHABLE, Outcome
from lagesbild_cli.errors import FetchError, StorageError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.config import Config
from lagesbild_cli.sources._http import Clock, Http, Sleep

Check = Callable[[Context, Findings], None]
CHECKS: dict[str, Check] = {
    "bra": bra.check,
    "polisen": polisen.check,
    "scb": scb.check,
    "kolada": kolada.check,
    "mcf": mcf.check,
    "geo": geo.check,
}


@dataclass(frozen=True)
class ContractReport:
    outcomes: list[Outcome]
    folder: Path  # the answers, with index.json

    @property
    def changed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == CHANGED]

    @property
    def unreachable(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == UNREACHABLE]


def default_folder(data_dir: Path, now: datetime) -> Path:
    """``data/contracts/<UTC time>/``, a new folder for every run."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder, n = data_dir / "contracts" / stamp, 2
    while folder.exists():
        folder, n = data_dir / "contracts" / f"{stamp}-{n}", n + 1
    return folder


def _usable(out: Path) -> Path:
    """``--out``: a new or empty folder, so that its index.json describes every file in it."""
    if out.exists() and not out.is_dir():
        raise StorageError(
            _("{path} is a file, not a folder (--out).").format(path=out),
            hint=_("Give --out the path of a new or empty folder."),
        )
    if out.is_dir() and any(out.iterdir()):
        raise StorageError(
            _("{path} already holds files (--out); the answers of a check go into a new or empty folder.").format(
                path=out
            ),
            hint=_("Give --out a new folder, or leave --out out: data/contracts/<UTC time>/ is new for every run."),
        )
    return out


def run_one(name: str, check: Check, ctx: Context) -> Outcome:
    found = Findings()
    try:
        check(ctx, found)
    except FetchError as exc:  # no network, a refused connection, a server that kept failing
        if not found.problems:
            return Outcome(name, UNREACHABLE, exc.message)
        found.problems.append(_("then unreachable: {error}").format(error=exc.message))
    if found.problems:
        return Outcome(name, CHANGED, "; ".join(found.problems))
    return Outcome(name, OK, "; ".join(found.notes))


def check_sources(
    config: Config,
    sources: Sequence[str],
    *,
    out: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    today: date | None = None,
) -> ContractReport:
    """Check each source in turn and keep its answers in ``out`` (default: data/contracts/<UTC time>/)."""
    now = datetime.fromtimestamp(clock(), UTC)
    folder = _usable(out) if out is not None else default_folder(config.data_dir, now)
    recorder = Recorder(folder, kommun=f"{config.kommun.kod} {config.kommun.namn}")
    recorder.write_index()
    outcomes = []
    with Http(config.http, transport=transport, clock=clock, sleep=sleep) as http:
        for name in sources:
            ctx = Context(config=config, probe=Probe(http, recorder, name), today=today or now.date())
            outcome = run_one(name, CHECKS[name], ctx)
            recorder.finish(outcome)
            outcomes.append(outcome)
    return ContractReport(outcomes=outcomes, folder=folder)
