"""Swedish alphabetical order: a–z, then å, ä, ö (Python's own order puts Ä before Å and every capital first)."""

from __future__ import annotations

_LETTERS = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "é": "e", "è": "e", "ü": "y", "-": " "})


def swedish_key(text: str) -> str:
    """A sort key that orders names as a Swedish index does: Skövde, Sollefteå, Solna, … Åre, Älvdalen, Örebro."""
    return text.casefold().translate(_LETTERS)
