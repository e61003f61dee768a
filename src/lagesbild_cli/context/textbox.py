"""How wide a label is drawn: advance widths of DejaVu Sans, the charts' and maps' typeface, in em.

The map places its labels and the charts move theirs apart by these widths (no font file is read at run
time). They are DejaVu Sans's advance widths (regular and bold) from its ``hmtx`` table, rounded to a
thousandth of an em, for the characters labels use; any other character counts as a wide letter (0,8 em).
DejaVu Sans is wider than most sans-serif faces, so a label measured here also fits in a narrower face.
"""

from __future__ import annotations

from dataclasses import dataclass

ASCENT = 0.76  # above the baseline, in em: capitals and digits (0,73) with a little room
DESCENT = 0.24  # below it: descenders (g, j, p, q, y)
_OTHER = 0.8

_REGULAR = {
    " ": 0.318,
    "!": 0.401,
    '"': 0.46,
    "#": 0.838,
    "$": 0.636,
    "%": 0.95,
    "&": 0.78,
    "'": 0.275,
    "(": 0.39,
    ")": 0.39,
    "*": 0.5,
    "+": 0.838,
    ",": 0.318,
    "-": 0.361,
    ".": 0.318,
    "/": 0.337,
    "0": 0.636,
    "1": 0.636,
    "2": 0.636,
    "3": 0.636,
    "4": 0.636,
    "5": 0.636,
    "6": 0.636,
    "7": 0.636,
    "8": 0.636,
    "9": 0.636,
    ":": 0.337,
    ";": 0.337,
    "<": 0.838,
    "=": 0.838,
    ">": 0.838,
    "?": 0.531,
    "@": 1.0,
    "A": 0.684,
    "B": 0.686,
    "C": 0.698,
    "D": 0.77,
    "E": 0.632,
    "F": 0.575,
    "G": 0.775,
    "H": 0.752,
    "I": 0.295,
    "J": 0.295,
    "K": 0.656,
    "L": 0.557,
    "M": 0.863,
    "N": 0.748,
    "O": 0.787,
    "P": 0.603,
    "Q": 0.787,
    "R": 0.695,
    "S": 0.635,
    "T": 0.611,
    "U": 0.732,
    "V": 0.684,
    "W": 0.989,
    "X": 0.685,
    "Y": 0.611,
    "Z": 0.685,
    "[": 0.39,
    "\\": 0.337,
    "]": 0.39,
    "^": 0.838,
    "_": 0.5,
    "`": 0.5,
    "a": 0.613,
    "b": 0.635,
    "c": 0.55,
    "d": 0.635,
    "e": 0.615,
    "f": 0.352,
    "g": 0.635,
    "h": 0.634,
    "i": 0.278,
    "j": 0.278,
    "k": 0.579,
    "l": 0.278,
    "m": 0.974,
    "n": 0.634,
    "o": 0.612,
    "p": 0.635,
    "q": 0.635,
    "r": 0.411,
    "s": 0.521,
    "t": 0.392,
    "u": 0.634,
    "v": 0.592,
    "w": 0.818,
    "x": 0.592,
    "y": 0.592,
    "z": 0.525,
    "{": 0.636,
    "|": 0.337,
    "}": 0.636,
    "~": 0.838,
    "å": 0.613,
    "ä": 0.613,
    "ö": 0.612,
    "Å": 0.684,
    "Ä": 0.684,
    "Ö": 0.787,
    "é": 0.615,
    "è": 0.615,
    "ü": 0.634,
    "É": 0.632,
    "Ü": 0.732,
    "–": 0.5,
    "—": 1.0,
    "·": 0.318,
    "×": 0.838,
    "≥": 0.838,
    "≤": 0.838,
    "±": 0.838,
    "−": 0.838,
    "\xa0": 0.318,
    "\u2009": 0.2,
    "\u202f": 0.2,
    "…": 1.0,
    "’": 0.318,
    "”": 0.518,
}
_BOLD = {
    " ": 0.348,
    "!": 0.456,
    '"': 0.521,
    "#": 0.838,
    "$": 0.696,
    "%": 1.002,
    "&": 0.872,
    "'": 0.306,
    "(": 0.457,
    ")": 0.457,
    "*": 0.523,
    "+": 0.838,
    ",": 0.38,
    "-": 0.415,
    ".": 0.38,
    "/": 0.365,
    "0": 0.696,
    "1": 0.696,
    "2": 0.696,
    "3": 0.696,
    "4": 0.696,
    "5": 0.696,
    "6": 0.696,
    "7": 0.696,
    "8": 0.696,
    "9": 0.696,
    ":": 0.4,
    ";": 0.4,
    "<": 0.838,
    "=": 0.838,
    ">": 0.838,
    "?": 0.58,
    "@": 1.0,
    "A": 0.774,
    "B": 0.762,
    "C": 0.734,
    "D": 0.83,
    "E": 0.683,
    "F": 0.683,
    "G": 0.821,
    "H": 0.837,
    "I": 0.372,
    "J": 0.372,
    "K": 0.775,
    "L": 0.637,
    "M": 0.995,
    "N": 0.837,
    "O": 0.85,
    "P": 0.733,
    "Q": 0.85,
    "R": 0.77,
    "S": 0.72,
    "T": 0.682,
    "U": 0.812,
    "V": 0.774,
    "W": 1.103,
    "X": 0.771,
    "Y": 0.724,
    "Z": 0.725,
    "[": 0.457,
    "\\": 0.365,
    "]": 0.457,
    "^": 0.838,
    "_": 0.5,
    "`": 0.5,
    "a": 0.675,
    "b": 0.716,
    "c": 0.593,
    "d": 0.716,
    "e": 0.678,
    "f": 0.435,
    "g": 0.716,
    "h": 0.712,
    "i": 0.343,
    "j": 0.343,
    "k": 0.665,
    "l": 0.343,
    "m": 1.042,
    "n": 0.712,
    "o": 0.687,
    "p": 0.716,
    "q": 0.716,
    "r": 0.493,
    "s": 0.595,
    "t": 0.478,
    "u": 0.712,
    "v": 0.652,
    "w": 0.924,
    "x": 0.645,
    "y": 0.652,
    "z": 0.582,
    "{": 0.712,
    "|": 0.365,
    "}": 0.712,
    "~": 0.838,
    "å": 0.675,
    "ä": 0.675,
    "ö": 0.687,
    "Å": 0.774,
    "Ä": 0.774,
    "Ö": 0.85,
    "é": 0.678,
    "è": 0.678,
    "ü": 0.712,
    "É": 0.683,
    "Ü": 0.812,
    "–": 0.5,
    "—": 1.0,
    "·": 0.38,
    "×": 0.838,
    "≥": 0.838,
    "≤": 0.838,
    "±": 0.838,
    "−": 0.838,
    "\xa0": 0.348,
    "\u2009": 0.2,
    "\u202f": 0.2,
    "…": 1.0,
    "’": 0.38,
    "”": 0.657,
}


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The advance width of ``text`` at font size ``size`` (in the same units)."""
    widths = _BOLD if bold else _REGULAR
    return sum(widths.get(ch, _OTHER) for ch in text) * size


@dataclass(frozen=True)
class Box:
    """A rectangle in SVG units: left, top, right, bottom."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        return (
            self.x0 < other.x1 + gap
            and other.x0 < self.x1 + gap
            and self.y0 < other.y1 + gap
            and other.y0 < self.y1 + gap
        )

    def crosses(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """True when the segment a–b passes through the box (Liang–Barsky clipping)."""
        (ax, ay), (bx, by) = a, b
        dx, dy = bx - ax, by - ay
        low, high = 0.0, 1.0
        for p, q in ((-dx, ax - self.x0), (dx, self.x1 - ax), (-dy, ay - self.y0), (dy, self.y1 - ay)):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
        return True


def label_box(x: float, y: float, text: str, size: float, *, anchor: str = "start", bold: bool = False) -> Box:
    """The box a ``<text x y text-anchor>`` label covers (``y`` is its baseline)."""
    width = text_width(text, size, bold=bold)
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return Box(left, y - ASCENT * size, left + width, y + DESCENT * size)
