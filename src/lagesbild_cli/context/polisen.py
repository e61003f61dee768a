"""Polisen's published events for the kommun: counts by category and month, and the latest events.

Always labelled "publicerade händelser — inte brottsstatistik"; no rate is ever computed from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lagesbild_cli.context import formatting
from lagesbild_cli.database.store import Store
from lagesbild_cli.settings.kommuner import Kommun

CATEGORIES = ("våld", "stöld/inbrott", "skadegörelse/brand", "narkotika", "trafik", "övrigt")
LATEST = 10
SUMMARY_CHARS = 300  # a published summary longer than this is cut in the report


@dataclass(frozen=True)
class MonthRow:
    manad: str  # "2025-12"
    label: str  # "december 2025"
    counts: tuple[int | None, ...]  # per CATEGORIES; None outside the archive (before it begins, after it ends)
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
    first_in_archive: str  # the first and last event of the whole archive (every kommun and län stored)
    last_in_archive: str
    first_in_kommun: str  # the kommun's own first and last event
    last_in_kommun: str
    partial_months: tuple[str, ...]  # shown months the archive covers only in part ("januari 2023")


def _month_label(manad: str) -> str:
    year, month = manad.split("-")
    return f"{formatting.MONTHS[int(month) - 1]} {year}"


def events_section(store: Store, kommun: Kommun, year: int) -> EventsSection | None:
    """Events in the report year when the archive has any; otherwise its latest twelve months up to the
    report's year (none after it).

    Months outside the archive (before its first event or after its last, of any kommun) are
    unknown, not zero.
    """
    params = {"k": kommun.kod}
    months = [
        r["manad"]
        for r in store.rows(
            "select distinct manad from ind_polisen_handelser where kommun_kod = $k order by manad", params
        )
    ]
    if not months:
        return None
    archive = store.rows(
        "select min(datum) as a, max(datum) as b, min(manad) as first_month, max(manad) as last_month"
        " from raw_polisen_handelser"
    )[0]
    in_year = [m for m in months if m.startswith(f"{year}-")]
    if in_year:
        shown = [f"{year}-{m:02d}" for m in range(1, 13)]
        period = f"år {year}"
    else:  # the archive's latest twelve months up to the report's year, never after it
        end = min(archive["last_month"], f"{year}-12")
        if end < archive["first_month"]:
            return None
        last_year, last_month = (int(p) for p in end.split("-"))
        shown = []
        for back in range(11, -1, -1):
            total = last_year * 12 + last_month - 1 - back
            shown.append(f"{total // 12}-{total % 12 + 1:02d}")
        period = f"{_month_label(shown[0])}–{_month_label(shown[-1])} (senaste tolv månaderna i arkivet)"
    counts = {
        (r["manad"], r["kategori"]): r["antal"]
        for r in store.rows("select manad, kategori, antal from ind_polisen_handelser where kommun_kod = $k", params)
    }
    rows = []
    for manad in shown:
        if not archive["first_month"] <= manad <= archive["last_month"]:  # no archive then: unknown, not zero
            rows.append(MonthRow(manad=manad, label=_month_label(manad), counts=(None,) * len(CATEGORIES), total=None))
            continue
        per = tuple(counts.get((manad, c), 0) for c in CATEGORIES)
        rows.append(MonthRow(manad=manad, label=_month_label(manad), counts=per, total=sum(per)))
    totals = tuple(sum(r.counts[i] or 0 for r in rows) for i in range(len(CATEGORIES)))
    first_day, last_day = archive["a"], archive["b"]
    partial = [
        m
        for m, covered in (
            (archive["first_month"], first_day.day > 1),
            (archive["last_month"], not _month_end(last_day)),
        )
        if covered and m in shown
    ]
    latest = store.rows(
        """
        select e.datum, e.typ, e.rubrik, e.sammanfattning, e.url
        from raw_polisen_handelser e left join polisen_kategorier k on k.typ = e.typ
        where e.kommun_kod = $k and coalesce(k.kategori, 'övrigt') <> 'sammanfattning' and e.manad between $a and $b
        order by e.tidpunkt desc limit $n
    """,
        {**params, "a": shown[0], "b": shown[-1], "n": LATEST},
    )
    own = store.rows(
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
        first_in_archive=formatting.swedish_date(first_day),
        last_in_archive=formatting.swedish_date(last_day),
        first_in_kommun=formatting.swedish_date(own["a"]),
        last_in_kommun=formatting.swedish_date(own["b"]),
        partial_months=tuple(dict.fromkeys(_month_label(m) for m in partial)),
    )


def _month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1
