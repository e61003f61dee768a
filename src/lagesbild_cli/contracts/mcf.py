"""MCF's table B11 (PxWeb v1): its description, read by the pipeline's parser (the variable codes the fetch
selects by, the 290 kommuner, the incident types, recent years), then the query the fetch builds, for the
kommun alone and the two newest years, read by the pipeline's parser (plausible counts, the kommun's rows)."""

from __future__ import annotations

import polars as pl

from lagesbild_cli.contracts.base import Changed, Context, Findings, json_answer, listed, newest_ok, origin
from lagesbild_cli.settings.kommuner import all_kommuner
from lagesbild_cli.sources import mcf
from lagesbild_cli.sources._http import Limiter

MIN_TYPES = 10  # B11 has 14 incident types
MAX_COUNT = 100_000  # incidents of one type in one kommun and year


def _description(ctx: Context, found: Findings, url: str, limiter: Limiter) -> dict[str, mcf.Variable]:
    got = ctx.probe.get("b11_description", url, what="the description of MCF's table B11", limiter=limiter)
    json_answer(got)
    variables = mcf.parse_metadata(got.content, origin(got))  # kommun, ar and konvHandelsetypId are there
    names = {k.kod: k.namn for k in all_kommuner()}
    codes = set(variables[mcf.CODES.kommun].values)
    found.expect(
        not (missing := set(names) - codes),
        f"B11's variable 'kommun' lacks {len(missing)} of 290 kommuner ({listed(missing, names)})",
    )
    found.expect(
        not (extra := codes - set(names)), f"B11's variable 'kommun' has codes that are no kommun: {listed(extra)}"
    )
    types = set(variables[mcf.CODES.type].values)
    found.expect(
        set(mcf.GROUPS) <= types and len(types) >= MIN_TYPES,
        f"B11's incident types are {listed(types)} (expected at least {MIN_TYPES}, among them 14 and 15)",
    )
    years = [int(y) for y in variables[mcf.CODES.year].values if y.isascii() and y.isdigit()]
    found.expect(len(years) == len(variables[mcf.CODES.year].values), "B11's variable 'ar' has values that are no year")
    found.add(newest_ok(max(years, default=None), ctx.today, "B11"))
    if mcf.CODES.month not in variables:
        found.notes.append("B11 has no month variable")
    if mcf.hour_code(variables) is None:
        found.notes.append("B11 has no hour variable")
    found.notes.append(
        f"B11 {len(codes)} kommuner, {len(types)} types, years {min(years, default='?')}–{max(years, default='?')}"
    )
    return variables


def _query(ctx: Context, found: Findings, url: str, variables: dict[str, mcf.Variable], limiter: Limiter) -> None:
    kommun = ctx.config.kommun
    years = sorted(variables[mcf.CODES.year].values)[-2:]
    query = mcf.build_query(variables, [kommun.kod], years)  # every other variable can still be left out
    got = ctx.probe.post("b11_query", url, query, what=f"MCF's incidents in {kommun.namn}", limiter=limiter)
    json_answer(got)
    frame = mcf.parse_data(got.content, origin(got))
    if frame.is_empty():
        raise Changed(f"the answer for {kommun.namn} ({kommun.kod}) holds no rows")
    found.expect(set(frame["kommun_kod"]) == {kommun.kod}, f"the query for {kommun.kod} answered other kommuner too")
    found.expect(
        set(frame["ar"].cast(pl.String)) <= set(years), f"the query for {', '.join(years)} answered other years"
    )
    unknown = set(frame["typ"]) - set(variables[mcf.CODES.type].values)
    found.expect(not unknown, f"the answer has incident types the description lacks: {listed(unknown)}")
    counts = frame["antal"].drop_nulls()
    found.expect(not counts.is_empty(), f"every count for {kommun.namn} is missing ('..')")
    odd = counts.filter(~counts.is_between(0, MAX_COUNT))
    found.expect(odd.is_empty(), f"{odd.len()} counts are negative or above {MAX_COUNT} (e.g. {odd.to_list()[:3]})")
    found.notes.append(f"{kommun.namn} {int(counts.sum())} incidents in {', '.join(years)}")


def check(ctx: Context, found: Findings) -> None:
    url = f"{ctx.config.mcf.url.rstrip('/')}/{ctx.config.mcf.table.strip('/')}"
    limiter = ctx.probe.http.limiter("MCF", mcf.RULES)
    variables: dict[str, mcf.Variable] | None = None
    with found.part("B11 description"):
        variables = _description(ctx, found, url, limiter)
    if variables is not None:
        with found.part("B11 query"):
            _query(ctx, found, url, variables, limiter)
