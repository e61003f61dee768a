"""SVG chart geometry (scales, ticks, paths) for the templates, which only draw what is here.

Colours follow Okabe–Ito's roles and each geography keeps its colour in every chart: kommun blue, län
orange, riket grey, in shades that reach 4.5:1 against white (WCAG 2.1 AA for text, and so 3:1 for the lines
and dots). The y axis of counts and rates always starts at zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from lagesbild_cli.context import formatting
from lagesbild_cli.context.textbox import Box, text_width
from lagesbild_cli.rules.breaks import all_breaks

COLOURS = {"kommun": "#0072B2", "lan": "#B35900", "riket": "#6B6B6B"}
DASHES = {"kommun": "", "lan": "6 3", "riket": "2 3"}  # never colour alone
# the kommun's colour and its darker shade, the kommun's graphic profile's while a report's context is built
_KOMMUN_COLOURS: ContextVar[tuple[str, str]] = ContextVar("kommun_colours", default=(COLOURS["kommun"], "#0b3d62"))


@contextmanager
def kommun_colours(line: str, dark: str) -> Iterator[None]:
    """Charts made inside draw the kommun in ``line`` (and a whole-kommun dot in ``dark``) instead of the
    neutral blue: both from the kommun's profile, already contrast-safe (:mod:`context.profile`)."""
    token = _KOMMUN_COLOURS.set((line, dark))
    try:
        yield
    finally:
        _KOMMUN_COLOURS.reset(token)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    year: int


@dataclass(frozen=True)
class Line:
    name: str
    level: str
    colour: str
    dash: str
    path: str
    points: tuple[Point, ...]
    end_label_y: float


@dataclass(frozen=True)
class Mark:
    """A vertical marker on a line chart: a definition break or preliminary figures from ``year``."""

    year: int
    label: str
    x: float = 0.0
    breaks_line: bool = False  # a definition break: the line is not drawn from the year before to this one
    label_x: float = 0.0  # where the label stands: in the band above the plot, clear of every line
    label_y: float = 0.0
    anchor: str = "start"


@dataclass(frozen=True)
class Frame:
    """What every chart has: its id, title and text alternative, its size and the margins around the plot."""

    id: str
    title: str
    description: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int


@dataclass(frozen=True)
class LineChart(Frame):
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...]
    marks: tuple[Mark, ...] = ()
    years: tuple[int, ...] = ()

    def value_rows(self) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """Every year's value label per line ("–" where a line has none): the chart as a table."""
        by_line = [{p.year: p.label for p in line.points} for line in self.lines]
        return tuple((year, tuple(values.get(year, "–") for values in by_line)) for year in self.years)


@dataclass(frozen=True)
class SeriesData:
    name: str
    level: str  # kommun, lan or riket: decides colour and dash
    values: dict[int, float | None]


