"""Ctrl-C and SIGTERM are the user's events, not bugs.

:func:`install` makes SIGTERM raise :class:`Interrupted` as Ctrl-C raises :class:`KeyboardInterrupt`, so both
unwind through the same ``finally`` blocks (temp files removed, the previous state kept) and the CLI ends with
one line and exit code 128 + the signal's number. :func:`deferred` marks a short block that a signal must not
cut in two (swapping a set of files into place): a signal that arrives inside it waits until the block ends.

A step records what has taken effect as it goes with :func:`done` ("the new report set is in place in …"); when
a signal stops the run, the CLI prints those notes in its one line, or that nothing was changed when there are
none. :func:`received` tells whether a signal arrived during the run, so an error that the interrupt itself
caused (a library cut off in the middle of its work) is reported as the interrupt, not as a bug.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType, ModuleType

SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (SIGINT from Ctrl-C, or SIGTERM)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # as a shell reports a process ended by the signal: 130, 143


_received: list[int] = []  # the signals delivered during this run
_done: list[str] = []  # what the run has made take effect, as notes for the user


def _raise(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise Interrupted(signum)


def done(note: str) -> None:
    """Record that something has taken effect and stays so if the run is stopped now, as a phrase the CLI prints
    after "Interrupted … after:", e.g. "stored 2 Brå workbooks in data/raw/bra/ (the database is reloaded by the
    next 'lagesbild build')". Notes of a step that then fails or completes are simply not printed."""
    _done.append(note)


def notes() -> tuple[str, ...]:
    """What the run has recorded with :func:`done`, oldest first."""
    return tuple(_done)


def received() -> int | None:
    """The signal (SIGINT or SIGTERM) delivered during this run, if any."""
    return _received[-1] if _received else None


def forget() -> None:
    """A new run begins: no notes, no signal received."""
    _done.clear()
    _received.clear()


def leave_to_parent() -> None:
    """In a helper process (the PDF renderer, a batch's worker): Ctrl-C, which the terminal sends to every
    process of the run, is left to the main process, which stops its helpers itself; so no helper prints a
    traceback of its own. SIGTERM keeps its default: the helper ends at once and quietly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# Libraries with native code that sets itself up while it is imported (nanobind, cffi, Rust): an exception raised
# by a signal handler in the middle of that set-up aborts the process ("Critical nanobind error", SIGABRT) instead
# of unwinding. Their imports are made whole blocks: a signal waits until the import has finished.
NATIVE_IMPORTS = frozenset(
    {"duckdb", "polars", "pyarrow", "numpy", "weasyprint", "cffi", "pydyf", "fontTools", "resvg_py", "pypandoc"}
)


class _WholeImport(importlib.abc.Loader):
    """A loader that runs another loader's work as a :func:`deferred` block; everything else is the other's."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        with deferred():
            return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with deferred():
            self._loader.exec_module(module)

    def __getattr__(self, name: str) -> object:
        return getattr(self._loader, name)


class _NativeImports(importlib.abc.MetaPathFinder):
    """Finds a library of :data:`NATIVE_IMPORTS` as the other finders do and wraps its loader in
    :class:`_WholeImport` (its submodules are imported inside that block)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in NATIVE_IMPORTS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: importlib.machinery.ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _WholeImport(spec.loader)
                return spec
        return None


def install() -> None:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread (elsewhere nothing is changed); the
    libraries with native set-up are imported as whole blocks."""
    if threading.current_thread() is not threading.main_thread():
        return
    if not any(isinstance(f, _NativeImports) for f in sys.meta_path):
        sys.meta_path.insert(0, _NativeImports())
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
