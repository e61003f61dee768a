"""``lagesbild doctor``: is this machine and this project ready to fetch and build?

Each check says OK, WARN or ERROR and, when not OK, what to do. ERROR means a run would fail.
"""

from __future__ import annotations

import importlib
import os
import shlex
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from lagesbild_cli.errors import LagesbildError
from lagesbild_cli.settings.config import Config, load_config
from lagesbild_cli.storage import staging
from lagesbild_cli.storage.raw import TEMP_MARK, TEMP_SUFFIX, FetchLog, Manifest

PACKAGES = (
    "typer",
    "httpx",
    "polars",
    "duckdb",
    "pyarrow",
    "jinja2",
    "weasyprint",
    "openpyxl",
    "xlsxwriter",
    "markdown_it",
)
# how old a source's newest file may be before doctor warns (days)
MAX_AGE_DAYS = {"polisen": 2, "bra": 400, "scb": 400, "kolada": 400, "mcf": 400, "geo": 1000, "survey": 800}


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "OK", "WARN" or "ERROR"
    detail: str
    fix: str = ""


def _python() -> Check:
    """Reported for the record; the package itself requires Python 3.11 or newer to install."""
    return Check("python", "OK", ".".join(map(str, sys.version_info[:3])))


def _packages() -> list[Check]:
    checks = []
    for name in PACKAGES:
        try:
            importlib.import_module(name)
            version = metadata.version(name.replace("_", "-") if name != "markdown_it" else "markdown-it-py")
            checks.append(Check(f"package {name}", "OK", version))
        except (ImportError, OSError, metadata.PackageNotFoundError) as exc:
            checks.append(
                Check(f"package {name}", "ERROR", f"{type(exc).__name__}: {exc}", "Run 'uv sync' (or 'make setup').")
            )
    return checks


def _weasyprint() -> list[Check]:
    from lagesbild_cli.render.report import safe_url_fetcher
    from lagesbild_cli.render.weasyprint_check import check_weasyprint

    try:
        check_weasyprint()
        from lagesbild_cli.render import weasyprint_fixes

        weasyprint_fixes.load()  # as a build loads it
        import weasyprint

        html = '<html lang="sv"><body style="font-family: \'DejaVu Sans\', sans-serif">Räksmörgås ÅÄÖ åäö</body></html>'
        # uncompressed, so that the embedded font's name can be read from the bytes
        pdf = weasyprint.HTML(string=html, url_fetcher=safe_url_fetcher()).write_pdf(uncompressed_pdf=True)
    except (LagesbildError, OSError) as exc:
        return [
            Check(
                "weasyprint",
                "ERROR",
                str(exc).splitlines()[0],
                "Install Pango and HarfBuzz: 'make setup' (apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
                "libharfbuzz-subset0).",
            )
        ]
    checks = [Check("weasyprint", "OK", f"{metadata.version('weasyprint')}, renders a PDF")]
    if b"DejaVu" in pdf:
        checks.append(Check("font with å ä ö", "OK", "DejaVu Sans"))
    else:
        checks.append(
            Check(
                "font with å ä ö",
                "ERROR",
                "DejaVu Sans is not installed; the PDF would use another font",
                "Install it: apt-get install fonts-dejavu-core (or 'make setup').",
            )
        )
    return checks


def _browser(config: Config) -> Check:
    """Whether Brå's search can use a browser when its hits appear only by script (optional)."""
    from lagesbild_cli.errors import BrowserMissingError
    from lagesbild_cli.sources import bra_browser

    try:
        found = bra_browser.locate(config.bra.browser)
    except BrowserMissingError as exc:
        if bra_browser.setting_in_effect(config.bra.browser) == "never":
            name = bra_browser.setting_name(config.bra.browser)
            return Check("browser for Brå's search", "OK", f"not used ({name} = never)")
        return Check(
            "browser for Brå's search",
            "WARN",
            f"{exc.message}; fetch finds Brå's workbooks only if Brå's page or its search form lists them",
            f"{exc.hint} Or download the workbooks by hand: lagesbild import bra FOLDER.",
        )
    # found, not started: starting Chrome would make doctor slow; fetch says so if it fails to start
    return Check("browser for Brå's search", "OK", f"found {found.binary} and {found.driver} (not started)")


def _writable(folder: Path) -> Check:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".doctor.{TEMP_MARK}", suffix=TEMP_SUFFIX):
            pass
    except OSError as exc:
        return Check(f"write access {folder}", "ERROR", str(exc), "Give this user write access to the data folder.")
    return Check(f"write access {folder}", "OK", "writable")


def _provenance(config: Config) -> Check:
    """Every raw file is the one the manifest recorded (as a load checks it)."""
    from lagesbild_cli.storage import provenance

    try:
        entries = provenance.verify(config.raw_dir)
    except LagesbildError as exc:
        return Check("raw files", "ERROR", exc.message, exc.hint or "")
    files = len(provenance.raw_files(config.raw_dir))
    if not files:
        return Check("raw files", "OK", "none yet")
    return Check("raw files", "OK", f"{files} files, each as manifest.json recorded it ({len(entries)} entries)")