def nice_ceiling(value: float) -> tuple[float, float]:
    """A round axis maximum ≥ value and its tick step (1, 2, 2.5 or 5 × 10ⁿ, four to six ticks)."""
    if value <= 0:
        return 1.0, 0.25
    magnitude = 10 ** math.floor(math.log10(value))
    for step_factor in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        step = step_factor * magnitude
        top = math.ceil(value / step) * step
        if top / step <= 6:
            return top, step
    return math.ceil(value / magnitude) * magnitude, magnitude


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[SeriesData],
    years: Sequence[int],
    *,
    decimals: int = 0,
    width: int = 360,
    height: int = 190,
    marks: Sequence[Mark] = (),
) -> LineChart:
    # margins for 13-unit text: a chart printed at half the page's width (about 0.63 pt a unit) keeps its
    # text at 8 pt or more
    left, right, top, bottom = 54, 118, 12, 26  # the years' labels stand 18 below the axis, clear of its 0
    # the direct labels at the line ends ("Gagnef 4 526") fit in the right margin: about 0.6 em a character in
    # the widest fallback font
    ends = [
        f"{s.name} {formatting.number(last, decimals)}"
        for s in series
        if (last := next((s.values[y] for y in reversed(years) if s.values.get(y) is not None), None)) is not None
    ]
    right = max(right, 12 + math.ceil(7.8 * max((len(e) for e in ends), default=0)))
    plot_w = width - left - right

    def x_of(year: int) -> float:
        if len(years) == 1:
            return left + plot_w / 2
        return round(left + plot_w * (year - years[0]) / (years[-1] - years[0]), 1)

    shown_marks = [m for m in marks if years and years[0] <= m.year <= years[-1]]
    placed_marks, band = _mark_labels(shown_marks, x_of, left, width - right, top)
    top += band  # the marks' labels stand above the plot, where no line runs
    height += band
    plot_h = height - top - bottom
    values = [v for s in series for v in s.values.values() if v is not None]
    y_max, step = nice_ceiling(max(values, default=0.0))

    def y_of(value: float) -> float:
        return round(top + plot_h * (1 - value / y_max), 1)

    n_ticks = round(y_max / step)
    y_ticks = tuple(
        Tick(y_of(i * step), formatting.number(i * step, 0 if step >= 1 else 1)) for i in range(n_ticks + 1)
    )
    # more than six years: every other year, counted back from the last, so that labels never overlap
    shown = years if len(years) <= 6 else [y for i, y in enumerate(years) if (len(years) - 1 - i) % 2 == 0]
    x_ticks = tuple(Tick(x_of(y), str(y)) for y in shown)
    lines = []
    for s in series:
        points = tuple(
            Point(x_of(y), y_of(v), formatting.number(v, decimals), y)
            for y in years
            if (v := s.values.get(y)) is not None
        )
        if not points:
            continue
        # a gap in the data or a definition break breaks the line: M starts a new segment
        segments, previous = [], None
        breaks = {m.year for m in marks if m.breaks_line}
        for year in years:
            value = s.values.get(year)
            if value is None or year in breaks:
                previous = None
            if value is None:
                continue
            segments.append(f"{'L' if previous is not None else 'M'}{x_of(year)},{y_of(value)}")
            previous = year
        lines.append(
            Line(
                name=s.name,
                level=s.level,
                colour=_KOMMUN_COLOURS.get()[0] if s.level == "kommun" else COLOURS[s.level],
                dash=DASHES[s.level],
                path=" ".join(segments),
                points=points,
                end_label_y=min(points[-1].y, height - bottom - 4),  # above the years' labels at 0
            )
        )
    return LineChart(
        id=chart_id,
        title=title,
        description=description,
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        lines=tuple(_spread_labels(lines, floor=height - bottom - 4)),
        years=tuple(years),
        marks=tuple(placed_marks),
    )


MARK_FONT = 13.0  # the chart's own font size
MARK_ROW = 16.0


def _mark_labels(
    marks: Sequence[Mark], x_of: Callable[[int], float], plot_left: float, plot_right: float, base_top: float = 12
) -> tuple[list[Mark], int]:
    """Each mark at its year, its label in a band above the plot beside the mark's rule (to the right, or to the
    left when it would run past the plot), a row lower when it would touch another label; returns the marks and
    the band's height (0 without labels)."""
    rows: list[list[Box]] = []
    placed: list[tuple[Mark, int]] = []
    for m in marks:
        x = x_of(m.year)
        if not m.label:
            placed.append((replace(m, x=x), -1))
            continue
        width = text_width(m.label, MARK_FONT)
        left, anchor = (x + 3, "start") if x + 3 + width <= plot_right else (x - 3, "end")
        start = left if anchor == "start" else left - width
        if start < plot_left:  # wider than the room on either side: as far left as the plot allows
            left, anchor, start = plot_left, "start", plot_left
        box = Box(start, 0, start + width, 1)
        row = next((i for i, taken in enumerate(rows) if not any(box.overlaps(b, 4.0) for b in taken)), len(rows))
        if row == len(rows):
            rows.append([])
        rows[row].append(box)
        placed.append((replace(m, x=x, label_x=round(left, 1), anchor=anchor), row))
    band = round(len(rows) * MARK_ROW + 2) if rows else 0
    top = base_top + band  # the plot's top once the band is added
    return [
        replace(m, label_y=round(top - 5 - (len(rows) - 1 - row) * MARK_ROW, 1)) if row >= 0 else m for m, row in placed
    ], band


def _spread_labels(lines: list[Line], gap: float = 15.0, floor: float = math.inf) -> list[Line]:
    """Move the direct labels at the line ends apart so that they never overlap, and none lower than ``floor``
    (the years' labels below the axis): pushed down first, then back up from the floor where needed."""
    order = sorted(range(len(lines)), key=lambda i: lines[i].end_label_y)
    placed: dict[int, float] = {}
    last = -math.inf
    for i in order:
        y = max(lines[i].end_label_y, last + gap)
        placed[i] = y
        last = y
    upper = floor
    for i in reversed(order):
        placed[i] = min(placed[i], upper)
        upper = placed[i] - gap
    return [Line(**{**line.__dict__, "end_label_y": placed[i]}) for i, line in enumerate(lines)]


