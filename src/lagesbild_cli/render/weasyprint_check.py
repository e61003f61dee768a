"""The WeasyPrint version check every command runs first; it reads the installed version from the
package metadata, so it costs no import of WeasyPrint itself."""

from __future__ import annotations

from lagesbild_cli.errors import RenderError
from lagesbild_cli.i18n import _

MIN_WEASYPRINT = (70, 0)


def check_weasyprint(version: str | None = None) -> None:
    """WeasyPrint before 70 follows redirects and local files without the URL fetcher's control
    (CVE-2025-68616, GHSA-jf6q-chmf-3h3v): refuse it before anything runs."""
    from importlib import metadata  # importlib.metadata costs as much as Typer; only commands that run need it

    found = version or metadata.version("weasyprint")
    parts = tuple(int(p) for p in found.split(".")[:2] if p.isascii() and p.isdigit())
    if parts < MIN_WEASYPRINT:
        raise RenderError(
            _("WeasyPrint {version} is installed, but lagesbild needs 70 or newer for safe rendering.").format(
                version=found
            ),
            hint=_("Run 'uv sync' (or pip install 'weasyprint>=70') to upgrade."),
        )
