"""Polisen's events (https://polisen.se/api/events): "publicerade händelser", never crime statistics.

The API returns only the latest ~500 events, so each fetch is merged by ``id`` into an archive that
grows run by run and never loses an event. Two formats exist: until early 2026 ``location.name``
was the kommun; since then it is the län and the kommun is the last part of ``name``. The hour in
``datetime`` is not zero-padded, ``url`` is relative, and ``gps`` is the centroid of the kommun or
län, not the place of the event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import polars as pl

from lagesbild_cli.errors import LagesbildError, ParseError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.kommuner import Kommun, find_kommun, find_lan
from lagesbild_cli.sources import Schema, SourceResult, read_given
from lagesbild_cli.sources._http import Http, RateLimit
from lagesbild_cli.storage.raw import Manifest, ManifestEntry

SOURCE = "polisen"
ARCHIVE = "polisen/archive.json"
LATEST = "polisen/latest.json"
CALLS = "polisen/.calls.json"
SITE = "https://polisen.se"
MAX_FILE_BYTES = 100 * 2**20  # an imported file; Dalarna's events of three years are 1.5 MB
# https://polisen.se/om-polisen/om-webbplatsen/oppna-data/regler-for-oppna-data/
RULES = RateLimit(min_interval=10.0, per_hour=60, per_day=1440)

EVENT_SCHEMA: Schema = {
    "id": pl.Int64,
    "tidpunkt": pl.Datetime("us", "UTC"),
    "datum": pl.Date,
    "manad": pl.String,
    "timme": pl.Int8,
    "typ": pl.String,
    "rubrik": pl.String,
    "sammanfattning": pl.String,
    "url": pl.String,
    "plats": pl.String,
    "lan_kod": pl.String,
    "kommun_kod": pl.String,
    "gps_lat": pl.Float64,
    "gps_lon": pl.Float64,
}
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{1,2}):(\d{2}):(\d{2}) ([+-])(\d{2}):(\d{2})$")
_KEYS = ("id", "datetime", "name", "summary", "url", "type", "location")


def _error(origin: str, index: int, problem: str) -> ParseError:
    return ParseError(
        _("{origin}, event {number}: {problem}.").format(origin=origin, number=index + 1, problem=problem),
        hint=_("Polisen's API answers a JSON list of events; was this an error page or another file?"),
    )


def read_events(data: bytes, origin: str) -> list[dict[str, Any]]:
    """The raw event objects, checked for the keys every event has."""
    try:
        events = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(
            _("{origin} is not valid JSON ({error}).").format(origin=origin, error=exc),
            hint=_("The server may have sent an error page or a cut-off answer; fetch again."),
        ) from None
    if not isinstance(events, list):
        raise ParseError(
            _("{origin} is not a list of events (found a {type}).").format(origin=origin, type=type(events).__name__),
            hint=_("Give the JSON list that https://polisen.se/api/events returns, or an archive of it."),
        )
    for i, event in enumerate(events):
        if not isinstance(event, dict):
            raise _error(origin, i, _("expected an object, found {value}").format(value=f"{event!r:.60}"))
        missing = [k for k in _KEYS if k not in event]
        if missing:
            raise _error(origin, i, _("lacks {keys}").format(keys=", ".join(missing)))
        if not isinstance(event["id"], int) or isinstance(event["id"], bool) or not 0 < event["id"] < 2**63:
            raise _error(
                origin,
                i,
                _("'id' should be a positive whole number, found {value}").format(value=f"{event['id']!r:.40}"),
            )
        if not isinstance(event["location"], dict) or "name" not in event["location"]:
            raise _error(origin, i, _("'location' should be an object with 'name' and 'gps'"))
    return events


def _when(value: Any, origin: str, index: int) -> datetime:
    match = _DATETIME.match(str(value).strip())
    if match is None:
        raise _error(
            origin,
            index,
            _("'datetime' should look like '2025-12-03 15:14:21 +01:00', found {value}").format(value=f"{value!r:.40}"),
        )
    y, mo, d, h, mi, s, sign, oh, om = match.groups()
    offset = timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
    try:
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone(offset))
    except ValueError as exc:
        raise _error(
            origin, index, _("'datetime' {value} is not a real time ({error})").format(value=repr(value), error=exc)
        ) from None


def place(location_name: str, title: str) -> tuple[str | None, str | None]:
    """(län code, kommun code) of an event: the kommun from ``location.name`` (until 2026) or from the
    last part of the title when the location is a län (since 2026), checked against that län."""
    name = location_name.strip()
    if "län" in name.casefold():
        lan = find_lan(name)
        if lan is None:
            return None, None
        suffix = title.rsplit(",", 1)[-1].strip() if "," in title else ""
        kommun = find_kommun(suffix) if suffix else None
        return lan.kod, kommun.kod if kommun is not None and kommun.lan_kod == lan.kod else None
    kommun = find_kommun(name) if name else None
    return (kommun.lan_kod, kommun.kod) if kommun is not None else (None, None)


def _gps(value: Any) -> tuple[float | None, float | None]:
    try:
        lat, lon = (float(p) for p in str(value).split(","))
    except ValueError:
        return None, None
    return lat, lon


def parse(data: bytes, origin: str) -> pl.DataFrame:
    """Events (either format) as a tidy frame, one row per id. Pure."""
    rows = []
    for i, event in enumerate(read_events(data, origin)):
        when = _when(event["datetime"], origin, i)
        title = str(event["name"] or "")
        lan_kod, kommun_kod = place(str(event["location"].get("name") or ""), title)
        lat, lon = _gps(event["location"].get("gps"))
        rows.append(
            {
                "id": event["id"],
                "tidpunkt": when.astimezone(UTC),
                "datum": when.date(),
                "manad": f"{when.year}-{when.month:02d}",
                "timme": when.hour,
                "typ": str(event["type"] or "").strip(),
                "rubrik": title,
                "sammanfattning": str(event["summary"] or ""),
                "url": urljoin(SITE, str(event["url"] or "")),
                "plats": str(event["location"].get("name") or ""),
                "lan_kod": lan_kod,
                "kommun_kod": kommun_kod,
                "gps_lat": lat,
                "gps_lon": lon,
            }
        )
    frame = pl.DataFrame(rows, schema=EVENT_SCHEMA)
    return frame.unique(subset="id", keep="last", maintain_order=True).sort("id", descending=True)


def merge(archive: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Union by ``id``; a newer version of an event replaces the older one. Newest id first."""
    by_id = {e["id"]: e for e in archive}
    by_id.update({e["id"]: e for e in new})
    return [by_id[i] for i in sorted(by_id, reverse=True)]


