"""Verified state: every raw file is the one the manifest recorded, and the database is rebuilt when its inputs'
content changes (not their times).

:func:`verify` hashes every data file under ``data/raw/`` and compares it with its manifest entry; a file that
differs, one the manifest does not know, or a missing or damaged manifest while there are raw files, is a
:class:`ProvenanceError` naming the files (relative to ``data/raw/``) and the command that stores them again.
:func:`inputs_digest` is what the database was built from: the manifest and fetch log, the config, the indicator
queries, lagesbild's version and each raw file's size and modification time (a file changed in place without a
new manifest entry changes it too, and the reload that follows verifies it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from lagesbild_cli import __version__
from lagesbild_cli.errors import ProvenanceError
from lagesbild_cli.storage.raw import FETCH_LOG, MANIFEST, Manifest, ManifestEntry

SHOWN = 5  # files named in one message; the rest are counted
_CHUNK = 1 << 20

# The command that stores a source's raw files again, by the folder they are kept in
REPAIR = {
    "bra": "'lagesbild fetch --source bra', or 'lagesbild import bra FILE' with the kommun's workbook from Brå",
    "polisen": "'lagesbild fetch --source polisen', or 'lagesbild import polisen FILE'",
    "scb": "'lagesbild fetch --source scb'",
    "kolada": "'lagesbild fetch --source kolada'",
    "mcf": "'lagesbild fetch --source mcf'",
    "geo": "'lagesbild fetch --source geo'",
    "survey": "'lagesbild import survey FILE' with the survey tool's export",
    "raddning": "'lagesbild import raddning FILE' with the rescue service's export",
}


def raw_files(raw_dir: Path) -> list[str]:
    """The data files under ``raw_dir`` (relative, with /), in the folders of the sources: not the manifest or
    the fetch log, and not hidden files (a temp file being written, Polisen's call log)."""
    found = []
    for folder in REPAIR:
        top = raw_dir / folder
        if not top.is_dir():
            continue
        for path in top.rglob("*"):
            relative = path.relative_to(raw_dir)
            if any(part.startswith(".") for part in relative.parts) or not path.is_file():
                continue
            found.append(relative.as_posix())
    return sorted(found)


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def shown(raw_dir: Path, relative: str = "") -> str:
    """A raw file as messages name it: under the data folder's name (``data/raw/bra/2026.xlsx``), never the
    folders above it."""
    base = f"{raw_dir.parent.name}/{raw_dir.name}"
    return f"{base}/{relative}" if relative else f"{base}/"


def _listed(files: Iterable[str]) -> str:
    files = list(files)
    text = ", ".join(files[:SHOWN])
    return text + (f" and {len(files) - SHOWN} more" if len(files) > SHOWN else "")


def _repairs(files: Iterable[str]) -> str:
    commands = dict.fromkeys(REPAIR[f.split("/", 1)[0]] for f in files)
    return "; ".join(commands)


def verify(raw_dir: Path) -> dict[str, ManifestEntry]:
    """The manifest's entries, once every raw data file is checked against them (see the module's text)."""
    manifest = Manifest(raw_dir)
    files = raw_files(raw_dir)
    if not manifest.path.exists():
        if files:
            raise ProvenanceError(
                f"{shown(raw_dir, MANIFEST)} is missing, so the {len(files)} raw files in {shown(raw_dir)} "
                f"({_listed(files)}) cannot be verified: lagesbild does not use files whose origin it cannot show.",
                hint=f"Restore {MANIFEST} from a backup, or store the data again: {_repairs(files)}. "
                "The database and the reports are unchanged.",
            )
        return {}
    entries = manifest.entries()
    unknown = [f for f in files if f not in entries]
    if unknown:
        raise ProvenanceError(
            f"{_listed(unknown)} in {shown(raw_dir)} {'is' if len(unknown) == 1 else 'are'} not in {MANIFEST}: "
            "lagesbild did not store "
            f"{'it' if len(unknown) == 1 else 'them'}, so where {'it comes' if len(unknown) == 1 else 'they come'} "
            "from is unknown.",
            hint=f"Store the data through lagesbild ({_repairs(unknown)}) or move the files out of {shown(raw_dir)}. "
            "The database and the reports are unchanged.",
        )
    changed = [f for f in files if file_sha256(raw_dir / f) != entries[f].sha256]
    if changed:
        raise ProvenanceError(
            f"{_listed(changed)} in {shown(raw_dir)} "
            f"{'is not the file' if len(changed) == 1 else 'are not the files'} recorded in {MANIFEST} (the sha256 "
            "differs): changed or replaced after lagesbild stored "
            f"{'it' if len(changed) == 1 else 'them'}, so lagesbild will not use "
            f"{'it' if len(changed) == 1 else 'them'}.",
            hint=f"Store the data again: {_repairs(changed)}. The database and the reports are unchanged.",
        )
    return entries


def _stats(raw_dir: Path) -> bytes:
    parts = []
    for relative in raw_files(raw_dir):
        try:
            info = (raw_dir / relative).stat()
        except OSError:
            continue
        parts.append(f"{relative}\0{info.st_size}\0{info.st_mtime_ns}\n")
    return "".join(parts).encode("utf-8")


def _content(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b"\0missing"


def inputs_digest(raw_dir: Path, config_path: Path, queries: Iterable[Path]) -> str:
    """A digest of everything a load reads, cheap to compute (no raw file is read: their sizes and times)."""
    digest = hashlib.sha256(f"lagesbild {__version__}\0".encode())
    for label, data in (
        ("manifest", _content(raw_dir / MANIFEST)),
        ("fetch log", _content(raw_dir / FETCH_LOG)),
        ("config", _content(config_path)),
        ("raw files", _stats(raw_dir)),
    ):
        digest.update(f"{label}\0{len(data)}\0".encode() + data)
    for query in sorted(queries):
        data = _content(query)
        digest.update(f"query {query.name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


__all__ = ["REPAIR", "file_sha256", "inputs_digest", "raw_files", "shown", "verify"]
