"""Kolada v3 (https://api.kolada.se/v3): Brå-based KPIs for all 290 kommuner, län and riket, and the
kommun's comparison group "Liknande kommuner, övergripande".

Path-form requests (``/data/kpi/{kpis}/municipality/{ids}/year/{years}``), at most 25 ids per path
segment (more gives HTTP 422), pages followed through ``next_url``. Kolada's region ids are
``00XX`` for län XX and ``0000`` for riket. Values: ``gender == "T"``, skipping ``null`` and
``isdeleted``. KPI metadata (title, publication dates) is fetched first and kept with the values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from lagesbild_cli.errors import LagesbildError, ParseError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.kommuner import RIKET_KOD, Kommun, all_kommuner, find_kommun, lan_by_code
from lagesbild_cli.sources import SourceResult
from lagesbild_cli.sources._http import Http, RateLimit, Validators
from lagesbild_cli.storage.raw import Manifest

SOURCE = "kolada"
MAX_IDS = 25
MAX_PAGES = 100
RULES = RateLimit(min_interval=0.2)  # no published limit; well-behaved clients keep to ~5 calls a second

KPI_SCHEMA = {
    "kpi": pl.String,
    "titel": pl.String,
    "beskrivning": pl.String,
    "publ_period": pl.Int32,
    "publiceringsdatum": pl.String,
    "prel_publiceringsdatum": pl.String,
}
VALUE_SCHEMA = {"kpi": pl.String, "geo_kod": pl.String, "geo_niva": pl.String, "ar": pl.Int32, "varde": pl.Float64}
GROUP_SCHEMA = {
    "grupp_id": pl.String,
    "titel": pl.String,
    "ar": pl.Int32,
    "kommun_kod": pl.String,
    "medlem_kod": pl.String,
    "medlem_namn": pl.String,
}


def kolada_id(geo_kod: str) -> str:
    """SCB-style code → Kolada id: "00" → "0000", "20" → "0020", kommuner unchanged."""
    return geo_kod.zfill(4)


def from_kolada_id(value: str) -> tuple[str, str]:
    """Kolada id → (SCB-style code, level)."""
    if value == "0000":
        return RIKET_KOD, "riket"
    if value.startswith("00"):
        return value[2:], "lan"
    return value, "kommun"


def chunks(items: Sequence[str], size: int = MAX_IDS) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _page(data: bytes, origin: str) -> dict[str, Any]:
    try:
        doc = json.loads(data.decode("utf-8"))  # Kolada sends UTF-8 without a charset header
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(
            _("{origin} is not valid JSON ({error}).").format(origin=origin, error=exc),
            hint=_("Kolada may have sent an error page or a cut-off answer; fetch again."),
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
        raise ParseError(
            _("{origin} has no 'values' list.").format(origin=origin),
            hint=_("Is this an answer from Kolada's v3 API?"),
        )
    return doc


def parse_kpis(data: bytes, origin: str) -> pl.DataFrame:
    rows = [
        {
            "kpi": v["id"],
            "titel": v.get("title") or v["id"],
            "beskrivning": v.get("description") or "",
            "publ_period": v.get("publ_period"),
            "publiceringsdatum": v.get("publication_date"),
            "prel_publiceringsdatum": v.get("prel_publication_date"),
        }
        for v in _page(data, origin)["values"]
    ]
    return pl.DataFrame(rows, schema=KPI_SCHEMA)


def parse_values(data: bytes, origin: str) -> pl.DataFrame:
    rows = []
    for i, item in enumerate(_page(data, origin)["values"]):
        try:
            geo_kod, niva = from_kolada_id(str(item["municipality"]))
            total = next((v for v in item["values"] if v.get("gender") == "T"), None)
            if total is None or total.get("value") is None or total.get("isdeleted"):
                continue
            rows.append(
                {
                    "kpi": str(item["kpi"]),
                    "geo_kod": geo_kod,
                    "geo_niva": niva,
                    "ar": int(item["period"]),
                    "varde": float(total["value"]),
                }
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ParseError(
                _("{origin}, value {number}: unexpected shape ({error}).").format(
                    origin=origin, number=i + 1, error=f"{type(exc).__name__}: {exc}"
                ),
                hint=_("Each value needs kpi, municipality, period and values[gender, value]."),
            ) from None
    return pl.DataFrame(rows, schema=VALUE_SCHEMA)


_GROUP_TITLE = re.compile(r"^Liknande kommuner, övergripande, (?P<name>.+), (?P<year>\d{4})$")


def parse_groups(data: bytes, origin: str, kommun: Kommun) -> pl.DataFrame:
    """The newest "Liknande kommuner, övergripande, <kommun>, <år>" group and its members."""
    best: tuple[int, dict[str, Any]] | None = None
    for group in _page(data, origin)["values"]:
        match = _GROUP_TITLE.match(str(group.get("title", "")))
        if match and match["name"] == kommun.namn and (best is None or int(match["year"]) > best[0]):
            best = (int(match["year"]), group)
    if best is None:
        return pl.DataFrame(schema=GROUP_SCHEMA)
    year, group = best
    return pl.DataFrame(
        [
            {
                "grupp_id": group["id"],
                "titel": group["title"],
                "ar": year,
                "kommun_kod": kommun.kod,
                "medlem_kod": m["member_id"],
                "medlem_namn": m["member_title"],
            }
            for m in group.get("members", [])
        ],
        schema=GROUP_SCHEMA,
    )


def _fetch_pages(
    http: Http,
    manifest: Manifest,
    url: str,
    stem: str,
    what: str,
    check: Callable[[bytes, str], object],
    result: SourceResult,
    **kw: Any,
) -> None:
    """Fetch a paged resource into ``<stem>_p<N>.json`` files, following ``next_url``."""
    limiter = kw.pop("limiter")
    params = kw.pop("params", None)
    page = 1
    next_url: str | None = url
    while next_url and page <= MAX_PAGES:
        relative = f"{stem}_p{page}.json"
        previous = manifest.get(relative)
        validators = Validators(previous.etag, previous.last_modified) if previous else None
        got = http.get(
            next_url, what=what, params=params if page == 1 else None, validators=validators, limiter=limiter
        )
        if got.not_modified:
            manifest.mark_unchanged(relative)
            result.unchanged += 1
            content = (manifest.raw_dir / relative).read_bytes()
        else:
            check(got.content, _("the answer from {url}").format(url=got.url))
            manifest.store_download(relative, got, SOURCE)
            result.fetched += 1
            content = got.content
        next_url = _page(content, relative).get("next_url") or None
        page += 1


def fetch(
    kommun: Kommun, base_url: str, kpis: Sequence[str], years: Sequence[int], http: Http, manifest: Manifest
) -> SourceResult:
    result = SourceResult(SOURCE)
    limiter = http.limiter("Kolada", RULES)
    base = base_url.rstrip("/")
    ids = [k.kod for k in all_kommuner()] + ["0000"] + [kolada_id(code) for code in lan_by_code()]
    year_text = ",".join(str(y) for y in years)
    jobs: list[tuple[str, str, str, Callable[[bytes, str], object], dict[str, Any]]] = []
    for n, kpi_chunk in enumerate(chunks(list(kpis))):
        jobs.append(
            (f"{base}/kpi/{','.join(kpi_chunk)}", f"kolada/kpi_{n}", _("Kolada's KPI metadata"), parse_kpis, {})
        )
    for kpi_n, kpi_chunk in enumerate(chunks(list(kpis))):
        for n, id_chunk in enumerate(chunks(ids)):
            url = f"{base}/data/kpi/{','.join(kpi_chunk)}/municipality/{','.join(id_chunk)}/year/{year_text}"
            jobs.append((url, f"kolada/data_{kpi_n}_{n}", _("Kolada's KPI values"), parse_values, {}))
    jobs.append(
        (
            f"{base}/municipality_groups",
            f"kolada/grupper_{kommun.kod}",
            _("Kolada's comparison groups for {kommun}").format(kommun=kommun.namn),
            lambda d, o: parse_groups(d, o, kommun),
            {"params": {"title": kommun.namn}},
        )
    )
    for url, stem, what, check, extra in jobs:
        try:
            _fetch_pages(http, manifest, url, stem, what, check, result, limiter=limiter, **extra)
        except LagesbildError as exc:
            result.fail(exc)
            if not result.fetched and not result.unchanged:
                break  # the first call failed: the service is down, do not hammer it
    return result


def _frames(raw_dir: Path, pattern: str, parser: Callable[[bytes, str], pl.DataFrame], schema: Any) -> pl.DataFrame:
    files = sorted(raw_dir.glob(pattern))
    frames = [parser(p.read_bytes(), str(p)) for p in files]
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def load(raw_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """KPI metadata, values and comparison groups from the raw files."""
    folder = raw_dir / SOURCE
    kpi = _frames(folder, "kpi_*_p*.json", parse_kpis, KPI_SCHEMA).unique("kpi", keep="last").sort("kpi")
    values = (
        _frames(folder, "data_*_p*.json", parse_values, VALUE_SCHEMA)
        .unique(["kpi", "geo_kod", "ar"], keep="last")
        .sort("kpi", "geo_kod", "ar")
    )
    groups = []
    for path in sorted(folder.glob("grupper_*_p*.json")):
        kommun = find_kommun(path.name.split("_")[1])
        if kommun is not None:
            groups.append(parse_groups(path.read_bytes(), str(path), kommun))
    group_frame = pl.concat(groups) if groups else pl.DataFrame(schema=GROUP_SCHEMA)
    return kpi, values, group_frame
