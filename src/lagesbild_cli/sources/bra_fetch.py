"""Getting Brå's workbooks into data/raw/: downloaded from the URL in the config, the one remembered from last
time or one found by searching Brå's page (:mod:`bra_search`), or imported by hand (a folder, files or the .zip a
browser downloaded). Each workbook is stored only after :func:`bra.parse` reads it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from lagesbild_cli.errors import BrowserMissingError, GoneError, LagesbildError, NoNetworkError, ParseError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.collation import swedish_key
from lagesbild_cli.settings.config import BraSettings
from lagesbild_cli.settings.kommuner import Kommun
from lagesbild_cli.sources import SourceResult, _xlsx, bra_search, read_given
from lagesbild_cli.sources._http import Http, Validators
from lagesbild_cli.sources.bra import NOT_BRAS_WORKBOOK, SOURCE, parse
from lagesbild_cli.sources.bra_search import BrowserOpener
from lagesbild_cli.storage.raw import Manifest, ManifestEntry


def raw_name(kommun: Kommun) -> str:
    return f"{SOURCE}/{kommun.kod}.xlsx"


def remembered_url(entry: ManifestEntry | None) -> str | None:
    """The URL a stored workbook was downloaded from (not the name of a file imported by hand)."""
    if entry is None or entry.status is None or not entry.origin.startswith(("https://", "http://")):
        return None
    return entry.origin


def fetch(
    kommuner: Sequence[Kommun],
    settings: BraSettings,
    http: Http,
    manifest: Manifest,
    *,
    browser: BrowserOpener | None = None,
) -> SourceResult:
    """Download the workbook of each kommun; a file is stored only after it parses.

    Per kommun the URL is the one in the config, else the one it was downloaded from last time (asked
    for conditionally), else one found by searching Brå's page (:func:`bra_search.find_urls`; a
    remembered URL that answers 404 or 410 is searched for again). ``browser`` opens the browser for
    that search (default: the one ``settings.browser`` names, if installed). Kommuner whose workbook
    could not be fetched are named once in ``by_hand``, with the page to download them from and the
    import command."""
    result = SourceResult(SOURCE)
    left_out: list[str] = []  # what the parser skipped in each workbook, for the fetch summary
    missing: list[Kommun] = []
    gone: dict[str, str] = {}  # kommun code → why its remembered URL no longer works
    searching: list[Kommun] = []
    for kommun in kommuner:
        configured = settings.urls.get(kommun.kod)
        url = configured or remembered_url(manifest.get(raw_name(kommun)))
        if url is None:
            searching.append(kommun)
            continue
        try:
            left_out += _download(kommun, url, http, manifest, result)
        except GoneError as exc:
            if configured:
                missing.append(kommun)
                result.fail(exc, _where(kommun))
            else:
                gone[kommun.kod] = exc.message
                searching.append(kommun)
        except LagesbildError as exc:
            missing.append(kommun)
            result.fail(exc, _where(kommun))
    found = (
        bra_search.find_urls(searching, settings, http, browser)
        if searching and settings.discover
        else bra_search.Found()
    )
    for kommun in searching:
        url = found.urls.get(kommun.kod)
        if url is None:
            _not_found(kommun, settings, found, gone, manifest, result, missing)
            continue
        try:
            left_out += _download(kommun, url, http, manifest, result)
        except LagesbildError as exc:
            missing.append(kommun)
            result.fail(exc, _where(kommun))
    result.detail = "; ".join([*_search_details(found), *left_out])
    if missing:
        result.by_hand = _by_hand(missing, len(kommuner), settings)
    return result


def _where(kommun: Kommun) -> str:
    return f"{kommun.namn} ({kommun.kod})"


def _download(kommun: Kommun, url: str, http: Http, manifest: Manifest, result: SourceResult) -> list[str]:
    """Fetch one workbook (conditionally, when the stored one came from ``url``), check it and store it;
    returns what the parser skipped. Raises the fetch or parse error; what is on disk then stays."""
    previous = manifest.get(raw_name(kommun))
    validators = (
        Validators(previous.etag, previous.last_modified) if previous is not None and previous.origin == url else None
    )
    got = http.get(url, what=_("Brå's workbook for {kommun}").format(kommun=kommun.namn), validators=validators)
    if got.not_modified:
        manifest.mark_unchanged(raw_name(kommun))
        result.unchanged += 1
        return []
    workbook = parse(got.content, _("{file} from {url}").format(file=f"{kommun.namn}.xlsx", url=url))
    if workbook.kommun != kommun:
        raise ParseError(
            _("{url} holds the workbook of {other}, not of {kommun}.").format(
                url=url, other=workbook.kommun.namn, kommun=kommun.namn
            ),
            hint=_("Correct the URL for {kod} under [sources.bra.urls].").format(kod=kommun.kod),
        )
    manifest.store_download(raw_name(kommun), got, SOURCE)
    result.fetched += 1
    return [_("{kommun}: skipped {note}").format(kommun=kommun.namn, note=note) for note in workbook.skipped]


def _not_found(
    kommun: Kommun,
    settings: BraSettings,
    found: bra_search.Found,
    gone: dict[str, str],
    manifest: Manifest,
    result: SourceResult,
    missing: list[Kommun],
) -> None:
    """A kommun whose workbook URL is unknown: what is on disk is kept; without anything on disk, or when
    its remembered URL stopped working, that is a failure."""
    on_disk = manifest.get(raw_name(kommun)) is not None or (manifest.raw_dir / raw_name(kommun)).exists()
    if kommun.kod in gone:
        missing.append(kommun)
        result.failures.append(
            _("{kommun}: {error} and no new address was found ({reason}); the workbook on disk is kept").format(
                kommun=_where(kommun), error=gone[kommun.kod], reason=_no_url_reason(kommun, settings, found)
            )
        )
    elif on_disk:
        result.kept += 1
    elif isinstance(found.error, NoNetworkError):
        missing.append(kommun)
        result.fail(found.error, _where(kommun))
    else:
        missing.append(kommun)
        result.failures.append(
            _("{kommun}: no workbook URL; {reason}").format(
                kommun=_where(kommun), reason=_no_url_reason(kommun, settings, found)
            )
        )


def _search_details(found: bra_search.Found) -> list[str]:
    """How the search went, once for all kommuner: what found the links, or what stopped it."""
    error = found.error
    if error is None or isinstance(error, NoNetworkError):
        return found.notes
    if isinstance(error, BrowserMissingError):
        return [
            *found.notes,
            _(
                "Brå's page shows its search hits only by script, in a browser, and {error}. "
                "{hint}; or download the workbooks by hand"
            ).format(error=error.message, hint=(error.hint or "").rstrip(".")),
        ]
    return [*found.notes, _("Brå's indicator page could not be read: {error}").format(error=error.message)]


def _no_url_reason(kommun: Kommun, settings: BraSettings, found: bra_search.Found) -> str:
    if not settings.discover:
        return _("discovery is off (sources.bra.discover = false)")
    if kommun.kod in found.reasons:
        return found.reasons[kommun.kod]
    if isinstance(found.error, BrowserMissingError):
        return _("Brå's page needs a browser to search ({error})").format(error=found.error.message)
    if found.error is not None:
        return _("Brå's page could not be read")
    return _("no link ending in {file} was found on {url}").format(file=f"{kommun.namn}.xlsx", url=settings.page_url)


def _by_hand(missing: Sequence[Kommun], wanted: int, settings: BraSettings) -> str:
    """One instruction for all the workbooks that could not be fetched: per kommun, in Swedish alphabetical
    order, the word to type into the search box of Brå's page and the name to save the workbook under."""
    ordered = sorted(missing, key=lambda k: swedish_key(k.namn))
    count = (
        ""
        if wanted == 1
        else " " + _("({count} of {wanted} kommuner)").format(count=len(missing), wanted=wanted)
        if len(missing) < wanted
        else " " + _("(all {wanted} kommuner of the län)").format(wanted=wanted)
    )
    search_word, save_as = _("search word"), _("save as")
    width = max(len(search_word), *(len(k.namn) for k in ordered)) + 2
    rows = "\n".join(f"    {k.namn:<{width}}{k.namn}.xlsx" for k in ordered)
    urls = "" if settings.discover else "\n  " + _("Or add their URLs under [sources.bra.urls] in lagesbild.toml.")
    return (
        _(
            "Brå: download the workbook of each kommun below{count} from {url}: type the search word "
            "into the search box on that page and save the workbook it finds into one folder, under the name shown "
            "(a .zip of them, as the browser downloads it, will do too)."
        ).format(count=count, url=settings.page_url)
        + f"\n    {search_word:<{width}}{save_as}\n{rows}\n  "
        + _("Then run: lagesbild import bra FOLDER (or the .zip)")
        + urls
    )


