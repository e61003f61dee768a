"""SCB's population (PxWebApi v2, json-stat2): per kommun, län and riket (TAB638, BE0101N1) and per
DeSO for the kommun (TAB6574, 000007Y7).

Each total is fetched directly: since reference year 2025 SCB adds controlled noise (the Cell Key
Method), so parts need not sum to the total.
"""

from __future__ import annotations

import json
from itertools import product
from typing import Any

import polars as pl

from lagesbild_cli.errors import LagesbildError, ParseError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.kommuner import RIKET_KOD, Kommun
from lagesbild_cli.sources import SourceResult
from lagesbild_cli.sources._http import Http, RateLimit, Validators
from lagesbild_cli.storage.raw import Manifest

SOURCE = "scb"
POPULATION = "scb/folkmangd_TAB638.json"
DESO = "scb/folkmangd_deso_{kod}_TAB6574.json"
# /api/v2/config: 30 calls per 10 s
RULES = RateLimit(min_interval=0.35)

POPULATION_SCHEMA = {
    "region_kod": pl.String,
    "region_namn": pl.String,
    "niva": pl.String,
    "ar": pl.Int32,
    "folkmangd": pl.Int64,
}
DESO_SCHEMA = {"deso_kod": pl.String, "kommun_kod": pl.String, "ar": pl.Int32, "folkmangd": pl.Int64}


