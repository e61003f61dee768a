"""The example project of ``lagesbild demo``: Gagnef (2026, Dalarna) from data shipped in the package.

``data/demo/`` holds the project's config and example texts, and the data: Brå workbooks for Dalarna's 15
kommuner, a Polisen archive, kommun boundaries, the fictitious survey, a rescue-service export and the
SCB, Kolada and MCF answers recorded in the shape the fetchers store (``raw/``, gzipped, made by
``scripts/make_demo_data.py``). Each folder has a PROVENANCE.md. This module writes the project folder and
stores the fetched kinds of data as a fetch would; :func:`lagesbild_cli.pipeline.demo` runs the importers
and the build.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from lagesbild_cli.errors import ConfigError, LagesbildError
from lagesbild_cli.i18n import _
from lagesbild_cli.storage.raw import Manifest

DATA = Path(__file__).resolve().parent / "data" / "demo"
MARKER = ".lagesbild-demo"  # written into the folder, so running the demo again may write over it
RECORDED = ("scb", "kolada", "mcf")  # answers recorded under data/demo/raw/, stored as fetched
POLISEN_ARCHIVE = DATA / "polisen" / "events_dalarna_2023-2026.json"
SURVEY = DATA / "survey" / "medborgarundersokning_gagnef_fiktiv.csv"
RADDNING = sorted((DATA / "raddning").glob("*.csv"))


def origin(relative: str) -> str:
    """The manifest's origin for a file of the demo data: names the data, never a local folder."""
    return f"lagesbilds exempeldata (demo): {relative}"


def check_folder(folder: Path, *, force: bool = False) -> None:
    """Refuse a file, or a folder that has files but no earlier demo (unless ``force``)."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(
            _("{folder} is a file, not a folder.").format(folder=folder),
            hint=_("Give a folder for the demo with --dir."),
        )
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).exists() and not force:
        raise ConfigError(
            _("{folder} is not empty and holds no earlier demo, so the demo will not write into it.").format(
                folder=folder
            ),
            hint=_(
                "Choose a new or empty folder with --dir, or add --force to write the demo's files into this one "
                "(lagesbild.toml, text/ and data/; other files are left alone)."
            ),
        )


def write_project(folder: Path, *, force: bool = False) -> Path:
    """Write lagesbild.toml and the example texts into ``folder``; return the config's path.

    A folder that has files but no earlier demo is refused unless ``force``: then the demo's files are
    written over and every other file is left alone.
    """
    check_folder(folder, force=force)
    try:
        (folder / "text").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / "lagesbild.toml", folder / "lagesbild.toml")
        for text in sorted((DATA / "text").glob("*.md")):
            shutil.copyfile(text, folder / "text" / text.name)
        (folder / MARKER).write_text(
            "This folder was written by `lagesbild demo`; running it again writes over the demo's files.\n",
            encoding="utf-8",
        )
    except OSError as exc:
        raise LagesbildError(
            _("Could not write the demo into {folder}: {reason}.").format(folder=folder, reason=exc.strerror or exc),
            hint=_("Choose a folder you can write to with --dir."),
        ) from None
    return folder / "lagesbild.toml"


def store_fetched(raw_dir: Path) -> int:
    """Store the demo's Brå workbooks, boundaries and recorded SCB/Kolada/MCF answers under ``raw_dir`` as a
    fetch would, each with a manifest entry naming the demo data. Returns the number of files."""
    from lagesbild_cli.sources import bra, bra_fetch, geo  # polars and openpyxl: imported here, not when the CLI starts

    manifest = Manifest(raw_dir)
    stored = 0
    for path in sorted((DATA / "bra").glob("*.xlsx")):
        data = path.read_bytes()
        kommun = bra.parse(data, path.name).kommun
        manifest.store(
            bra_fetch.raw_name(kommun), data, source=bra.SOURCE, origin=origin(f"bra/{path.name}"), status=None
        )
        stored += 1
    boundaries = DATA / "geo" / "okfse_swedish_municipalities.geojson"
    manifest.store(
        geo.KOMMUNER, boundaries.read_bytes(), source=geo.SOURCE, origin=origin(f"geo/{boundaries.name}"), status=None
    )
    stored += 1
    for source in RECORDED:
        for path in sorted((DATA / "raw" / source).glob("*.gz")):
            relative = f"{source}/{path.name.removesuffix('.gz')}"
            data = gzip.decompress(path.read_bytes())
            manifest.store(relative, data, source=source, origin=origin(f"raw/{source}/{path.name}"), status=None)
            stored += 1
    return stored
