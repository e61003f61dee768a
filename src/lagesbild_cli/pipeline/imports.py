"""Files a person brings: the imports by hand (Brå, Polisen, SCB, Kolada, MCF, boundaries, the rescue
service's export, the survey) and help with the survey's mapping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lagesbild_cli.database import loader
from lagesbild_cli.database.loader import LoadResult
from lagesbild_cli.errors import ConfigError, DataMissingError, notice
from lagesbild_cli.i18n import _, ngettext
from lagesbild_cli.settings.config import Config
from lagesbild_cli.settings.kommuner import Kommun
from lagesbild_cli.sources import (
    bra_fetch,
    by_hand,
    polisen,
    raddning,
    scb,
    survey,
)
from lagesbild_cli.storage import staging
from lagesbild_cli.storage.checkpoints import checkpoint
from lagesbild_cli.storage.raw import Manifest, ManifestEntry

if TYPE_CHECKING:
    pass
from lagesbild_cli.pipeline.fetching import locked, rebuild_database


def _import_by_hand(config: Config, source: str, paths: Sequence[Path]) -> tuple[list[by_hand.Imported], LoadResult]:
    imported = by_hand.import_files(source, paths, Manifest(config.raw_dir), config.kommun)
    return imported, loader.load(config)


@locked
def import_scb(config: Config, paths: Sequence[Path]) -> tuple[list[by_hand.Imported], LoadResult]:
    """Store SCB answers saved by hand (TAB638, TAB6574; all checked first) as the fetcher would, then load."""
    return _import_by_hand(config, "scb", paths)


@locked
def import_kolada(config: Config, paths: Sequence[Path]) -> tuple[list[by_hand.Imported], LoadResult]:
    """Store Kolada v3 answers saved by hand (KPI descriptions, values, comparison groups; all checked first)."""
    return _import_by_hand(config, "kolada", paths)


@locked
def import_mcf(config: Config, paths: Sequence[Path]) -> tuple[list[by_hand.Imported], LoadResult]:
    """Store MCF's table B11 answers saved by hand (its description and counts; all checked first), then load."""
    return _import_by_hand(config, "mcf", paths)


@locked
def import_geo(config: Config, path: Path) -> tuple[list[by_hand.Imported], LoadResult]:
    """Store a GeoJSON file of the kommun boundaries saved by hand (checked first), then load."""
    return _import_by_hand(config, "geo", [path])


@locked
def import_bra(
    config: Config, paths: Sequence[Path]
) -> tuple[list[tuple[Kommun, ManifestEntry, tuple[str, ...]]], LoadResult]:
    """Copy hand-downloaded Brå workbooks into data/raw/bra/ (all validated first), then load.
    Returns per workbook its kommun, manifest entry and what its parser left out.

    The workbooks replace those in data/raw/bra/ all at once, with their manifest entries, or none does (an
    error or an interrupt before leaves the raw files as they were). Stopped after that, during the load, the
    previous database is kept, and the next build sees the newer manifest and reloads."""

    def stored(files: list[str]) -> str:
        return ngettext(
            "{n} Brå workbook was stored in data/raw/bra/, but the database was not reloaded "
            "(the next 'lagesbild build' or 'lagesbild load' reloads it)",
            "{n} Brå workbooks were stored in data/raw/bra/, but the database was not reloaded "
            "(the next 'lagesbild build' or 'lagesbild load' reloads it)",
            len(files),
        ).format(n=len(files))

    with staging.stored_together(Manifest(config.raw_dir), stored) as manifest:
        imported = bra_fetch.import_files(paths, manifest)
    lan = config.kommun.lan
    if imported and not any(k.lan.kod == lan.kod for k, _entry, _left in imported):
        others = sorted({k.lan.namn for k, _entry, _left in imported})
        notice(
            _(
                "None of the imported workbooks is from {lan}: they are for {others}. The report for {kommun} needs "
                "{kommun}'s own workbook and those of the other kommuner in {lan}."
            ).format(lan=lan.namn, others=", ".join(others), kommun=config.kommun.namn)
        )
    return imported, rebuild_database(config)


