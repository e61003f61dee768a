"""Brå's indicator page and, when a URL is known, one workbook.

The page must be HTML with its search form (an input named ``query``, Sitevision's GET search that the
workbooks are found through). The workbook checked is the kommun's own under ``[sources.bra.urls]``, else the
first URL there, else a link ending in <Kommunnamn>.xlsx on the page; it must parse with the pipeline's parser
and hold the kommun, its län and riket with recent years. Brå's page search (finding a workbook from the page)
is to be checked here as well once the fetch uses it.
"""

from __future__ import annotations

import re

import polars as pl

from lagesbild_cli.contracts.base import Changed, Context, Findings, html_answer, is_html, newest_ok, year
from lagesbild_cli.sources import bra

SEARCH_FORM = re.compile(r"""<form\b.*?<input\b[^>]*\bname\s*=\s*["']query["']""", re.I | re.S)


def _page(ctx: Context, found: Findings) -> str:
    got = ctx.probe.get("page", ctx.config.bra.page_url, what="Brå's indicator page")
    page = html_answer(got)
    if not SEARCH_FORM.search(page):
        raise Changed(f"{got.url} has no search form (a <form> with an input named 'query')")
    found.notes.append("the page has its search form")
    return page


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
    page: str | None = None
    with found.part("indicator page"):
        page = _page(ctx, found)
    url = settings.urls.get(kommun.kod) or next(iter(settings.urls.values()), None)
    if url is None and page is not None:
        url = bra.find_link(page, settings.page_url, kommun)
    if url is None:
        found.notes.append("no workbook URL under [sources.bra.urls] or on the page, so no workbook was checked")
        return
    with found.part("workbook"):
        _workbook(ctx, found, url)
