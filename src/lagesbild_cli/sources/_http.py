"""The one place an httpx.Client is made, and the one place HTTP errors become FetchError.

Every source fetches through :class:`Http`: a User-Agent naming the tool and a contact; connect
and read timeouts; retries with exponential backoff on connection errors, 429 and 5xx that honour
``Retry-After`` (never on other 4xx); no retries when the first request to a host cannot connect at all
(no network, an unknown name, a refused connection): the host is then remembered as unreachable for
the rest of the run, so an offline fetch ends in seconds; conditional requests (ETag / Last-Modified) so an unchanged
file is not downloaded again; and per-source rate limits. Clock and sleep are injectable so that
tests of the waiting run instantly.
"""

from __future__ import annotations

import email.utils
import errno
import json
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lagesbild_cli import __version__
from lagesbild_cli.errors import FetchError, GoneError, HttpStatusError, NoNetworkError
from lagesbild_cli.i18n import _, ngettext
from lagesbild_cli.settings.config import HttpSettings
from lagesbild_cli.storage.checkpoints import checkpoint
from lagesbild_cli.storage.raw import Download, atomic_write_bytes

if TYPE_CHECKING:  # httpx is imported where a request is made: building a report needs none
    import httpx

Clock = Callable[[], float]
Sleep = Callable[[float], None]
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_NO_ROUTE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN})
_NAME_FAILURES = ("Name or service not known", "Temporary failure in name resolution", "nodename nor servname")


def user_agent(settings: HttpSettings) -> str:
    """Names the tool and, when configured, a contact, as Polisen's and Brå's rules ask."""
    base = f"lagesbild/{__version__}"
    return f"{base} (+{settings.contact})" if settings.contact else base


