"""Rendered PDFs kept by the HTML they were rendered from, so that an unchanged report is not rendered again.

WeasyPrint turns the same HTML into the same bytes (the build is reproducible), so a PDF can be reused when
the report's HTML, lagesbild's version and WeasyPrint's are all unchanged: a second ``build`` with the same
data, or a län batch after a fix to one kommun's input, renders only what changed. The cache is a folder of
files named by that key (``data/processed/cache/pdf/`` unless ``LAGESBILD_CACHE_DIR`` names another folder,
or ``off``); any file in it may be deleted at any time, and the newest :data:`KEEP` are kept. A broken or
unwritable cache costs a render, never a build.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lagesbild_cli import __version__
from lagesbild_cli.storage.raw import atomic_write_bytes

ENV = "LAGESBILD_CACHE_DIR"
OFF = ("off", "none", "0", "")
KEEP = 64  # PDFs kept: a län's reports for a few years


def folder(default: Path) -> Path | None:
    """The cache folder: ``default`` unless ``LAGESBILD_CACHE_DIR`` names another, or None when it is off."""
    value = os.environ.get(ENV)
    if value is None:
        return default
    return None if value.strip().lower() in OFF else Path(value)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


@cache
def _software() -> bytes:
    """The versions a PDF also depends on, read once per process."""
    return b"".join(part.encode("utf-8") + b"\0" for part in (__version__, _version("weasyprint"), _version("pydyf")))


def key(html: str) -> str:
    """What the PDF depends on: the HTML (which holds the style sheet and every chart) and the software."""
    digest = hashlib.sha256(_software())
    digest.update(html.encode("utf-8"))
    return digest.hexdigest()


def get(cache: Path, name: str) -> bytes | None:
    """The PDF kept under ``name``, or None (not there, unreadable, or not a whole PDF)."""
    path = cache / f"{name}.pdf"
    try:
        data = path.read_bytes()
        if not (data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")):
            return None
        os.utime(path)  # recently used: kept longest
    except OSError:
        return None
    return data


def put(cache: Path, name: str, pdf: bytes) -> None:
    """Keep ``pdf`` under ``name`` and drop the oldest beyond :data:`KEEP`; a failure only means no reuse."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(cache / f"{name}.pdf", pdf)
        kept = sorted(cache.glob("*.pdf"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
