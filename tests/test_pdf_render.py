"""The render process a single build starts early: the same PDF, its errors as the build's, and no orphan."""

from __future__ import annotations

import multiprocessing.context
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import cast

import pytest

from lagesbild_cli import pdf_render
from lagesbild_cli.errors import RenderError

HTML = (
    "<html lang='sv'><head><title>Lägesbild</title></head><body><h1>Lägesbild</h1>"
    "<p>Anmälda brott per 100&nbsp;000 invånare.</p></body></html>"
)


def test_the_render_process_gives_the_same_pdf_as_rendering_here_and_its_errors_as_the_builds() -> None:
    with pdf_render.RenderProcess() as renderer:
        wait = renderer.submit(cast(str, 12345))  # no HTML WeasyPrint can read
        with pytest.raises(RenderError, match="WeasyPrint could not render the PDF"):
            wait()
        there = renderer.submit(HTML)()  # the process goes on after an error
        second = renderer.submit(HTML.replace("Lägesbild</h1>", "Lägesbild 2024</h1>"))()
    assert there == pdf_render.render_pdf(HTML)
    assert there.startswith(b"%PDF-") and second.startswith(b"%PDF-") and second != there


def test_a_render_process_that_dies_fails_the_build_with_a_clear_error() -> None:
    renderer = pdf_render.RenderProcess()
    try:
        renderer._process.kill()
        renderer._process.join()
        with pytest.raises(RenderError, match="stopped before the PDF was done"):
            renderer.submit(HTML)()
    finally:
        renderer.close()


def test_the_render_process_ends_when_the_build_is_killed(tmp_path: Path) -> None:
    code = (
        "import os, signal, sys, time; from lagesbild_cli import pdf_render\n"
        "renderer = pdf_render.RenderProcess()\n"
        "print(renderer._process.pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == -signal.SIGKILL
    child = int(done.stdout.split()[0])
    deadline = time.monotonic() + 60  # a bound, not a measurement: it ends at once when the child is gone
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(child)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in state and "\nState:\tX" not in state


def test_a_build_that_cannot_start_a_process_renders_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(self: object) -> None:
        raise BlockingIOError(11, "Resource temporarily unavailable")  # fork/spawn at a process limit

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refused)
    with pdf_render.started_early() as renderer:
        assert renderer is None
