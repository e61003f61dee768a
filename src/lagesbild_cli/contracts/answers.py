"""The folder of answers a contract check saw, and its turning into recorded test fixtures.

``<folder>/index.json`` lists every request: source, name, method, URL (with its query), the POST body, the
time (UTC), the HTTP status, the file it was written to with its sha256 and size, or the error when there was
no answer; and each source's outcome. ``<folder>/<source>/<name>.<ext>`` holds the bytes exactly as sent.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from lagesbild_cli import __version__
from lagesbild_cli.contracts.outcome import UNREACHABLE, Outcome
from lagesbild_cli.errors import FetchError, HttpStatusError, ParseError, ValidationError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.defaults import SOURCE_NAMES
from lagesbild_cli.sources._http import Http, Limiter
from lagesbild_cli.storage.raw import Download, atomic_write_bytes, folder_mode, sha256, utc_now

INDEX = "index.json"
PROVENANCE = "PROVENANCE.md"


@dataclass(frozen=True)
class Answer:
    """One request of a check and what came back."""

    source: str
    name: str
    method: str
    url: str
    retrieved_at: str
    status: int | None
    file: str | None = None  # relative to the folder; None when nothing came back
    sha256: str | None = None
    bytes: int = 0
    body: Any = None  # the JSON query of a POST
    error: str | None = None


def _extension(content: bytes) -> str:
    start = content.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    if content[:2] == b"PK":
        return ".xlsx"
    return {b"<": ".html", b"{": ".json", b"[": ".json"}.get(start, ".bin")


class Recorder:
    """Writes each answer into ``folder`` as it arrives and keeps ``index.json`` up to date."""

    def __init__(self, folder: Path, *, kommun: str) -> None:
        self.folder = folder
        self.kommun = kommun
        self.checked_at = utc_now()
        self.answers: list[Answer] = []
        self.outcomes: list[Outcome] = []

    def record(self, answer: Answer, content: bytes | None) -> Answer:
        if content is not None:
            relative = f"{answer.source}/{answer.name}{_extension(content)}"
            taken = {a.file for a in self.answers}
            n = 2
            while relative in taken:
                relative = f"{answer.source}/{answer.name}_{n}{_extension(content)}"
                n += 1
            atomic_write_bytes(self.folder / relative, content)
            answer = Answer(**{**asdict(answer), "file": relative, "sha256": sha256(content), "bytes": len(content)})
        self.answers.append(answer)
        self.write_index()
        return answer

    def finish(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        self.write_index()

    def write_index(self) -> None:
        index = {
            "tool": f"lagesbild {__version__}",
            "kommun": self.kommun,
            "checked_at": self.checked_at,
            "results": [asdict(o) for o in self.outcomes],
            "answers": [asdict(a) for a in self.answers],
        }
        text = json.dumps(index, ensure_ascii=False, indent=2) + "\n"
        atomic_write_bytes(self.folder / INDEX, text.encode("utf-8"))


class Probe:
    """Fetches through the pipeline's :class:`Http` client (User-Agent, timeouts, retries) and records every
    answer, or the failure, for one source."""

    def __init__(self, http: Http, recorder: Recorder, source: str) -> None:
        self.http = http
        self.recorder = recorder
        self.source = source

    def get(
        self,
        name: str,
        url: str,
        *,
        what: str,
        params: dict[str, str] | None = None,
        limiter: Limiter | None = None,
    ) -> Download:
        shown = str(httpx.URL(url, params=params)) if params else url
        return self._call(
            name, "GET", shown, None, lambda: self.http.get(url, what=what, params=params, limiter=limiter)
        )

    def post(self, name: str, url: str, body: Any, *, what: str, limiter: Limiter | None = None) -> Download:
        return self._call(name, "POST", url, body, lambda: self.http.post(url, body, what=what, limiter=limiter))

    def _call(self, name: str, method: str, shown: str, body: Any, call: Any) -> Download:
        try:
            got: Download = call()
        except FetchError as exc:
            status = exc.status if isinstance(exc, HttpStatusError) else None
            answer = Answer(self.source, name, method, shown, utc_now(), status, body=body, error=exc.message)
            self.recorder.record(answer, None)
            raise
        self.recorder.record(Answer(self.source, name, method, got.url, utc_now(), got.status, body=body), got.content)
        return got


# ── recorded fixtures ─────────────────────────────────────────────────────────────────────────────


def read_index(folder: Path) -> dict[str, Any]:
    path = folder / INDEX
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        answers = index["answers"]
        if not isinstance(answers, list) or not all(isinstance(a, dict) and "url" in a for a in answers):
            raise ValueError("'answers' is not a list of answers with a URL")
    except FileNotFoundError:
        raise ParseError(
            _("{folder} holds no {index}.").format(folder=folder, index=INDEX),
            hint=_("Give the folder lagesbild check-sources wrote (see its --out)."),
        ) from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ParseError(
            _("{path} is not an index of answers ({error}).").format(path=path, error=f"{type(exc).__name__}: {exc}"),
            hint=_("Give the folder lagesbild check-sources wrote, unchanged."),
        ) from None
    return dict(index)


def to_fixtures(folder: Path, dest: Path) -> list[Path]:
    """Turn a folder of answers into recorded fixtures in ``dest``, with an index and a PROVENANCE.md naming each
    file's URL, time, status and sha256. Returns the files ``dest`` holds.

    Only the sources the folder checked are replaced: the fixtures of the others (e.g. after
    ``check-sources --source geo``) are kept, and their answers stay in the merged index. Each source's check
    date is kept in ``checked_at_by_source``. Refused, leaving ``dest`` untouched, when a source could not be
    reached or a request got no answer (the fixtures would be incomplete), or when a file is missing or differs
    from its recorded sha256."""
    index = read_index(folder)
    contents = _verified(folder, index)
    new_sources = {str(r["source"]) for r in index.get("results", [])} | {str(a["source"]) for a in index["answers"]}
    merged = dict(index)
    merged["checked_at_by_source"] = dict.fromkeys(sorted(new_sources), index.get("checked_at"))
    if (dest / INDEX).is_file():
        old = read_index(dest)
        others = {
            key: [e for e in old.get(key, []) if e["source"] not in new_sources] for key in ("results", "answers")
        }
        kept = _verified(dest, {**old, **others})
        contents = {**kept, **contents}
        merged["results"] = _merged(old.get("results", []), index.get("results", []), new_sources)
        merged["answers"] = _merged(old["answers"], index["answers"], new_sources)
        earlier = {
            source: old.get("checked_at_by_source", {}).get(source, old.get("checked_at"))
            for source in {str(a["source"]) for a in old["answers"]} - new_sources
        }
        merged["checked_at_by_source"] = dict(sorted({**earlier, **merged["checked_at_by_source"]}.items()))
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}."))
    try:
        staging.chmod(folder_mode())  # mkdtemp's 0700 would keep colleagues out
        for relative, data in contents.items():
            atomic_write_bytes(staging / relative, data)
        text = json.dumps(merged, ensure_ascii=False, indent=2) + "\n"
        atomic_write_bytes(staging / INDEX, text.encode("utf-8"))
        atomic_write_bytes(staging / PROVENANCE, provenance(merged).encode("utf-8"))
        old_dest = dest.with_name(f".{dest.name}.old")
        shutil.rmtree(old_dest, ignore_errors=True)
        if dest.exists():
            dest.rename(old_dest)
        staging.rename(dest)
        shutil.rmtree(old_dest, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(dest / relative for relative in [*contents, INDEX, PROVENANCE])


def _verified(folder: Path, index: dict[str, Any]) -> dict[str, bytes]:
    """Every answer's bytes, checked against its sha256; refused when the folder is incomplete."""
    problems: dict[str, str] = {}  # each source once: an unreachable one, or its first request without an answer
    for r in index.get("results", []):
        if r.get("status") == UNREACHABLE:
            problems.setdefault(str(r["source"]), str(r["source"]))
    for a in index["answers"]:
        if not a.get("file"):
            problems.setdefault(str(a["source"]), f"{a['source']} {a['name']} ({a.get('error')})")
    if problems:
        raise ValidationError(
            _("{folder} is incomplete: {requests} got no answer.").format(
                folder=folder, requests=", ".join(problems.values())
            ),
            hint=_("Run lagesbild check-sources again when every source answers, then convert that folder."),
        )
    contents: dict[str, bytes] = {}
    for answer in index["answers"]:
        path = folder / answer["file"]
        if not path.is_file():
            raise ValidationError(
                _("{path} is listed in {index} but missing.").format(path=path, index=folder / INDEX),
                hint=_("Run the check again."),
            )
        data = path.read_bytes()
        if sha256(data) != answer["sha256"]:
            raise ValidationError(
                _("{path} differs from the sha256 recorded in {index}: it was changed after the check.").format(
                    path=path, index=folder / INDEX
                ),
                hint=_("Convert the folder exactly as lagesbild check-sources wrote it."),
            )
        contents[answer["file"]] = data
    return contents


