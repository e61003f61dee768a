"""Ctrl-C and SIGTERM are the user's events, not bugs.

:func:`install` makes SIGTERM raise :class:`Interrupted` as Ctrl-C raises :class:`KeyboardInterrupt`, so both
unwind through the same ``finally`` blocks (temp files removed, the previous state kept) and the CLI ends with
one line and exit code 128 + the signal's number. :func:`deferred` marks a short block that a signal must not
cut in two (swapping a set of files into place): a signal that arrives inside it waits until the block ends.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (SIGINT from Ctrl-C, or SIGTERM)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # as a shell reports a process ended by the signal: 130, 143


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def install() -> None:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread (elsewhere nothing is changed)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in SIGNALS:
        signal.signal(signum, _raise)


@contextmanager
def deferred() -> Iterator[None]:
    """A block that SIGINT and SIGTERM do not interrupt: a signal sent meanwhile is delivered when it ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
