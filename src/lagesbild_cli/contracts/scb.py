"""SCB's population (PxWebApi v2, json-stat2): TAB638 as the fetch asks for it (every region, every year) and
TAB6574 for the kommun's DeSO, read by the pipeline's parsers; the variable and content codes are there, the
region list is Sweden's 290 kommuner, 21 län and riket, values are plausible and the newest year is recent."""

from __future__ import annotations

import polars as pl

from lagesbild_cli.contracts.base import Changed, Context, Findings, json_answer, listed, newest_ok, origin, year
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.kommuner import RIKET_KOD, all_kommuner, lan_by_code
from lagesbild_cli.sources import scb
from lagesbild_cli.sources._http import Limiter

KOMMUN_RANGE = (1_000, 1_500_000)  # the smallest kommun has about 2 400 inhabitants, the largest about 1 000 000
RIKET_RANGE = (9_000_000, 13_000_000)
DESO_MAX = 20_000  # a DeSO has 700–2 700 inhabitants by design; a few have grown larger


def _content(labels: dict[str, dict[str, str]], code: str) -> None:
    contents = labels.get("ContentsCode")
    if contents is None:
        raise Changed(
            _("the answer has no variable 'ContentsCode' (it has {variables})").format(variables=", ".join(labels))
        )
    if code not in contents:
        raise Changed(_("ContentsCode has no {code} (it has {codes})").format(code=code, codes=listed(list(contents))))


def _population(ctx: Context, found: Findings, base: str, limiter: Limiter) -> None:
    url = f"{base}/tables/TAB638/data"
    got = ctx.probe.get(
        "TAB638", url, what=_("SCB's population (TAB638)"), params=scb.population_params(), limiter=limiter
    )
    json_answer(got)
    frame = scb.parse_population(got.content, origin(got))  # the Region and Tid variables, totals elsewhere
    labels, _rows = scb.decode_jsonstat2(got.content, origin(got))
    _content(labels, "BE0101N1")
    names = {k.kod: k.namn for k in all_kommuner()}
    kommuner = frame.filter(pl.col("niva") == "kommun")
    codes = set(kommuner["region_kod"])
    found.expect(
        not (missing := set(names) - codes),
        _("the region list lacks {count} of 290 kommuner ({kommuner})").format(
            count=len(missing), kommuner=listed(missing, names)
        ),
    )
    found.expect(
        not (extra := codes - set(names)), _("region codes that are no kommun: {codes}").format(codes=listed(extra))
    )
    lan = set(frame.filter(pl.col("niva") == "lan")["region_kod"])
    found.expect(
        not (gone := set(lan_by_code()) - lan),
        _("the region list lacks {count} of 21 län ({lan})").format(count=len(gone), lan=listed(gone)),
    )
    newest = year(frame["ar"].max())
    found.add(newest_ok(newest, ctx.today, _("population")))
    latest = kommuner.filter(pl.col("ar") == newest)
    if not missing:
        found.expect(
            latest.height == 290,
            _("the newest year {year} has values for {count} of 290 kommuner").format(year=newest, count=latest.height),
        )
    low, high = KOMMUN_RANGE
    odd = latest.filter(~pl.col("folkmangd").is_between(low, high))
    found.expect(
        odd.is_empty(),
        _("{count} kommuner have a population in {year} outside {low}–{high} ({kommuner})").format(
            count=odd.height,
            year=newest,
            low=low,
            high=high,
            kommuner=listed([f"{r}: {v}" for r, v in odd.select("region_kod", "folkmangd").iter_rows()]),
        ),
    )
    riket = frame.filter((pl.col("region_kod") == RIKET_KOD) & (pl.col("ar") == newest))["folkmangd"]
    found.expect(
        riket.len() == 1 and RIKET_RANGE[0] <= (riket[0] or 0) <= RIKET_RANGE[1],
        _("riket's population in {year} is {value}, not between 9 and 13 million").format(
            year=newest, value=riket.to_list() or _("missing")
        ),
    )
    found.notes.append(_("TAB638 {count} kommuner, newest {year}").format(count=len(codes & set(names)), year=newest))


def _deso(ctx: Context, found: Findings, base: str, limiter: Limiter) -> None:
    kommun = ctx.config.kommun
    url = f"{base}/tables/TAB6574/data"
    what = _("SCB's population per DeSO in {kommun} (TAB6574)").format(kommun=kommun.namn)
    got = ctx.probe.get("TAB6574", url, what=what, params=scb.deso_params(kommun), limiter=limiter)
    json_answer(got)
    frame = scb.parse_deso(got.content, origin(got))
    labels, rows = scb.decode_jsonstat2(got.content, origin(got))
    _content(labels, "000007Y7")
    if frame.is_empty():
        regions = sorted({str(r.get("Region")) for r in rows})
        raise Changed(
            _("no DeSO code (like {example}) among the answer's regions ({regions})").format(
                example=f"{kommun.kod}C1010_DeSO2025", regions=listed(regions)
            )
        )
    other = set(frame["kommun_kod"]) - {kommun.kod}
    found.expect(
        not other, _("DeSO of other kommuner than {kod} ({codes})").format(kod=kommun.kod, codes=listed(other))
    )
    newest = year(frame["ar"].max())
    found.add(newest_ok(newest, ctx.today, _("DeSO population")))
    odd = frame.filter(~pl.col("folkmangd").is_between(0, DESO_MAX))
    found.expect(odd.is_empty(), _("{count} DeSO values outside 0–{limit}").format(count=odd.height, limit=DESO_MAX))
    found.notes.append(
        _("TAB6574 {count} DeSO in {kommun}, newest {year}").format(
            count=frame["deso_kod"].n_unique(), kommun=kommun.namn, year=newest
        )
    )


def check(ctx: Context, found: Findings) -> None:
    base = ctx.config.scb.url.rstrip("/")
    limiter = ctx.probe.http.limiter("SCB", scb.RULES)
    with found.part("TAB638"):
        _population(ctx, found, base, limiter)
    with found.part("TAB6574"):
        _deso(ctx, found, base, limiter)
