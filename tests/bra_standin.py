"""A loopback stand-in for Brå's indicator page "Indikatorer för kommuners lägesbild".

Like the real page it lists no workbook until one searches: a search form (read by the code from the
HTML, not hard-coded) whose hits are either rendered by the server (``script=False``: the form is sent
with GET to /sok) or inserted by a script after a delay from a JSON endpoint (``script=True``: the form's
submit is taken over by the script and a GET of the form's action shows no hit). Each workbook is served
at a Brå-like URL (``/download/18.<id>/<timestamp>/<Kommun>.xlsx``) with an ETag, answering 304 to a
matching If-None-Match, and counts how often its body was sent.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote, unquote

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import BRA_XLSX, write_config
from lagesbild_cli.settings.kommuner import Kommun

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = "/statistik/indikatorer-for-kommuners-lagesbild"
HIDDEN = ("sv.12.3a4b5c", "search")  # a hidden field the form sends along, as Sitevision's forms do

FORM = """<form role="search" method="get" action="{action}" class="sv-search">
  <input type="hidden" name="{hidden_name}" value="{hidden_value}">
  <label for="q">Sök</label>
  <input id="q" type="text" name="query" placeholder="Ange sökord" autocomplete="off">
  <button type="submit">Sök</button>
</form>"""

SCRIPT = """<script>
document.querySelector('form[role=search]').addEventListener('submit', function (event) {
  event.preventDefault();
  var query = document.querySelector('input[name=query]').value;
  fetch('/api/sok?q=' + encodeURIComponent(query)).then(function (r) { return r.json(); }).then(function (hits) {
    setTimeout(function () {
      var list = document.getElementById('hits');
      list.innerHTML = '';
      hits.forEach(function (hit) {
        var a = document.createElement('a');
        a.href = hit.href;
        a.textContent = hit.name;
        var li = document.createElement('li');
        li.appendChild(a);
        list.appendChild(li);
      });
    }, %d);
  });
});
</script>"""


class BraStandIn:
    def __init__(
        self,
        server: HTTPServer,
        kommuner: Sequence[Kommun],
        *,
        script: bool = False,
        no_hit: Sequence[str] = (),
        failing: Sequence[str] = (),
        delay_ms: int = 150,
        version: int = 1,
    ) -> None:
        """``no_hit``: kommuner the search does not find; ``failing``: kommuner whose workbook URL
        answers 500; ``version`` is part of each workbook's URL (a new version moves every file)."""
        self.server = server
        self.kommuner = list(kommuner)
        self.no_hit = set(no_hit)
        self.bodies: Counter[str] = Counter()  # workbook path → bodies sent
        self.searches: list[str] = []  # the queries the server saw (form GETs and JSON calls)
        self.paths = {
            k.namn: f"/download/18.{0x9040D26 + 7 * i + version:x}/17436872{version}{i:04d}/{k.namn}.xlsx"
            for i, k in enumerate(self.kommuner)
        }
        action = PAGE if script else "/sok"
        form = FORM.format(action=action, hidden_name=HIDDEN[0], hidden_value=HIDDEN[1])
        body = (
            '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Indikatorer</title></head><body>'
            '<header><a href="/">Brå</a> <a href="/statistik">Statistik</a></header>'
            f"<main><h1>Indikatorer för kommuners lägesbild</h1>{form}<ul id='hits'></ul></main>"
            + (SCRIPT % delay_ms if script else "")
            + "</body></html>"
        )
        server.expect_request(PAGE).respond_with_data(body, content_type="text/html; charset=utf-8")
        server.expect_request("/favicon.ico").respond_with_data("", status=204)
        if script:
            server.expect_request("/api/sok").respond_with_handler(self._json)
        else:
            server.expect_request("/sok").respond_with_handler(self._rendered)
        for kommun in self.kommuner:
            path = self.paths[kommun.namn]
            if kommun.namn in failing:
                server.expect_request(path).respond_with_data("Internt fel", status=500)
            else:
                server.expect_request(path).respond_with_handler(self._workbook(path, kommun.namn, version))

    @property
    def page_url(self) -> str:
        return self.server.url_for(PAGE)

    def _hits(self, query: str) -> list[tuple[str, str]]:
        """(name, href) of the hits for a query: the kommun's workbook (its href URL-encoded, or with
        the plain name for every other kommun) and a method PDF that is no workbook."""
        self.searches.append(query)
        hits = [("Metod och definitioner", "/download/18.1/1/Metod.pdf")]
        for i, kommun in enumerate(self.kommuner):
            if kommun.namn.casefold() == query.strip().casefold() and kommun.namn not in self.no_hit:
                path = self.paths[kommun.namn]
                hits.append((f"{kommun.namn}.xlsx", quote(path) if i % 2 == 0 else path))
        return hits

    def _rendered(self, request: Request) -> Response:
        if request.args.get(HIDDEN[0]) != HIDDEN[1]:
            return Response("the form's hidden field is missing", status=400)
        items = "".join(f'<li><a href="{href}">{name}</a></li>' for name, href in self._hits(request.args["query"]))
        html = f"<html><body><h1>Sökresultat</h1><ul>{items}</ul></body></html>"
        return Response(html, content_type="text/html; charset=utf-8")

    def _json(self, request: Request) -> Response:
        hits = [{"name": name, "href": quote(unquote(href))} for name, href in self._hits(request.args["q"])]
        return Response(json.dumps(hits), content_type="application/json")

    def _workbook(self, path: str, name: str, version: int) -> Callable[[Request], Response]:
        etag = f'"wb-{version}-{len(path)}"'

        def handler(request: Request) -> Response:
            if request.headers.get("If-None-Match") == etag:
                return Response(status=304, headers={"ETag": etag})
            self.bodies[path] += 1
            return Response((BRA_XLSX / f"{name}.xlsx").read_bytes(), content_type=XLSX, headers={"ETag": etag})

        return handler


def cli_config(tmp_path: Path, page_url: str, extra: str = "") -> Path:
    """The shipped config with Brå's page at ``page_url``, no spacing between searches and no URL in
    [sources.bra.urls] unless ``extra`` gives some."""
    path = write_config(tmp_path, extra=extra)
    text = path.read_text(encoding="utf-8")
    text = text.replace("https://bra.se/statistik/indikatorer-for-kommuners-lagesbild", page_url)
    text = text.replace("search_interval_seconds = 2", "search_interval_seconds = 0")
    path.write_text(text, encoding="utf-8")
    return path


def requests_to(server: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in server.log if request.path == path]
