"""The render process a single build starts early: the same PDF, its errors as the build's, and no orphan."""

from __future__ import annotations

import gc
import multiprocessing.context
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path
from typing import cast

import pytest

from lagesbild_cli.errors import RenderError
from lagesbild_cli.render import pdf_render

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
        "import os, signal, sys, time; from lagesbild_cli.render import pdf_render\n"
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


def test_the_collector_sets_aside_what_existed_before_the_render_and_only_during_it() -> None:
    before = {"kept": [1, 2, 3]}  # a tracked object that exists before the render
    with pytest.raises(RuntimeError), pdf_render.objects_before_set_aside():
        assert gc.get_freeze_count() > 0
        assert not any(obj is before for obj in gc.get_objects())  # not scanned during the render
        made = {"during": [4]}
        assert any(obj is made for obj in gc.get_objects())  # what the render makes is collected as usual
        raise RuntimeError("the render failed")
    assert gc.get_freeze_count() == 0 and gc.isenabled()  # back as it was, also after an error
    assert any(obj is before for obj in gc.get_objects())


def test_garbage_made_before_the_render_is_collected_not_set_aside() -> None:
    class Cycle:
        def __init__(self) -> None:
            self.me = self

    gc.disable()  # no collection by chance between here and the render
    try:
        alive = weakref.ref(Cycle())  # garbage only the collector can free
        assert alive() is not None
        with pdf_render.objects_before_set_aside():
            assert alive() is None
    finally:
        gc.enable()


def test_a_render_error_reads_in_swedish(monkeypatch: pytest.MonkeyPatch) -> None:
    from lagesbild_cli.render.weasyprint_check import check_weasyprint

    monkeypatch.setenv("LANGUAGE", "sv")
    failed = str(pdf_render.render_failed("no fonts"))
    assert failed == (
        "WeasyPrint kunde inte skapa PDF:en: no fonts\n  → Kör 'lagesbild build' igen; den tidigare rapporten är orörd."
    )
    with pytest.raises(RenderError, match=r"WeasyPrint 69\.1 är installerat, men lagesbild behöver version 70"):
        check_weasyprint("69.1")