def _ages(config: Config, now: datetime) -> list[Check]:
    try:
        entries = Manifest(config.raw_dir).entries().values()
    except LagesbildError:
        return []  # a damaged manifest: the raw files' check says so
    statuses = FetchLog(config.raw_dir).statuses()
    from lagesbild_cli.sources import national  # the data delivered with lagesbild, for what was never fetched

    shipped = {f.source: f for f in national.standing_in(config.raw_dir)}
    checks = []
    for source, limit in MAX_AGE_DAYS.items():
        times = [e.checked_at or e.retrieved_at for e in entries if e.source == source]
        status = statuses.get(source)
        if not times and source in shipped:
            checks.append(
                Check(
                    f"data {source}",
                    "OK",
                    f"delivered with lagesbild, published {shipped[source].published} (never fetched or imported)",
                )
            )
            continue
        if not times:
            if source == "survey" and config.survey is None:
                continue  # no survey configured: nothing is missing
            checks.append(
                Check(
                    f"data {source}",
                    "WARN",
                    "no data yet",
                    "Import the survey tool's export: 'lagesbild import survey FILE'."
                    if source == "survey"
                    else "Run 'lagesbild fetch'.",
                )
            )
            continue
        newest = max(datetime.fromisoformat(t) for t in times)
        days = (now - newest).total_seconds() / 86400
        detail = f"newest from {newest.date()} ({days:.0f} days old)"
        if status is not None and not status.ok and newest < datetime.fromisoformat(status.last_attempt):
            checks.append(
                Check(
                    f"data {source}",
                    "WARN",
                    f"{detail}; the last fetch failed on {status.last_attempt[:10]}",
                    "Run 'lagesbild fetch --source " + source + "'.",
                )
            )
        elif days > limit:
            checks.append(
                Check(
                    f"data {source}",
                    "WARN",
                    f"{detail}, older than {limit} days",
                    "Run 'lagesbild fetch --source " + source + "'.",
                )
            )
        else:
            checks.append(Check(f"data {source}", "OK", detail))
    return checks


def _leftovers(config: Config) -> list[Check]:
    """What stopped runs left (the next run finishes or undoes it), names older versions left (never removed:
    they may be the user's), and report folders that are links, which a build writes through."""
    checks = []
    pending = staging.pending(config.data_dir)
    temp = staging.temp_files(config.data_dir)
    if pending or temp:
        what = [f"{len(pending)} report set(s) being replaced"] if pending else []
        what += [f"{len(temp)} temp file(s)"] if temp else []
        checks.append(
            Check(
                "leftovers",
                "WARN",
                f"a stopped run left {' and '.join(what)} in {config.data_dir}",
                "Nothing to do: the next lagesbild run puts the previous report set back or finishes the new one, "
                "and removes the temp files ('lagesbild load' does it now).",
            )
        )
    for path in staging.old_style_leftovers(config.data_dir):
        dangling = " (a link to a folder that is gone)" if path.is_symlink() and not path.exists() else ""
        checks.append(
            Check(
                f"leftover {path.name}",
                "WARN",
                f"{path}{dangling} is named as older versions of lagesbild named a folder they were replacing; "
                "lagesbild no longer removes it, since it may be yours",
                f"If it is not yours, remove it: rm {'' if path.is_symlink() else '-r '}{shlex.quote(str(path))}",
            )
        )
    if not checks:
        checks.append(Check("leftovers", "OK", "none"))
    reports = config.reports_dir
    links = sorted(p for p in reports.glob("*/*") if p.is_symlink()) if reports.is_dir() else []
    for link in links:
        try:
            target = staging.publishing_place(link)
        except LagesbildError as exc:
            checks.append(Check(f"report folder {link.name}", "ERROR", exc.message, exc.hint or ""))
            continue
        if not os.access(target.parent, os.W_OK | os.X_OK):
            checks.append(
                Check(
                    f"report folder {link.name}",
                    "ERROR",
                    f"{link} is a link to {target}, but {target.parent} is not writable: a build cannot publish there",
                    f"Give your user write access to {target.parent}, or link a folder whose parent you may write in.",
                )
            )
        else:
            checks.append(
                Check(f"report folder {link.name}", "OK", f"{link} is a link; a build writes the report into {target}")
            )
    return checks


def run(config_path: Path, now: datetime | None = None) -> list[Check]:
    checks = [_python(), *_packages(), *_weasyprint()]
    try:
        config = load_config(config_path)
    except LagesbildError as exc:
        checks.append(Check("config", "ERROR", str(exc).splitlines()[0], exc.hint or "Fix lagesbild.toml."))
        return checks
    checks.append(Check("config", "OK", f"{config.path}: {config.kommun.fullnamn} ({config.kommun.kod})"))
    checks += [_browser(config), _writable(config.raw_dir), _writable(config.processed_dir)]
    checks += _leftovers(config)
    checks += [_provenance(config), *_ages(config, now or datetime.now(UTC))]
    return checks
