"""Where every figure comes from: per source its retrieval date and whether the data is stale (a fetch
failed after it was retrieved) and the raw files with their checksums."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lagesbild_cli.context import formatting
from lagesbild_cli.database.store import Store
from lagesbild_cli.settings.kommuner import Kommun
from lagesbild_cli.storage.raw import public_origin

SOURCE_LABELS = {
    "bra": "Brå, Indikatorer för kommuners lägesbild",
    "polisen": "Polisen, publicerade händelser (polisen.se/api/events)",
    "scb": "SCB, folkmängd (tabellerna TAB638 och TAB6574)",
    "kolada": "Kolada (RKA), nyckeltal från Brå, SCB och MCF (tidigare MSB)",
    "mcf": "MCF (tidigare MSB), räddningstjänstens insatser, statistikdatabasen tabell B11",
    "raddning": "Räddningstjänstens egna händelserapporter (lokal export)",
    "geo": "Kommungränser (Valmyndigheten via okfse/sweden-geojson)",
    "survey": "Kommunens egen trygghetsundersökning (endast de mappade kolumnerna)",
}


SOURCE_CAVEATS = {
    "bra": "Anmälda brott, inte all brottslighet; räknas där brottet begicks; små tal varierar av en slump. "
    "NTU:s kommunvärden bygger på få svarande.",
    "polisen": "Ett urval publicerade händelser, inte brottsstatistik; platsen är kommunens eller länets "
    "mittpunkt; API:et visar bara de senaste ~500 händelserna, arkivet byggs upp över tid.",
    "scb": "Folkmängd 31 december; från referensår 2025 lägger SCB till brus, så delar behöver inte summera "
    "till totalen.",
    "kolada": "Nyckeltal beräknade av RKA ur Brås och SCB:s statistik; rang och gruppmedel är lagesbilds egna "
    "beräkningar.",
    "mcf": "Räddningstjänsternas händelserapporter, inträffade och befarade olyckor; det senaste året kan "
    "revideras. Automatlarm och händelser utan risk för skada redovisas för sig, inte som olyckor.",
    "raddning": 'Räddningsledarens bedömning av orsak på plats ("avsiktlig"), inte en brandutredning; '
    "en händelse räknas en gång även om flera objekt brann.",
    "geo": "Förenklade kommungränser (cirka 2 %), för översiktskartor.",
    "survey": "Kommunens egen enkät: bara besvarade frågor räknas, röjandeskydd för små grupper; fritext och "
    "kontaktuppgifter läses aldrig in.",
}


@dataclass(frozen=True)
class SourceStatus:
    source: str
    label: str
    retrieved: str | None  # date of the newest file from this source; None: tried but never loaded
    stale: bool  # a fetch failed after the newest data was retrieved, imported or confirmed
    failed_at: str | None
    caveat: str
    snapshot: bool = False  # the data is lagesbild's national snapshot, delivered with it, not fetched


@dataclass(frozen=True)
class SourceFile:
    file: str
    origin: str
    retrieved: str
    sha256: str


# a file of the report's own kommun, or open data (a survey or rescue-service export of another kommun is left out)
OWN_FILES = "(kommun_kod is null or kommun_kod = $k)"


def source_statuses(store: Store, kommun: Kommun) -> tuple[SourceStatus, ...]:
    """The sources with data, and those whose fetch was tried but never gave any (``retrieved`` None).

    Stale means that the report uses data older than the newest the tool has tried to get: the last
    fetch failed and nothing newer was retrieved, imported by hand or confirmed unchanged (304) since
    that attempt began."""
    files = {
        r["source"]: r
        for r in store.rows(
            "select source, max(retrieved_at) as latest, "
            "max(greatest(retrieved_at, coalesce(checked_at, retrieved_at))) as newest, "
            "bool_and(file like 'national/%') as snapshot "  # the load's rows for lagesbild's national snapshot
            f"from manifest where {OWN_FILES} group by source",
            {"k": kommun.kod},
        )
    }
    fetches = {r["source"]: r for r in store.rows("select * from hamtningar")}
    result = []
    for source, label in SOURCE_LABELS.items():
        data = files.get(source)
        fetch = fetches.get(source)
        if data is None and fetch is None:
            continue
        failed_at = fetch["last_attempt"] if fetch is not None and not fetch["ok"] else None
        result.append(
            SourceStatus(
                source=source,
                label=label,
                retrieved=formatting.swedish_date(data["latest"]) if data else None,
                stale=failed_at is not None and data is not None and data["newest"] < failed_at,
                failed_at=formatting.swedish_date(failed_at) if failed_at else None,
                caveat=SOURCE_CAVEATS.get(source, ""),
                snapshot=bool(data and data["snapshot"]),
            )
        )
    return tuple(result)


_POLISEN_ARCHIVE = re.compile(r"^(?P<n>\d+) events merged by id from every fetch and import$")
_SURVEY_EXPORT = re.compile(
    r"^(?P<name>.+) \(original sha256 (?P<sha>[0-9a-f]+), (?:round (?P<year>\d{4}): )?(?P<rows>\d+) rows, "
    r"(?P<cols>\d+) mapped columns\)$"
)

# sources.national.ORIGIN: a file of the national snapshot delivered with lagesbild (used when none was fetched)
_SNAPSHOT = re.compile(r"^lagesbild national snapshot, published (?P<published>\d{4}-\d{2}-\d{2}): (?P<what>.+)$")
SNAPSHOT_TEXT = "uppgifter levererade med lagesbild, publicerade {published}"

_HAND_EXPORTS = re.compile(r"^[^,()]+ \(sha256 [0-9a-f]+\)(, [^,()]+ \(sha256 [0-9a-f]+\))*$")  # rescue reports


def _round(year: str | None) -> str:
    return f"omgång {year}: " if year else ""


def origin_text(origin: str) -> str:
    """Where a raw file came from, as the report and its exports say it: a URL as it is; a file imported
    by hand by its name only (never the folders of the computer it came from); the tool's own notes in
    Swedish."""
    if re.match(r"^https?://", origin):
        return origin
    if match := _POLISEN_ARCHIVE.match(origin):
        events = formatting.number(int(match["n"]))
        return f"{events} händelser från alla hämtningar och inläsningar (varje händelse räknas en gång)"
    if match := _SURVEY_EXPORT.match(origin):
        return (
            f"{match['name']}, inläst för hand ({_round(match['year'])}{match['rows']} svar, {match['cols']} "
            "frågor lästes in; "
            f"kontrollsumma för originalfilen: {match['sha']})"
        )
    if match := _SNAPSHOT.match(origin):
        published = SNAPSHOT_TEXT.format(published=formatting.swedish_date(match["published"]))
        return f"{match['what'][:1].upper()}{match['what'][1:]}: {published}"
    if _HAND_EXPORTS.match(origin):
        return f"Inläst för hand: {origin.replace('(sha256 ', '(kontrollsumma ')}"
    name = public_origin(origin)  # a local path, as older versions recorded imports, by its file name only
    if name != origin or re.fullmatch(r"[^/\\]+\.(xlsx|json|csv|geojson)", name, flags=re.IGNORECASE):
        return f"{name}, inläst för hand"
    return origin


def source_files(store: Store, kommun: Kommun) -> tuple[SourceFile, ...]:
    rows = store.rows(
        "select * from manifest where (source in ('bra', 'scb', 'geo', 'mcf', 'raddning') "
        f"or file like 'polisen/archive%' or file like 'kolada/kpi%') and {OWN_FILES} order by file",
        {"k": kommun.kod},
    )
    return tuple(
        SourceFile(
            file=r["file"],
            origin=origin_text(r["origin"]),
            retrieved=formatting.swedish_date(r["retrieved_at"]),
            sha256=r["sha256"][:12],
        )
        for r in rows
    )
