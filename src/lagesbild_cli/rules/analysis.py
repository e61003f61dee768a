"""The analysis' rules: what one source shows for one theme (a matrix cell), whether a theme's sources agree,
and the points that rank the themes. The method section states each of them in words; the numbers here are
the ones it prints.

A source's findings for a theme are the judgements the report already makes with its own rules (level against
län and riket from the interval, confirmed change), item by item (a series, a question): an item points up when
a judgement is higher than län or riket or a confirmed increase and none points down, down the other way round,
both ways when it has both. The source points up when an item is higher than riket with nothing pointing down,
or when its items point up and none down or both ways; both ways (``MIXED``: it speaks for neither, and gives no
points) when its items point both ways; down when they point only down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class Signal(Enum):
    UP = "pekar uppåt"
    LEVEL = "i nivå, ingen säkerställd förändring"
    DOWN = "pekar nedåt"
    MIXED = "pekar åt båda hållen"
    TOO_FEW = "för få för att bedöma"
    MISSING = "saknas"
    EVENTS = "bara händelser, ingen bedömning"

    @property
    def symbol(self) -> str:
        return {"UP": "▲", "DOWN": "▼", "LEVEL": "●", "MIXED": "▲▼"}.get(self.name, "–")


UP_WORDS = frozenset({"högre", "ökat"})
DOWN_WORDS = frozenset({"lägre", "minskat"})
LEVEL_WORDS = frozenset({"i nivå med", "ingen säkerställd förändring"})
TOO_FEW_WORDS = frozenset({"för få för att bedöma"})


def item_signal(words: Sequence[str]) -> Signal:
    """One item's direction from its judgement words: up when a judgement points up and none down, down the other
    way round, ``MIXED`` when both (higher than the län but lower than riket, or lower but rising); level, "för
    få" when every judgement was too small to make, "saknas" without any."""
    up = any(w in UP_WORDS for w in words)
    down = any(w in DOWN_WORDS for w in words)
    if up and down:
        return Signal.MIXED
    if up:
        return Signal.UP
    if down:
        return Signal.DOWN
    if any(w in LEVEL_WORDS for w in words):
        return Signal.LEVEL
    if words and all(w in TOO_FEW_WORDS for w in words):
        return Signal.TOO_FEW
    return Signal.MISSING


def strongly_up(words: Sequence[str]) -> bool:
    """A Brå series or NTU question (its judgements: against the län, against riket, change) higher than riket
    with nothing pointing down: a signal no other item of its source cancels."""
    return len(words) == 3 and words[1] == "högre" and item_signal(words) is Signal.UP


def source_signal(items: Sequence[Sequence[str]]) -> Signal:
    """One source's cell from its items' judgement words. ``UP`` when an item is higher than riket with nothing
    pointing down, or when items point up and none down; ``MIXED`` when items point both ways (a rise in one
    series does not outweigh a fall in another); ``DOWN`` when items point only down; else level, "för få" or
    "saknas"."""
    signals = [item_signal(words) for words in items]
    if any(strongly_up(words) for words in items):
        return Signal.UP
    if Signal.MIXED in signals or (Signal.UP in signals and Signal.DOWN in signals):
        return Signal.MIXED
    for signal in (Signal.UP, Signal.DOWN, Signal.LEVEL):
        if signal in signals:
            return signal
    if signals and all(s is Signal.TOO_FEW for s in signals):
        return Signal.TOO_FEW
    return Signal.MISSING


def agreement(signals: Sequence[Signal]) -> str:
    """Whether a theme's sources agree: "samstämmiga" when at least two point the same way and none the other."""
    up = sum(s is Signal.UP for s in signals)
    down = sum(s is Signal.DOWN for s in signals)
    if up and down:
        return "Källorna går isär"
    if up >= 2:
        return "Samstämmiga: pekar uppåt"
    if down >= 2:
        return "Samstämmiga: pekar nedåt"
    if up == 1:
        return "En källa pekar uppåt"
    if down == 1:
        return "En källa pekar nedåt"
    return "Ingen källa pekar ut temat"


# The ranking's points (the method section prints these numbers)
POINTS_ABOVE_RIKET = 2  # a Brå series whose whole interval lies above riket's rate
POINTS_ABOVE_LAN = 1  # … and above the län's
POINTS_NTU_ABOVE_RIKET = 1  # an NTU indicator whose interval lies above riket's share
POINTS_RISE = 2  # a confirmed increase in any source
POINTS_PER_AGREEING = 1  # each source beyond the first that points up
POINTS_PER_DOWN = 1  # taken off for each source that points down (sources that disagree weaken a signal)
POINTS_AREA = 1  # an area of the survey whose interval lies wholly above the whole kommun's share
STANDS_OUT = 2  # a theme with fewer points gets no priority, whatever its harm weight


@dataclass(frozen=True)
class Findings:
    """What the matrix found for one theme, as the ranking counts it."""

    bra_above_riket: bool = False
    bra_above_lan: bool = False
    ntu_above_riket: bool = False
    confirmed_rise: bool = False
    sources_up: int = 0
    sources_down: int = 0
    area_above: bool = False


def points(f: Findings) -> tuple[tuple[int, str], ...]:
    """The points a theme gets, each with its reason key; the sum decides whether it stands out."""
    result: list[tuple[int, str]] = []
    if f.bra_above_riket:
        result.append((POINTS_ABOVE_RIKET, "riket"))
        if f.bra_above_lan:
            result.append((POINTS_ABOVE_LAN, "lan"))
    if f.ntu_above_riket:
        result.append((POINTS_NTU_ABOVE_RIKET, "ntu"))
    if f.confirmed_rise:
        result.append((POINTS_RISE, "rise"))
    if f.sources_up > 1:
        result.append((POINTS_PER_AGREEING * (f.sources_up - 1), "agree"))
    if f.area_above:
        result.append((POINTS_AREA, "area"))
    if result and f.sources_down:
        result.append((-POINTS_PER_DOWN * f.sources_down, "down"))
    return tuple(result)


def stands_out(total: int) -> bool:
    return total >= STANDS_OUT


def places(scores: Sequence[int]) -> list[tuple[int, int]]:
    """Shared places for scores sorted from the highest: (place, how many share it); equal scores tie."""
    result = []
    for score in scores:
        place = 1 + sum(1 for s in scores if s > score)
        result.append((place, sum(1 for s in scores if s == score)))
    return result
