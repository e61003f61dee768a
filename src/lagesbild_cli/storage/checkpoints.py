"""Named points in the pipeline where the crash tests stop a real run.

``checkpoint("render")`` does nothing unless the environment variable ``LAGESBILD_PAUSE_AT`` names
that point; then it writes ``<name>.reached`` into the folder given by ``LAGESBILD_PAUSE_DIR`` and
sleeps, so that a test can kill the process there with SIGKILL and check that nothing was lost.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def checkpoint(name: str) -> None:
    if os.environ.get("LAGESBILD_PAUSE_AT") != name:
        return
    folder = Path(os.environ.get("LAGESBILD_PAUSE_DIR", "."))
    (folder / f"{name}.reached").write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(60)
