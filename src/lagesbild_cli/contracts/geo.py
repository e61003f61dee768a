"""Kommun boundaries (GeoJSON): read by the pipeline's parser; one feature for each of the 290 kommuner, with
coordinates in WGS84 longitude/latitude inside Sweden."""

from __future__ import annotations

import json
from typing import Any

from lagesbild_cli.contracts.base import Changed, Context, Findings, json_answer, listed, origin
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.kommuner import all_kommuner
from lagesbild_cli.sources import geo

LON, LAT = (10.0, 25.0), (55.0, 69.5)


def _first_point(coordinates: Any) -> tuple[float, float] | None:
    while isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    if isinstance(coordinates, list) and len(coordinates) >= 2 and all(isinstance(c, int | float) for c in coordinates):
        return float(coordinates[0]), float(coordinates[1])
    return None


def check(ctx: Context, found: Findings) -> None:
    with found.part(_("boundaries")):
        got = ctx.probe.get("kommuner", ctx.config.geo.url, what=_("kommun boundaries (GeoJSON)"))
        json_answer(got)
        frame = geo.parse(got.content, origin(got))  # a FeatureCollection of kommun polygons with codes
        names = {k.kod: k.namn for k in all_kommuner()}
        missing = set(names) - set(frame["kommun_kod"])
        found.expect(
            not missing,
            _("{count} of 290 kommuner are missing ({kommuner})").format(
                count=len(missing), kommuner=listed(missing, names)
            ),
        )
        outside = []
        for code, geometry in frame.select("kommun_kod", "geometri").iter_rows():
            point = _first_point(json.loads(geometry).get("coordinates"))
            if point is None or not (LON[0] <= point[0] <= LON[1] and LAT[0] <= point[1] <= LAT[1]):
                outside.append(code)
        if outside:
            raise Changed(
                _(
                    "{count} kommuner have coordinates outside Sweden's longitude/latitude ({kommuner}); "
                    "is the file in another projection than WGS84?"
                ).format(count=len(outside), kommuner=listed(outside, names))
            )
        found.notes.append(_("{count} kommuner").format(count=frame.height))
