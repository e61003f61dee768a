"""A real headless Chromium with axe-core for the accessibility tests, from the machine's own packages.

Nothing here downloads a browser: Debian's ``chromium`` and ``chromium-driver`` and axe-core from npm
(``npm install --prefix .cache/axe-core axe-core@4.14.1``, or the file named by LAGESBILD_AXE_JS). Without
them the tests are skipped, unless LAGESBILD_REQUIRE_BROWSER=1 (CI) turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import REPO

AXE_JS = REPO / ".cache" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def required() -> bool:
    return os.environ.get("LAGESBILD_REQUIRE_BROWSER") == "1"


def axe_js() -> Path:
    return Path(os.environ.get("LAGESBILD_AXE_JS") or AXE_JS)


def chromium() -> str | None:
    return next((found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None)


def missing() -> list[str]:
    """What the browser tests need and this machine lacks, each with how to get it."""
    lacks = []
    if chromium() is None:
        lacks.append("chromium (apt-get install chromium)")
    if shutil.which("chromedriver") is None:
        lacks.append("chromedriver (apt-get install chromium-driver)")
    if not axe_js().is_file():
        lacks.append(f"axe-core at {axe_js()} (npm install --prefix .cache/axe-core axe-core@4.14.1)")
    return lacks


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Selenium, with its own temporary profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="lagesbild-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = chromium() or ""
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
        driver.set_script_timeout(180)
        try:
            yield driver
        finally:
            driver.quit()


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A and AA violations on the loaded page: rule id, impact and the first nodes."""
    driver.execute_script(axe_js().read_text(encoding="utf-8"))
    script = """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
          .then(r => done(r.violations.map(v => ({
            id: v.id, impact: v.impact, count: v.nodes.length,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))
          .catch(e => done([{id: 'axe-error', impact: 'error', count: 1, nodes: [String(e)]}]));
    """
    result: list[dict[str, Any]] = driver.execute_async_script(script, list(WCAG_TAGS))
    return result
