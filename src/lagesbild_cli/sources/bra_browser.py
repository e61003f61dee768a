"""A headless Chromium for Brå's search, for when the hits only appear by script.

Optional: Selenium comes with ``pip install 'lagesbild[browser]'``; the browser and its driver are the
machine's own (Debian/Ubuntu: ``apt-get install chromium chromium-driver``; GitHub's Ubuntu runners have
Google Chrome and a matching chromedriver). Nothing here downloads a browser or a driver.

``[sources.bra] browser`` (or the environment variable ``LAGESBILD_BROWSER``, which wins) is ``"auto"``
(the first of chromium, chromium-browser, google-chrome, google-chrome-stable on PATH), ``"never"``, or
the path or command name of Chrome/Chromium. chromedriver is taken from PATH (or ``$CHROMEWEBDRIVER``).

The flow is the one Brå's page asks of a person: open the page once, then per kommun type the name into
the search field, press Enter and wait for a link whose file name is ``<Kommunnamn>.xlsx``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lagesbild_cli.errors import BrowserMissingError, FetchError
from lagesbild_cli.i18n import N_, _

if TYPE_CHECKING:
    from lagesbild_cli.settings.kommuner import Kommun
    from lagesbild_cli.sources._http import Limiter

ENV = "LAGESBILD_BROWSER"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_SELENIUM = N_("install Selenium: pip install 'lagesbild[browser]' (in this project: uv sync --extra browser)")
INSTALL_BROWSER = N_(
    "install Chromium with its driver (Debian/Ubuntu: apt-get install chromium chromium-driver), "
    "or set [sources.bra] browser to the path of an installed Chrome or Chromium"
)
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)
_HREFS = "return Array.from(document.querySelectorAll('a[href]'), a => a.href)"


@dataclass(frozen=True)
class Located:
    binary: str  # Chrome or Chromium
    driver: str  # its chromedriver


def setting_in_effect(setting: str) -> str:
    return os.environ.get(ENV, "").strip() or setting


def setting_name(setting: str) -> str:
    """Where the setting in effect comes from, as the user would write it."""
    return ENV if os.environ.get(ENV, "").strip() else "sources.bra.browser"


def locate(setting: str) -> Located:
    """The browser and driver to use, or BrowserMissingError saying what is missing and what to install: only
    that (Selenium, the browser, its driver)."""
    where = setting_name(setting)
    setting = setting_in_effect(setting)
    if setting == "never":
        if where == ENV:
            raise BrowserMissingError(
                _("no browser may be used ({setting})").format(setting=f"{ENV}=never"),
                hint=_("Unset {variable} (or set it to auto) to let lagesbild use Chrome or Chromium.").format(
                    variable=ENV
                ),
            )
        raise BrowserMissingError(
            _("no browser may be used ({setting})").format(setting='[sources.bra] browser = "never"'),
            hint=_('Set browser = "auto" under [sources.bra] to let lagesbild use Chrome or Chromium.'),
        )
    missing, install = [], []
    if importlib.util.find_spec("selenium") is None:
        missing.append(_("Selenium is not installed"))
        install.append(_(INSTALL_SELENIUM))
    names = BROWSERS if setting == "auto" else (setting,)
    binary = next((found for name in names if (found := shutil.which(name))), None)
    if binary is None:
        missing.append(
            _("Chrome or Chromium ({names}) is not on PATH").format(names=", ".join(BROWSERS))
            if setting == "auto"
            else _("{program} ({setting}) is not an installed program").format(program=setting, setting=where)
        )
        install.append(_(INSTALL_BROWSER))
    if missing or binary is None:
        hint = "; ".join(install)
        raise BrowserMissingError(
            _("no browser: {missing}").format(missing="; ".join(missing)), hint=hint[0].upper() + hint[1:] + "."
        )
    driver = shutil.which("chromedriver")
    if driver is None and (folder := os.environ.get("CHROMEWEBDRIVER")):
        driver = shutil.which("chromedriver", path=folder)
    if driver is None:
        raise BrowserMissingError(
            _("no browser driver: chromedriver (for {browser}) is not on PATH").format(browser=binary),
            hint=_(
                "Install the driver that matches the browser: apt-get install chromium-driver for Chromium; "
                "Google Chrome's chromedriver is at https://googlechromelabs.github.io/chrome-for-testing/."
            ),
        )
    return Located(str(Path(binary)), driver)


class Chromium:
    """One browser page on Brå's indicator page, searched for each kommun in turn."""

    def __init__(self, driver: Any, timeout: float) -> None:
        self.driver = driver
        self.timeout = timeout

    def search(
        self, page_url: str, field: str, kommuner: Sequence[Kommun], limiter: Limiter
    ) -> tuple[dict[str, str], dict[str, str]]:
        """(kommun code → workbook URL, kommun code → why none was found)."""
        from selenium.common.exceptions import TimeoutException, WebDriverException
        from selenium.webdriver.common.keys import Keys
        from selenium.webdriver.support.ui import WebDriverWait

        from lagesbild_cli.sources.bra_links import workbook_link

        urls: dict[str, str] = {}
        reasons: dict[str, str] = {}
        try:
            self.driver.get(page_url)
            for kommun in kommuner:
                limiter.wait()
                box = self._field(page_url, field)
                box.clear()
                box.send_keys(kommun.namn + Keys.ENTER)

                def hit(driver: Any, kommun: Kommun = kommun) -> str | bool:
                    return workbook_link(driver.execute_script(_HREFS), driver.current_url, kommun) or False

                try:
                    urls[kommun.kod] = str(WebDriverWait(self.driver, self.timeout, poll_frequency=0.1).until(hit))
                except TimeoutException:
                    reasons[kommun.kod] = _(
                        "no link ending in {file} appeared within {seconds} s of searching {url} in a browser"
                    ).format(file=f"{kommun.namn}.xlsx", seconds=f"{self.timeout:g}", url=page_url)
        except TimeoutException:
            raise FetchError(
                _("timed out loading {url} in the browser (after {seconds} s)").format(
                    url=page_url, seconds=f"{self.timeout:g}"
                ),
                hint=_("Brå's page is slow or down; run the fetch again later. Nothing was changed."),
            ) from None
        except WebDriverException as exc:
            raise FetchError(
                _("the browser failed on {url}: {error}").format(
                    url=page_url, error=(exc.msg or type(exc).__name__).splitlines()[0]
                ),
                hint=_("Run the fetch again later, or download the workbooks by hand. Nothing was changed."),
            ) from None
        return urls, reasons

    def _field(self, page_url: str, field: str) -> Any:
        """The search field, on the page as it is now (or, after a search that left it, on a fresh load)."""
        from selenium.webdriver.common.by import By

        selector = f"input[name='{field}']"
        for attempt in range(2):
            boxes = [b for b in self.driver.find_elements(By.CSS_SELECTOR, selector) if b.is_displayed()]
            if boxes:
                return boxes[0]
            if attempt == 0:
                self.driver.get(page_url)
        raise FetchError(
            _("{url} has no search field {selector} in the browser").format(url=page_url, selector=selector),
            hint=_("Brå's page has changed; download the workbooks by hand."),
        )