@locked
def import_polisen(config: Config, path: Path) -> tuple[int, int, LoadResult]:
    """Merge a file of Polisen events into the archive, then load. Returns (in file, new, load)."""
    in_file, new = polisen.import_file(path, Manifest(config.raw_dir))
    return in_file, new, rebuild_database(config)


@locked
def import_raddning(config: Config, paths: Sequence[Path]) -> tuple[ManifestEntry, int, int, LoadResult]:
    """Merge the rescue service's exported event reports (all validated first), then load.

    The export belongs to the config's own kommun (``config.home``). Returns (manifest entry, events in
    the files, events stored in all, load)."""
    entry, in_files, stored = raddning.import_files(list(paths), Manifest(config.raw_dir), config.home.kod)
    return entry, in_files, stored, rebuild_database(config)


@locked
def import_survey(config: Config, path: Path) -> tuple[survey.SurveyImport, LoadResult]:
    """Read, validate and store the mapped columns of a survey export, one file per round, for the
    config's own kommun (``config.home``), then load. A round imported before is replaced.

    Nothing is written if any check fails, and an interrupt leaves either the earlier rounds or the new ones,
    never a mix. An interrupt after the new rounds were stored, while the database is being rebuilt, ends with a
    line saying that the import took effect and what rebuilds the database (:func:`interrupts.done`).
    """
    if config.survey is None:
        raise ConfigError(
            _("{path} has no [survey] section, so lagesbild does not know which columns to read.").format(
                path=config.path
            ),
            hint=_("Add a [survey] section (see the README's survey reference), then import again."),
        )
    imported = survey.import_file(path, config.survey, Manifest(config.raw_dir), config.home.kod)
    checkpoint("survey-stored")
    return imported, rebuild_database(config)


def suggest_survey(path: Path) -> str:
    """A proposed ``[survey]`` mapping for a survey export, as commented TOML to review (writes nothing)."""
    from lagesbild_cli.errors import ParseError
    from lagesbild_cli.sources import read_given, survey_suggest, survey_toml

    if not path.is_file():
        raise ParseError(
            _("{file} does not exist.").format(file=path.name), hint=_("Give the path of the survey tool's CSV export.")
        )
    data = read_given(
        path, limit=survey_suggest.MAX_FILE_BYTES, what=_("a survey export"), hint=_("Export the survey as CSV.")
    )
    return survey_toml.to_toml(survey_suggest.suggest(data, path.name))


@dataclass(frozen=True)
class DesoAreas:
    """A kommun's DeSO areas with their population in the latest year SCB's stored answer holds."""

    kommun: Kommun
    year: int
    areas: tuple[tuple[str, int], ...]  # (DeSO code, population), in code order


def deso_areas(config: Config) -> DesoAreas:
    """The DeSO areas of ``config.kommun`` from SCB's population per DeSO in data/raw/ (fetched or imported)."""
    import polars as pl

    kommun = config.kommun
    relative = scb.DESO.format(kod=kommun.kod)
    path = config.raw_dir / relative
    if not path.is_file():
        raise DataMissingError(
            _("SCB's population per DeSO area of {kommun} ({kod}) is not in {path}.").format(
                kommun=kommun.namn, kod=kommun.kod, path=f"data/raw/{relative}"
            ),
            hint=_("Fetch it with 'lagesbild fetch --source scb --kommun {kod}', then run this again.").format(
                kod=kommun.kod
            ),
        )
    frame = scb.parse_deso(path.read_bytes(), f"data/raw/{relative}").filter(pl.col("kommun_kod") == kommun.kod)
    if frame.is_empty():
        raise DataMissingError(
            _("{path} holds no DeSO area of {kommun} ({kod}).").format(
                path=f"data/raw/{relative}", kommun=kommun.namn, kod=kommun.kod
            ),
            hint=_("Fetch it again with 'lagesbild fetch --source scb --kommun {kod}'.").format(kod=kommun.kod),
        )
    year = int(frame["ar"].max())  # type: ignore[arg-type]
    latest = frame.filter(pl.col("ar") == year).sort("deso_kod")
    return DesoAreas(kommun, year, tuple(zip(latest["deso_kod"], latest["folkmangd"], strict=True)))
