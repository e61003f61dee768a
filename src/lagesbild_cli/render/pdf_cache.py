"""Rendered PDFs kept by the HTML they were rendered from, so that an unchanged report is not rendered again.

WeasyPrint turns the same HTML into the same bytes (the build is reproducible), so a PDF can be reused when
the report's HTML, lagesbild's code and version and WeasyPrint's are all unchanged: a second ``build`` with the
same data, or a län batch after a fix to one kommun's input, renders only what changed. The cache is a folder
(``data/processed/cache/pdf/`` unless ``LAGESBILD_CACHE_DIR`` names another folder, or ``off``) of PDFs, each
with a small ``<key>.json`` written after it.

Nothing in the folder is trusted. An entry is served only when

- its name is the key of this HTML, this render code and *this project*: the key is made with the project's
  own random secret (``data/processed/cache/project-key``, made when the project is first loaded), so another
  project sharing the folder neither finds this project's entries nor can name one for it, and
- its ``.json`` holds the PDF's sha256 and a MAC of the entry's name and that sha256 under the same secret,
  and the PDF's bytes have that sha256: a PDF cut short, garbage under the right name or another project's
  PDF copied over it is not served, but rendered anew and replaced.

A copy of a project folder (with its ``data/processed/``) is the same project to the cache. Any file in the
folder may be deleted at any time; the newest :data:`KEEP` PDFs are kept. A broken or unwritable cache costs a
render, never a build.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lagesbild_cli import __version__
from lagesbild_cli.storage.raw import atomic_write_bytes, file_mode

ENV = "LAGESBILD_CACHE_DIR"
OFF = ("off", "none", "0", "")
KEEP = 64  # PDFs kept: a län's reports for a few years
PROJECT_KEY = Path("cache") / "project-key"  # under data/processed/
_CODE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Cache:
    """A cache folder as one project sees it: the folder and the project's secret."""

    folder: Path
    secret: bytes


def folder(default: Path) -> Path | None:
    """The cache folder: ``default`` unless ``LAGESBILD_CACHE_DIR`` names another, or None when it is off."""
    value = os.environ.get(ENV)
    if value is None:
        return default
    return None if value.strip().lower() in OFF else Path(value)


def open_cache(processed_dir: Path) -> Cache | None:
    """The project's view of its cache folder (see :func:`folder`), or None when the cache is off or the
    project's secret can neither be read nor made (no write access: then every PDF is rendered)."""
    where = folder(processed_dir / "cache" / "pdf")
    if where is None:
        return None
    try:
        return Cache(where, project_secret(processed_dir))
    except OSError:
        return None


def project_secret(processed_dir: Path) -> bytes:
    """The project's random secret, made the first time it is asked for (an unreadable one is made anew: its
    entries are then only rendered again). Two processes asking at once get the same one: it is linked into
    place, never written over."""
    path = processed_dir / PROJECT_KEY
    found = _read_secret(path)
    if found is not None:
        return found
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".project-key.", suffix=".tmp")
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)  # never replaces one another process has made meanwhile
        except FileExistsError:
            if _read_secret(path) is None:  # a damaged one: replaced
                os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    made = _read_secret(path)
    if made is None:
        raise OSError(f"the PDF cache's project key {path} could not be made")
    return made


def _read_secret(path: Path) -> bytes | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return bytes.fromhex(text) if len(text) == 64 else None
    except ValueError:
        return None


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


@cache
def _code() -> bytes:
    """A digest of lagesbild's own modules (the render code among them), read once per process: a change to
    the code, even without a new version number, is a new key."""
    digest = hashlib.sha256()
    for path in sorted(_CODE.glob("*.py")):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


@cache
def _software() -> bytes:
    """The versions and code a PDF also depends on, read once per process."""
    versions = b"".join(p.encode("utf-8") + b"\0" for p in (__version__, _version("weasyprint"), _version("pydyf")))
    return versions + _code()


def key(cache: Cache, html: str) -> str:
    """What the PDF depends on: the HTML (which holds the style sheet and every chart), the software, and the
    project (its secret: no other project can compute the key)."""
    digest = hmac.new(cache.secret, _software(), hashlib.sha256)
    digest.update(html.encode("utf-8"))
    return digest.hexdigest()


def _mac(cache: Cache, name: str, pdf_sha256: str) -> str:
    return hmac.new(cache.secret, f"{name}\0{pdf_sha256}".encode("ascii"), hashlib.sha256).hexdigest()


def get(cache: Cache, name: str) -> bytes | None:
    """The PDF kept under ``name`` if this project put it there unchanged, or None (not there, unreadable, or
    not the bytes the project recorded)."""
    path = cache.folder / f"{name}.pdf"
    try:
        record = json.loads((cache.folder / f"{name}.json").read_bytes())
        data = path.read_bytes()
    except (OSError, ValueError):
        return None
    recorded, mac = (record.get("sha256"), record.get("mac")) if isinstance(record, dict) else (None, None)
    if not (isinstance(recorded, str) and isinstance(mac, str)):
        return None
    digest = hashlib.sha256(data).hexdigest()
    if not (hmac.compare_digest(digest, recorded) and hmac.compare_digest(_mac(cache, name, digest), mac)):
        return None
    if not (data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")):
        return None
    try:
        os.utime(path)  # recently used: kept longest
    except OSError:
        pass
    return data


def put(cache: Cache, name: str, pdf: bytes) -> None:
    """Keep ``pdf`` under ``name`` with its record and drop the oldest beyond :data:`KEEP`; a failure only
    means no reuse. The record is written after the PDF, so a PDF without its record is never served."""
    digest = hashlib.sha256(pdf).hexdigest()
    record = json.dumps({"sha256": digest, "mac": _mac(cache, name, digest)}) + "\n"
    where = cache.folder
    try:
        where.mkdir(parents=True, exist_ok=True)
        (where / f"{name}.json").unlink(missing_ok=True)
        atomic_write_bytes(where / f"{name}.pdf", pdf)
        atomic_write_bytes(where / f"{name}.json", record.encode("ascii"))
        kept = sorted(where.glob("*.pdf"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)
    except OSError:
        pass
