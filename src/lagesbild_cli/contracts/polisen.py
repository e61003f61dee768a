"""Polisen's events: the call the fetch makes (the kommun's län and the kommun), read by the pipeline's
parser; every event has its fields with the right types, a place that names a län or kommun, and the newest
event is recent."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from lagesbild_cli.contracts.base import Changed, Context, Findings, json_answer, origin
from lagesbild_cli.i18n import _
from lagesbild_cli.sources import polisen

MAX_AGE_DAYS = 14  # Polisen publishes events every day; a newest event older than this means the feed stopped
SWEDEN = ((55.0, 69.5), (10.5, 24.5))  # (lat, lon) ranges


def _typed(event: Any) -> list[str]:
    """The fields of one event whose type is not the documented one."""
    wrong = [k for k in ("name", "summary", "url", "type", "datetime") if not isinstance(event.get(k), str)]
    gps = event["location"].get("gps")
    if not isinstance(gps, str):
        wrong.append("location.gps")
    return wrong


def check(ctx: Context, found: Findings) -> None:
    kommun = ctx.config.kommun
    limiter = ctx.probe.http.limiter("Polisen", polisen.RULES, ctx.config.raw_dir / polisen.CALLS)
    params = {"locationname": f"{kommun.lan.namn};{kommun.namn}"}
    with found.part(_("events")):
        got = ctx.probe.get(
            "events", ctx.config.polisen.url, what=_("Polisen's events"), params=params, limiter=limiter
        )
        doc = json_answer(got)
        if isinstance(doc, list) and not doc:
            raise Changed(_("{url} answered an empty list: no events").format(url=got.url))
        frame = polisen.parse(got.content, origin(got))  # every event's keys, id and datetime
        events: list[dict[str, Any]] = doc
        wrong = [(i, fields) for i, e in enumerate(events) if (fields := _typed(e))]
        if wrong:
            i, fields = wrong[0]
            raise Changed(
                _("{count} of {total} events have fields of another type (event {number}: {fields})").format(
                    count=len(wrong), total=len(events), number=i + 1, fields=fields
                )
            )
        placed = frame.filter(frame["lan_kod"].is_not_null()).height
        found.expect(
            placed * 2 >= frame.height,
            _(
                "only {count} of {total} events name a län or kommun in location.name or the title's last part "
                "(has the location format changed again?)"
            ).format(count=placed, total=frame.height),
        )
        (lat_lo, lat_hi), (lon_lo, lon_hi) = SWEDEN
        outside = (
            frame.filter(
                ~frame["gps_lat"].is_between(lat_lo, lat_hi) | ~frame["gps_lon"].is_between(lon_lo, lon_hi)
            ).height
            + frame.filter(frame["gps_lat"].is_null()).height
        )
        found.expect(
            outside == 0,
            _("{count} of {total} events have location.gps outside Sweden or unreadable").format(
                count=outside, total=frame.height
            ),
        )
        last = frame["datum"].max()
        newest = last if isinstance(last, date) else None
        if newest is not None:
            found.expect(
                ctx.today - timedelta(days=MAX_AGE_DAYS) <= newest <= ctx.today + timedelta(days=1),
                _("the newest event is from {date}, not within {days} days before {today}").format(
                    date=newest, days=MAX_AGE_DAYS, today=ctx.today
                ),
            )
        found.notes.append(_("{count} events, newest {date}").format(count=frame.height, date=newest))
