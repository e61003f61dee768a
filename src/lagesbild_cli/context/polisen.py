"""Polisen's published events for the kommun: counts by category and month, and the latest events.

Always labelled "publicerade händelser — inte brottsstatistik"; no rate is ever computed from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lagesbild_cli import formatting
from lagesbild_cli.kommuner import Kommun
from lagesbild_cli.store import Store

CATEGORIES = ("våld", "stöld/inbrott", "skadegörelse/brand", "narkotika", "trafik", "övrigt")
LATEST = 10
SUMMARY_CHARS = 300  # a published summary longer than this is cut in the report


@dataclass(frozen=True)
class MonthRow:
    manad: str  # "2025-12"
    label: str  # "december 2025"
    counts: tuple[int | None, ...]  # per CATEGORIES; None before the archive begins
    total: int | None


@dataclass(frozen=True)
class Event:
    datum: str
    typ: str
    rubrik: str
    sammanfattning: str
    url: str


@dataclass(frozen=True)
class EventsSection:
    period: str
    categories: tuple[str, ...]
    months: tuple[MonthRow, ...]
    totals: tuple[int, ...]
    total: int
    latest: tuple[Event, ...]
    first_in_archive: str
    last_in_archive: str


def _month_label(manad: str) -> str:
    year, month = manad.split("-")
    return f"{formatting.MONTHS[int(month) - 1]} {year}"


def events_section(store: Store, kommun: Kommun, year: int) -> EventsSection | None:
    """Events in the report year when the archive has any; otherwise its latest twelve months."""
    params = {"k": kommun.kod}
    months = [
        r["manad"]
        for r in store.rows(
            "select distinct manad from ind_polisen_handelser where kommun_kod = $k order by manad", params
        )
    ]
    if not months:
        return None
    in_year = [m for m in months if m.startswith(f"{year}-")]
    if in_year:
        shown = [f"{year}-{m:02d}" for m in range(1, 13)]
        period = f"år {year}"
    else:
        last_year, last_month = (int(p) for p in months[-1].split("-"))
        shown = []
        for back in range(11, -1, -1):
            total = last_year * 12 + last_month - 1 - back
            shown.append(f"{total // 12}-{total % 12 + 1:02d}")
        period = f"{_month_label(shown[0])}–{_month_label(shown[-1])} (senaste tolv månaderna i arkivet)"
    counts = {
        (r["manad"], r["kategori"]): r["antal"]
        for r in store.rows("select manad, kategori, antal from ind_polisen_handelser where kommun_kod = $k", params)
    }
    span = store.rows(
        "select min(datum) as a, max(datum) as b, min(manad) as first_month from raw_polisen_handelser", params
    )[0]
    rows = []
    for manad in shown:
        if manad < span["first_month"]:  # the archive had not started: unknown, not zero
            rows.append(MonthRow(manad=manad, label=_month_label(manad), counts=(None,) * len(CATEGORIES), total=None))
            continue
        per = tuple(counts.get((manad, c), 0) for c in CATEGORIES)
        rows.append(MonthRow(manad=manad, label=_month_label(manad), counts=per, total=sum(per)))
    totals = tuple(sum(r.counts[i] or 0 for r in rows) for i in range(len(CATEGORIES)))
    latest = store.rows(
        """
        select e.datum, e.typ, e.rubrik, e.sammanfattning, e.url
        from raw_polisen_handelser e left join polisen_kategorier k on k.typ = e.typ
        where e.kommun_kod = $k and coalesce(k.kategori, 'övrigt') <> 'sammanfattning' and e.manad between $a and $b
        order by e.tidpunkt desc limit $n
    """,
        {**params, "a": shown[0], "b": shown[-1], "n": LATEST},
    )
    span = store.rows(
        "select min(datum) as a, max(datum) as b from raw_polisen_handelser where kommun_kod = $k", params
    )[0]
    return EventsSection(
        period=period,
        categories=CATEGORIES,
        months=tuple(rows),
        totals=totals,
        total=sum(totals),
        latest=tuple(
            Event(
                datum=formatting.swedish_date(r["datum"]),
                typ=r["typ"],
                rubrik=r["rubrik"],
                sammanfattning=r["sammanfattning"]
                if len(r["sammanfattning"]) <= SUMMARY_CHARS
                else r["sammanfattning"][:SUMMARY_CHARS] + "…",
                url=r["url"],
            )
            for r in latest
        ),
        first_in_archive=formatting.swedish_date(span["a"]),
        last_in_archive=formatting.swedish_date(span["b"]),
    )
