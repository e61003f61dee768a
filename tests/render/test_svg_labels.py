"""No label in a chart or map collides: every text box of every SVG the report draws is measured, and the test
fails on two labels overlapping, a label crossed by a chart's line or a definition break's rule, and a map label
whose centre lies outside its own kommun (a number beside a small kommun: its leader line must start inside it).

A label's box is measured with the typeface the charts name, DejaVu Sans, read by fontTools from the system's
font file (the advance width of every character at the label's font size; height from 0,76 em above the
baseline to 0,24 em below). Where the font file is missing the test uses 0,62 em a character, DejaVu Sans's
widest average for labels (digits and lower-case letters).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import combinations, pairwise
from pathlib import Path

import pytest

from conftest import REPO, Demo
from lagesbild_cli import batch
from lagesbild_cli.context import maps
from lagesbild_cli.render import report
from lagesbild_cli.settings.config import Config
from lagesbild_cli.settings.kommuner import find_lan, lan_by_code

SVG = "{http://www.w3.org/2000/svg}"
TOLERANCE = 0.5  # SVG units two boxes may share (anti-aliasing, rounding)
Point = tuple[float, float]


@cache
def advance_widths(bold: bool) -> dict[int, float] | None:
    """Advance widths in em by code point, from DejaVu Sans's font file (None when the system lacks it)."""
    if shutil.which("fc-match") is None:
        return None
    style = "DejaVu Sans:bold" if bold else "DejaVu Sans"
    path = subprocess.run(["fc-match", "-f", "%{file}", style], capture_output=True, text=True).stdout.strip()
    if not path.endswith(".ttf") or "DejaVuSans" not in path:
        return None
    from fontTools.ttLib import TTFont

    with TTFont(path) as font:
        units = font["head"].unitsPerEm
        metrics = font["hmtx"]
        return {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}


def width_of(text: str, size: float, bold: bool) -> float:
    widths = advance_widths(bold)
    if widths is None:
        return 0.62 * size * len(text)
    return sum(widths.get(ord(ch), 1.0) for ch in text) * size


@dataclass(frozen=True)
class Label:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    area: str | None  # the map's kommun code

    def overlaps(self, other: Label) -> bool:
        return (
            self.x0 + TOLERANCE < other.x1
            and other.x0 + TOLERANCE < self.x1
            and self.y0 + TOLERANCE < other.y1
            and other.y0 + TOLERANCE < self.y1
        )

    def crossed_by(self, a: Point, b: Point) -> bool:
        """Liang–Barsky: does the segment a–b pass through the box (shrunk by the tolerance)?"""
        x0, y0, x1, y1 = self.x0 + TOLERANCE, self.y0 + TOLERANCE, self.x1 - TOLERANCE, self.y1 - TOLERANCE
        (ax, ay), (bx, by) = a, b
        dx, dy = bx - ax, by - ay
        low, high = 0.0, 1.0
        for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            low, high = (max(low, t), high) if p < 0 else (low, min(high, t))
            if low > high:
                return False
        return True

    @property
    def centre(self) -> Point:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


def labels(svg: ET.Element) -> list[Label]:
    """Every visible text's box (a halo, the same text drawn under it, is part of its label)."""
    found = []
    size0 = float(svg.get("font-size", "10"))

    def walk(element: ET.Element, inherited: dict[str, str]) -> None:
        if element.get("class") == "halo":
            return
        style = {**inherited, **{k: v for k, v in element.attrib.items() if k in ("font-size", "font-weight")}}
        if element.tag == f"{SVG}text":
            text = "".join(element.itertext())
            size = float(style.get("font-size", size0))
            width = width_of(text, size, style.get("font-weight") == "bold")
            x, y = float(element.get("x", "0")), float(element.get("y", "0"))
            anchor = element.get("text-anchor", "start")
            left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
            found.append(Label(text, left, y - 0.76 * size, left + width, y + 0.24 * size, element.get("data-area")))
        for child in element:
            walk(child, style)

    walk(svg, {})
    return found


def polyline(d: str) -> list[list[Point]]:
    """The runs of an SVG path made of M, L and Z commands."""
    runs: list[list[Point]] = []
    for command, x, y in re.findall(r"([MLZ]?)\s*(-?[\d.]+)[ ,](-?[\d.]+)", d):
        if command == "M" or not runs:
            runs.append([])
        runs[-1].append((float(x), float(y)))
    return runs


def segments(runs: list[list[Point]], closed: bool = False) -> Iterator[tuple[Point, Point]]:
    for run in runs:
        ring = [*run, run[0]] if closed else run
        yield from pairwise(ring)


def inside(point: Point, rings: list[list[Point]]) -> bool:
    x, y = point
    hit = False
    for (ax, ay), (bx, by) in segments(rings, closed=True):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            hit = not hit
    return hit


