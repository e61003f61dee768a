"""Which link on Brå's page is a kommun's workbook: shared by the search of the page's HTML
(:mod:`bra_search`) and the headless browser (:mod:`bra_browser`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import unquote, urljoin, urlsplit

from lagesbild_cli.settings.kommuner import Kommun


def workbook_link(hrefs: Iterable[str], base: str, kommun: Kommun) -> str | None:
    """The first href whose file name is ``<Kommunnamn>.xlsx`` (plain, URL-encoded or decomposed), made
    absolute against ``base``."""
    wanted = {kommun.namn.casefold(), unicodedata.normalize("NFD", kommun.namn).casefold()}
    for href in hrefs:
        path = urlsplit(href.strip()).path
        name = unquote(path.rsplit("/", 1)[-1])
        if name.casefold().endswith(".xlsx") and name[: -len(".xlsx")].casefold() in wanted:
            return str(urljoin(base, href.strip()))
    return None
