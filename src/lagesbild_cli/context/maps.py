"""Choropleth map geometry: GeoJSON polygons → SVG paths, for the templates to draw.

A simple equirectangular projection scaled by cos(latitude) is enough at the scale of a län. Classes
are equal-interval on a sequential, colour-blind-safe blue scale; every kommun is also labelled with
its value, so no reading depends on colour alone.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lagesbild_cli.context import formatting

PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08519c")  # ColorBrewer Blues, colour-blind safe;
# the fourth class is Blues-7's darker step, so that white labels on it reach 4.5:1
TEXT_ON = ("#1a1a1a", "#1a1a1a", "#1a1a1a", "#ffffff", "#ffffff")


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    path: str
    fill: str
    text_colour: str
    label_x: float
    label_y: float
    value_label: str
    highlight: bool
    labelled: bool  # too small kommuner are not labelled on the map; the table beside it has every value


@dataclass(frozen=True)
class LegendItem:
    fill: str
    label: str


@dataclass(frozen=True)
class Choropleth:
    id: str
    title: str
    description: str
    width: int
    height: int
    areas: tuple[Area, ...]
    legend: tuple[LegendItem, ...]


def _rings(geometry: dict[str, Any]) -> Iterator[list[list[float]]]:
    """The outer and inner rings of a Polygon or MultiPolygon."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        yield from polygon


def choropleth(
    chart_id: str,
    title: str,
    features: Sequence[tuple[str, str, str]],
    values: dict[str, float | None],
    highlight: str,
    *,
    width: int = 440,
    height: int = 460,
    unit: str = "per 100 000",
) -> Choropleth:
    """``features``: (kommun code, name, GeoJSON geometry as text)."""
    shapes = [(code, name, json.loads(geometry)) for code, name, geometry in features]
    points = [p for _, _, g in shapes for ring in _rings(g) for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    lat0 = math.radians((min(lats) + max(lats)) / 2)
    xs = [lon * math.cos(lat0) for lon in lons]
    span_x, span_y = max(xs) - min(xs), max(lats) - min(lats)
    legend_h = 70
    scale = min((width - 20) / span_x, (height - legend_h - 20) / span_y)
    width = round(span_x * scale + 20)  # fit the drawing to the län's shape
    width = max(width, 440)
    x0, y1 = min(xs), max(lats)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(10 + (lon * math.cos(lat0) - x0) * scale, 1), round(10 + (y1 - lat) * scale, 1)

    known = [v for v in values.values() if v is not None]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    step = (high - low) / len(PALETTE) or 1.0

    def klass(value: float) -> int:
        return min(int((value - low) / step), len(PALETTE) - 1)

    areas = []
    for code, name, geometry in shapes:
        rings = list(_projected_rings(geometry, project))
        ring_points = [p for ring in rings for p in ring]
        path = "".join("M" + "L".join(f"{x},{y}" for x, y in ring) + "Z" for ring in rings)
        value = values.get(code)
        index = klass(value) if value is not None else None
        cx, cy = _centroid(max(rings, key=_area))
        xs_, ys_ = [x for x, _ in ring_points], [y for _, y in ring_points]
        big_enough = max(xs_) - min(xs_) > 42 and max(ys_) - min(ys_) > 24
        areas.append(
            Area(
                code=code,
                name=name,
                path=path,
                fill=PALETTE[index] if index is not None else "#f0f0f0",
                text_colour=TEXT_ON[index] if index is not None else "#1a1a1a",
                label_x=cx,
                label_y=cy,
                value_label=formatting.number(value) if value is not None else "–",
                highlight=code == highlight,
                labelled=big_enough or code == highlight,
            )
        )
    legend = tuple(
        LegendItem(PALETTE[i], f"{formatting.number(low + i * step)}–{formatting.number(low + (i + 1) * step)}")
        for i in range(len(PALETTE))
    )
    shown = ", ".join(f"{a.name} {a.value_label}" for a in sorted(areas, key=lambda a: a.name))
    return Choropleth(
        id=chart_id,
        title=title,
        description=f"Karta: {title} ({unit}). {shown}.",
        width=width,
        height=height,
        areas=tuple(areas),
        legend=legend,
    )


def _projected_rings(geometry: dict[str, Any], project: Any) -> Iterator[list[tuple[float, float]]]:
    for ring in _rings(geometry):
        yield [project(lon, lat) for lon, lat in ring]


def _area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def _centroid(ring: list[tuple[float, float]]) -> tuple[float, float]:
    """The area centroid of a polygon ring (falls back to the mean of its points)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-9:
        return sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring)
    return round(cx / (3 * a), 1), round(cy / (3 * a), 1)
