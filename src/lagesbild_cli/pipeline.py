"""The library API: fetch, import, load and build — callable without the CLI.

from lagesbild_cli import pipeline
from lagesbild_cli.config import load_config

config = load_config(Path("lagesbild.toml"))
pipeline.fetch(config)
pipeline.build(config, year=2023)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from lagesbild_cli import loader, report
from lagesbild_cli.config import Config
from lagesbild_cli.errors import FetchError
from lagesbild_cli.kommuner import Kommun, kommuner_in_lan
from lagesbild_cli.loader import LoadResult
from lagesbild_cli.raw import Manifest, ManifestEntry
from lagesbild_cli.sources import bra
from lagesbild_cli.sources._http import make_client
from lagesbild_cli.store import open_store


@dataclass(frozen=True)
class FetchResult:
    stored: list[ManifestEntry]
    kept: list[Kommun]
    load: LoadResult | None


def fetch(config: Config, transport: httpx.BaseTransport | None = None) -> FetchResult:
    """Download the Brå workbook of the kommun and of every other kommun in its län, then load.

    Each good download replaces its raw file atomically; a failed one leaves the old file. If any
    kommun failed, the rest is still stored and loaded, and a FetchError lists the failures.
    """
    kommuner = kommuner_in_lan(config.kommun.lan_kod)
    manifest = Manifest(config.raw_dir)
    with make_client(config.http, transport) as client:
        result = bra.fetch(kommuner, config.bra.urls, config.bra.page_url, config.bra.discover, client, manifest)
    loaded = loader.load(config) if result.stored or result.kept else None
    if result.failed:
        lines = "\n".join(f"  - {k.namn} ({k.kod}): {e}" for k, e in result.failed)
        ok = len(result.stored)
        raise FetchError(
            f"{len(result.failed)} of {len(kommuner)} Brå workbooks could not be fetched "
            f"({ok} downloaded, {len(result.kept)} kept from before):\n{lines}",
            hint="Previous raw files are untouched. Fix the URLs in lagesbild.toml or import the "
            "workbooks by hand with 'lagesbild import bra PATH'.",
        )
    return FetchResult(stored=result.stored, kept=result.kept, load=loaded)


def import_bra(config: Config, paths: Sequence[Path]) -> tuple[list[tuple[Kommun, ManifestEntry]], LoadResult]:
    """Copy hand-downloaded Brå workbooks into data/raw/bra/ (all validated first), then load."""
    imported = bra.import_files(paths, Manifest(config.raw_dir))
    return imported, loader.load(config)


def load(config: Config) -> LoadResult:
    return loader.load(config)


def build(config: Config, year: int | None = None) -> report.BuiltReport:
    """Compute the indicators (reloading if raw data or queries changed) and render HTML and PDF."""
    if loader.is_stale(config):
        loader.load(config)
    with open_store(config.db_path) as store:
        context = report.build_context(store, config, year)
    return report.write_report(context, config)