@contextmanager
def chromium(located: Located, user_agent: str, timeout: float) -> Iterator[Chromium]:
    """A headless Chromium with its own temporary profile and the tool's User-Agent, closed on exit."""
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="lagesbild-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = located.binary
        for flag in (*FLAGS, f"--user-data-dir={profile}", f"--user-agent={user_agent}"):
            options.add_argument(flag)
        try:
            driver = webdriver.Chrome(service=Service(located.driver), options=options)
        except WebDriverException as exc:
            raise BrowserMissingError(
                _("{browser} could not be started with {driver}: {error}").format(
                    browser=located.binary,
                    driver=located.driver,
                    error=(exc.msg or type(exc).__name__).splitlines()[0],
                ),
                hint=_(
                    "chromedriver must match the browser's version (apt-get install chromium chromium-driver "
                    "installs a matching pair); or set [sources.bra] browser to another Chrome or Chromium."
                ),
            ) from None
        try:
            driver.set_page_load_timeout(timeout)
            yield Chromium(driver, timeout)
        finally:
            driver.quit()


def opener(setting: str, user_agent: str, timeout: float) -> Callable[[], AbstractContextManager[Chromium]]:
    """A function that opens the configured browser (a context manager of :class:`Chromium`); raises
    BrowserMissingError at once when there is none."""
    located = locate(setting)

    def open_browser() -> AbstractContextManager[Chromium]:
        return chromium(located, user_agent, timeout)

    return open_browser
