"""One lagesbild run at a time per data folder.

An exclusive ``flock`` on ``<data>/.lagesbild.lock`` is held for the whole run; the file also names
the holder's pid for the message. The operating system drops the lock when a process dies, so a lock
left by a crashed run is simply taken over.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lagesbild_cli.errors import LagesbildError
from lagesbild_cli.i18n import N_, _
from lagesbild_cli.storage import staging


class LockedError(LagesbildError):
    kind = N_("busy")


@contextmanager
def exclusive(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / ".lagesbild.lock"
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or _("unknown")
            raise LockedError(
                _("Another lagesbild run (pid {pid}) is in progress on {folder}.").format(pid=holder, folder=data_dir),
                hint=_("Wait for it to finish; nothing was changed."),
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        remove_leftovers(data_dir)
        yield
    finally:
        handle.close()  # closing releases the lock


def remove_leftovers(data_dir: Path) -> list[Path]:
    """What a run killed before it could finish left: report sets it was replacing (an old set moved aside is put
    back, as its record says) and its marked temp files. Nothing else, however it is named: a user's own
    ``.utkast.tmp.txt`` or ``.survey.old-2024/`` stays. Only called under the lock, when no other run can be
    writing."""
    leftovers = staging.recover(data_dir)
    files = staging.temp_files(data_dir)
    for path in files:
        path.unlink(missing_ok=True)
    return leftovers + files