def decode_jsonstat2(data: bytes, origin: str) -> tuple[dict[str, dict[str, str]], list[dict[str, Any]]]:
    """A json-stat2 dataset as (labels per dimension, one row per cell with each dimension's code
    and ``value``). ``value`` is a flat list in row-major order of ``id`` (or a sparse object)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
        ids: list[str] = doc["id"]
        sizes: list[int] = doc["size"]
        dims = doc["dimension"]
        values = doc["value"]
        codes = []
        labels: dict[str, dict[str, str]] = {}
        for dim, size in zip(ids, sizes, strict=True):
            index = dims[dim]["category"]["index"]
            ordered = sorted(index, key=lambda code: index[code]) if isinstance(index, dict) else list(index)
            if len(ordered) != size:
                raise ParseError(
                    _("{origin}: dimension {dimension} has {count} categories but size says {size}.").format(
                        origin=origin, dimension=repr(dim), count=len(ordered), size=size
                    ),
                    hint=_("The answer is damaged; fetch again."),
                )
            codes.append(ordered)
            labels[dim] = dims[dim]["category"].get("label", {c: c for c in ordered})
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ParseError):
            raise
        raise ParseError(
            _("{origin} is not a json-stat2 dataset ({error}).").format(
                origin=origin, error=f"{type(exc).__name__}: {exc}"
            ),
            hint=_("SCB may have sent an error page; fetch again or check the table id."),
        ) from None
    total = 1
    for size in sizes:
        total *= size
    if isinstance(values, dict):
        values = [values.get(str(i)) for i in range(total)]
    if len(values) != total:
        raise ParseError(
            _("{origin}: {count} values for {total} cells.").format(origin=origin, count=len(values), total=total),
            hint=_("The answer is cut off; fetch again."),
        )
    rows = [
        dict(zip(ids, combo, strict=True)) | {"value": value}
        for combo, value in zip(product(*codes), values, strict=True)
    ]
    return labels, rows


def _single(rows: list[dict[str, Any]], keep: set[str], origin: str) -> None:
    """Every dimension not in ``keep`` must be a single category (a total); checked in ``id`` order."""
    dims = [k for k in rows[0] if k != "value" and k not in keep] if rows else []
    for dim in dims:
        if len({r[dim] for r in rows}) > 1:
            raise ParseError(
                _("{origin}: expected totals but dimension {dimension} has several categories.").format(
                    origin=origin, dimension=repr(dim)
                ),
                hint=_("Select one value (or none, for the total) for that variable."),
            )


def _level(code: str) -> str:
    return "riket" if code == RIKET_KOD else "lan" if len(code) == 2 else "kommun"


def parse_population(data: bytes, origin: str) -> pl.DataFrame:
    """TAB638: population 31 December per region and year. Pure."""
    labels, rows = decode_jsonstat2(data, origin)
    for dim in ("Region", "Tid"):
        if dim not in labels:
            raise ParseError(
                _("{origin} has no dimension {dimension}.").format(origin=origin, dimension=repr(dim)),
                hint=_("Is this SCB table {table}?").format(table="TAB638"),
            )
    _single(rows, {"Region", "Tid"}, origin)
    frame = pl.DataFrame(
        [
            {
                "region_kod": r["Region"],
                "region_namn": labels["Region"].get(r["Region"], r["Region"]),
                "niva": _level(r["Region"]),
                "ar": int(r["Tid"]),
                "folkmangd": r["value"],
            }
            for r in rows
            if r["value"] is not None
        ],
        schema=POPULATION_SCHEMA,
    )
    return frame.sort("region_kod", "ar")


def parse_deso(data: bytes, origin: str) -> pl.DataFrame:
    """TAB6574: population per DeSO; codes lose their ``_DeSO2025`` suffix to match the boundaries. Pure."""
    _labels, rows = decode_jsonstat2(data, origin)
    if rows and "Region" not in rows[0]:
        raise ParseError(
            _("{origin} has no dimension {dimension}.").format(origin=origin, dimension="'Region'"),
            hint=_("Is this SCB table {table}?").format(table="TAB6574"),
        )
    _single(rows, {"Region", "Tid"}, origin)
    out = []
    for r in rows:
        code = r["Region"].split("_", 1)[0]
        if len(code) == 9 and r["value"] is not None:  # DeSO codes: 4-digit kommun + letter + 4 digits
            out.append({"deso_kod": code, "kommun_kod": code[:4], "ar": int(r["Tid"]), "folkmangd": r["value"]})
    return pl.DataFrame(out, schema=DESO_SCHEMA).sort("deso_kod", "ar")


def population_params() -> dict[str, str]:
    return {
        "lang": "sv",
        "outputFormat": "json-stat2",
        "valueCodes[Region]": "*",
        "valueCodes[ContentsCode]": "BE0101N1",
        "valueCodes[Tid]": "*",
    }


def deso_params(kommun: Kommun) -> dict[str, str]:
    return {
        "lang": "sv",
        "outputFormat": "json-stat2",
        "valueCodes[Region]": f"{kommun.kod}*",
        "codelist[Region]": "vs_DeSO2025",
        "valueCodes[Alder]": "totalt",
        "valueCodes[Kon]": "1+2",
        "valueCodes[ContentsCode]": "000007Y7",
        "valueCodes[Tid]": "*",
    }


def fetch(kommun: Kommun, base_url: str, http: Http, manifest: Manifest) -> SourceResult:
    result = SourceResult(SOURCE)
    limiter = http.limiter("SCB", RULES)
    base = base_url.rstrip("/")
    jobs = [
        (
            POPULATION,
            f"{base}/tables/TAB638/data",
            population_params(),
            parse_population,
            _("SCB's population per region (TAB638)"),
        ),
        (
            DESO.format(kod=kommun.kod),
            f"{base}/tables/TAB6574/data",
            deso_params(kommun),
            parse_deso,
            _("SCB's population per DeSO in {kommun} (TAB6574)").format(kommun=kommun.namn),
        ),
    ]
    for relative, url, params, parser, what in jobs:
        previous = manifest.get(relative)
        validators = Validators(previous.etag, previous.last_modified) if previous else None
        try:
            got = http.get(url, what=what, params=params, validators=validators, limiter=limiter)
            if got.not_modified:
                manifest.mark_unchanged(relative)
                result.unchanged += 1
                continue
            parser(got.content, _("the answer from {url}").format(url=got.url))
        except LagesbildError as exc:
            result.fail(exc)
            continue
        manifest.store_download(relative, got, SOURCE)
        result.fetched += 1
    return result
