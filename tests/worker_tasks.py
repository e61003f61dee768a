"""Tasks the batch tests send to spawned worker processes. They live here, apart from the test modules,
so that a new worker imports only this small module and not polars, DuckDB and WeasyPrint with a test
module: each spawn then costs a fraction of a second."""

from __future__ import annotations

import os
from pathlib import Path


def dies_in_a_worker(parent: int, marker: str, n: int) -> tuple[bool, str]:
    if os.getpid() != parent and not Path(marker).exists():
        Path(marker).touch()
        os._exit(3)  # a hard crash (as from a segfault in a C library): no exception, no result
    return True, f"report {n}"


def pid(n: int) -> tuple[int, int]:
    return n, os.getpid()