ZIP_MAX_BYTES = 100 * 2**20  # a .zip of workbooks as the browser downloaded it: all 290 are about 15 MB
ZIP_MAX_MEMBERS = 2_000


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given, folders as the .xlsx and .zip files in them."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.suffix.lower() in (".xlsx", ".zip") and not p.name.startswith("~$") and p.is_file()
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise ParseError(
                _("{path} does not exist.").format(path=path),
                hint=_("Give the path of a downloaded workbook or a folder of them."),
            )
    if not files:
        raise ParseError(
            _("No .xlsx files in {paths}.").format(paths=", ".join(map(str, paths))),
            hint=_("Give the workbooks downloaded from Brå's indicator page."),
        )
    return files


def _zip_members(path: Path) -> list[tuple[str, bytes]]:
    """The workbooks inside a .zip as the browser downloaded it, by their file names (never a folder inside
    the zip: nothing is unpacked to disk), each read within the workbook's size limit; other members are
    ignored. A zip that is too large, holds too many files or no workbook is refused by its name."""
    data = read_given(path, limit=ZIP_MAX_BYTES, what=_("a .zip of Brå workbooks"), hint=_(NOT_BRAS_WORKBOOK))
    hint = _("Download the workbooks from Brå's page again (or unpack the .zip and import the folder).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                raise ParseError(
                    _("{file} holds {count} files, more than the limit of {limit}.").format(
                        file=path.name, count=len(members), limit=ZIP_MAX_MEMBERS
                    ),
                    hint=hint,
                )
            found = []
            for member in members:
                name = member.filename.replace("\\", "/").rsplit("/", 1)[-1]
                if member.is_dir() or not name.lower().endswith(".xlsx") or name.startswith(("~$", "._")):
                    continue
                if member.file_size > _xlsx.MAX_FILE_BYTES:
                    raise ParseError(
                        _("{file}, {member}: {size} MB, more than the {limit} MB limit for a Brå workbook.").format(
                            file=path.name,
                            member=name,
                            size=f"{member.file_size / 2**20:.1f}",
                            limit=_xlsx.MAX_FILE_BYTES >> 20,
                        ),
                        hint=hint,
                    )
                with archive.open(member) as handle:
                    content = handle.read(_xlsx.MAX_FILE_BYTES + 1)  # bounded even if the member lies
                if len(content) > _xlsx.MAX_FILE_BYTES:
                    raise ParseError(
                        _("{file}, {member}: larger than it says; not a zip from Brå.").format(
                            file=path.name, member=name
                        ),
                        hint=hint,
                    )
                found.append((name, content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, RuntimeError) as exc:
        raise ParseError(
            _("{file} is not a readable .zip file ({error}).").format(
                file=path.name, error=f"{type(exc).__name__}: {exc}"
            ),
            hint=hint,
        ) from None
    if not found:
        raise ParseError(_("{file} holds no .xlsx workbook.").format(file=path.name), hint=hint)
    return found


def _given(paths: Sequence[Path]) -> list[tuple[str, bytes]]:
    """Each workbook given (a file, a folder's files, a zip's members) as its file name and bytes."""
    given: list[tuple[str, bytes]] = []
    for path in expand_paths(paths):
        if path.suffix.lower() == ".zip":
            given.extend(_zip_members(path))
        else:
            given.append(
                (
                    path.name,
                    read_given(path, limit=_xlsx.MAX_FILE_BYTES, what=_("a Brå workbook"), hint=_(NOT_BRAS_WORKBOOK)),
                )
            )
    return given


def import_files(paths: Sequence[Path], manifest: Manifest) -> list[tuple[Kommun, ManifestEntry, tuple[str, ...]]]:
    """Validate every workbook first (files, folders of them, or a .zip as the browser downloaded it), then
    copy them into data/raw/bra/; all or nothing.

    Returns per workbook its kommun, its manifest entry and what the parser left out (``skipped``)."""
    parsed = [(name, data, parse(data, name)) for name, data in _given(paths)]  # names only: no local folder
    seen: dict[str, str] = {}
    for name, _data, workbook in parsed:
        if workbook.kommun.kod in seen:
            raise ParseError(
                _("{first} and {second} are both workbooks for {kommun}.").format(
                    first=seen[workbook.kommun.kod], second=name, kommun=workbook.kommun.namn
                ),
                hint=_("Import one workbook per kommun."),
            )
        seen[workbook.kommun.kod] = name
    return [
        (
            workbook.kommun,
            manifest.store(raw_name(workbook.kommun), data, source=SOURCE, origin=name, status=None),
            workbook.skipped,
        )
        for name, data, workbook in parsed
    ]