def _archive(manifest: Manifest) -> list[dict[str, Any]]:
    path = manifest.raw_dir / ARCHIVE
    return read_events(path.read_bytes(), str(path)) if path.exists() else []


def _store_archive(manifest: Manifest, events: list[dict[str, Any]], origin: str) -> ManifestEntry:
    text = json.dumps(events, ensure_ascii=False, indent=1)
    return manifest.store(ARCHIVE, (text + "\n").encode("utf-8"), source=SOURCE, origin=origin, status=None)


def fetch(kommun: Kommun, url: str, http: Http, manifest: Manifest) -> SourceResult:
    """One polite call for the kommun's län and the kommun, merged into the archive."""
    result = SourceResult(SOURCE)
    limiter = http.limiter("Polisen", RULES, manifest.raw_dir / CALLS)
    params = {"locationname": f"{kommun.lan.namn};{kommun.namn}"}
    try:
        got = http.get(url, what=_("Polisen's events"), params=params, limiter=limiter)
        new = read_events(got.content, _("the answer from {url}").format(url=got.url))
        archive = _archive(manifest)
    except LagesbildError as exc:
        result.fail(exc)
        result.by_hand = _(
            "Polisen: open {url} in a browser, save it as a .json file, then run: lagesbild import polisen FILE"
        ).format(url=f"{url}?locationname={params['locationname']}")
        return result
    manifest.store_download(LATEST, got, SOURCE)
    merged = merge(archive, new)
    added = len(merged) - len(archive)
    _store_archive(manifest, merged, f"{len(merged)} events merged by id from every fetch and import")
    result.fetched = 1
    result.detail = _("{received} events received, {added} new; archive holds {total}").format(
        received=len(new), added=added, total=len(merged)
    )
    return result


def import_file(path: Path, manifest: Manifest) -> tuple[int, int]:
    """Merge a file of events (an API answer or an archive, either format) into the archive.

    Returns (events in the file, events new to the archive). Nothing is written if the file is bad.
    """
    if not path.is_file():
        raise ParseError(
            _("{path} does not exist.").format(path=path), hint=_("Give the path of a JSON file of Polisen events.")
        )
    data = read_given(
        path,
        limit=MAX_FILE_BYTES,
        what=_("a file of Polisen events"),
        hint=_("Split the file by year or län (Polisen's API answers at most 500 events at a time)."),
    )
    parse(data, str(path))  # every event must parse before anything is stored
    new = read_events(data, str(path))
    archive = _archive(manifest)
    merged = merge(archive, new)
    _store_archive(manifest, merged, f"{len(merged)} events merged by id from every fetch and import")
    return len(new), len(merged) - len(archive)


def load_archive(raw_dir: Path) -> pl.DataFrame:
    path = raw_dir / ARCHIVE
    if not path.exists():
        return pl.DataFrame(schema=EVENT_SCHEMA)
    return parse(path.read_bytes(), str(path))
