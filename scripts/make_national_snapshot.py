"""Make the national snapshot lagesbild ships (src/lagesbild_cli/data/national/): SCB's population per region
(table TAB638) and the kommun boundaries, stored exactly as the fetchers store them in data/raw/, gzipped, with
the date each was published (snapshot.json). `lagesbild build` uses a snapshot file when data/raw/ has none of
that name, and the report names it as delivered with lagesbild.

Refresh from the live sources, with the project's own fetchers and the URLs of a new project's config:

    uv run python scripts/make_national_snapshot.py

Or make it from recorded answers (how the shipped snapshot was made; see each PROVENANCE.md):

    uv run python scripts/make_national_snapshot.py --population population.csv --boundaries kommuner.geojson

where population.csv has the columns kommun_kod,kommun_namn,population (SCB's population of the 290 kommuner
on 31 December of --year) and kommuner.geojson is the okfse/sweden-geojson file. Only kommuner are written
from such a CSV: län and riket are left out rather than summed, since SCB publishes its own totals.
Update the PROVENANCE.md files by hand after a refresh.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
import tempfile
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

from lagesbild_cli import pipeline  # noqa: E402
from lagesbild_cli.settings import init_config  # noqa: E402
from lagesbild_cli.settings.config import load_config  # noqa: E402
from lagesbild_cli.settings.kommuner import all_kommuner  # noqa: E402
from lagesbild_cli.sources import geo, national, scb  # noqa: E402
from lagesbild_cli.storage.raw import Manifest, sha256  # noqa: E402

BOUNDARIES_WHAT = "kommungränser för Sveriges 290 kommuner (Valmyndigheten via okfse/sweden-geojson)"


def population_what(data: bytes) -> str:
    frame = scb.parse_population(data, "the population table")
    levels = sorted(set(frame["niva"]))
    years = sorted(set(frame["ar"]))
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
    regions = {"kommun": "kommuner", "lan": "län", "riket": "riket"}
    parts = [regions[level] for level in ("kommun", "lan", "riket") if level in levels]
    return f"SCB, folkmängd 31 december {span} (tabell TAB638) för Sveriges {' och '.join(parts)}"


def jsonstat2_population(rows: list[tuple[str, str, int]], year: int, updated: str) -> bytes:
    """TAB638's json-stat2 shape, as the fetcher stores it, for kommuner (code, name, population) of one year."""
    rows = sorted(rows)
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "Folkmängd efter region och år",
        "source": "SCB",
        "updated": updated,
        "id": ["Region", "ContentsCode", "Tid"],
        "size": [len(rows), 1, 1],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "dimension": {
            "Region": {
                "label": "region",
                "category": {
                    "index": {code: n for n, (code, _, _) in enumerate(rows)},
                    "label": {code: name for code, name, _ in rows},
                },
            },
            "ContentsCode": {
                "label": "tabellinnehåll",
                "category": {"index": {"BE0101N1": 0}, "label": {"BE0101N1": "Folkmängd"}},
            },
            "Tid": {"label": "år", "category": {"index": {str(year): 0}, "label": {str(year): str(year)}}},
        },
        "value": [n for _, _, n in rows],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def from_recorded(
    population: Path, boundaries: Path, year: int, published: str, boundaries_date: str
) -> dict[str, tuple[bytes, str, str]]:
    known = {k.kod for k in all_kommuner()}
    with population.open(encoding="utf-8") as handle:
        rows = [(r["kommun_kod"].zfill(4), r["kommun_namn"], int(r["population"])) for r in csv.DictReader(handle)]
    if {code for code, _, _ in rows} != known:
        raise SystemExit(f"{population.name} does not hold exactly Sweden's 290 kommuner")
    data = jsonstat2_population(rows, year, f"{published}T07:00:00Z")
    shape = boundaries.read_bytes()
    geo.parse(shape, boundaries.name)  # checked as the load will read it
    return {
        scb.POPULATION: (data, published, population_what(data)),
        geo.KOMMUNER: (shape, boundaries_date, BOUNDARIES_WHAT),
    }


def from_live() -> dict[str, tuple[bytes, str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "lagesbild.toml").write_text(init_config.render(all_kommuner()[0]), encoding="utf-8")
        config = load_config(folder / "lagesbild.toml")
        report = pipeline.fetch(config, ["scb", "geo"])
        if report.failed:
            raise SystemExit("; ".join(f for r in report.failed for f in r.failures))
        manifest = Manifest(config.raw_dir)
        population = (config.raw_dir / scb.POPULATION).read_bytes()
        updated = str(json.loads(population).get("updated") or date.today().isoformat())[:10]
        shape = (config.raw_dir / geo.KOMMUNER).read_bytes()
        entry = manifest.get(geo.KOMMUNER)
        modified = entry.last_modified if entry else None
        shape_date = parsedate_to_datetime(modified).date().isoformat() if modified else date.today().isoformat()
        return {
            scb.POPULATION: (population, updated, population_what(population)),
            geo.KOMMUNER: (shape, shape_date, BOUNDARIES_WHAT),
        }


def write(files: dict[str, tuple[bytes, str, str]], folder: Path = national.FOLDER) -> None:
    index: dict[str, dict[str, str]] = {}
    for relative, (data, published, what) in sorted(files.items()):
        packed = f"{relative}.gz"
        (folder / packed).parent.mkdir(parents=True, exist_ok=True)
        (folder / packed).write_bytes(gzip.compress(data, mtime=0))  # the same bytes on every run
        index[relative] = {
            "source": relative.split("/", 1)[0],
            "published": published,
            "what": what,
            "packed": packed,
            "sha256": sha256(data),
        }
        print(f"{folder.relative_to(ROOT) / packed}  {len(data):>9} bytes  published {published}")
    text = json.dumps({"made": date.today().isoformat(), "files": index}, ensure_ascii=False, indent=2)
    (folder / national.INDEX).write_text(text + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=Path, help="CSV kommun_kod,kommun_namn,population (recorded)")
    parser.add_argument("--boundaries", type=Path, help="GeoJSON of the 290 kommuner (recorded)")
    parser.add_argument("--year", type=int, default=2024, help="the population's year (31 December)")
    parser.add_argument("--published", default="2025-02-21", help="the date SCB published that population")
    parser.add_argument("--boundaries-date", default="2020-06-07", help="the date the boundaries were published")
    args = parser.parse_args()
    if bool(args.population) != bool(args.boundaries):
        parser.error("give both --population and --boundaries, or neither (to fetch live)")
    files = (
        from_recorded(args.population, args.boundaries, args.year, args.published, args.boundaries_date)
        if args.population
        else from_live()
    )
    write(files)


if __name__ == "__main__":
    main()
