"""data/raw/ → DuckDB: parse every raw file and rebuild the database from them alone."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import polars as pl

from lagesbild_cli.database import indicators
from lagesbild_cli.database.store import open_store, rebuild
from lagesbild_cli.errors import DatabaseDamagedError, DataMissingError, ParseError, notice
from lagesbild_cli.i18n import N_, _
from lagesbild_cli.rules import breaks
from lagesbild_cli.settings.config import Config
from lagesbild_cli.settings.kommuner import all_kommuner, lan_by_code
from lagesbild_cli.settings.survey_mapping import SurveyMapping
from lagesbild_cli.sources import Schema, bra, geo, kolada, mcf, national, polisen, raddning, scb, survey
from lagesbild_cli.storage import provenance
from lagesbild_cli.storage.checkpoints import checkpoint
from lagesbild_cli.storage.raw import FetchLog

OWNED_SOURCES = ("survey", "raddning")  # a kommun's own inputs, shown only in its own report
META = "lagesbild_meta"  # what the database was built from (see is_stale)


@dataclass(frozen=True)
class LoadResult:
    db_path: Path
    bra_workbooks: int
    tables: dict[str, int]
    problems: tuple[str, ...] = ()  # raw files left out because they no longer parse


def _combine(frames: list[tuple[str, pl.DataFrame]], key: list[str], what: str, schema: Schema) -> pl.DataFrame:
    """Stack the same table from several workbooks; shared rows (län, riket) must agree."""
    if not frames:
        return pl.DataFrame(schema=schema)
    stacked = pl.concat([f.with_columns(pl.lit(name).alias("_fil")) for name, f in frames])
    values = [c for c in stacked.columns if c not in key and c != "_fil"]
    conflicts = (
        stacked.group_by(key)
        .agg(pl.struct(values).n_unique().alias("n"), pl.col("_fil"))
        .filter(pl.col("n") > 1)
        .sort(key)
    )
    if conflicts.height:
        first = conflicts.row(0, named=True)
        where = ", ".join(f"{k}={first[k]}" for k in key)
        raise ParseError(
            _("The Brå workbooks disagree on {what} ({where}) in {files}.").format(
                what=_(what), where=where, files=", ".join(sorted(set(first["_fil"])))
            ),
            hint=_(
                "They come from different Brå publications: fetch or import all the län's workbooks again "
                "from the same publication."
            ),
        )
    return stacked.drop("_fil").unique(subset=key, keep="first", maintain_order=True).sort(key)


def _categories() -> pl.DataFrame:
    text = resources.files("lagesbild_cli").joinpath("data", "polisen_kategorier.csv").read_bytes()
    return pl.read_csv(text, comment_prefix="#", schema={"typ": pl.String, "kategori": pl.String}).with_columns(
        pl.col("typ").str.strip_chars()
    )


def _bra_tables(raw_dir: Path) -> tuple[dict[str, pl.DataFrame], int, list[dict[str, str]]]:
    """A workbook that no longer parses is left out and reported, so one broken kommun does not stop
    the others (the build of that kommun then says why it has no Brå data)."""
    workbooks, problems = [], []
    for path in sorted((raw_dir / bra.SOURCE).glob("*.xlsx")):
        try:
            workbooks.append((str(path.relative_to(raw_dir)), bra.parse(path.read_bytes(), str(path))))
        except ParseError as exc:
            problems.append(
                {
                    "source": bra.SOURCE,
                    "fil": str(path.relative_to(raw_dir)),
                    "kommun_kod": path.stem,
                    "problem": str(exc),
                }
            )
    tables = {
        "bra_arbetsbocker": pl.DataFrame(
            {"kommun_kod": [w.kommun.kod for _, w in workbooks], "fil": [n for n, _ in workbooks]},
            schema={"kommun_kod": pl.String, "fil": pl.String},
        ),
        "raw_bra_anmalda": _combine(
            [(n, w.anmalda) for n, w in workbooks],
            ["serie_id", "geo_kod", "ar"],
            N_("reported crime"),
            bra.ANMALDA_SCHEMA,
        ),
        "raw_bra_ntu": _combine(
            [(n, w.ntu) for n, w in workbooks], ["indikator_id", "geo_kod", "ar"], N_("NTU"), bra.NTU_SCHEMA
        ),
        "raw_bra_ntu_svarande": _combine(
            [(n, w.svarande) for n, w in workbooks], ["geo_kod", "ar"], N_("NTU respondents"), bra.SVARANDE_SCHEMA
        ),
    }
    return tables, len(workbooks), problems


BREAK_SCHEMA: Schema = {
    "indikator": pl.String,
    "ar": pl.Int32,
    "i_data": pl.Boolean,  # found in riket's series by rules/breaks.py
    "i_listan": pl.Boolean,  # in the hand list data/definitionsbrott.csv
    "riket_fore": pl.Float64,  # riket's rate the year before and the year of a break found in the data
    "riket_efter": pl.Float64,
    "andel_kommuner_samma_hall": pl.Float64,
    "infasning": pl.Boolean,  # a later year of a definition phased in over several years
    "text": pl.String,
    "forklaring": pl.String,
}


def _definition_breaks(anmalda: pl.DataFrame) -> pl.DataFrame:
    """The breaks found in each Brå series' national rate (rules/breaks.py) and those of the hand list,
    one row per indicator and year: no change or trend is computed across either."""
    found: dict[tuple[str, int], breaks.FoundBreak] = {}
    for (serie_id,), rows in anmalda.partition_by("serie_id", as_dict=True).items():
        riket = {r["ar"]: r["per_100k"] for r in rows.filter(pl.col("geo_niva") == "riket").iter_rows(named=True)}
        kommuner = [
            {r["ar"]: r["per_100k"] for r in k.iter_rows(named=True)}
            for k in rows.filter(pl.col("geo_niva") == "kommun").partition_by("geo_kod")
        ]
        for b in breaks.detect(riket, kommuner):
            found[(f"bra:{serie_id}", b.year)] = b
    listed = {(b.indikator, b.year): b for b in breaks.all_breaks()}
    table: list[dict[str, object]] = []
    for key in sorted(found.keys() | listed.keys()):
        f, h = found.get(key), listed.get(key)
        table.append(
            {
                "indikator": key[0],
                "ar": key[1],
                "i_data": f is not None,
                "i_listan": h is not None,
                "riket_fore": f.riket_before if f else None,
                "riket_efter": f.riket_after if f else None,
                "andel_kommuner_samma_hall": f.same_way if f else None,
                "infasning": bool(f and f.phase_in),
                "text": h.label if h else None,
                "forklaring": (h.explanation or None) if h else None,
            }
        )
    return pl.DataFrame(table, schema=BREAK_SCHEMA)


def _raw_or_snapshot(
    raw_dir: Path, relative: str, snapshot: dict[str, national.SnapshotFile]
) -> tuple[bytes, str] | None:
    """A raw file's bytes and name for messages; the national snapshot's when it was never fetched or imported."""
    path = raw_dir / relative
    if path.exists():
        return path.read_bytes(), str(path)
    if relative in snapshot:
        return snapshot[relative].read(), f"lagesbild's national snapshot ({relative})"
    return None


def _scb_tables(raw_dir: Path, snapshot: dict[str, national.SnapshotFile]) -> dict[str, pl.DataFrame]:
    population = _raw_or_snapshot(raw_dir, scb.POPULATION, snapshot)
    deso = sorted((raw_dir / scb.SOURCE).glob("folkmangd_deso_*_TAB6574.json"))
    return {
        "raw_scb_folkmangd": (
            scb.parse_population(*population) if population else pl.DataFrame(schema=scb.POPULATION_SCHEMA)
        ),
        "raw_scb_folkmangd_deso": (
            pl.concat([scb.parse_deso(p.read_bytes(), str(p)) for p in deso])
            if deso
            else pl.DataFrame(schema=scb.DESO_SCHEMA)
        ),
    }


def _survey_tables(raw_dir: Path, mapping: SurveyMapping | None, kommun_kod: str) -> dict[str, pl.DataFrame]:
    """The coded answers of the config's own kommun and the mapping they were coded with (indicators,
    areas, thresholds). Surveys stored for other kommuner were imported with their own configs and
    mappings, so they are not read."""
    indicators = [] if mapping is None else mapping.indicators
    areas = [] if mapping is None else mapping.areas
    return {
        "raw_survey_svar": survey.load(raw_dir, mapping, kommun_kod),
        "survey_indikatorer": pl.DataFrame(
            [
                {
                    "indikator": i.id,
                    "ordning": n,
                    "etikett": i.label,
                    "fraga": i.column,
                    "ja": "; ".join(i.yes),
                    "nej": "; ".join(i.no),
                    "utesluts": "; ".join(i.exclude),
                    "ntu": i.ntu,
                }
                for n, i in enumerate(indicators)
            ],
            schema={
                "indikator": pl.String,
                "ordning": pl.Int32,
                "etikett": pl.String,
                "fraga": pl.String,
                "ja": pl.String,
                "nej": pl.String,
                "utesluts": pl.String,
                "ntu": pl.String,
            },
        ),
        "survey_omrade_deso": pl.DataFrame(
            [
                {"kommun_kod": kommun_kod, "omrade": a.name, "ordning": n, "deso_kod": d}
                for n, a in enumerate(areas)
                for d in a.deso or [None]
            ],
            schema={"kommun_kod": pl.String, "omrade": pl.String, "ordning": pl.Int32, "deso_kod": pl.String},
        ),
        "survey_installningar": pl.DataFrame(
            [
                {
                    "min_cell": mapping.min_cell if mapping else 5,
                    "min_share": mapping.min_share if mapping else 30,
                    "viktad": bool(mapping and mapping.weight_column),
                }
            ]
        ),
    }


def _owner(file: str, source: str, home: str) -> str | None:
    """The kommun a raw file of an owned input (survey, the rescue service's export) belongs to: the
    folder it is stored in, or the config's own kommun for a file of the earlier layout."""
    if source not in OWNED_SOURCES:
        return None
    parts = file.split("/")
    return parts[1] if len(parts) > 2 else home


def _snapshot_entry(file: national.SnapshotFile) -> dict[str, object]:
    """The manifest row of a national snapshot file the load used: dated by its publication, no HTTP status."""
    return {
        "file": file.file,
        "source": file.source,
        "origin": file.origin,
        "retrieved_at": f"{file.published}T00:00:00+00:00",
        "status": None,
        "sha256": file.sha256,
        "bytes": None,
        "etag": None,
        "last_modified": None,
        "checked_at": None,
        "kommun_kod": None,
    }


def load(config: Config) -> LoadResult:
    """Rebuild the database from data/raw/; the old database stays until the new one is complete.

    The survey and the rescue service's export are read for the config's own kommun (``config.home``)
    only, and marked with its code, so a report for another kommun never shows them."""
    raw_dir = config.raw_dir
    home = config.home.kod
    queries = indicators.discover(config.queries_dir)
    inputs = _inputs(config)  # before the files are read: a change while loading makes the next run reload
    entries = provenance.verify(raw_dir)
    if not entries and not any((raw_dir / bra.SOURCE).glob("*.xlsx")):
        raise DataMissingError(
            _("There is no data in {folder} yet (no Brå workbooks either).").format(folder=raw_dir),
            hint=_(
                "Run 'lagesbild fetch', or download the Brå workbooks from Brå's page "
                "and run 'lagesbild import bra FOLDER'."
            ),
        )
    bra_tables, n_workbooks, problems = _bra_tables(raw_dir)
    snapshot = {f.relative: f for f in national.standing_in(raw_dir)}  # what was never fetched or imported
    boundaries = _raw_or_snapshot(raw_dir, geo.KOMMUNER, snapshot)
    kpi, values, groups = kolada.load(raw_dir)
    manifest_frame = pl.DataFrame(
        [{**asdict(e), "kommun_kod": _owner(e.file, e.source, home)} for e in entries.values()]
        + [_snapshot_entry(f) for f in snapshot.values()],
        schema={
            "file": pl.String,
            "source": pl.String,
            "origin": pl.String,
            "retrieved_at": pl.String,
            "status": pl.Int64,
            "sha256": pl.String,
            "bytes": pl.Int64,
            "etag": pl.String,
            "last_modified": pl.String,
            "checked_at": pl.String,
            "kommun_kod": pl.String,  # the owner of a survey or rescue-service file; empty for open data
        },
    )
    statuses = FetchLog(raw_dir).statuses()
    status_frame = pl.DataFrame(
        [asdict(s) for s in statuses.values()],
        schema={
            "source": pl.String,
            "last_attempt": pl.String,
            "ok": pl.Boolean,
            "last_success": pl.String,
            "error": pl.String,
        },
    )
    tables = {
        "kommuner": pl.DataFrame(
            [{"kommun_kod": k.kod, "kommun_namn": k.namn, "lan_kod": k.lan_kod} for k in all_kommuner()]
        ),
        "lan": pl.DataFrame([{"lan_kod": lan.kod, "lan_namn": lan.namn} for lan in lan_by_code().values()]),
        "manifest": manifest_frame,
        "hamtningar": status_frame,
        **bra_tables,
        "raw_polisen_handelser": polisen.load_archive(raw_dir),
        "polisen_kategorier": _categories(),
        "definitionsbrott": _definition_breaks(bra_tables["raw_bra_anmalda"]),
        **_scb_tables(raw_dir, snapshot),
        "raw_kolada_kpi": kpi,
        "raw_kolada_varden": values,
        "raw_kolada_grupper": groups,
        "raw_geo_kommuner": geo.parse(*boundaries) if boundaries else pl.DataFrame(schema=geo.SCHEMA),
        **mcf.load(raw_dir),
        "raw_raddning_handelser": raddning.load(raw_dir, home),
        "load_problems": pl.DataFrame(
            problems, schema={"source": pl.String, "fil": pl.String, "kommun_kod": pl.String, "problem": pl.String}
        ),
        **_survey_tables(raw_dir, config.survey, home),
    }
    tables[META] = pl.DataFrame({"key": ["inputs"], "value": [inputs]})
    with rebuild(config.db_path) as store:
        for name, frame in tables.items():
            store.write_table(name, frame)
        indicators.materialise(store, queries)
        checkpoint("load")
    return LoadResult(
        db_path=config.db_path,
        bra_workbooks=n_workbooks,
        tables={name: frame.height for name, frame in tables.items()},
        problems=tuple(p["problem"] for p in problems),
    )


def _inputs(config: Config) -> str:
    return provenance.inputs_digest(config.raw_dir, config.path, config.queries_dir.glob("*.sql"))


def built_from(config: Config) -> str | None:
    """The inputs' digest the database was built from: None when it has none (built by an older version)."""
    with open_store(config.db_path) as store:
        if META not in store.tables():
            return None
        found = store.rows(f"select value from {META} where key = 'inputs'")
    return str(found[0]["value"]) if found else None


def is_stale(config: Config) -> bool:
    """True when the database was built from other inputs than those on disk now: the manifest (so the raw
    files' hashes), a raw file changed in place, the fetch log, the config (the survey's coding lives there),
    an indicator query or lagesbild's version. Decided by content and the raw files' sizes and times, never by
    which file is newer. A damaged database is stale too (with a notice): it is rebuilt from data/raw/."""
    if not config.db_path.exists():
        return True
    try:
        return built_from(config) != _inputs(config)
    except DatabaseDamagedError as exc:
        notice(
            _("{problem} It is rebuilt from {folder} now.").format(
                problem=exc.message, folder=provenance.shown(config.raw_dir)
            )
        )
        return True
