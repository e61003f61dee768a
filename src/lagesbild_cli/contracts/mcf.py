"""MCF's table B11 (PxWeb v1): its description, read by the pipeline's parser (the variable codes the fetch
selects by, the 290 kommuner, the incident types, recent years), then the query the fetch builds, for the
kommun alone and the two newest years, read by the pipeline's parser (plausible counts, the kommun's rows)."""

from __future__ import annotations

import polars as pl

from lagesbild_cli.contracts.base import Changed, Context, Findings, json_answer, listed, newest_ok, origin
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.kommuner import all_kommuner
from lagesbild_cli.sources import mcf
from lagesbild_cli.sources._http import Limiter

MIN_TYPES = 10  # B11 has 14 incident types
MAX_COUNT = 100_000  # incidents of one type in one kommun and year


def _description(ctx: Context, found: Findings, url: str, limiter: Limiter) -> dict[str, mcf.Variable]:
    got = ctx.probe.get("b11_description", url, what=_("the description of MCF's table B11"), limiter=limiter)
    json_answer(got)
    variables = mcf.parse_metadata(got.content, origin(got))  # kommun, ar and konvHandelsetypId are there
    names = {k.kod: k.namn for k in all_kommuner()}
    codes = set(variables[mcf.CODES.kommun].values)
    found.expect(
        not (missing := set(names) - codes),
        _("B11's variable 'kommun' lacks {count} of 290 kommuner ({kommuner})").format(
            count=len(missing), kommuner=listed(missing, names)
        ),
    )
    found.expect(
        not (extra := codes - set(names)),
        _("B11's variable 'kommun' has codes that are no kommun: {codes}").format(codes=listed(extra)),
    )
    types = set(variables[mcf.CODES.type].values)
    found.expect(
        set(mcf.GROUPS) <= types and len(types) >= MIN_TYPES,
        _("B11's incident types are {types} (expected at least {minimum}, among them 14 and 15)").format(
            types=listed(types), minimum=MIN_TYPES
        ),
    )
    years = [int(y) for y in variables[mcf.CODES.year].values if y.isascii() and y.isdigit()]
    found.expect(
        len(years) == len(variables[mcf.CODES.year].values), _("B11's variable 'ar' has values that are no year")
    )
    found.add(newest_ok(max(years, default=None), ctx.today, "B11"))
    if mcf.CODES.month not in variables:
        found.notes.append(_("B11 has no month variable"))
    if mcf.hour_code(variables) is None:
        found.notes.append(_("B11 has no hour variable"))
    found.notes.append(
        _("B11 {kommuner} kommuner, {types} types, years {first}–{last}").format(
            kommuner=len(codes), types=len(types), first=min(years, default="?"), last=max(years, default="?")
        )
    )
    return variables


def _query(ctx: Context, found: Findings, url: str, variables: dict[str, mcf.Variable], limiter: Limiter) -> None:
    kommun = ctx.config.kommun
    years = sorted(variables[mcf.CODES.year].values)[-2:]
    query = mcf.build_query(variables, [kommun.kod], years)  # every other variable can still be left out
    got = ctx.probe.post(
        "b11_query", url, query, what=_("MCF's incidents in {kommun}").format(kommun=kommun.namn), limiter=limiter
    )
    json_answer(got)
    frame = mcf.parse_data(got.content, origin(got))
    if frame.is_empty():
        raise Changed(_("the answer for {kommun} ({kod}) holds no rows").format(kommun=kommun.namn, kod=kommun.kod))
    found.expect(
        set(frame["kommun_kod"]) == {kommun.kod},
        _("the query for {kod} answered other kommuner too").format(kod=kommun.kod),
    )
    found.expect(
        set(frame["ar"].cast(pl.String)) <= set(years),
        _("the query for {years} answered other years").format(years=", ".join(years)),
    )
    unknown = set(frame["typ"]) - set(variables[mcf.CODES.type].values)
    found.expect(
        not unknown, _("the answer has incident types the description lacks: {types}").format(types=listed(unknown))
    )
    counts = frame["antal"].drop_nulls()
    found.expect(not counts.is_empty(), _("every count for {kommun} is missing ('..')").format(kommun=kommun.namn))
    odd = counts.filter(~counts.is_between(0, MAX_COUNT))
    found.expect(
        odd.is_empty(),
        _("{count} counts are negative or above {limit} (e.g. {examples})").format(
            count=odd.len(), limit=MAX_COUNT, examples=odd.to_list()[:3]
        ),
    )
    found.notes.append(
        _("{kommun} {count} incidents in {years}").format(
            kommun=kommun.namn, count=int(counts.sum()), years=", ".join(years)
        )
    )


def check(ctx: Context, found: Findings) -> None:
    url = f"{ctx.config.mcf.url.rstrip('/')}/{ctx.config.mcf.table.strip('/')}"
    limiter = ctx.probe.http.limiter("MCF", mcf.RULES)
    variables: dict[str, mcf.Variable] | None = None
    with found.part(_("B11 description")):
        variables = _description(ctx, found, url, limiter)
    if variables is not None:
        with found.part(_("B11 query")):
            _query(ctx, found, url, variables, limiter)
