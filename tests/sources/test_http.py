"""The shared HTTP layer against loopback servers: retries, Retry-After, 4xx, timeouts, cut-off
bodies, conditional requests and rate limits (with an injectable clock, so nothing really waits)."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from lagesbild_cli.errors import FetchError, NoNetworkError
from lagesbild_cli.settings.config import HttpSettings
from lagesbild_cli.sources._http import Http, Limiter, RateLimit, Validators, retry_after_seconds, user_agent

SETTINGS = HttpSettings(contact="brott@example.se", timeout_seconds=2.0, retries=3, backoff_seconds=1.0)


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def http(fake: FakeTime, settings: HttpSettings = SETTINGS) -> Http:
    return Http(settings, clock=fake.clock, sleep=fake.sleep)


def test_user_agent_names_the_tool_and_the_contact(httpserver: HTTPServer, fake: FakeTime) -> None:
    httpserver.expect_request("/x").respond_with_data("ok")
    with http(fake) as client:
        assert client.get(httpserver.url_for("/x"), what="x").content == b"ok"
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"] == user_agent(SETTINGS)
    assert (
        request.headers["User-Agent"].startswith("lagesbild/") and "brott@example.se" in request.headers["User-Agent"]
    )


def test_500_then_success_retries_with_backoff(httpserver: HTTPServer, fake: FakeTime) -> None:
    httpserver.expect_ordered_request("/x").respond_with_data("busy", status=500)
    httpserver.expect_ordered_request("/x").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/x").respond_with_data("ok")
    with http(fake) as client:
        assert client.get(httpserver.url_for("/x"), what="x").content == b"ok"
    assert fake.sleeps == [1.0, 2.0]


def test_429_honours_retry_after(httpserver: HTTPServer, fake: FakeTime) -> None:
    httpserver.expect_ordered_request("/x").respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request("/x").respond_with_data("ok")
    with http(fake) as client:
        assert client.get(httpserver.url_for("/x"), what="x").status == 200
    assert fake.sleeps == [7.0]


def test_a_retry_after_beyond_the_cap_gives_up_at_once(httpserver: HTTPServer, fake: FakeTime) -> None:
    httpserver.expect_request("/x").respond_with_data("later", status=503, headers={"Retry-After": "3600"})
    with http(fake) as client, pytest.raises(FetchError, match="asks us to wait 3600 s"):
        client.get(httpserver.url_for("/x"), what="x")
    assert len(httpserver.log) == 1 and fake.sleeps == []


def test_404_is_not_retried(httpserver: HTTPServer, fake: FakeTime) -> None:
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    with http(fake) as client, pytest.raises(FetchError) as err:
        client.get(httpserver.url_for("/gone"), what="the workbook")
    assert "answered HTTP 404 when fetching the workbook" in str(err.value) and "Do not retry" in str(err.value)
    assert len(httpserver.log) == 1 and fake.sleeps == []


def test_persistent_5xx_gives_up_after_the_configured_attempts(httpserver: HTTPServer, fake: FakeTime) -> None:
    httpserver.expect_request("/x").respond_with_data("down", status=502)
    with http(fake) as client, pytest.raises(FetchError, match=r"HTTP 502 .*gave up after 4 attempts"):
        client.get(httpserver.url_for("/x"), what="x")
    assert len(httpserver.log) == 4 and fake.sleeps == [1.0, 2.0, 4.0]


def _free_port() -> int:
    """A loopback port that nothing listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Counting(httpx.HTTPTransport):
    """A real transport that counts the requests it tries to send."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(str(request.url))
        return super().handle_request(request)


def test_connection_refused_is_a_fetch_error(fake: FakeTime) -> None:
    port = _free_port()
    with http(fake) as client, pytest.raises(FetchError, match=rf"127\.0\.0\.1:{port}/x: ConnectError"):
        client.get(f"http://127.0.0.1:{port}/x", what="x")


def test_a_name_that_cannot_be_looked_up_is_not_retried_and_the_host_is_remembered(fake: FakeTime) -> None:
    # the autouse no_internet fixture makes every non-loopback name lookup fail, as on a computer without network
    transport = Counting()
    with Http(SETTINGS, transport=transport, clock=fake.clock, sleep=fake.sleep) as client:
        with pytest.raises(NoNetworkError) as first:
            client.get("https://bra.se/statistik/sida", what="Brå's page")
        assert first.value.message == "no network: bra.se could not be reached"
        assert "Could not fetch Brå's page from https://bra.se/statistik/sida: ConnectError" in str(first.value)
        with pytest.raises(NoNetworkError, match=r"bra\.se could not be reached earlier in this run") as later:
            client.get("https://bra.se/download/Mora.xlsx", what="Mora's workbook")
        assert later.value.message == "no network: bra.se could not be reached"
    assert transport.requests == ["https://bra.se/statistik/sida"]  # one try, and none for the second URL
    assert fake.sleeps == []


def test_a_refused_first_connection_is_not_retried(fake: FakeTime, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ok").respond_with_data("ok")
    port = _free_port()
    transport = Counting()
    with Http(SETTINGS, transport=transport, clock=fake.clock, sleep=fake.sleep) as client:
        with pytest.raises(NoNetworkError, match=rf"no connection: 127\.0\.0\.1:{port} refused the connection"):
            client.get(f"http://127.0.0.1:{port}/a", what="a")
        with pytest.raises(NoNetworkError):
            client.get(f"http://127.0.0.1:{port}/b", what="b")
        # another port on the same machine is another server, and still reachable
        assert client.get(httpserver.url_for("/ok"), what="ok").content == b"ok"
    assert transport.requests == [f"http://127.0.0.1:{port}/a", httpserver.url_for("/ok")]
    assert fake.sleeps == []


def test_a_connection_lost_mid_run_is_still_retried_with_backoff(fake: FakeTime) -> None:
    server = HTTPServer()  # its own server, as this test stops it
    server.expect_request("/x").respond_with_data("ok")
    server.start()
    transport = Counting()
    with Http(SETTINGS, transport=transport, clock=fake.clock, sleep=fake.sleep) as client:
        url = server.url_for("/x")
        assert client.get(url, what="x").content == b"ok"
        server.stop()  # the server answered once and is now gone: that may pass, so retry
        with pytest.raises(FetchError, match="gave up after 4 attempts") as err:
            client.get(url, what="x")
    assert not isinstance(err.value, NoNetworkError)
    assert len(transport.requests) == 5 and fake.sleeps == [1.0, 2.0, 4.0]


def test_a_slow_server_times_out(httpserver: HTTPServer, fake: FakeTime) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    settings = HttpSettings(contact="", timeout_seconds=0.2, retries=0, backoff_seconds=0)
    with http(fake, settings) as client, pytest.raises(FetchError, match="Timed out fetching x"):
        client.get(httpserver.url_for("/slow"), what="x")


@pytest.fixture
def truncating_server() -> Iterator[str]:
    """A server that promises 1 000 bytes and sends 5, then hangs up."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: application/json\r\n\r\n[{"id')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/api/events"
    stop.set()
    thread.join()
    server.close()


