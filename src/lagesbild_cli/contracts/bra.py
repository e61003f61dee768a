"""Brå's indicator page and, when a URL is known, one workbook.

The page must be HTML with a search form, read as the fetch reads it (``bra_search.search_form``). The
workbook checked is the kommun's own under ``[sources.bra.urls]``, else the first URL there, else a link
ending in <Kommunnamn>.xlsx on the page, else the first hit of the page's own search for the kommun (sent as
the fetch sends it; an answer without a hit is noted, not a broken contract: the hits may come by script, for
which the fetch drives a browser). The workbook must parse with the pipeline's parser and hold the kommun, its
län and riket with recent years.
"""

from __future__ import annotations

import polars as pl

from lagesbild_cli.contracts.base import (
    Changed,
    Context,
    Findings,
    answered_nothing,
    html_answer,
    is_html,
    newest_ok,
    year,
)
from lagesbild_cli.i18n import _
from lagesbild_cli.sources import bra, bra_search


def _page(ctx: Context, found: Findings) -> tuple[str, bra_search.SearchForm]:
    got = ctx.probe.get("page", ctx.config.bra.page_url, what=_("Brå's indicator page"))
    page = html_answer(got)
    form = bra_search.search_form(page, got.url)
    if form is None:
        raise Changed(_("{url} has no search form (a <form> with a named text field)").format(url=got.url))
    found.notes.append(_("the page has its search form ({form})").format(form=f"{form.method.upper()} {form.field}=…"))
    return page, form


def _search(ctx: Context, found: Findings, form: bra_search.SearchForm) -> str | None:
    """The workbook link that the page's own search answers for the kommun, or None (hits by script only)."""
    kommun = ctx.config.kommun
    if form.method != "get":
        found.notes.append(
            _("the search form is sent by {method}, so only a browser can search").format(method=form.method.upper())
        )
        return None
    got = ctx.probe.get(
        "search",
        form.action,
        params=form.params(kommun.namn),
        what=_("Brå's search for {kommun}").format(kommun=kommun.namn),
    )
    link = bra_search.find_link(html_answer(got), got.url, kommun)
    if link is None:
        found.notes.append(
            _("the search answer holds no {file} link: its hits come by script (browser)").format(
                file=f"{kommun.namn}.xlsx"
            )
        )
    else:
        found.notes.append(_("the page's search finds the workbook"))
    return link


def _workbook(ctx: Context, found: Findings, url: str) -> None:
    got = ctx.probe.get("workbook", url, what=_("a Brå workbook"))
    if not got.content:
        raise Changed(answered_nothing(url, got.status))
    if is_html(got.content):
        raise Changed(_("{url} answered an HTML page instead of an xlsx workbook").format(url=url))
    workbook = bra.parse(got.content, _("the workbook from {url}").format(url=url))
    name = workbook.kommun.namn
    levels = set(workbook.anmalda["geo_niva"])
    found.expect(
        {"kommun", "lan", "riket"} <= levels,
        _("the workbook's crime sheets have rows for {levels} only").format(levels=sorted(levels)),
    )
    newest = year(workbook.anmalda.filter(pl.col("geo_niva") == "kommun")["ar"].max())
    found.add(newest_ok(newest, ctx.today, _("{kommun}'s workbook").format(kommun=name)))
    negative = workbook.anmalda.filter((pl.col("antal") < 0) | (pl.col("per_100k") < 0)).height
    found.expect(
        negative == 0,
        _("{count} negative counts or rates in {kommun}'s workbook").format(count=negative, kommun=name),
    )
    shares = workbook.ntu.filter(~pl.col("andel").is_between(0, 100)).height
    found.expect(
        shares == 0, _("{count} NTU shares outside 0–100 % in {kommun}'s workbook").format(count=shares, kommun=name)
    )
    series = workbook.anmalda["serie_id"].n_unique()
    found.notes.append(
        _("{kommun}'s workbook: {series} crime series, newest {year}").format(kommun=name, series=series, year=newest)
    )


def check(ctx: Context, found: Findings) -> None:
    kommun = ctx.config.kommun
    settings = ctx.config.bra
    page: tuple[str, bra_search.SearchForm] | None = None
    with found.part(_("indicator page")):
        page = _page(ctx, found)
    url = settings.urls.get(kommun.kod) or next(iter(settings.urls.values()), None)
    if url is None and page is not None:
        url = bra_search.find_link(page[0], settings.page_url, kommun)
        if url is None:
            with found.part(_("search")):
                url = _search(ctx, found, page[1])
    if url is None:
        found.notes.append(_("no workbook URL under [sources.bra.urls] or on the page, so no workbook was checked"))
        return
    with found.part(_("workbook")):
        _workbook(ctx, found, url)
