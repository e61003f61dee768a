"""Swedish number and date formats for the report: ``4 526``, ``11,2 %``, ``27 november 2026``.

Thousands are separated by a no-break space so a number never breaks across lines.
"""

from __future__ import annotations

import math
import re
from datetime import date

NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "–"
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def number(value: float | int | None, decimals: int = 0) -> str:
    """4526 → "4 526"; 11.25 with one decimal → "11,3" (half away from zero); None → "–"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    scaled = abs(value) * 10**decimals
    rounded = math.floor(scaled + 0.5) / 10**decimals
    text = f"{rounded:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if rounded == 0:
        return text
    return f"{MINUS}{text}" if value < 0 else text


def percent(value: float | None, decimals: int = 0) -> str:
    """11 → "11 %"; the Swedish style has a space before the per cent sign."""
    return MISSING if value is None else f"{number(value, decimals)}{NBSP}%"


def signed_percent(value: float | None, decimals: int = 0) -> str:
    """A change: +5 %, −3 %, ±0 %."""
    if value is None:
        return MISSING
    text = percent(value, decimals)
    if text.startswith(MINUS):
        return text
    return f"±{text}" if text.startswith("0") and text.strip("0,%" + NBSP) == "" else f"+{text}"


def swedish_date(value: date | str) -> str:
    """2026-11-27 → "27 november 2026"."""
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def unit(text: str) -> str:
    """A unit as written, with the space inside a number made a no-break space: "per 100 000 invånare" never
    breaks between 100 and 000, as ``number`` never does."""
    return re.sub(r"(?<=\d) (?=\d{3}(?!\d))", NBSP, text)


def interval(lower: float | None, upper: float | None, decimals: int = 0) -> str:
    """A confidence interval: "6–17"."""
    if lower is None or upper is None:
        return MISSING
    return f"{number(lower, decimals)}–{number(upper, decimals)}"


def place(rank: int | None, tied: int | None, of: int | None, *, with_total: bool = True) -> str:
    """A place in a ranking where equal values share the lowest place: "2 av 15", or for five
    kommuner tied at the bottom "1–5 av 15 (delad)"; without the total "2", "1–5 (delad)"; "–" without a rank."""
    if rank is None or not of:
        return MISSING
    total = f" av {of}" if with_total else ""
    if tied is None or tied <= 1:
        return f"{rank}{total}"
    return f"{rank}–{rank + tied - 1}{total} (delad)"


def listed(items: list[str], last: str = "och") -> str:
    """Items as a Swedish sentence lists them: "a", "a och b", "a, b och c" (or with "eller")."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {last} " + items[-1]
