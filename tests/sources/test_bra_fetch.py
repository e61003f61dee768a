"""`lagesbild fetch` end to end against a loopback HTTP server serving Brå's workbooks.

The real client code runs unchanged; only the URLs point at 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import quote

from pytest_httpserver import HTTPServer

from builders import varied_bra_workbook
from conftest import BRA_XLSX, no_sleep, store_raw
from lagesbild_cli import pipeline
from lagesbild_cli.database.store import open_store
from lagesbild_cli.settings.config import BraSettings, Config
from lagesbild_cli.settings.kommuner import kommuner_in_lan
from lagesbild_cli.sources import SourceResult

DALARNA = kommuner_in_lan("20")


def serve_workbooks(server: HTTPServer, *, skip: str | None = None, varied: str | None = None) -> dict[str, str]:
    """Serve each Dalarna workbook at a Brå-like URL (``varied``'s as Brå might change it); return
    kommun code → URL."""
    urls = {}
    for i, kommun in enumerate(DALARNA):
        path = f"/download/18.{9040 + i}/17436872817{i:02d}/{kommun.namn}.xlsx"
        if kommun.namn == skip:
            server.expect_request(path).respond_with_data("Sidan finns inte", status=404)
        else:
            server.expect_request(path).respond_with_data(
                varied_bra_workbook(kommun.namn)
                if kommun.namn == varied
                else (BRA_XLSX / f"{kommun.namn}.xlsx").read_bytes(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"ETag": f'"wb-{kommun.kod}"'},
            )
        urls[kommun.kod] = server.url_for(quote(path))
    return urls


def with_page(config: Config, page_url: str) -> Config:
    """The config with Brå's indicator page at ``page_url`` and no configured URLs."""
    return replace(config, bra=BraSettings(page_url=page_url, discover=True, urls={}))


def urls_config(urls: dict[str, str]) -> str:
    return "".join(f'"{code}" = "{url}"\n' for code, url in urls.items())


def test_fetch_downloads_every_workbook_of_the_lan_and_loads_them(
    httpserver: HTTPServer, make_config: Callable[..., Config]
) -> None:
    config = make_config(extra=urls_config(serve_workbooks(httpserver)))
    result = fetch_bra(config)
    assert result.fetched == 15 and not result.failures
    assert sorted(p.name for p in (config.raw_dir / "bra").iterdir()) == sorted(f"{k.kod}.xlsx" for k in DALARNA)
    manifest = json.loads((config.raw_dir / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["bra/2026.xlsx"]
    assert entry["origin"].endswith("/Gagnef.xlsx")
    assert entry["status"] == 200
    assert entry["etag"] == '"wb-2026"'
    assert entry["bytes"] == (BRA_XLSX / "Gagnef.xlsx").stat().st_size
    assert len(entry["sha256"]) == 64 and entry["retrieved_at"].endswith("+00:00")
    with open_store(config.db_path) as store:
        assert store.rows(
            "select antal from ind_anmalda_brott where geo_kod = '2026' and ar = 2024 "
            "and serie_id = 'totalt_antal_anmalda_brott'"
        ) == [{"antal": 471}]
    user_agents = {request.headers["User-Agent"] for request, _ in httpserver.log}
    assert len(user_agents) == 1 and user_agents.pop().startswith("lagesbild/")


def test_discovery_finds_the_links_on_bras_page(httpserver: HTTPServer, make_config: Callable[..., Config]) -> None:
    urls = serve_workbooks(httpserver)
    links = "\n".join(
        f'<li><a href="{url.removeprefix(httpserver.url_for("/")).join(["/", ""])}">{code}</a></li>'
        for code, url in urls.items()
    )
    httpserver.expect_request("/statistik/indikatorer").respond_with_data(
        f"<html><body><ul>{links}</ul></body></html>", content_type="text/html"
    )
    config = with_page(make_config(), httpserver.url_for("/statistik/indikatorer"))
    result = fetch_bra(config)
    assert result.fetched == 15
    assert (config.raw_dir / "bra" / "2026.xlsx").read_bytes() == (BRA_XLSX / "Gagnef.xlsx").read_bytes()


def test_fetch_reads_a_changed_workbook_and_says_what_it_skipped(
    httpserver: HTTPServer, make_config: Callable[..., Config]
) -> None:
    config = make_config(extra=urls_config(serve_workbooks(httpserver, varied="Vansbro")))
    result = fetch_bra(config)
    assert result.fetched == 15 and not result.failures
    assert "Vansbro: skipped sheet 'Om statistiken': not an indicator table" in result.summary()
    with open_store(config.db_path) as store:
        assert store.rows(
            "select max(ar) as ar from ind_anmalda_brott where geo_kod = '2021' and antal is not null"
        ) == [{"ar": 2024}]


def fetch_bra(config: Config) -> SourceResult:
    report = pipeline.fetch(config, ["bra"], sleep=no_sleep)
    assert [r.source for r in report.results] == ["bra"]
    return report.results[0]


def _fetch_error(config: Config) -> str:
    result = fetch_bra(config)
    assert result.failures
    return "\n".join(result.failures)


def test_a_404_is_a_clear_error_and_the_previous_file_stays(
    httpserver: HTTPServer, make_config: Callable[..., Config]
) -> None:
    config = make_config(extra=urls_config(serve_workbooks(httpserver, skip="Gagnef")))
    previous = config.raw_dir / "bra" / "2026.xlsx"
    good = (BRA_XLSX / "Gagnef.xlsx").read_bytes()
    store_raw(config, "bra/2026.xlsx", good)
    result = fetch_bra(config)
    assert len(result.failures) == 1 and result.fetched == 14
    error = result.failures[0]
    assert "Gagnef (2026)" in str(error)
    assert "answered HTTP 404" in str(error) and "Gagnef.xlsx" in str(error)
    assert previous.read_bytes() == good
    assert (config.raw_dir / "bra" / "2080.xlsx").exists()  # the others were stored


def test_a_server_that_is_down_leaves_raw_untouched(make_config: Callable[..., Config]) -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    urls = {k.kod: f"http://127.0.0.1:{port}/{k.namn}.xlsx" for k in DALARNA}
    config = make_config(extra=urls_config(urls))
    raw = config.raw_dir / "bra" / "2026.xlsx"
    old = (BRA_XLSX / "Gagnef.xlsx").read_bytes()
    store_raw(config, "bra/2026.xlsx", old)
    sleeps: list[float] = []
    result = pipeline.fetch(config, ["bra"], sleep=sleeps.append).results[0]
    assert len(result.failures) == 15 and result.kept == 0 and result.fetched == 0
    error = "\n".join(result.failures)
    assert "Could not fetch" in error and "ConnectError" in error
    assert f"127.0.0.1:{port}/Vansbro.xlsx" in error and f"127.0.0.1:{port}/Gagnef.xlsx" in error
    assert sleeps == []  # a refused first connection is not retried, and the other 14 are not tried at all
    assert result.summary() == f"no connection: 127.0.0.1:{port} refused the connection" and not result.details
    assert result.by_hand.count("Gagnef.xlsx") == 1 and "all 15 kommuner" in result.by_hand
    assert raw.read_bytes() == old
    assert config.db_path.exists()  # loaded from the old workbook: the store reflects what is on disk


def test_an_error_page_served_as_a_workbook_is_not_stored(
    httpserver: HTTPServer, make_config: Callable[..., Config]
) -> None:
    urls = serve_workbooks(httpserver, skip="Mora")
    httpserver.expect_request("/mora").respond_with_data("<html>Underhåll pågår</html>", content_type="text/html")
    urls["2062"] = httpserver.url_for("/mora")
    config = make_config(extra=urls_config(urls))
    error = _fetch_error(config)
    assert "Mora (2062)" in str(error) and "not a readable xlsx workbook" in str(error)
    assert not (config.raw_dir / "bra" / "2062.xlsx").exists()


def test_a_url_to_another_kommuns_workbook_is_rejected(
    httpserver: HTTPServer, make_config: Callable[..., Config]
) -> None:
    urls = serve_workbooks(httpserver)
    urls["2026"] = urls["2080"]  # Falun's workbook configured for Gagnef
    error = _fetch_error(make_config(extra=urls_config(urls)))
    assert "holds the workbook of Falun, not of Gagnef" in str(error)


def test_without_urls_or_page_the_error_says_how_to_import(
    httpserver: HTTPServer, make_config: Callable[..., Config]
) -> None:
    httpserver.expect_request("/page").respond_with_data("<html>inga länkar</html>", content_type="text/html")
    config = with_page(make_config(), httpserver.url_for("/page"))
    result = fetch_bra(config)
    assert "Gagnef (2026): no workbook URL; no link ending in Gagnef.xlsx was found on" in "\n".join(result.failures)
    assert "lagesbild import bra FOLDER" in result.by_hand and config.bra.page_url in result.by_hand


def test_workbooks_imported_by_hand_are_kept_when_no_url_is_known(
    httpserver: HTTPServer, loaded_config: Config
) -> None:
    httpserver.expect_request("/page").respond_with_data("<html></html>", content_type="text/html")
    before = (loaded_config.raw_dir / "bra" / "2026.xlsx").read_bytes()
    config = with_page(loaded_config, httpserver.url_for("/page"))
    result = fetch_bra(config)
    assert result.kept == 15 and not result.fetched
    assert (config.raw_dir / "bra" / "2026.xlsx").read_bytes() == before


def test_find_link_matches_encoded_and_plain_names() -> None:
    from lagesbild_cli.settings.kommuner import resolve_kommun
    from lagesbild_cli.sources.bra_search import find_link

    page = (
        '<a href="/download/18.1/2/%C3%84lvdalen.xlsx">Älvdalen</a>'
        '<a href="https://bra.se/download/18.3/4/Mora.xlsx">Mora</a>'
    )
    base = "https://bra.se/statistik/indikatorer-for-kommuners-lagesbild"
    assert find_link(page, base, resolve_kommun("Älvdalen")) == "https://bra.se/download/18.1/2/%C3%84lvdalen.xlsx"
    assert find_link(page, base, resolve_kommun("Mora")) == "https://bra.se/download/18.3/4/Mora.xlsx"
    assert find_link(page, base, resolve_kommun("Orsa")) is None
