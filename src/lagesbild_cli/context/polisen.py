"""Polisen's published events for the kommun: counts by category and month, and the latest events.

Always labelled "publicerade händelser — inte brottsstatistik"; no rate is ever computed from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lagesbild_cli.context import formatting
from lagesbild_cli.database.store import Store
from lagesbild_cli.settings.kommuner import Kommun

OTHER = "Övrigt"  # a type the category file does not list
NOT_COUNTED = "sammanfattning"  # Polisen's own summaries: in no count
LATEST = 10
SUMMARY_CHARS = 300  # a published summary longer than this is cut in the report


@dataclass(frozen=True)
class MonthRow:
    manad: str  # "2025-12"
    label: str  # "december 2025"
    counts: tuple[int | None, ...]  # per category; None outside the archive (before it begins, after it ends)
    total: int | None


@dataclass(frozen=True)
class Event:
    datum: str
    typ: str
    rubrik: str
    sammanfattning: str
    url: str


@dataclass(frozen=True)
class TypeGroup:
    """A group of the report's events table and the Polisen event types counted in it."""

    label: str
    types: tuple[str, ...]


@dataclass(frozen=True)
class EventsSection:
    period: str
    categories: tuple[str, ...]
    type_groups: tuple[TypeGroup, ...]  # the category file as the method section prints it: every listed type
    months: tuple[MonthRow, ...]
    totals: tuple[int, ...]
    total: int
    latest: tuple[Event, ...]
    first_in_archive: str  # the first and last event of the whole archive (every kommun and län stored)
    last_in_archive: str
    first_in_kommun: str  # the kommun's own first and last event
    last_in_kommun: str
    partial_months: tuple[str, ...]  # shown months the archive covers only in part ("januari 2023")

    @property
    def by_category(self) -> str:
        """The month × category table in one sentence for the body (the table itself is in the appendix):
        each category with events, most first (ties in the order of the category file), and how many of
        the shown months had any. Counts only, never a rate."""
        ranked = sorted(
            ((n, i, c) for i, (c, n) in enumerate(zip(self.categories, self.totals, strict=True)) if n),
            key=lambda t: (-t[0], t[1]),
        )
        parts = [f"{c.lower()} {formatting.number(n)}" for n, _, c in ranked]
        covered = [m for m in self.months if m.total is not None]
        with_events = sum(1 for m in covered if m.total)
        if not parts:  # a kommun without a single published event in the months shown
            text = "Inga händelser i någon kategori."
        else:
            text = f"Per kategori: {formatting.listed(parts)}."
        return f"{text} {with_events} av de {len(covered)} månader som arkivet täcker hade någon publicerad händelse."


def _month_label(manad: str) -> str:
    year, month = manad.split("-")
    return f"{formatting.MONTHS[int(month) - 1]} {year}"


def type_groups(store: Store) -> tuple[TypeGroup, ...]:
    """The category file (``polisen_kategorier.csv``, loaded as the table ``polisen_kategorier``) grouped in its own
    order, 'Övrigt' last and the summaries, counted nowhere, after it: the method's table is the file."""
    groups: dict[str, list[str]] = {}
    for r in store.rows("select typ, kategori from polisen_kategorier"):
        groups.setdefault(r["kategori"], []).append(r["typ"])
    groups.setdefault(OTHER, [])
    order = [g for g in groups if g not in (OTHER, NOT_COUNTED)] + [OTHER] + [g for g in groups if g == NOT_COUNTED]
    return tuple(TypeGroup(label=g, types=tuple(groups[g])) for g in order)


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
    groups = type_groups(store)
    categories = tuple(g.label for g in groups if g.label != NOT_COUNTED)
    counts = {
        (r["manad"], r["kategori"]): r["antal"]
        for r in store.rows("select manad, kategori, antal from ind_polisen_handelser where kommun_kod = $k", params)
    }
    rows = []
    for manad in shown:
        if not archive["first_month"] <= manad <= archive["last_month"]:  # no archive then: unknown, not zero
            rows.append(MonthRow(manad=manad, label=_month_label(manad), counts=(None,) * len(categories), total=None))
            continue
        per = tuple(counts.get((manad, c), 0) for c in categories)
        rows.append(MonthRow(manad=manad, label=_month_label(manad), counts=per, total=sum(per)))
    totals = tuple(sum(r.counts[i] or 0 for r in rows) for i in range(len(categories)))
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
        from raw_polisen_handelser e left join polisen_kategorier k on lower(k.typ) = lower(trim(e.typ))
        where e.kommun_kod = $k and coalesce(k.kategori, $other) <> $not_counted and e.manad between $a and $b
        order by e.tidpunkt desc limit $n
    """,
        {**params, "a": shown[0], "b": shown[-1], "n": LATEST, "other": OTHER, "not_counted": NOT_COUNTED},
    )
    own = store.rows(
        "select min(datum) as a, max(datum) as b from raw_polisen_handelser where kommun_kod = $k", params
    )[0]
    return EventsSection(
        period=period,
        categories=categories,
        type_groups=groups,
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
