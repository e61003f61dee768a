"""Stable identifiers made from Brå's indicator names (a module of its own, so that the report can name
indicators without importing the workbook reader)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)  # a load asks for the same few hundred names thousands of times
def slug(text: str) -> str:
    """A stable identifier from an indicator name: "Våld i nära relationer, mot män" →
    "vald_i_nara_relationer_mot_man"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")
