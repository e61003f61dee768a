"""The national snapshot shipped with lagesbild (``data/national/``): small national tables every report
needs, whatever the kommun, stored exactly as the fetcher stores them in ``data/raw/`` (gzipped), with the
date each was published and where it came from (``snapshot.json``; a PROVENANCE.md beside each file).

The load reads a snapshot file only when ``data/raw/`` has no file of that name, that is when the source
was never fetched or imported: anything fetched or imported is newer and wins. The report then names it as
delivered with lagesbild, never as fetched. ``scripts/make_national_snapshot.py`` refreshes it.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "data" / "national"
INDEX = "snapshot.json"
PREFIX = "national/"  # the manifest's file name of a snapshot file: national/<raw name>
ORIGIN = "lagesbild national snapshot, published {published}: {what}"  # context.sources reads it back


@dataclass(frozen=True)
class SnapshotFile:
    relative: str  # the raw file it stands in for, e.g. "scb/folkmangd_TAB638.json"
    source: str
    published: str  # ISO date the data was published by its source
    what: str  # the table, in Swedish, as the report names it
    packed: str  # the gzipped file under data/national/
    sha256: str  # of the unpacked bytes

    @property
    def file(self) -> str:
        return PREFIX + self.relative

    @property
    def origin(self) -> str:
        return ORIGIN.format(published=self.published, what=self.what)

    def read(self, folder: Path = FOLDER) -> bytes:
        return gzip.decompress((folder / self.packed).read_bytes())


@cache
def files(folder: Path = FOLDER) -> tuple[SnapshotFile, ...]:
    """Every file of the snapshot, as ``snapshot.json`` lists them (none if the package has no snapshot)."""
    index = folder / INDEX
    if not index.exists():
        return ()
    entries = json.loads(index.read_text(encoding="utf-8"))["files"]
    return tuple(SnapshotFile(relative=relative, **entry) for relative, entry in sorted(entries.items()))


def standing_in(raw_dir: Path, folder: Path = FOLDER) -> tuple[SnapshotFile, ...]:
    """The snapshot files the load uses: those whose raw file was never fetched or imported."""
    return tuple(f for f in files(folder) if not (raw_dir / f.relative).exists())
