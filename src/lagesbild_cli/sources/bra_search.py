"""Finding Brå's workbook links: on the indicator page, through the page's own search form, and last in
a real browser when the search hits only appear by script.

Brå's indicator page lists no workbook until one searches for a kommun, and the file URLs
(``/download/18.<id>/<timestamp>/<Kommun>.xlsx``) cannot be guessed. So, for the kommuner that have
no URL yet:

1. the page itself: a link whose file name is ``<Kommunnamn>.xlsx`` (plain or URL-encoded);
2. the page's search form, read from its HTML (action, method, the text field's name), submitted per
   kommun as the page would (GET with the query), looking for the link in the answer;
3. when the answers hold no hit, a headless Chromium (:mod:`bra_browser`) types each name into the
   same field and waits for the link.

Searches are spaced (``search_interval_seconds``) and sent with the tool's User-Agent and contact.
The workbook itself is then downloaded by plain HTTP by :func:`bra_fetch.fetch`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Protocol
from urllib.parse import urljoin

from lagesbild_cli.errors import FetchError, LagesbildError, NoNetworkError
from lagesbild_cli.i18n import _, ngettext
from lagesbild_cli.settings.config import BraSettings
from lagesbild_cli.settings.kommuner import Kommun
from lagesbild_cli.sources._http import Http, Limiter, RateLimit
from lagesbild_cli.sources.bra_links import workbook_link

# after this many searches without a hit (and none with one), the page is taken to show hits by script only
SERVER_MISSES = 3
TEXT_TYPES = ("", "text", "search")


@dataclass(frozen=True)
class SearchForm:
    """A search form as the page's HTML declares it."""

    action: str  # absolute URL the form is sent to
    method: str  # "get" or "post"
    field: str  # the name of the text field the query is typed into
    hidden: tuple[tuple[str, str], ...] = ()  # the form's hidden fields, sent along as the page would

    def params(self, query: str) -> dict[str, str]:
        return {**dict(self.hidden), self.field: query}


@dataclass
class _Form:
    attrs: dict[str, str]
    inputs: list[dict[str, str]] = field(default_factory=list)


class _PageParser(HTMLParser):
    """Collects every link's href and every form with its inputs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.forms: list[_Form] = []
        self._open: _Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"])
        elif tag == "form":
            self._open = _Form(values)
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None:
            self._open.inputs.append(values)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def _parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def find_link(page_html: str, page_url: str, kommun: Kommun) -> str | None:
    """The workbook link for ``kommun`` in a page: an href whose file name is <Kommunnamn>.xlsx."""
    return workbook_link(_parse(page_html).hrefs, page_url, kommun)


def _search_score(form: _Form, box: dict[str, str]) -> int:
    """How much a text field looks like a search box (higher is more)."""
    hints = " ".join((box.get("placeholder", ""), box.get("aria-label", ""), box.get("name", ""))).casefold()
    score = 2 * (box.get("type", "").lower() == "search") + 2 * (form.attrs.get("role", "").lower() == "search")
    score += 2 * any(word in hints for word in ("sök", "search", "query"))
    return score + (box.get("name", "").lower() in ("q", "query", "search", "sok"))


def search_form(page_html: str, page_url: str) -> SearchForm | None:
    """The page's search form: the form with a named text field that looks most like a search box."""
    best: tuple[int, SearchForm] | None = None
    for form in _parse(page_html).forms:
        boxes = [i for i in form.inputs if i.get("name") and i.get("type", "").lower() in TEXT_TYPES]
        if not boxes:
            continue
        box = max(boxes, key=lambda b: _search_score(form, b))
        hidden = tuple((i["name"], i.get("value", "")) for i in form.inputs if i.get("type", "").lower() == "hidden")
        found = SearchForm(
            action=str(urljoin(page_url, form.attrs.get("action", "").strip() or page_url)),
            method=(form.attrs.get("method", "").strip().lower() or "get"),
            field=box["name"],
            hidden=tuple((n, v) for n, v in hidden if n),
        )
        score = _search_score(form, box)
        if best is None or score > best[0]:
            best = (score, found)
    return best[1] if best else None


class BrowserSession(Protocol):
    """A browser on Brå's page (see :mod:`bra_browser`)."""

    def search(
        self, page_url: str, field: str, kommuner: Sequence[Kommun], limiter: Limiter
    ) -> tuple[dict[str, str], dict[str, str]]:
        """(kommun code → workbook URL, kommun code → why none was found)."""
        ...


