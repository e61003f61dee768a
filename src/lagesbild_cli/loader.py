"""data/raw/ → DuckDB: parse every raw file and rebuild the database from them alone."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from lagesbild_cli import indicators
from lagesbild_cli.config import Config
from lagesbild_cli.errors import DataMissingError, ParseError
from lagesbild_cli.kommuner import all_kommuner, lan_by_code
from lagesbild_cli.raw import Manifest
from lagesbild_cli.sources import bra
from lagesbild_cli.store import rebuild


@dataclass(frozen=True)
class LoadResult:
    db_path: Path
    bra_workbooks: int
    tables: dict[str, int]


def _combine(frames: list[tuple[str, pl.DataFrame]], key: list[str], what: str) -> pl.DataFrame:
    """Stack the same table from several workbooks; shared rows (län, riket) must agree."""
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
            f"The Brå workbooks disagree on {what} ({where}) in {', '.join(sorted(set(first['_fil'])))}.",
            hint="They come from different Brå publications: fetch or import all the län's workbooks again "
            "from the same publication.",
        )
    return stacked.drop("_fil").unique(subset=key, keep="first", maintain_order=True).sort(key)


def load(config: Config) -> LoadResult:
    """Rebuild the database from data/raw/; the old database stays until the new one is complete."""
    manifest = Manifest(config.raw_dir)
    entries = manifest.entries()
    files = sorted((config.raw_dir / bra.SOURCE).glob("*.xlsx"))
    if not files:
        raise DataMissingError(
            f"No Brå workbooks in {config.raw_dir / bra.SOURCE}.",
            hint="Run 'lagesbild fetch', or download the workbooks from Brå's page "
            "and run 'lagesbild import bra FOLDER'.",
        )
    workbooks = [(str(p.relative_to(config.raw_dir)), bra.parse(p.read_bytes(), str(p))) for p in files]
    anmalda = _combine([(n, w.anmalda) for n, w in workbooks], ["serie_id", "geo_kod", "ar"], "reported crime")
    ntu = _combine([(n, w.ntu) for n, w in workbooks], ["indikator_id", "geo_kod", "ar"], "NTU")
    svarande = _combine([(n, w.svarande) for n, w in workbooks], ["geo_kod", "ar"], "NTU respondents")

    kommuner = pl.DataFrame(
        [{"kommun_kod": k.kod, "kommun_namn": k.namn, "lan_kod": k.lan_kod} for k in all_kommuner()]
    )
    lan = pl.DataFrame([{"lan_kod": lan.kod, "lan_namn": lan.namn} for lan in lan_by_code().values()])
    manifest_frame = pl.DataFrame(
        [asdict(e) for e in entries.values()],
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
        },
    )
    workbook_frame = pl.DataFrame(
        {"kommun_kod": [w.kommun.kod for _, w in workbooks], "fil": [n for n, _ in workbooks]}
    )
    queries = indicators.discover(config.queries_dir)

    tables = {
        "kommuner": kommuner,
        "lan": lan,
        "manifest": manifest_frame,
        "bra_arbetsbocker": workbook_frame,
        "raw_bra_anmalda": anmalda,
        "raw_bra_ntu": ntu,
        "raw_bra_ntu_svarande": svarande,
    }
    with rebuild(config.db_path) as store:
        for name, frame in tables.items():
            store.write_table(name, frame)
        indicators.materialise(store, queries)
    return LoadResult(
        db_path=config.db_path,
        bra_workbooks=len(workbooks),
        tables={name: frame.height for name, frame in tables.items()},
    )


def is_stale(config: Config) -> bool:
    """True when the database is older than the raw manifest or an indicator query."""
    if not config.db_path.exists():
        return True
    built = config.db_path.stat().st_mtime
    inputs = [Manifest(config.raw_dir).path, *config.queries_dir.glob("*.sql")]
    return any(p.exists() and p.stat().st_mtime > built for p in inputs)
