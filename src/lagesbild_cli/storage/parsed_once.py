"""Each raw file's bytes are parsed at most once per run.

``lagesbild fetch`` checks every download by parsing it before it is stored, and the load that follows reads
the same files again: for a län's 15 Brå workbooks and MCF's answers about two CPU-seconds, twice. A pure
parser (its result depends on the bytes alone; the name it is given appears only in its errors, and errors
are never kept) wrapped with :func:`per_content` gives each caller what a parse of the same bytes gave
before. The latest results are kept, a bounded number, so a national batch does not hold every workbook.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, TypeVar, cast

P = TypeVar("P")
KEEP = 64  # results kept per parser: a län's files several times over


class Decorator(Protocol):
    def __call__(self, parse: Callable[[bytes, str], P], /) -> Callable[[bytes, str], P]: ...


def per_content(copy: Callable[[Any], Any] | None = None, keep: int = KEEP) -> Decorator:
    """Decorate a pure ``parse(data, name)``: parsed once per distinct ``data``; each caller gets ``copy`` of
    the result (for results a caller could change), or the result itself."""

    def decorate(parse: Callable[[bytes, str], P]) -> Callable[[bytes, str], P]:
        kept: OrderedDict[bytes, P] = OrderedDict()
        lock = threading.Lock()  # a batch's threads may load at once

        def given(parsed: P) -> P:
            return parsed if copy is None else cast(P, copy(parsed))

        @wraps(parse)
        def once(data: bytes, name: str) -> P:
            digest = hashlib.sha256(data).digest()
            with lock:
                if digest in kept:
                    kept.move_to_end(digest)
                    return given(kept[digest])
            parsed = parse(data, name)
            with lock:
                kept[digest] = parsed
                while len(kept) > keep:
                    kept.popitem(last=False)
            return given(parsed)

        return once

    return decorate
