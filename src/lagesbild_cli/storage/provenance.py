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
from lagesbild_cli.i18n import N_, _, ngettext
from lagesbild_cli.storage.raw import FETCH_LOG, MANIFEST, Manifest, ManifestEntry

SHOWN = 5  # files named in one message; the rest are counted
_CHUNK = 1 << 20

# The command that stores a source's raw files again, by the folder they are kept in
REPAIR = {
    "bra": N_("'lagesbild fetch --source bra', or 'lagesbild import bra FILE' with the kommun's workbook from Brå"),
    "polisen": N_("'lagesbild fetch --source polisen', or 'lagesbild import polisen FILE'"),
    "scb": "'lagesbild fetch --source scb'",
    "kolada": "'lagesbild fetch --source kolada'",
    "mcf": "'lagesbild fetch --source mcf'",
    "geo": "'lagesbild fetch --source geo'",
    "survey": N_("'lagesbild import survey FILE' with the survey tool's export"),
    "raddning": N_("'lagesbild import raddning FILE' with the rescue service's export"),
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
    if len(files) <= SHOWN:
        return text
    return _("{files} and {count} more").format(files=text, count=len(files) - SHOWN)


def _repairs(files: Iterable[str]) -> str:
    commands = dict.fromkeys(_(REPAIR[f.split("/", 1)[0]]) for f in files)
    return "; ".join(commands)


def verify(raw_dir: Path) -> dict[str, ManifestEntry]:
    """The manifest's entries, once every raw data file is checked against them (see the module's text)."""
    manifest = Manifest(raw_dir)
    files = raw_files(raw_dir)
    if not manifest.path.exists():
        if files:
            raise ProvenanceError(
                ngettext(
                    "{manifest} is missing, so the {n} raw file in {folder} ({files}) cannot be verified: "
                    "lagesbild does not use files whose origin it cannot show.",
                    "{manifest} is missing, so the {n} raw files in {folder} ({files}) cannot be verified: "
                    "lagesbild does not use files whose origin it cannot show.",
                    len(files),
                ).format(manifest=shown(raw_dir, MANIFEST), n=len(files), folder=shown(raw_dir), files=_listed(files)),
                hint=_(
                    "Restore {manifest} from a backup, or store the data again: {commands}. "
                    "The database and the reports are unchanged."
                ).format(manifest=MANIFEST, commands=_repairs(files)),
            )
        return {}
    entries = manifest.entries()
    unknown = [f for f in files if f not in entries]
    if unknown:
        raise ProvenanceError(
            ngettext(
                "{files} in {folder} is not in {manifest}: lagesbild did not store it, so where it comes from is "
                "unknown.",
                "{files} in {folder} are not in {manifest}: lagesbild did not store them, so where they come from "
                "is unknown.",
                len(unknown),
            ).format(files=_listed(unknown), folder=shown(raw_dir), manifest=MANIFEST),
            hint=_(
                "Store the data through lagesbild ({commands}) or move the files out of {folder}. "
                "The database and the reports are unchanged."
            ).format(commands=_repairs(unknown), folder=shown(raw_dir)),
        )
    changed = [f for f in files if file_sha256(raw_dir / f) != entries[f].sha256]
    if changed:
        raise ProvenanceError(
            ngettext(
                "{files} in {folder} is not the file recorded in {manifest} (the sha256 differs): changed or "
                "replaced after lagesbild stored it, so lagesbild will not use it.",
                "{files} in {folder} are not the files recorded in {manifest} (the sha256 differs): changed or "
                "replaced after lagesbild stored them, so lagesbild will not use them.",
                len(changed),
            ).format(files=_listed(changed), folder=shown(raw_dir), manifest=MANIFEST),
            hint=_("Store the data again: {commands}. The database and the reports are unchanged.").format(
                commands=_repairs(changed)
            ),
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