BrowserOpener = Callable[[], AbstractContextManager[BrowserSession]]


@dataclass
class Found:
    """What the search found: a URL per kommun found, a reason per kommun not found, and the error that
    stopped the search as a whole (the page could not be read, no network, no browser)."""

    urls: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    error: LagesbildError | None = None
    notes: list[str] = field(default_factory=list)  # how the links were found, for the fetch summary

    def missing(self, kommuner: Sequence[Kommun]) -> list[Kommun]:
        return [k for k in kommuner if k.kod not in self.urls]


def find_urls(kommuner: Sequence[Kommun], settings: BraSettings, http: Http, browser: BrowserOpener | None) -> Found:
    """Search Brå's page for the workbook of each kommun: links on the page, the page's search form,
    then (when the form's answers show no hits) the browser that ``browser`` opens, if any."""
    found = Found()
    try:
        page = http.get(settings.page_url, what=_("Brå's indicator page"))
    except FetchError as exc:
        found.error = exc
        return found
    html = page.content.decode("utf-8", "replace")
    parsed = _parse(html)
    for kommun in kommuner:
        if (url := workbook_link(parsed.hrefs, page.url, kommun)) is not None:
            found.urls[kommun.kod] = url
    rest = found.missing(kommuner)
    form = search_form(html, page.url) if rest else None
    if not rest:
        return found
    if form is None:
        for kommun in rest:
            found.reasons[kommun.kod] = _(
                "no link ending in {file} was found on {url}, and it has no search form"
            ).format(file=f"{kommun.namn}.xlsx", url=settings.page_url)
        return found
    limiter = http.limiter("Brå's search", RateLimit(min_interval=settings.search_interval_seconds))
    if form.method == "get" and not _server_search(rest, form, http, limiter, found):
        return found
    rest = [k for k in found.missing(kommuner) if k.kod not in found.reasons]
    if rest:
        _browser_search(rest, settings, form, http, limiter, browser, found)
    return found


def _server_search(rest: Sequence[Kommun], form: SearchForm, http: Http, limiter: Limiter, found: Found) -> bool:
    """Submit the form for each kommun as the page would; look for the link in the answer. False when the
    search as a whole failed (no network). Kommuner left without URL or reason are for the browser."""
    hits = misses = 0
    missed: list[str] = []  # the kommuner whose answer showed no hit
    for kommun in rest:
        if hits == 0 and misses >= SERVER_MISSES:
            break  # the answers show no hits: they come by script
        try:
            answer = http.get(
                form.action,
                params=form.params(kommun.namn),
                what=_("Brå's search for {kommun}").format(kommun=kommun.namn),
                limiter=limiter,
            )
        except NoNetworkError as exc:
            found.error = exc
            return False
        except FetchError as exc:
            found.reasons[kommun.kod] = _("Brå's search failed: {error}").format(error=exc.message)
            continue
        link = find_link(answer.content.decode("utf-8", "replace"), answer.url, kommun)
        if link is None:
            misses += 1
            missed.append(kommun.kod)
            found.reasons[kommun.kod] = _("Brå's search ({query}) found no {file}").format(
                query=f"{form.action}?{form.field}=…", file=f"{kommun.namn}.xlsx"
            )
        else:
            hits += 1
            found.urls[kommun.kod] = link
    if hits:
        found.notes.append(
            ngettext(
                "found {n} workbook link with Brå's search form",
                "found {n} workbook links with Brå's search form",
                hits,
            ).format(n=hits)
        )
        return True
    for kod in missed:  # no hit at all: the browser gets them all, and gives its own reasons
        del found.reasons[kod]
    return True


def _browser_search(
    rest: Sequence[Kommun],
    settings: BraSettings,
    form: SearchForm,
    http: Http,
    limiter: Limiter,
    browser: BrowserOpener | None,
    found: Found,
) -> None:
    if browser is None:
        from lagesbild_cli.sources import bra_browser

        try:
            browser = bra_browser.opener(settings.browser, str(http.client.headers["User-Agent"]), http.timeout)
        except LagesbildError as exc:
            found.error = exc
            return
    try:
        with browser() as session:
            urls, reasons = session.search(settings.page_url, form.field, rest, limiter)
    except LagesbildError as exc:
        found.error = exc
        return
    found.urls.update(urls)
    found.reasons.update(reasons)
    if urls:
        found.notes.append(
            ngettext(
                "found {n} workbook link with a browser on Brå's page",
                "found {n} workbook links with a browser on Brå's page",
                len(urls),
            ).format(n=len(urls))
        )
