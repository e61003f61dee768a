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
from lagesbild_cli.i18n import N_, _, ngettext
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


# a check's status as doctor prints it, translated where shown
STATUSES = {"OK": N_("OK"), "WARN": N_("WARN"), "ERROR": N_("ERROR")}


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "OK", "WARN" or "ERROR" (STATUSES)
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
            checks.append(Check(_("package {name}").format(name=name), "OK", version))
        except (ImportError, OSError, metadata.PackageNotFoundError) as exc:
            checks.append(
                Check(
                    _("package {name}").format(name=name),
                    "ERROR",
                    f"{type(exc).__name__}: {exc}",
                    _("Run 'uv sync' (or 'make setup')."),
                )
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
                _(
                    "Install Pango and HarfBuzz: 'make setup' (apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
                    "libharfbuzz-subset0)."
                ),
            )
        ]
    checks = [Check("weasyprint", "OK", _("{version}, renders a PDF").format(version=metadata.version("weasyprint")))]
    if b"DejaVu" in pdf:
        checks.append(Check(_("font with å ä ö"), "OK", "DejaVu Sans"))
    else:
        checks.append(
            Check(
                _("font with å ä ö"),
                "ERROR",
                _("DejaVu Sans is not installed; the PDF would use another font"),
                _("Install it: apt-get install fonts-dejavu-core (or 'make setup')."),
            )
        )
    return checks


def _browser(config: Config) -> Check:
    """Whether Brå's search can use a browser when its hits appear only by script (optional)."""
    from lagesbild_cli.errors import BrowserMissingError
    from lagesbild_cli.sources import bra_browser

    check = _("browser for Brå's search")
    try:
        found = bra_browser.locate(config.bra.browser)
    except BrowserMissingError as exc:
        if bra_browser.setting_in_effect(config.bra.browser) == "never":
            name = bra_browser.setting_name(config.bra.browser)
            return Check(check, "OK", _("not used ({key} = never)").format(key=name))
        return Check(
            check,
            "WARN",
            _("{problem}; fetch finds Brå's workbooks only if Brå's page or its search form lists them").format(
                problem=exc.message
            ),
            _("{hint} Or download the workbooks by hand: lagesbild import bra FOLDER.").format(hint=exc.hint),
        )
    # found, not started: starting Chrome would make doctor slow; fetch says so if it fails to start
    return Check(
        check, "OK", _("found {browser} and {driver} (not started)").format(browser=found.binary, driver=found.driver)
    )


def _writable(folder: Path) -> Check:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".doctor.{TEMP_MARK}", suffix=TEMP_SUFFIX):
            pass
    except OSError as exc:
        return Check(
            _("write access {folder}").format(folder=folder),
            "ERROR",
            str(exc),
            _("Give this user write access to the data folder."),
        )
    return Check(_("write access {folder}").format(folder=folder), "OK", _("writable"))


def _provenance(config: Config) -> Check:
    """Every raw file is the one the manifest recorded (as a load checks it)."""
    from lagesbild_cli.storage import provenance

    try:
        entries = provenance.verify(config.raw_dir)
    except LagesbildError as exc:
        return Check(_("raw files"), "ERROR", exc.message, exc.hint or "")
    files = len(provenance.raw_files(config.raw_dir))
    if not files:
        return Check(_("raw files"), "OK", _("none yet"))
    detail = ngettext(
        "{count} file, as manifest.json recorded it ({entries} entries)",
        "{count} files, each as manifest.json recorded it ({entries} entries)",
        files,
    )
    return Check(_("raw files"), "OK", detail.format(count=files, entries=len(entries)))


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
        name = _("data {source}").format(source=source)
        if not times and source in shipped:
            checks.append(
                Check(
                    name,
                    "OK",
                    _("delivered with lagesbild, published {date} (never fetched or imported)").format(
                        date=shipped[source].published
                    ),
                )
            )
            continue
        if not times:
            if source == "survey" and config.survey is None:
                continue  # no survey configured: nothing is missing
            checks.append(
                Check(
                    name,
                    "WARN",
                    _("no data yet"),
                    _("Import the survey tool's export: 'lagesbild import survey FILE'.")
                    if source == "survey"
                    else _("Run 'lagesbild fetch'."),
                )
            )
            continue
        newest = max(datetime.fromisoformat(t) for t in times)
        days = (now - newest).total_seconds() / 86400
        age = round(days)
        detail = ngettext("newest from {date} ({days} day old)", "newest from {date} ({days} days old)", age).format(
            date=newest.date(), days=age
        )
        fetch_again = _("Run '{command}'.").format(command=f"lagesbild fetch --source {source}")
        if status is not None and not status.ok and newest < datetime.fromisoformat(status.last_attempt):
            checks.append(
                Check(
                    name,
                    "WARN",
                    _("{detail}; the last fetch failed on {date}").format(detail=detail, date=status.last_attempt[:10]),
                    fetch_again,
                )
            )
        elif days > limit:
            checks.append(
                Check(
                    name, "WARN", _("{detail}, older than {limit} days").format(detail=detail, limit=limit), fetch_again
                )
            )
        else:
            checks.append(Check(name, "OK", detail))
    own = f"bra/{config.kommun.kod}.xlsx"
    workbooks = [f for f, e in Manifest(config.raw_dir).entries().items() if e.source == "bra"]
    if workbooks and own not in workbooks:  # data, but none of it the kommun's own (another län's workbooks)
        checks.append(
            Check(
                _("Brå workbook for {kommun}").format(kommun=config.kommun.namn),
                "WARN",
                ngettext(
                    "missing: the {count} workbook stored is another kommun's",
                    "missing: the {count} workbooks stored are other kommuners'",
                    len(workbooks),
                ).format(count=len(workbooks)),
                _("Download {kommun}'s workbook and those of {lan} from Brå and run '{command}'.").format(
                    kommun=config.kommun.namn, lan=config.kommun.lan.namn, command="lagesbild import bra FOLDER"
                ),
            )
        )
    return checks