def _merged(old: list[dict[str, Any]], new: list[dict[str, Any]], replaced: set[str]) -> list[dict[str, Any]]:
    """The old entries of the sources not checked again, then the new ones, in the sources' order."""
    entries = [e for e in old if e["source"] not in replaced] + list(new)
    order = {name: n for n, name in enumerate(SOURCE_NAMES)}
    return sorted(entries, key=lambda e: order.get(str(e["source"]), len(order)))


def provenance(index: dict[str, Any]) -> str:
    """The fixtures' PROVENANCE.md: every file VERBATIM as its server sent it."""
    lines = [
        "# Provenance — recorded answers of `lagesbild check-sources`",
        "",
        f"Recorded by {index.get('tool', 'lagesbild')} on {index.get('checked_at', '?')} (UTC) for kommun "
        f"{index.get('kommun', '?')}, and turned into fixtures with `scripts/answers_to_fixtures.py`. Every file is "
        "VERBATIM: the bytes the server sent, unchanged. `index.json` lists each request (method, URL with its "
        "query, POST body) and the check's outcome per source; the tests replay these answers on a loopback "
        "server. Terms: those of each source (see the other folders' PROVENANCE.md): Polisen (PSI reuse), SCB "
        '(CC0), Kolada (free use, "Källa: Kolada"), MCF ("Källa: MCF (tidigare MSB)"), Brå ("Källa: Brå"), '
        "okfse/sweden-geojson (Valmyndigheten's data).",
        "",
        "| file | method | URL | retrieved (UTC) | status | bytes | sha256 |",
        "|---|---|---|---|---|---|---|",
    ]
    for a in index["answers"]:
        url = str(a["url"]).replace("|", "%7C")
        lines.append(
            f"| `{a['file']}` | {a['method']} | {url} | {a['retrieved_at']} | {a['status']} | {a['bytes']} | "
            f"`{a['sha256']}` |"
        )
    return "\n".join(lines) + "\n"
