"""Choropleth map geometry: GeoJSON polygons → SVG paths, for the templates to draw.

A simple equirectangular projection scaled by cos(latitude) is enough at the scale of a län. Classes
are equal-interval on a sequential, colour-blind-safe blue scale, over the values as printed, so that the
legend's ranges never share an end point; every kommun is also labelled with its value (on the map, or by a
number and the key under it), so no reading depends on colour alone. A label stands inside its own kommun,
clear of its border and of every other label, or the kommun gets a number instead.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lagesbild_cli.context import formatting
from lagesbild_cli.context.textbox import Box, label_box, text_width
from lagesbild_cli.settings.collation import swedish_key

PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08519c")  # ColorBrewer Blues, colour-blind safe;
# the fourth class is Blues-7's darker step, so that white labels on it reach 4.5:1
TEXT_ON = ("#1a1a1a", "#1a1a1a", "#1a1a1a", "#ffffff", "#ffffff")


FONT = 12.0  # labels, key and legend, in SVG units: at least 8 pt where the map is printed two-thirds wide
LINE = 1.3 * FONT
HALO = 3.0  # a label's outline in its kommun's own fill: the white borders never cut through its letters
MARGIN = 1.6  # a label keeps this far from its kommun's border (the highlighted kommun's outline is 2.4 wide)
MARKER_R = 0.8 * FONT  # a numbered marker's circle
MISSING_FILL = "#f0f0f0"


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    path: str
    fill: str
    text_colour: str
    label_x: float  # the name's and value's centre, or the numbered marker's
    label_y: float
    value_label: str
    highlight: bool
    labelled: bool  # name and value fit inside the kommun: drawn there; else a number, listed in the key
    number: int | None = None
    one_line: bool = False  # name and value side by side (a wide, low kommun)
    leader: tuple[float, float] | None = None  # the numbered marker stands beside the kommun: a line to here

    @property
    def name_y(self) -> float:
        return round(self.label_y - 0.1 * FONT, 1)

    @property
    def value_y(self) -> float:
        return round(self.label_y + 0.95 * FONT, 1)

    @property
    def line_y(self) -> float:
        """The baseline of a one-line label centred on the label's point."""
        return round(self.label_y + 0.26 * FONT, 1)


@dataclass(frozen=True)
class KeyItem:
    number: int
    text: str  # "Gagnef 4 526"
    x: float
    y: float
    highlight: bool


@dataclass(frozen=True)
class LegendItem:
    fill: str
    label: str
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class Choropleth:
    id: str
    title: str
    description: str
    width: int
    height: int
    areas: tuple[Area, ...]
    legend: tuple[LegendItem, ...]
    key: tuple[KeyItem, ...] = ()
    legend_title: str = ""
    legend_title_y: float = 0.0
    font_size: float = FONT
    halo: float = HALO
    marker_r: float = MARKER_R