def make_client(settings: HttpSettings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    import httpx

    timeout = httpx.Timeout(settings.timeout_seconds, connect=min(10.0, settings.timeout_seconds))
    return httpx.Client(
        headers={"User-Agent": user_agent(settings)}, timeout=timeout, follow_redirects=True, transport=transport
    )


@dataclass(frozen=True)
class RateLimit:
    """A source's published limits: seconds between calls, calls an hour, calls a day."""

    min_interval: float = 0.0
    per_hour: int | None = None
    per_day: int | None = None
    max_wait: float = 900.0  # wait at most this long for a slot; beyond it, fail and say when to retry


class Limiter:
    """Spaces calls to one service. Call times are kept in a file so separate runs obey it too."""

    def __init__(self, name: str, limit: RateLimit, state_path: Path | None, clock: Clock, sleep: Sleep) -> None:
        self.name = name
        self.limit = limit
        self.state_path = state_path
        self.clock = clock
        self.sleep = sleep
        self.calls: list[float] = self._load()

    def _load(self) -> list[float]:
        if self.state_path is None or not self.state_path.exists():
            return []
        try:
            return sorted(float(t) for t in json.loads(self.state_path.read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            return []  # a damaged state file only means we may wait less once; the server still limits us

    def delay(self, now: float) -> float:
        limit, calls = self.limit, [t for t in self.calls if t > now - 86400]
        delay = (calls[-1] + limit.min_interval - now) if calls else 0.0
        for window, count in ((3600, limit.per_hour), (86400, limit.per_day)):
            recent = [t for t in calls if t > now - window]
            if count is not None and len(recent) >= count:
                delay = max(delay, recent[-count] + window - now)
        return max(delay, 0.0)

    def wait(self) -> None:
        delay = self.delay(self.clock())
        if delay > self.limit.max_wait:
            raise FetchError(
                _("{name}'s call limit is reached; the next call is allowed in {minutes} minutes.").format(
                    name=self.name, minutes=f"{delay / 60:.0f}"
                ),
                hint=_("Run the fetch again later; nothing was changed."),
            )
        if delay > 0:
            self.sleep(delay)
        now = self.clock()
        self.calls = [t for t in self.calls if t > now - 86400] + [now]
        if self.state_path is not None:
            atomic_write_bytes(self.state_path, json.dumps(self.calls).encode("utf-8"))


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²" is a digit to isdigit(), not to float()
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - now, 0.0)


def _causes(exc: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def unreachable_kind(exc: httpx.ConnectError) -> str | None:
    """ "refused", "no network" (no route, or the host's name could not be looked up), or None when
    the connection failed for another reason (TLS, a reset) that a retry may cure."""
    causes = _causes(exc)
    if any(isinstance(c, ssl.SSLError | ssl.CertificateError) for c in causes):
        return None
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "Connection refused" in str(exc):
        return "refused"
    if any(isinstance(c, socket.gaierror) for c in causes) or any(n in str(exc) for n in _NAME_FAILURES):
        return "no network"
    # no route, or the resolver raised a bare OSError (as it does for "no addresses", and as the tests' guard does)
    if any(type(c) is OSError and (c.errno is None or c.errno in _NO_ROUTE) for c in causes):
        return "no network"
    return None


class Http:
    """One shared client with retries, conditional requests and rate limits."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        max_retry_after: float = 300.0,
    ) -> None:
        self.client = make_client(settings, transport)
        self.timeout = settings.timeout_seconds  # also how long a browser may wait for a page
        self.clock = clock
        self.sleep = sleep
        self.attempts = settings.retries + 1
        self.backoff = settings.backoff_seconds
        self.max_retry_after = max_retry_after
        self.reached: set[str] = set()  # hosts (with port) that have answered in this run
        self.unreachable: dict[str, NoNetworkError] = {}  # hosts that could not be reached at all

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def limiter(self, name: str, limit: RateLimit, state_path: Path | None = None) -> Limiter:
        return Limiter(name, limit, state_path, self.clock, self.sleep)

    def get(
        self,
        url: str,
        *,
        what: str,
        params: Mapping[str, Any] | None = None,
        validators: Validators | None = None,
        limiter: Limiter | None = None,
    ) -> Download:
        """GET with retries; a 304 comes back as a Download with ``not_modified``.

        Any failure is a FetchError naming the URL, what was fetched and what to do.
        """
        return self._request("GET", url, what=what, params=params, validators=validators, limiter=limiter)

    def post(self, url: str, body: Any, *, what: str, limiter: Limiter | None = None) -> Download:
        """POST a JSON query (PxWeb v1's data calls) with the same retries and errors as ``get``."""
        return self._request("POST", url, what=what, body=body, limiter=limiter)

    def _request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        validators: Validators | None = None,
        limiter: Limiter | None = None,
    ) -> Download:
        import httpx

        headers = validators.headers() if validators else {}
        shown = str(httpx.URL(url, params=params)) if params else url
        host = httpx.URL(url).netloc.decode("ascii", "replace")
        if host in self.unreachable:
            first = self.unreachable[host]
            raise NoNetworkError(
                first.message,
                hint=_(
                    "{host} could not be reached earlier in this run, so {what} ({url}) was not tried. "
                    "Nothing was changed."
                ).format(host=host, what=what, url=shown),
            )
        problem = ""
        for attempt in range(1, self.attempts + 1):
            if limiter is not None:
                limiter.wait()
            wait = self.backoff * 2 ** (attempt - 1)
            try:
                response = self.client.request(method, url, params=params, headers=headers, json=body)
            except httpx.TimeoutException:
                problem = _("timed out fetching {what} from {url}").format(what=what, url=shown)
            except httpx.HTTPError as exc:
                problem = _("could not fetch {what} from {url}: {error}").format(
                    what=what, url=shown, error=f"{type(exc).__name__}: {exc}"
                )
                kind = unreachable_kind(exc) if isinstance(exc, httpx.ConnectError) else None
                if kind is not None and host not in self.reached:
                    raise self._unreachable(host, kind, problem) from None
            else:
                self.reached.add(host)
                status = response.status_code
                checkpoint("download")
                if status in (200, 304):
                    return Download(
                        url=str(response.url),
                        content=response.content if status == 200 else b"",
                        status=status,
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                    )
                if status not in RETRY_STATUSES:
                    advice = (
                        _(
                            "The resource is gone or has moved: check the URL in lagesbild.toml. "
                            "Do not retry a 404 automatically."
                        )
                        if status in (404, 410)
                        else _("Check the URL and the request; nothing was changed.")
                    )
                    error = GoneError if status in (404, 410) else HttpStatusError
                    raise error(
                        _("{url} answered HTTP {status} when fetching {what}.").format(
                            url=shown, status=status, what=what
                        ),
                        status=status,
                        hint=advice,
                    )
                problem = _("{url} answered HTTP {status} when fetching {what}").format(
                    url=shown, status=status, what=what
                )
                asked = retry_after_seconds(response.headers.get("retry-after"), self.clock())
                if asked is not None:
                    if asked > self.max_retry_after:
                        raise FetchError(
                            _("{problem}; the server asks us to wait {seconds} s.").format(
                                problem=problem, seconds=f"{asked:.0f}"
                            ),
                            hint=_("Run the fetch again later; nothing was changed."),
                        )
                    wait = max(asked, wait if status != 429 else 0.0)
            if attempt < self.attempts:
                self.sleep(wait)
        raise FetchError(
            ngettext(
                "{problem} (gave up after {n} attempt).", "{problem} (gave up after {n} attempts).", self.attempts
            ).format(problem=_capitalized(problem), n=self.attempts),
            hint=_("The server is down or unreachable; try again later. Nothing was changed."),
        )

    def _unreachable(self, host: str, kind: str, problem: str) -> NoNetworkError:
        """The first request to ``host`` could not connect: no retry, and none later in the run."""
        if kind == "refused":
            message = _("no connection: {host} refused the connection").format(host=host)
            advice = _("The server is down or the URL's port is wrong; check the URL in lagesbild.toml.")
        else:
            message = _("no network: {host} could not be reached").format(host=host)
            advice = _("Check this computer's internet connection (and proxy), then run the fetch again.")
        hint = _("{problem}. {advice} Nothing was changed.").format(problem=_capitalized(problem), advice=advice)
        error = NoNetworkError(message, hint=hint)
        self.unreachable[host] = error
        return error


def _capitalized(text: str) -> str:
    """``text`` with its first letter in capitals: a message's fragment that begins a sentence."""
    return text[:1].upper() + text[1:]
