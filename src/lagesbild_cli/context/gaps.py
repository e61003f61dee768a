"""What a report lacks: per § 4 section, the sources whose data is missing or stale.

Each gap has the one Swedish line its section prints ("Polisens publicerade händelser saknas för 2024."),
a working note for the coordinator in drafts (Swedish, no command syntax: the report never holds a
command, a config key or a file path) and, for the command line, what to do (English, commands are fine).
A final report is refused while it has a gap that ``--allow-missing`` does not name."""

from __future__ import annotations

from dataclasses import dataclass

from lagesbild_cli.context.sources import SourceStatus
from lagesbild_cli.errors import DataMissingError
from lagesbild_cli.i18n import N_, _

# the sources' names as the report writes them in a sentence
SOURCE_NAMES_SV = {
    "bra": "Brå",
    "polisen": "Polisen",
    "scb": "SCB",
    "kolada": "Kolada",
    "mcf": "MCF",
    "geo": "kommungränserna",
}


@dataclass(frozen=True)
class Gap:
    source: str  # a name of settings.defaults.SOURCE_NAMES
    stale: bool  # the data is there but the last fetch failed after it was retrieved
    line: str  # the section's sentence, Swedish
    note: str  # the draft's working note for the coordinator, Swedish, no command syntax
    todo: str  # what to do, for the command line (in the run's language, with commands)

    @property
    def name(self) -> str:
        return SOURCE_NAMES_SV[self.source]


_TODO = {
    "bra": N_(
        "run 'lagesbild fetch --source bra', or download the kommun's workbook from Brå's page and run "
        "'lagesbild import bra FILE_OR_FOLDER'"
    ),
    "polisen": N_(
        "run 'lagesbild fetch --source polisen', or save polisen.se/api/events in a browser and run "
        "'lagesbild import polisen FILE'"
    ),
    "scb": N_("run 'lagesbild fetch --source scb', or save SCB's table and run 'lagesbild import scb FILE'"),
    "kolada": N_(
        "run 'lagesbild fetch --source kolada', or save Kolada's answer and run 'lagesbild import kolada FILE'"
    ),
    "mcf": N_(
        "run 'lagesbild fetch --source mcf' (with enabled = true under [sources.mcf]), or save MCF's table "
        "B11 and run 'lagesbild import mcf FILE'"
    ),
    "geo": N_("run 'lagesbild fetch --source geo', or run 'lagesbild import geo FILE'"),
}

_NOTE = {
    "bra": "Brås arbetsbok för kommunen hämtas när Brå kan nås, eller laddas ned från Brås webbplats och läggs "
    "in för hand; handledningen visar hur.",
    "polisen": "Polisens händelser hämtas när polisen.se kan nås, eller sparas från polisen.se och läggs in för "
    "hand; handledningen visar hur.",
    "scb": "Befolkningsuppgifterna hämtas när SCB kan nås, eller läggs in för hand; handledningen visar hur.",
    "kolada": "Koladas nyckeltal hämtas när Kolada kan nås, eller läggs in för hand; handledningen visar hur.",
    "mcf": "Räddningstjänstens insatser hämtas från MCF:s statistikdatabas när den kan nås (källan ska vara "
    "påslagen i projektets inställningar), eller läggs in för hand; handledningen visar hur.",
    "geo": "Kommungränserna hämtas när de kan nås, eller läggs in för hand; handledningen visar hur.",
}


def _missing_line(source: str, kommun: str, year: int) -> str:
    return {
        "bra": f"Brås arbetsbok med anmälda brott och NTU för {kommun} saknas för {year}.",
        "polisen": f"Polisens publicerade händelser saknas för {year}.",
        "scb": f"Uppgifter från SCB om befolkningen saknas för {year}.",
        "kolada": f"Koladas nyckeltal för jämförelsen med Sveriges kommuner saknas för {year}.",
        "mcf": f"Uppgifter från MCF om räddningstjänstens insatser saknas för {year}.",
        "geo": "Kommungränserna saknas, så kartan över länets kommuner visas inte.",
    }[source]


def _stale_line(source: str, status: SourceStatus) -> str:
    return (
        f"Uppgifterna från {SOURCE_NAMES_SV[source]} kan vara inaktuella: den senaste hämtningen misslyckades "
        f"{status.failed_at}."
    )


def gaps(
    kommun: str,
    year: int,
    missing: dict[str, bool],
    statuses: tuple[SourceStatus, ...],
) -> tuple[Gap, ...]:
    """The report's gaps in SOURCE_NAMES order; ``missing`` tells per § 4 source whether its section lacks
    the data (from the built sections); a source whose data the report uses is a gap when it is stale."""
    by_source = {s.source: s for s in statuses}
    result = []
    for source in SOURCE_NAMES_SV:
        status = by_source.get(source)
        if missing.get(source, False):
            line = _missing_line(source, kommun, year)
            result.append(Gap(source, False, line, _NOTE[source], _(_TODO[source])))
        elif source in missing and status is not None and status.stale:
            result.append(Gap(source, True, _stale_line(source, status), _NOTE[source], _(_TODO[source])))
    return tuple(result)


def names_sv(sources: tuple[str, ...] | list[str]) -> str:
    """'Polisen och MCF', 'Brå, SCB och MCF'."""
    names = [SOURCE_NAMES_SV[s] for s in sources]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} och {names[-1]}"


def check_final(found: tuple[Gap, ...], allowed: tuple[str, ...], kommun: str) -> None:
    """A final report is complete or says why not: refused while a gap is not allowed by --allow-missing."""
    refused = [g for g in found if g.source not in allowed]
    if not refused:
        return
    what = "; ".join(
        _("{source} (stale)").format(source=g.source) if g.stale else _("{source} (missing)").format(source=g.source)
        for g in refused
    )
    todo = "\n  → ".join(f"{g.source}: {g.todo}" for g in refused)
    names = ",".join(g.source for g in refused)
    raise DataMissingError(
        _(
            "A final report for {kommun} needs every section's data, but these sources are missing or stale: {sources}."
        ).format(kommun=kommun, sources=what),
        hint=todo
        + "\n  → "
        + _(
            "or publish without them: build --final --allow-missing {names} (the cover and those sections then say so)."
        ).format(names=names),
    )
