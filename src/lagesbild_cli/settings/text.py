"""Text from outside (Polisen, Brå, the config, survey labels) made safe to show."""

from __future__ import annotations

_INVISIBLE = dict.fromkeys([*range(9), 11, 12, *range(14, 32), 127, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def clean_text(value: str) -> str:
    """Text from outside (Polisen, Brå, config, survey labels) without control characters and bidi
    overrides, which could break the PDF or make text read differently from what it says."""
    return value.translate(_INVISIBLE)