def _leftovers(config: Config) -> list[Check]:
    """What stopped runs left (the next run finishes or undoes it), names older versions left (never removed:
    they may be the user's), and report folders that are links, which a build writes through."""
    checks = []
    pending = staging.pending(config.data_dir)
    temp = staging.temp_files(config.data_dir)
    if pending or temp:
        what = []
        if pending:
            sets = ngettext("{count} report set being replaced", "{count} report sets being replaced", len(pending))
            what.append(sets.format(count=len(pending)))
        if temp:
            what.append(ngettext("{count} temp file", "{count} temp files", len(temp)).format(count=len(temp)))
        checks.append(
            Check(
                _("leftovers"),
                "WARN",
                _("a stopped run left {what} in {folder}").format(
                    what=_("{first} and {second}").format(first=what[0], second=what[1]) if len(what) > 1 else what[0],
                    folder=config.data_dir,
                ),
                _(
                    "Nothing to do: the next lagesbild run puts the previous report set back or finishes the new one, "
                    "and removes the temp files ('lagesbild load' does it now)."
                ),
            )
        )
    for path in staging.old_style_leftovers(config.data_dir):
        if path.is_symlink() and not path.exists():
            detail = _(
                "{path} (a link to a folder that is gone) is named as older versions of lagesbild named a folder "
                "they were replacing; lagesbild no longer removes it, since it may be yours"
            )
        else:
            detail = _(
                "{path} is named as older versions of lagesbild named a folder they were replacing; "
                "lagesbild no longer removes it, since it may be yours"
            )
        checks.append(
            Check(
                _("leftover {name}").format(name=path.name),
                "WARN",
                detail.format(path=path),
                _("If it is not yours, remove it: {command}").format(
                    command=f"rm {'' if path.is_symlink() else '-r '}{shlex.quote(str(path))}"
                ),
            )
        )
    if not checks:
        checks.append(Check(_("leftovers"), "OK", _("none")))
    reports = config.reports_dir
    links = sorted(p for p in reports.glob("*/*") if p.is_symlink()) if reports.is_dir() else []
    for link in links:
        name = _("report folder {name}").format(name=link.name)
        try:
            target = staging.publishing_place(link)
        except LagesbildError as exc:
            checks.append(Check(name, "ERROR", exc.message, exc.hint or ""))
            continue
        if not os.access(target.parent, os.W_OK | os.X_OK):
            checks.append(
                Check(
                    name,
                    "ERROR",
                    _(
                        "{link} is a link to {target}, but {folder} is not writable: a build cannot publish there"
                    ).format(link=link, target=target, folder=target.parent),
                    _(
                        "Give your user write access to {folder}, or link a folder whose parent you may write in."
                    ).format(folder=target.parent),
                )
            )
        else:
            checks.append(
                Check(
                    name,
                    "OK",
                    _("{link} is a link; a build writes the report into {target}").format(link=link, target=target),
                )
            )
    return checks


def run(config_path: Path, now: datetime | None = None) -> list[Check]:
    checks = [_python(), *_packages(), *_weasyprint()]
    try:
        config = load_config(config_path)
    except LagesbildError as exc:
        checks.append(Check(_("config"), "ERROR", str(exc).splitlines()[0], exc.hint or _("Fix lagesbild.toml.")))
        return checks
    checks.append(Check(_("config"), "OK", f"{config.path}: {config.kommun.fullnamn} ({config.kommun.kod})"))
    checks += [_browser(config), _writable(config.raw_dir), _writable(config.processed_dir)]
    checks += _leftovers(config)
    checks += [_provenance(config), *_ages(config, now or datetime.now(UTC))]
    return checks
