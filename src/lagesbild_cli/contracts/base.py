"""What every contract check shares: the findings a check collects, and the first
look at an answer (empty, an HTML page where JSON was asked for, not JSON at all)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from lagesbild_cli.errors import FetchError, HttpStatusError, LagesbildError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.config import Config
from lagesbild_cli.storage.raw import Download

if TYPE_CHECKING:
    from lagesbild_cli.contracts.answers import Probe

SHOWN = 5  # codes named in a message, at most


class Changed(Exception):
    """The answer no longer meets the contract: ``message`` says what changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Findings:
    """What one source's check found: the contract's breaks, and notes on what was checked."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    label: str = ""  # the answer being checked, named before each of its problems

    def expect(self, condition: bool, problem: str) -> bool:
        if not condition:
            self.add(problem)
        return condition

    def add(self, problem: str | None) -> None:
        if problem:
            self.problems.append(f"{self.label}: {problem}" if self.label else problem)

    @contextmanager
    def part(self, label: str) -> Iterator[None]:
        """Check one answer: what breaks its contract is recorded under ``label`` and the check goes on with
        the next answer; a host that cannot be reached (or a server that keeps failing) ends the source."""
        self.label = label
        try:
            yield
        except HttpStatusError as exc:  # a 404 or 400: the URL or the request no longer fits
            self.add(exc.message)
        except FetchError:
            raise
        except (Changed, LagesbildError) as exc:
            self.add(exc.message)
        except Exception as exc:  # the parser tripped over a shape it does not know
            self.add(_("unexpected shape ({error})").format(error=f"{type(exc).__name__}: {exc}"))
        finally:
            self.label = ""


@dataclass(frozen=True)
class Context:
    """What a source's check gets: the config (URLs, kommun), the probe that fetches and records, and today."""

    config: Config
    probe: Probe
    today: date


def origin(got: Download) -> str:
    return _("the answer from {url}").format(url=got.url)


def _html_title(text: bytes) -> str:
    found = re.search(rb"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    title = " ".join(found.group(1).decode("utf-8", "replace").split()) if found else ""
    return f" ('{title[:80]}')" if title else ""


def _start(content: bytes) -> bytes:
    return content.removeprefix(b"\xef\xbb\xbf").lstrip()


def is_html(content: bytes) -> bool:
    return _start(content)[:1] == b"<"


def json_answer(got: Download) -> Any:
    """The answer as JSON. Nothing, an HTML page (an error page sent with status 200) or broken JSON is a
    changed contract, said plainly before any parser sees it."""
    text = _start(got.content)
    if not text:
        raise Changed(answered_nothing(got.url, got.status))
    if text[:1] == b"<":
        raise Changed(
            _("{url} answered an HTML page{title} instead of JSON").format(url=got.url, title=_html_title(text))
        )
    try:
        return json.loads(got.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Changed(_("{url} did not answer valid JSON ({error})").format(url=got.url, error=exc)) from None


def answered_nothing(url: str, status: int | None) -> str:
    return _("{url} answered nothing (an empty answer, HTTP {status})").format(url=url, status=status)


def html_answer(got: Download) -> str:
    """The answer as HTML text; nothing, or something that is no HTML, is a changed contract."""
    text = _start(got.content)
    if not text:
        raise Changed(answered_nothing(got.url, got.status))
    if text[:1] != b"<":
        raise Changed(_("{url} answered {start}… instead of an HTML page").format(url=got.url, start=repr(text[:40])))
    return got.content.decode("utf-8", "replace")


def missing_keys(item: Any, keys: tuple[str, ...]) -> list[str]:
    return [k for k in keys if not isinstance(item, dict) or k not in item]


def listed(codes: set[str] | list[str], names: dict[str, str] | None = None) -> str:
    """A few codes, with names when known: '2026 Gagnef, 2029 Leksand and 3 more'."""
    ordered = sorted(codes)
    shown = [f"{c} {names[c]}" if names and c in names else c for c in ordered[:SHOWN]]
    more = _(" and {count} more").format(count=len(ordered) - SHOWN) if len(ordered) > SHOWN else ""
    return ", ".join(shown) + more


def year(value: object) -> int | None:
    """A year from a frame's ``max()`` or ``min()`` (None for an empty frame)."""
    return value if isinstance(value, int) else None


def newest_ok(newest: int | None, today: date, what: str, *, lag: int = 2) -> str | None:
    """A problem when the newest year is missing, in the future, or more than ``lag`` years old."""
    if newest is None:
        return _("{what}: no year with values").format(what=what)
    if newest > today.year:
        return _("{what}: the newest year {year} lies in the future").format(what=what, year=newest)
    if newest < today.year - lag:
        return _("{what}: the newest year is {year}, more than {lag} years before {today}").format(
            what=what, year=newest, lag=lag, today=today.year
        )
    return None