def test_a_cut_off_body_is_retried_then_refused(truncating_server: str, fake: FakeTime) -> None:
    with http(fake) as client, pytest.raises(FetchError, match="RemoteProtocolError"):
        client.get(truncating_server, what="events")
    assert len(fake.sleeps) == 3


def test_conditional_request_gets_304(httpserver: HTTPServer, fake: FakeTime) -> None:
    seen: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        seen.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response("body", headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"})

    httpserver.expect_request("/f").respond_with_handler(handler)
    with http(fake) as client:
        first = client.get(httpserver.url_for("/f"), what="f")
        second = client.get(httpserver.url_for("/f"), what="f", validators=Validators(first.etag, first.last_modified))
    assert first.content == b"body" and not first.not_modified
    assert second.not_modified and second.content == b""
    assert "If-None-Match" not in seen[0]
    assert seen[1]["If-Modified-Since"] == "Wed, 01 Jan 2025 00:00:00 GMT"


def test_retry_after_accepts_seconds_and_dates() -> None:
    assert retry_after_seconds("120", 0) == 120
    assert retry_after_seconds("Thu, 01 Jan 1970 00:01:40 GMT", 40) == 60
    assert retry_after_seconds("soon", 0) is None and retry_after_seconds(None, 0) is None
    assert retry_after_seconds("²", 0) is None  # a digit to str.isdigit(), not a number


def test_limiter_spaces_calls(fake: FakeTime, tmp_path: Path) -> None:
    limiter = Limiter(
        "Polisen", RateLimit(min_interval=10, per_hour=60, per_day=1440), tmp_path / "c.json", fake.clock, fake.sleep
    )
    times = []
    for _ in range(5):
        limiter.wait()
        times.append(fake.now)
    assert all(b - a >= 10 for a, b in itertools.pairwise(times))
    # a second run (a new limiter reading the same state file) also waits
    fake.now += 3
    Limiter("Polisen", RateLimit(min_interval=10), tmp_path / "c.json", fake.clock, fake.sleep).wait()
    assert fake.sleeps[-1] == pytest.approx(7)


def test_limiter_hour_cap(fake: FakeTime) -> None:
    limiter = Limiter("X", RateLimit(min_interval=0, per_hour=3, max_wait=7200), None, fake.clock, fake.sleep)
    for _ in range(3):
        limiter.wait()
    assert fake.sleeps == []
    limiter.wait()
    assert fake.sleeps == [pytest.approx(3600)]


def test_limiter_refuses_a_wait_beyond_its_max(fake: FakeTime) -> None:
    limiter = Limiter("Polisen", RateLimit(min_interval=0, per_day=2, max_wait=60), None, fake.clock, fake.sleep)
    limiter.wait()
    limiter.wait()
    with pytest.raises(FetchError, match="call limit is reached"):
        limiter.wait()