def _rings(geometry: dict[str, Any]) -> Iterator[list[list[float]]]:
    """The outer and inner rings of a Polygon or MultiPolygon."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        yield from polygon


def classes(values: Sequence[float], n: int, decimals: int = 0) -> tuple[tuple[float, float], ...]:
    """``n`` equal-interval classes over the values as printed (rounded to ``decimals``), as (first, last)
    printed value of each: "4 214–5 861", "5 862–7 509": no two classes share an end point."""
    unit = 10.0**-decimals
    printed = [round(v / unit) * unit for v in values]
    low, high = (min(printed), max(printed)) if printed else (0.0, 1.0)
    step = (high - low) / n or unit
    bounds = [low + i * step for i in range(n)] + [high + unit]
    starts = [math.ceil(b / unit - 1e-9) * unit for b in bounds]
    return tuple((starts[i], max(starts[i], starts[i + 1] - unit)) for i in range(n))


def class_of(value: float, bands: Sequence[tuple[float, float]], decimals: int = 0) -> int:
    unit = 10.0**-decimals
    printed = round(value / unit) * unit
    for index, (_, last) in enumerate(bands):
        if printed <= last + unit / 2:
            return index
    return len(bands) - 1


def choropleth(
    chart_id: str,
    title: str,
    features: Sequence[tuple[str, str, str]],
    values: dict[str, float | None],
    highlight: str,
    *,
    width: int = 440,
    height: int = 650,  # the drawing's most height; the key and legend come below it
    unit: str = "per 100 000",
    decimals: int = 0,
) -> Choropleth:
    """``features``: (kommun code, name, GeoJSON geometry as text). Each kommun's name and value stand at
    the point inside it farthest from its border when they fit there without touching it; a kommun too small
    for them gets a number there instead, and the key under the map lists the numbers with names and values."""
    shapes = [(code, name, json.loads(geometry)) for code, name, geometry in features]
    points = [p for _, _, g in shapes for ring in _rings(g) for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    lat0 = math.radians((min(lats) + max(lats)) / 2)
    xs = [lon * math.cos(lat0) for lon in lons]
    span_x, span_y = max(xs) - min(xs), max(lats) - min(lats)
    scale = min((width - 20) / span_x, (height - 90) / span_y)
    width = max(round(span_x * scale + 20), 440)  # fit the drawing to the län's shape
    map_bottom = span_y * scale + 20
    x0, y1 = min(xs), max(lats)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(10 + (lon * math.cos(lat0) - x0) * scale, 1), round(10 + (y1 - lat) * scale, 1)

    known = [v for v in values.values() if v is not None]
    bands = classes(known, len(PALETTE), decimals)
    placed: list[Box] = []
    areas: list[Area] = []
    order = sorted(shapes, key=lambda s: (s[0] != highlight, s[1]))  # the report's own kommun first
    for code, name, geometry in order:
        rings = list(_projected_rings(geometry, project))
        path = "".join("M" + "L".join(f"{x},{y}" for x, y in ring) + "Z" for ring in rings)
        value = values.get(code)
        index = class_of(value, bands, decimals) if value is not None else None
        value_label = formatting.number(value, decimals) if value is not None else "–"
        candidates = _candidates(rings)
        bold = code == highlight
        spot, one_line = None, False
        for lines in (2, 1):  # name over value; else both on one line; else a number
            spot = next(
                (p for p in candidates if _fits(_block(p, name, value_label, bold, lines), rings, placed)), None
            )
            if spot is not None:
                placed.append(_block(spot, name, value_label, bold, lines))
                one_line = lines == 1
                break
        anchor = None
        if spot is not None:
            labelled = True
        else:
            # the number's own centre (its box sits a tenth of the font below the circle's) inside the kommun too
            within = [p for p in candidates if inside((p[0], p[1] + 0.1 * FONT), rings)] or candidates
            markers = [p for p in within if not any(_marker(p).overlaps(b, 1.0) for b in placed)]
            if markers:
                spot = markers[0]
            else:  # no room for the number inside: beside the kommun, with a leader line to it
                anchor = within[0]
                spot = _beside(anchor, placed, width, map_bottom)
            placed.append(_marker(spot))
            labelled = False
        areas.append(
            Area(
                code=code,
                name=name,
                path=path,
                fill=PALETTE[index] if index is not None else MISSING_FILL,
                text_colour=TEXT_ON[index] if index is not None else "#1a1a1a",
                label_x=round(spot[0], 1),
                label_y=round(spot[1], 1),
                value_label=value_label,
                highlight=code == highlight,
                labelled=labelled,
                one_line=one_line,
                leader=(round(anchor[0], 1), round(anchor[1], 1)) if anchor is not None else None,
            )
        )
    numbered = sorted((a for a in areas if not a.labelled), key=lambda a: swedish_key(a.name))
    numbers = {a.code: n for n, a in enumerate(numbered, start=1)}
    areas = [replace(a, number=numbers.get(a.code)) for a in sorted(areas, key=lambda a: swedish_key(a.name))]
    key, y = _key(numbered, width, map_bottom + 6)
    y += 6 if key else 0
    legend_title = f"Antal anmälda brott {unit} invånare, lika breda klasser"
    legend, bottom = _legend(bands, decimals, width, y + LINE)
    shown = ", ".join(f"{a.name} {a.value_label}" for a in areas)
    return Choropleth(
        id=chart_id,
        title=title,
        description=f"Karta: {title} ({unit}). {shown}.",
        width=width,
        height=round(bottom + 8),
        areas=tuple(areas),
        legend=legend,
        key=key,
        legend_title=legend_title,
        legend_title_y=round(y + 0.9 * FONT, 1),
    )


def _key(numbered: Sequence[Area], width: int, top: float) -> tuple[tuple[KeyItem, ...], float]:
    """The numbered kommuner under the map in as many columns as fit; returns the items and the y below."""
    if not numbered:
        return (), top
    texts = [f"{a.name} {a.value_label}" for a in numbered]
    column = max(text_width(f"{len(numbered)}  {t}", FONT, bold=True) for t in texts) + 2 * MARKER_R + 14
    columns = max(1, min(len(numbered), int((width - 20) // column)))
    rows = math.ceil(len(numbered) / columns)
    items = tuple(
        KeyItem(
            number=n + 1,
            text=text,
            x=round(10 + (n // rows) * column, 1),
            y=round(top + MARKER_R + (n % rows) * (2 * MARKER_R + 3), 1),
            highlight=area.highlight,
        )
        for n, (area, text) in enumerate(zip(numbered, texts, strict=True))
    )
    return items, top + rows * (2 * MARKER_R + 3)


def _legend(
    bands: Sequence[tuple[float, float]], decimals: int, width: int, top: float
) -> tuple[tuple[LegendItem, ...], float]:
    """The classes, left to right, on as many rows as the width needs; returns them and the y below."""
    items, x, y = [], 10.0, top + 0.4 * FONT
    for fill, (first, last) in zip(PALETTE, bands, strict=True):
        label = f"{formatting.number(first, decimals)}–{formatting.number(last, decimals)}"
        size = 20 + text_width(label, FONT) + 14
        if x + size > width - 10 and x > 10:
            x, y = 10.0, y + LINE + 2
        items.append(LegendItem(fill, label, round(x, 1), round(y, 1)))
        x += size
    return tuple(items), y + LINE


def _beside(anchor: tuple[float, float], placed: Sequence[Box], width: float, bottom: float) -> tuple[float, float]:
    """A free spot for a numbered marker near ``anchor``, on rings ever farther out; the anchor if none."""
    for distance in (2.4, 3.4, 4.6, 6.0, 8.0):
        for step in range(16):
            angle = math.pi * 2 * step / 16
            x = anchor[0] + distance * MARKER_R * math.cos(angle)
            y = anchor[1] + distance * MARKER_R * math.sin(angle)
            if not (MARKER_R < x < width - MARKER_R and MARKER_R < y < bottom - MARKER_R):
                continue
            if not any(_marker((x, y)).overlaps(b, 1.0) for b in placed):
                return x, y
    return anchor


def _block(spot: tuple[float, float], name: str, value: str, bold: bool, lines: int = 2) -> Box:
    """The box a kommun's name and value cover around ``spot`` (on two lines or one), with the margin to its
    border."""
    x, y = spot
    if lines == 1:
        one = label_box(x, y + 0.26 * FONT, f"{name} {value}", FONT, anchor="middle", bold=bold)
        return Box(one.x0 - MARGIN, one.y0 - MARGIN, one.x1 + MARGIN, one.y1 + MARGIN)
    upper = label_box(x, y - 0.1 * FONT, name, FONT, anchor="middle", bold=bold)
    lower = label_box(x, y + 0.95 * FONT, value, FONT, anchor="middle")
    return Box(min(upper.x0, lower.x0) - MARGIN, upper.y0 - MARGIN, max(upper.x1, lower.x1) + MARGIN, lower.y1 + MARGIN)


def _marker(spot: tuple[float, float]) -> Box:
    x, y = spot
    return Box(x - MARKER_R, y - MARKER_R, x + MARKER_R, y + MARKER_R)


def _segments(rings: Sequence[Sequence[tuple[float, float]]]) -> Iterator[tuple[tuple[float, float], ...]]:
    for ring in rings:
        yield from zip(ring, [*ring[1:], ring[0]], strict=True)


def inside(point: tuple[float, float], rings: Sequence[Sequence[tuple[float, float]]]) -> bool:
    """Even-odd rule over every ring: holes and separate parts are right."""
    x, y = point
    hit = False
    for (ax, ay), (bx, by) in _segments(rings):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            hit = not hit
    return hit


def _distance(point: tuple[float, float], rings: Sequence[Sequence[tuple[float, float]]]) -> float:
    x, y = point
    best = math.inf
    for (ax, ay), (bx, by) in _segments(rings):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy or 1.0)))
        best = min(best, math.hypot(x - ax - t * dx, y - ay - t * dy))
    return best


def _candidates(rings: Sequence[Sequence[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Points inside the kommun, the farthest from its border first (the first is close to its pole of
    inaccessibility); the area centroid when no grid point falls inside (a sliver)."""
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    step = max(1.5, min(max(xs) - min(xs), max(ys) - min(ys)) / 14)
    grid = [
        (min(xs) + step * (i + 0.5), min(ys) + step * (j + 0.5))
        for i in range(math.ceil((max(xs) - min(xs)) / step))
        for j in range(math.ceil((max(ys) - min(ys)) / step))
    ]
    found = sorted(((_distance(p, rings), p) for p in grid if inside(p, rings)), reverse=True)
    return [p for _, p in found] or [_centroid(max(rings, key=_area))]


def _fits(box: Box, rings: Sequence[Sequence[tuple[float, float]]], placed: Sequence[Box]) -> bool:
    corners = ((box.x0, box.y0), (box.x1, box.y0), (box.x0, box.y1), (box.x1, box.y1))
    return (
        all(inside(c, rings) for c in corners)
        and not any(box.crosses(a, b) for a, b in _segments(rings))
        and not any(box.overlaps(other) for other in placed)
    )


def _projected_rings(geometry: dict[str, Any], project: Any) -> Iterator[list[tuple[float, float]]]:
    for ring in _rings(geometry):
        yield [project(lon, lat) for lon, lat in ring]


def _area(ring: Sequence[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], *ring[:1]], strict=True))) / 2


def _centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The area centroid of a polygon ring (falls back to the mean of its points)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], *ring[:1]], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-9:
        return sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring)
    return round(cx / (3 * a), 1), round(cy / (3 * a), 1)
