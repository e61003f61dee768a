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

from lagesbild_cli.contracts.base import Changed, Context, Findings, html_answer, is_html, newest_ok, year
from lagesbild_cli.sources import bra, bra_search


def _page(ctx: Context, found: Findings) -> tuple[str, bra_search.SearchForm]:
    got = ctx.probe.get("page", ctx.config.bra.page_url, what="Brå's indicator page")
    page = html_answer(got)
    form = bra_search.search_form(page, got.url)
    if form is None:
        raise Changed(f"{got.url} has no search form (a <form> with a named text field)")
    found.notes.append(f"the page has its search form ({form.method.upper()} {form.field}=…)")
    return page, form


def _search(ctx: Context, found: Findings, form: bra_search.SearchForm) -> str | None:
    """The workbook link that the page's own search answers for the kommun, or None (hits by script only)."""
    kommun = ctx.config.kommun
    if form.method != "get":
        found.notes.append(f"the search form is sent by {form.method.upper()}, so only a browser can search")
        return None
    got = ctx.probe.get("search", form.action, params=form.params(kommun.namn), what=f"Brå's search for {kommun.namn}")
    link = bra_search.find_link(html_answer(got), got.url, kommun)
    if link is None:
        found.notes.append(f"the search answer holds no {kommun.namn}.xlsx link: its hits come by script (browser)")
    else:
        found.notes.append("the page's search finds the workbook")
    return link


def _workbook(ctx: Context, found: Findings, url: str) -> None:
    got = ctx.probe.get("workbook", url, what="a Brå workbook")
    if not got.content:
        raise Changed(f"{url} answered nothing (an empty answer, HTTP {got.status})")
    if is_html(got.content):
        raise Changed(f"{url} answered an HTML page instead of an xlsx workbook")
    workbook = bra.parse(got.content, f"the workbook from {url}")
    levels = set(workbook.anmalda["geo_niva"])
    found.expect(
        {"kommun", "lan", "riket"} <= levels, f"the workbook's crime sheets have rows for {sorted(levels)} only"
    )
    newest = year(workbook.anmalda.filter(pl.col("geo_niva") == "kommun")["ar"].max())
    found.add(newest_ok(newest, ctx.today, f"{workbook.kommun.namn}'s workbook"))
    negative = workbook.anmalda.filter((pl.col("antal") < 0) | (pl.col("per_100k") < 0)).height
    found.expect(negative == 0, f"{negative} negative counts or rates in {workbook.kommun.namn}'s workbook")
    shares = workbook.ntu.filter(~pl.col("andel").is_between(0, 100)).height
    found.expect(shares == 0, f"{shares} NTU shares outside 0–100 % in {workbook.kommun.namn}'s workbook")
    series = workbook.anmalda["serie_id"].n_unique()
    found.notes.append(f"{workbook.kommun.namn}'s workbook: {series} crime series, newest {newest}")


def check(ctx: Context, found: Findings) -> None:
    kommun = ctx.config.kommun
    settings = ctx.config.bra
    page: tuple[str, bra_search.SearchForm] | None = None
    with found.part("indicator page"):
        page = _page(ctx, found)
    url = settings.urls.get(kommun.kod) or next(iter(settings.urls.values()), None)
    if url is None and page is not None:
        url = bra_search.find_link(page[0], settings.page_url, kommun)
        if url is None:
            with found.part("search"):
                url = _search(ctx, found, page[1])
    if url is None:
        found.notes.append("no workbook URL under [sources.bra.urls] or on the page, so no workbook was checked")
        return
    with found.part("workbook"):
        _workbook(ctx, found, url)
