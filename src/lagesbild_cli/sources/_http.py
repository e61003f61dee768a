"""The one place an httpx.Client is made, and the one place HTTP errors become FetchError."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from lagesbild_cli import __version__
from lagesbild_cli.config import HttpSettings
from lagesbild_cli.errors import FetchError


def user_agent(settings: HttpSettings) -> str:
    """Names the tool and, when configured, a contact, as Polisen's and Brå's rules ask."""
    base = f"lagesbild/{__version__}"
    return f"{base} (+{settings.contact})" if settings.contact else base


def make_client(settings: HttpSettings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    timeout = httpx.Timeout(settings.timeout_seconds, connect=min(10.0, settings.timeout_seconds))
    return httpx.Client(
        headers={"User-Agent": user_agent(settings)},
        timeout=timeout,
        follow_redirects=True,
        transport=transport,
    )


@dataclass(frozen=True)
class Download:
    url: str
    content: bytes
    status: int
    etag: str | None
    last_modified: str | None


def download(client: httpx.Client, url: str, *, what: str) -> Download:
    """GET ``url``; any failure is a FetchError naming the URL and what to do."""
    try:
        response = client.get(url)
    except httpx.TimeoutException:
        raise FetchError(
            f"Timed out fetching {what} from {url}.",
            hint="The server is slow or unreachable; try again later or raise http.timeout_seconds in lagesbild.toml.",
        ) from None
    except httpx.HTTPError as exc:
        raise FetchError(
            f"Could not connect to fetch {what} from {url}: {exc}.",
            hint="Check the network connection and the URL; nothing was changed.",
        ) from None
    if response.status_code != 200:
        advice = (
            "The file has moved or been removed: find the current link and update the config."
            if response.status_code in (404, 410)
            else "Try again later; nothing was changed."
        )
        raise FetchError(f"{url} answered HTTP {response.status_code} when fetching {what}.", hint=advice)
    return Download(
        url=str(response.url),
        content=response.content,
        status=response.status_code,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )
