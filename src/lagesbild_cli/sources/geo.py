"""Kommun boundaries as GeoJSON, for maps: any FeatureCollection whose features carry the kommun
code in ``properties.id`` (the okfse/sweden-geojson file, from Valmyndigheten's data) or in
``properties.kommun_kod``/``KnKod``. Fetched from a configurable URL like any other source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from lagesbild_cli.errors import LagesbildError, ParseError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.kommuner import find_kommun
from lagesbild_cli.sources import SourceResult
from lagesbild_cli.sources._http import Http, Validators
from lagesbild_cli.storage.raw import Manifest

SOURCE = "geo"
KOMMUNER = "geo/kommuner.geojson"
CODE_KEYS = ("id", "kommun_kod", "KnKod", "kom_kod")
SCHEMA = {"kommun_kod": pl.String, "kommun_namn": pl.String, "lan_kod": pl.String, "geometri": pl.String}


def _code(properties: dict[str, Any]) -> str | None:
    for key in CODE_KEYS:
        value = properties.get(key)
        if value is not None and str(value).strip().isdigit():
            return str(value).strip().zfill(4)
    return None


def parse(data: bytes, origin: str) -> pl.DataFrame:
    """One row per kommun with its geometry as GeoJSON text. Pure."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(
            _("{origin} is not valid JSON ({error}).").format(origin=origin, error=exc),
            hint=_("Fetch the GeoJSON file again."),
        ) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise ParseError(
            _("{origin} is not a GeoJSON FeatureCollection.").format(origin=origin),
            hint=_("Point sources.geo.kommuner_url at a GeoJSON file of Sweden's kommuner."),
        )
    rows = []
    for i, feature in enumerate(doc["features"]):
        properties = feature.get("properties") or {} if isinstance(feature, dict) else {}
        code = _code(properties)
        kommun = find_kommun(code) if code else None
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if kommun is None or not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ParseError(
                _(
                    "{origin}, feature {number}: expected a kommun code in properties ({keys}) "
                    "and a Polygon or MultiPolygon geometry."
                ).format(origin=origin, number=i + 1, keys=", ".join(CODE_KEYS)),
                hint=_("Use a GeoJSON file of Sweden's 290 kommuner."),
            )
        rows.append(
            {
                "kommun_kod": kommun.kod,
                "kommun_namn": kommun.namn,
                "lan_kod": kommun.lan_kod,
                "geometri": json.dumps(geometry, separators=(",", ":")),
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA).unique("kommun_kod", keep="first").sort("kommun_kod")


def fetch(url: str, http: Http, manifest: Manifest) -> SourceResult:
    result = SourceResult(SOURCE)
    previous = manifest.get(KOMMUNER)
    validators = (
        Validators(previous.etag, previous.last_modified) if previous is not None and previous.origin == url else None
    )
    try:
        got = http.get(url, what=_("kommun boundaries (GeoJSON)"), validators=validators)
        if got.not_modified:
            manifest.mark_unchanged(KOMMUNER)
            result.unchanged += 1
            return result
        frame = parse(got.content, _("the answer from {url}").format(url=got.url))
    except LagesbildError as exc:
        result.fail(exc)
        return result
    manifest.store_download(KOMMUNER, got, SOURCE)
    result.fetched += 1
    result.detail = _("{count} kommuner").format(count=frame.height)
    return result


def load(raw_dir: Path) -> pl.DataFrame:
    path = raw_dir / KOMMUNER
    return parse(path.read_bytes(), str(path)) if path.exists() else pl.DataFrame(schema=SCHEMA)