def problems(svg_text: str) -> list[str]:
    """Every collision in one SVG, described."""
    svg = ET.fromstring(svg_text)
    title = "".join(svg.find(f"{SVG}desc").itertext()) if svg.find(f"{SVG}desc") is not None else "?"
    found = labels(svg)
    out = [f"{title}: '{a.text}' overlaps '{b.text}'" for a, b in combinations(found, 2) if a.overlaps(b)]
    areas = {p.get("data-area"): polyline(p.get("d", "")) for p in svg.iter(f"{SVG}path") if p.get("data-area")}
    if areas:  # a map: each label stands in its own kommun
        out += [
            f"{title}: the label '{label.text}' stands outside its kommun {label.area}"
            for label in found
            if label.area and not inside(label.centre, areas[label.area])
        ]
        out += [  # a number beside a kommun too small for it: its leader line starts inside the kommun
            f"{title}: a leader line starts outside its kommun {line.get('data-area')}"
            for line in svg.iter(f"{SVG}line")
            if line.get("class") == "leader"
            and not inside((float(line.get("x1", 0)), float(line.get("y1", 0))), areas[line.get("data-area", "")])
        ]
        return out
    lines = [polyline(p.get("d", "")) for p in svg.iter(f"{SVG}path") if p.get("fill") == "none"]
    lines += [
        [[(float(r.get("x1", 0)), float(r.get("y1", 0))), (float(r.get("x2", 0)), float(r.get("y2", 0)))]]
        for r in svg.iter(f"{SVG}line")
        if r.get("stroke") == "#A02B74"  # a definition break's or preliminary figures' rule
    ]
    for label in found:
        for runs in lines:
            if any(label.crossed_by(a, b) for a, b in segments(runs)):
                out.append(f"{title}: a line crosses the label '{label.text}'")
                break
    return out


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)


def test_the_checker_finds_an_overlap_a_crossing_and_a_label_outside_its_kommun() -> None:
    """The test's own measure: what it must catch, it catches."""
    head = f'<svg xmlns="{SVG[1:-1]}" font-size="10"><desc>t</desc>'
    assert problems(head + '<text x="0" y="10">Gagnef 12</text><text x="30" y="12">Länet 40</text></svg>')
    assert problems(head + '<path d="M0,5 L100,5" fill="none"/><text x="10" y="10">Riket 30</text></svg>')
    square = '<path data-area="1" d="M0,0L20,0L20,20L0,20Z"/>'
    assert problems(head + square + '<text x="60" y="10" data-area="1" text-anchor="middle">A</text></svg>')
    assert not problems(head + square + '<text x="10" y="14" data-area="1" text-anchor="middle">A</text></svg>')


def test_no_label_collides_in_any_chart_or_map_of_the_demo_report(built: Demo) -> None:
    drawn = svgs(built.html)
    assert len(drawn) > 20 and any("data-area" in s for s in drawn) and any("A02B74" in s for s in drawn)
    found = [p for s in drawn for p in problems(s)]
    assert found == [], "\n".join(found)


def map_of(lan_kod: str, highlight: str = "") -> str:
    """The län's map drawn as the reports draw it, with every kommun's value made up (the map's layout does
    not depend on where the values come from)."""
    data = resources.files("lagesbild_cli").joinpath("data/demo/geo/okfse_swedish_municipalities.geojson")
    features = [
        (f["properties"]["id"], f["properties"]["kom_namn"], json.dumps(f["geometry"]))
        for f in json.loads(data.read_text(encoding="utf-8"))["features"]
        if f["properties"]["lan_code"] == lan_kod
    ]
    values = {code: 3000.0 + 397.0 * n for n, (code, _, _) in enumerate(features)}
    chart = maps.choropleth("map", f"Län {lan_kod}", features, values, highlight)
    env = report.environment(REPO / "templates")
    return env.from_string('{% from "_map.svg.j2" import choropleth %}{{ choropleth(m) }}').render(m=chart)


@pytest.mark.parametrize("lan", sorted(lan_by_code()))
def test_no_label_collides_on_any_lans_map(lan: str) -> None:
    """Every län's map, Skåne's 33 kommuner and Stockholm's small ones among them, as `build --lan` draws it."""
    assert problems(map_of(lan)) == []


def test_the_legend_ranges_share_no_end_point() -> None:
    assert maps.classes([4214, 12454, 7000], 5) == (
        (4214, 5861),
        (5862, 7509),
        (7510, 9157),
        (9158, 10805),
        (10806, 12454),
    )
    svg = map_of("20", highlight="2026")
    legend = re.findall(r"<text [^>]*>([\d\s]+–[\d\s]+)</text>", svg)
    assert len(legend) == 5
    ends = [tuple(int(part.replace("\u00a0", "").replace(" ", "")) for part in item.split("–")) for item in legend]
    assert all(low <= high for low, high in ends)
    assert all(ends[i][1] < ends[i + 1][0] for i in range(4))


def test_the_lan_overviews_map_has_no_collision(loaded_config: Config) -> None:
    page = batch.lan_overview(loaded_config, find_lan("20"), 2024, None, preview=True)
    assert page is not None
    drawn = svgs(Path(page).read_text(encoding="utf-8"))
    assert drawn and [p for s in drawn for p in problems(s)] == []
