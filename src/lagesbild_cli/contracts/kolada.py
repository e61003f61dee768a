"""Kolada v3: the metadata of the first configured KPI and its values for the kommun, its län and riket over the
last years, read by the pipeline's parsers; the keys the pipeline reads are there (the parser reads some with
defaults, so a renamed key would pass it unseen), values are plausible and the newest year is recent."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import polars as pl

from lagesbild_cli.contracts.base import Changed, Context, Findings, json_answer, missing_keys, newest_ok, origin, year
from lagesbild_cli.i18n import _, ngettext
from lagesbild_cli.settings.config import KOLADA_FACTOR_KPIS
from lagesbild_cli.sources import kolada
from lagesbild_cli.sources._http import Limiter

KPI_KEYS = ("id", "title", "description", "publ_period", "publication_date", "prel_publication_date")
# the other keys of Kolada v3's KPI metadata: not read, but known, so that a renamed key shows as a new one
OTHER_KPI_KEYS = (
    "is_divided_by_gender",
    "municipality_type",
    "auspice",
    "operating_area",
    "perspective",
    "has_ou_data",
)
VALUE_KEYS = ("kpi", "municipality", "period", "values")
CELL_KEYS = ("gender", "value")
YEARS = 6  # the values of the last six years
MAX_PAGES = 5


def _metadata(ctx: Context, found: Findings, base: str, kpi: str, limiter: Limiter) -> None:
    got = ctx.probe.get("kpi", f"{base}/kpi/{kpi}", what=_("Kolada's KPI metadata"), limiter=limiter)
    doc = json_answer(got)
    kolada.parse_kpis(got.content, origin(got))
    item = next((v for v in doc["values"] if isinstance(v, dict) and v.get("id") == kpi), None)
    if item is None:
        raise Changed(_("the answer from {url} has no KPI {kpi}").format(url=got.url, kpi=kpi))
    missing = missing_keys(item, KPI_KEYS)
    if missing:
        new = [k for k in item if k not in KPI_KEYS + OTHER_KPI_KEYS]
        raise Changed(
            ngettext("KPI {kpi} lacks the key {keys}", "KPI {kpi} lacks the keys {keys}", len(missing)).format(
                kpi=kpi, keys=", ".join(missing)
            )
            + (ngettext("; new key: {keys}", "; new keys: {keys}", len(new)).format(keys=", ".join(new)) if new else "")
        )
    found.expect(
        isinstance(item["title"], str) and bool(item["title"].strip()),
        _("KPI {kpi}: 'title' is not a text").format(kpi=kpi),
    )
    period = str(item["publ_period"])
    found.expect(
        period.isdigit() and len(period) == 4,
        _("KPI {kpi}: 'publ_period' is {value}").format(kpi=kpi, value=repr(item["publ_period"])),
    )
    found.notes.append(f"{kpi} '{item['title']}'")


def _same_host(url: str, base: str) -> str:
    """A ``next_url`` on the configured host (it names Kolada's own host; a test server stands in for it)."""
    parts, host = urlsplit(url), urlsplit(base)
    return urlunsplit((host.scheme, host.netloc, parts.path, parts.query, ""))


def _values(ctx: Context, found: Findings, base: str, kpi: str, limiter: Limiter) -> None:
    kommun = ctx.config.kommun
    ids = [kommun.kod, kolada.kolada_id(kommun.lan_kod), "0000"]
    years = ",".join(str(y) for y in range(ctx.today.year - YEARS + 1, ctx.today.year + 1))
    url: str | None = f"{base}/data/kpi/{kpi}/municipality/{','.join(ids)}/year/{years}"
    frames = []
    for page in range(1, MAX_PAGES + 1):
        if url is None:
            break
        got = ctx.probe.get(f"data_p{page}", url, what=_("Kolada's KPI values"), limiter=limiter)
        doc = json_answer(got)
        frames.append(kolada.parse_values(got.content, origin(got)))
        items: list[Any] = doc["values"]
        for i, item in enumerate(items):
            missing = missing_keys(item, VALUE_KEYS)
            cells = item.get("values") if isinstance(item, dict) else None
            if not missing and isinstance(cells, list):
                missing = [f"values[].{k}" for k in CELL_KEYS if any(k not in c for c in cells if isinstance(c, dict))]
            if missing:
                raise Changed(
                    ngettext(
                        "value {number} lacks the key {keys}", "value {number} lacks the keys {keys}", len(missing)
                    ).format(number=i + 1, keys=", ".join(missing))
                )
        next_url = doc.get("next_url")
        url = _same_host(next_url, base) if isinstance(next_url, str) and next_url else None
    frame = pl.concat(frames)
    ours = frame.filter(pl.col("geo_kod") == kommun.kod)
    if ours.is_empty():
        raise Changed(
            _("no value of {kpi} for {kommun} ({kod}) in {years}").format(
                kpi=kpi, kommun=kommun.namn, kod=kommun.kod, years=years
            )
        )
    found.expect(
        set(frame["geo_kod"]) <= {kommun.kod, kommun.lan_kod, "00"},
        _("values for regions not asked for ({regions})").format(regions=", ".join(sorted(set(frame["geo_kod"])))),
    )
    newest = year(ours["ar"].max())
    found.add(newest_ok(newest, ctx.today, _("{kpi} for {kommun}").format(kpi=kpi, kommun=kommun.namn)))
    bad = [v for v in frame["varde"].to_list() if not (isinstance(v, float) and math.isfinite(v) and 0 <= v < 1e6)]
    found.expect(
        not bad,
        _("{count} values of {kpi} are negative or implausibly large (e.g. {examples})").format(
            count=len(bad), kpi=kpi, examples=bad[:3]
        ),
    )
    found.notes.append(_("values {first}–{last}").format(first=year(frame["ar"].min()), last=newest))


def _factors(ctx: Context, found: Findings, base: str, limiter: Limiter) -> None:
    """The risk and protective factors' KPIs (context/factors.py) are in Kolada's catalogue: no recorded answer
    exists for some of them, so the live catalogue is the check of their ids."""
    got = ctx.probe.get(
        "kpi_factors", f"{base}/kpi/{','.join(KOLADA_FACTOR_KPIS)}", what="Kolada's KPI metadata", limiter=limiter
    )
    known = set(kolada.parse_kpis(got.content, origin(got))["kpi"].to_list())
    missing = [k for k in KOLADA_FACTOR_KPIS if k not in known]
    found.expect(not missing, f"Kolada's catalogue has no KPI {', '.join(missing)} (the report's risk factors)")
    found.notes.append(f"{len(KOLADA_FACTOR_KPIS) - len(missing)} factor KPIs")


def check(ctx: Context, found: Findings) -> None:
    base = ctx.config.kolada.url.rstrip("/")
    kpi = ctx.config.kolada.kpis[0]
    limiter = ctx.probe.http.limiter("Kolada", kolada.RULES)
    with found.part(_("KPI metadata")):
        _metadata(ctx, found, base, kpi, limiter)
    with found.part(_("{kpi} values").format(kpi=kpi)):
        _values(ctx, found, base, kpi, limiter)
    with found.part("factor KPIs"):
        _factors(ctx, found, base, limiter)
