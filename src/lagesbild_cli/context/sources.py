"""Where every figure comes from: per source its retrieval date and whether its last fetch failed
(so the report can mark the data as stale) and the raw files with their checksums."""

from __future__ import annotations

from dataclasses import dataclass

from lagesbild_cli import formatting
from lagesbild_cli.kommuner import Kommun
from lagesbild_cli.store import Store

SOURCE_LABELS = {
    "bra": "Brå, Indikatorer för kommuners lägesbild",
    "polisen": "Polisen, publicerade händelser (polisen.se/api/events)",
    "scb": "SCB, folkmängd (tabellerna TAB638 och TAB6574)",
    "kolada": "Kolada (RKA), nyckeltal från Brå och SCB",
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
    retrieved: str | None  # date of the newest file from this source
    stale: bool  # the last fetch failed: the data is from an earlier fetch
    failed_at: str | None
    caveat: str


@dataclass(frozen=True)
class SourceFile:
    file: str
    origin: str
    retrieved: str
    sha256: str


# a file of the report's own kommun, or open data (a survey or rescue-service export of another kommun is left out)
OWN_FILES = "(kommun_kod is null or kommun_kod = $k)"


def source_statuses(store: Store, kommun: Kommun) -> tuple[SourceStatus, ...]:
    files = {
        r["source"]: r["latest"]
        for r in store.rows(
            f"select source, max(retrieved_at) as latest from manifest where {OWN_FILES} group by source",
            {"k": kommun.kod},
        )
    }
    fetches = {r["source"]: r for r in store.rows("select * from hamtningar")}
    result = []
    for source, label in SOURCE_LABELS.items():
        latest = files.get(source)
        fetch = fetches.get(source)
        if latest is None and fetch is None:
            continue
        failed = fetch is not None and not fetch["ok"]
        result.append(
            SourceStatus(
                source=source,
                label=label,
                retrieved=formatting.swedish_date(latest) if latest else None,
                stale=failed and latest is not None,
                failed_at=formatting.swedish_date(fetch["last_attempt"]) if failed and fetch else None,
                caveat=SOURCE_CAVEATS.get(source, ""),
            )
        )
    return tuple(result)


def source_files(store: Store, kommun: Kommun) -> tuple[SourceFile, ...]:
    rows = store.rows(
        "select * from manifest where (source in ('bra', 'scb', 'geo', 'mcf', 'raddning') "
        f"or file like 'polisen/archive%' or file like 'kolada/kpi%') and {OWN_FILES} order by file",
        {"k": kommun.kod},
    )
    return tuple(
        SourceFile(
            file=r["file"],
            origin=r["origin"],
            retrieved=formatting.swedish_date(r["retrieved_at"]),
            sha256=r["sha256"][:12],
        )
        for r in rows
    )
