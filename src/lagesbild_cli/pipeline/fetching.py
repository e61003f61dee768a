"""Fetching the sources into data/raw/ and loading DuckDB from it, one run at a time (:func:`locked`)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from lagesbild_cli.database import loader
from lagesbild_cli.database.loader import LoadResult
from lagesbild_cli.errors import ConfigError, DataMissingError, LagesbildError
from lagesbild_cli.i18n import _
from lagesbild_cli.render import pdf_cache
from lagesbild_cli.settings.config import KOLADA_FACTOR_KPIS, Config
from lagesbild_cli.settings.defaults import SOURCE_NAMES
from lagesbild_cli.settings.kommuner import kommuner_in_lan
from lagesbild_cli.sources import (
    SourceResult,
    bra_fetch,
    by_hand,
    geo,
    kolada,
    mcf,
    polisen,
    scb,
)
from lagesbild_cli.sources._http import Clock, Http, Sleep
from lagesbild_cli.storage import runlock
from lagesbild_cli.storage.raw import FetchLog, Manifest, utc_now

if TYPE_CHECKING:
    import httpx


Progress = Callable[[str, str], None]  # (source, "start" | "done")
F = TypeVar("F", bound=Callable[..., object])


def locked(function: F) -> F:
    """Run a pipeline step holding the data folder's lock: one lagesbild run at a time."""

    @functools.wraps(function)
    def wrapper(config: Config, *args: object, **kwargs: object) -> object:
        with runlock.exclusive(config.data_dir):
            return function(config, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _fetch_bra(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    return bra_fetch.fetch(kommuner_in_lan(config.kommun.lan_kod), config.bra, http, manifest)


def _fetch_polisen(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    return polisen.fetch(config.kommun, config.polisen.url, http, manifest)


def _fetch_scb(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    return scb.fetch(config.kommun, config.scb.url, http, manifest)


def _fetch_kolada(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    kpis, years = _kolada_query(config)
    return kolada.fetch(config.kommun, config.kolada.url, kpis, years, http, manifest)


def _fetch_mcf(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    return mcf.fetch(config.kommun, config.mcf.url, config.mcf.table, config.mcf.years, http, manifest)


def _fetch_geo(config: Config, http: Http, manifest: Manifest) -> SourceResult:
    return geo.fetch(config.geo.url, http, manifest)


FETCHERS: dict[str, Callable[[Config, Http, Manifest], SourceResult]] = {
    "bra": _fetch_bra,
    "polisen": _fetch_polisen,
    "scb": _fetch_scb,
    "kolada": _fetch_kolada,
    "mcf": _fetch_mcf,
    "geo": _fetch_geo,
}


def enabled_sources(config: Config) -> list[str]:
    settings = {
        "bra": config.bra.enabled,
        "polisen": config.polisen.enabled,
        "scb": config.scb.enabled,
        "kolada": config.kolada.enabled,
        "mcf": config.mcf.enabled,
        "geo": config.geo.enabled,
    }
    return [name for name in SOURCE_NAMES if settings[name]]


def rebuild_database(config: Config) -> LoadResult:
    """Rebuild the database from data/raw/, and make the project's PDF cache key with its data, so that a copy of
    the project made from now on shares its rendered PDFs (see :mod:`pdf_cache`)."""
    loaded = loader.load(config)
    try:
        pdf_cache.project_secret(config.processed_dir)
    except OSError:
        pass  # no write access: the render says so when it needs the key
    return loaded


@dataclass(frozen=True)
class FetchReport:
    results: list[SourceResult]
    load: LoadResult | None

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if r.failures]


def select_sources(config: Config, sources: Sequence[str] | None) -> list[str]:
    if not sources:
        return enabled_sources(config)
    unknown = [s for s in sources if s not in FETCHERS]
    if unknown:
        raise ConfigError(
            _("Unknown source {source}.").format(source=repr(unknown[0])),
            hint=_("Choose from: {sources}.").format(sources=", ".join(SOURCE_NAMES)),
        )
    return [s for s in SOURCE_NAMES if s in sources]


@locked
def fetch(
    config: Config,
    sources: Sequence[str] | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch each source in turn; a failing source does not stop the others.

    Each good download replaces its raw file atomically; a failed one leaves the old file. The
    database is then rebuilt from everything on disk. ``FetchReport.failed`` lists the failures.
    """
    selected = select_sources(config, sources)
    manifest = Manifest(config.raw_dir)
    log = FetchLog(config.raw_dir)
    results = []
    with Http(config.http, transport=transport, clock=clock, sleep=sleep) as http:
        for name in selected:
            if progress:
                progress(name, "start")
            started = utc_now()  # files stored by this attempt are not older than it
            try:
                result = FETCHERS[name](config, http, manifest)
            except LagesbildError as exc:
                result = SourceResult(name)
                result.fail(exc)
            if result.failures and not result.by_hand and name in by_hand.CHECKS:
                result.by_hand = _by_hand(config, name)
            log.record(name, ok=not result.failures, error="\n".join(result.failures) or None, at=started)
            results.append(result)
            if progress:
                progress(name, "done")
    try:
        loaded: LoadResult | None = rebuild_database(config)
    except DataMissingError:
        loaded = None
    return FetchReport(results=results, load=loaded)


def _kolada_query(config: Config) -> tuple[list[str], list[int]]:
    years = list(range(config.kolada.first_year, date.today().year + 1))
    return list(dict.fromkeys([*config.kolada.kpis, *config.kolada.fire_kpis, *KOLADA_FACTOR_KPIS])), years


def _by_hand(config: Config, source: str) -> str:
    """How to get a source's files by hand when the fetch could not (the fetch summary's line)."""
    if source == "scb":
        return by_hand.hint(source, _("lagesbild import scb FILE"), [by_hand.scb_url(config.scb.url)])
    if source == "kolada":
        kpis, years = _kolada_query(config)
        urls = by_hand.kolada_urls(config.kolada.url, kpis, years, config.kommun)
        return by_hand.hint(source, _("lagesbild import kolada FILE (every file at once)"), urls)
    if source == "mcf":
        table = f"{config.mcf.url.rstrip('/')}/{config.mcf.table.strip('/')}"
        return by_hand.hint(
            source,
            _("lagesbild import mcf FILE (the description with the counts; the README shows the query)"),
            [table],
        )
    return by_hand.hint(source, _("lagesbild import geo FILE"), [config.geo.url])


@locked
def load(config: Config) -> LoadResult:
    return rebuild_database(config)