GEOGRAPHY_LABELS = {"lan": "Länet", "riket": "Riket"}  # short direct labels at the line ends


def geography_chart(
    chart_id: str,
    title: str,
    subject: str,
    data: dict[str, dict[int, float | None]],
    years: Sequence[int],
    kommun_namn: str,
    lan_namn: str,
    *,
    decimals: int = 0,
    marks: Sequence[Mark] = (),
    per: str = "100 000",
) -> LineChart:
    """Kommun, län and riket per ``per`` inhabitants over the years, with a description that states the
    last year's values."""
    series = [
        SeriesData(kommun_namn if level == "kommun" else GEOGRAPHY_LABELS[level], level, values)
        for level, values in data.items()
    ]
    last = {level: values.get(years[-1]) for level, values in data.items()}
    description = (
        f"Linjediagram över {subject} per {per} invånare {years[0]}–{years[-1]} i {kommun_namn}, "
        f"{lan_namn} och riket. År {years[-1]}: {kommun_namn} {formatting.number(last.get('kommun'), decimals)}, "
        f"{lan_namn} {formatting.number(last.get('lan'), decimals)}, "
        f"riket {formatting.number(last.get('riket'), decimals)}."
    )
    if marks:
        description += " " + " ".join(
            f"Från {m.year}: {m.label}." for m in marks if m.label and years[0] <= m.year <= years[-1]
        )
    return line_chart(chart_id, title, description, series, years, decimals=decimals, marks=marks)


@dataclass(frozen=True)
class Dot:
    label: str
    y: float
    x: float | None  # None: not shown (suppressed)
    x_low: float | None
    x_high: float | None
    value_label: str  # "24 % (n = 311)" or the reason it is hidden
    is_total: bool


@dataclass(frozen=True)
class DotPlot(Frame):
    x_ticks: tuple[Tick, ...]
    dots: tuple[Dot, ...]
    reference_x: float | None  # the kommun's share, as a vertical line
    colour: str = COLOURS["kommun"]
    total_colour: str = "#0b3d62"


@dataclass(frozen=True)
class DotData:
    label: str
    share: float | None  # 0–1; None when hidden
    low: float | None
    high: float | None
    note: str
    is_total: bool = False


def dot_plot(
    chart_id: str, title: str, description: str, rows: Sequence[DotData], *, width: int = 360, row_height: int = 13
) -> DotPlot:
    """Shares with 95 % intervals, one row per group; hidden shares get their reason instead of a dot."""
    left, right, top, bottom = 92, 96, 6, 22
    height = top + bottom + row_height * len(rows)
    plot_w = width - left - right
    highest = max((r.high for r in rows if r.high is not None), default=0.0)
    x_max, step = nice_ceiling(max(highest * 100, 5.0))

    def x_of(share: float) -> float:
        return round(left + plot_w * share * 100 / x_max, 1)

    ticks = tuple(
        Tick(x_of(i * step / 100), f"{formatting.number(i * step)} %") for i in range(round(x_max / step) + 1)
    )
    dots = []
    for n, row in enumerate(rows):
        y = top + row_height * n + row_height / 2
        shown = row.share is not None
        dots.append(
            Dot(
                label=row.label,
                y=round(y, 1),
                x=x_of(row.share) if shown and row.share is not None else None,
                x_low=x_of(row.low) if shown and row.low is not None else None,
                x_high=x_of(row.high) if shown and row.high is not None else None,
                value_label=row.note,
                is_total=row.is_total,
            )
        )
    total = next((r for r in rows if r.is_total and r.share is not None), None)
    return DotPlot(
        id=chart_id,
        title=title,
        description=description,
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        x_ticks=ticks,
        dots=tuple(dots),
        reference_x=x_of(total.share) if total is not None and total.share is not None else None,
        colour=_KOMMUN_COLOURS.get()[0],
        total_colour=_KOMMUN_COLOURS.get()[1],
    )


@cache
def definition_breaks() -> dict[str, tuple[Mark, ...]]:
    result: dict[str, list[Mark]] = {}
    for b in all_breaks():
        result.setdefault(b.indikator, []).append(Mark(b.year, f"Definitionsbrott: {b.label}", breaks_line=True))
    return {key: tuple(marks) for key, marks in result.items()}


def preliminary(period: int | None, final_publication: str | None, today: date) -> tuple[Mark, ...]:
    """A mark for a KPI whose final figures for ``period`` are not yet published."""
    if period is None or not final_publication or date.fromisoformat(final_publication[:10]) <= today:
        return ()
    return (Mark(period, "Preliminära värden"),)
