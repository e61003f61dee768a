"""Files a person saved by hand from SCB's, Kolada's, MCF's or the boundaries' own API in a browser, brought in
as the fetcher would have stored them (``lagesbild import scb|kolada|mcf|geo FILE``).

Each file is read within a size limit and parsed by its source's own parser first; what kind of answer it is
(SCB's table TAB638 or TAB6574, a Kolada page of KPI metadata, values or comparison groups, MCF's table
description or counts) is told from its content, and it is stored under the name the fetcher uses. Every file of
one import is checked before any is stored: a broken one is refused by its file name, with where and what to do,
and the store is left as it was. The manifest's origin is the file's name, never its folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lagesbild_cli.errors import ParseError
from lagesbild_cli.i18n import N_, _
from lagesbild_cli.settings.kommuner import Kommun, find_kommun, kommuner_in_lan
from lagesbild_cli.sources import geo, kolada, mcf, read_given, scb
from lagesbild_cli.storage.raw import Manifest, ManifestEntry, sha256

LIMITS = {"scb": 50 * 2**20, "kolada": 20 * 2**20, "mcf": 50 * 2**20, "geo": 50 * 2**20}


@dataclass(frozen=True)
class Checked:
    path: Path
    data: bytes
    relative: str  # where the fetcher stores this kind of answer
    what: str  # what it was recognised as, for the command's output
    next_url: str | None = None  # a Kolada page that continues elsewhere


@dataclass(frozen=True)
class Imported:
    entry: ManifestEntry
    what: str
    name: str  # the file's name as given
    next_url: str | None = None


def _json(data: bytes, name: str, hint: str) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(_("{file} is not a JSON file ({error}).").format(file=name, error=exc), hint=hint) from None


SCB_HINT = N_(
    "Save SCB's answer as it comes from the API URL in the README (table TAB638 or TAB6574, "
    "outputFormat=json-stat2), without opening and saving it in another program."
)


def check_scb(path: Path, data: bytes, kommun: Kommun) -> Checked:
    doc = _json(data, path.name, _(SCB_HINT))
    regions = (
        doc.get("dimension", {}).get("Region", {}).get("category", {}).get("index") if isinstance(doc, dict) else None
    )
    codes = list(regions) if isinstance(regions, (dict, list)) else []
    if any("_DeSO" in str(c) or len(str(c).split("_")[0]) == 9 for c in codes):
        frame = scb.parse_deso(data, path.name)
        owners = sorted(set(frame["kommun_kod"]))
        if len(owners) != 1 or find_kommun(owners[0]) is None:
            raise ParseError(
                _("{file}: expected the DeSO areas of one kommun, found {count} kommuner ({codes}).").format(
                    file=path.name, count=len(owners), codes=", ".join(owners[:5])
                ),
                hint=_("Ask TAB6574 for one kommun's DeSO areas (valueCodes[Region]=<kommunkod>*)."),
            )
        found = find_kommun(owners[0])
        assert found is not None
        return Checked(
            path,
            data,
            scb.DESO.format(kod=found.kod),
            _("SCB's population per DeSO in {kommun}").format(kommun=found.namn),
        )
    frame = scb.parse_population(data, path.name)
    if frame.filter(frame["niva"] == "kommun").height == 0:
        raise ParseError(
            _("{file}: table TAB638 holds no kommun's population.").format(file=path.name),
            hint=_("Ask for every region (valueCodes[Region]=*), as the URL in the README does."),
        )
    if kommun.kod not in set(frame["region_kod"]):
        raise ParseError(
            _("{file}: the population has no row for {kommun} ({kod}).").format(
                file=path.name, kommun=kommun.namn, kod=kommun.kod
            ),
            hint=_("Ask for every region (valueCodes[Region]=*), as the URL in the README does."),
        )
    years = sorted(set(frame["ar"]))
    return Checked(
        path,
        data,
        scb.POPULATION,
        _("SCB's population per region {first}–{last} (TAB638)").format(first=years[0], last=years[-1]),
    )


KOLADA_HINT = N_("Save the page Kolada's API shows for the URL in the README (Ctrl+S, as .json), unchanged.")


def check_kolada(path: Path, data: bytes, kommun: Kommun) -> Checked:
    doc = _json(data, path.name, _(KOLADA_HINT))
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list) or not doc["values"]:
        raise ParseError(
            _("{file} is no answer from Kolada's v3 API (no 'values' list, or an empty one).").format(file=path.name),
            hint=_(KOLADA_HINT),
        )
    first = doc["values"][0]
    tag = sha256(data)[:12]
    next_url = doc.get("next_url") or None
    if isinstance(first, dict) and "members" in first:
        groups = kolada.parse_groups(data, path.name, kommun)
        if groups.height == 0:
            raise ParseError(
                _("{file} has no group 'Liknande kommuner, övergripande, {kommun}, <år>'.").format(
                    file=path.name, kommun=kommun.namn
                ),
                hint=_("Save the answer of …/v3/municipality_groups?title={kommun}.").format(kommun=kommun.namn),
            )
        return Checked(path, data, f"kolada/grupper_{kommun.kod}_p1.json", _("Kolada's comparison groups"), next_url)
    if isinstance(first, dict) and "municipality" in first:
        values = kolada.parse_values(data, path.name)
        kpis = ", ".join(sorted(set(values["kpi"])))
        return Checked(
            path, data, f"kolada/data_hand_{tag}_p1.json", _("Kolada's values of {kpis}").format(kpis=kpis), next_url
        )
    if isinstance(first, dict) and "title" in first and "id" in first:
        kpi = kolada.parse_kpis(data, path.name)
        return Checked(
            path,
            data,
            f"kolada/kpi_hand_{tag}_p1.json",
            _("Kolada's description of {kpis}").format(kpis=", ".join(kpi["kpi"])),
            next_url,
        )
    raise ParseError(
        _("{file}, value 1: neither a KPI's description, a value nor a comparison group.").format(file=path.name),
        hint=_(KOLADA_HINT),
    )


MCF_HINT = N_("Save MCF's answer for table B11 as the README says (the table's description, or a query's json answer).")


def check_mcf(path: Path, data: bytes, kommun: Kommun) -> Checked:
    doc = _json(data, path.name, _(MCF_HINT))
    if isinstance(doc, dict) and "variables" in doc:
        mcf.parse_metadata(data, path.name)
        return Checked(path, data, mcf.METADATA, _("MCF's description of table B11"))
    if not isinstance(doc, dict) or "columns" not in doc:
        raise ParseError(
            _("{file} is neither B11's description nor a json answer from it.").format(file=path.name),
            hint=_(MCF_HINT),
        )
    counts = mcf.parse_data(data, path.name)
    columns = [(str(c.get("code")), str(c.get("text", ""))) for c in doc["columns"] if isinstance(c, dict)]
    by_month = any(code == mcf.CODES.month for code, _text in columns)
    by_hour = any(mcf.is_hour(code, text) for code, text in columns)
    if not by_month and not by_hour:
        return Checked(path, data, mcf.ALL_KOMMUNER, _("MCF's incidents per kommun, year and type"))
    lan = sorted({k[:2] for k in counts["kommun_kod"]})
    if len(lan) != 1:
        raise ParseError(
            (
                _("{file}: counts by month for kommuner of {count} län.")
                if by_month
                else _("{file}: counts by hour for kommuner of {count} län.")
            ).format(file=path.name, count=len(lan)),
            hint=_("Ask for the kommuner of one län by month (or by hour), as the README's query does."),
        )
    pattern = mcf.BY_MONTH if by_month else mcf.BY_HOUR
    return Checked(
        path,
        data,
        pattern.format(kod=lan[0]),
        _("MCF's incidents by month") if by_month else _("MCF's incidents by hour"),
    )


GEO_HINT = N_("Save the GeoJSON file of Sweden's 290 kommuner from the address in the README, unchanged.")


def check_geo(path: Path, data: bytes, kommun: Kommun) -> Checked:
    frame = geo.parse(data, path.name)
    missing = sorted({k.namn for k in kommuner_in_lan(kommun.lan_kod)} - set(frame["kommun_namn"]))
    if missing:
        raise ParseError(
            _("{file} has no boundary for {kommuner}, so the map of {lan} would have holes.").format(
                file=path.name, kommuner=", ".join(missing), lan=kommun.lan.namn
            ),
            hint=_(GEO_HINT),
        )
    return Checked(path, data, geo.KOMMUNER, _("boundaries of {count} kommuner").format(count=frame.height))


CHECKS: dict[str, Callable[[Path, bytes, Kommun], Checked]] = {
    "scb": check_scb,
    "kolada": check_kolada,
    "mcf": check_mcf,
    "geo": check_geo,
}
WHAT = {
    "scb": N_("an SCB answer"),
    "kolada": N_("a Kolada answer"),
    "mcf": N_("an MCF answer"),
    "geo": N_("a GeoJSON file of kommun boundaries"),
}


def import_files(source: str, paths: Sequence[Path], manifest: Manifest, kommun: Kommun) -> list[Imported]:
    """Check every file (``kommun``: the config's, whose rows must be there), then store them all; nothing is
    stored if one is refused."""
    checked: list[Checked] = []
    for path in paths:
        if not path.is_file():
            raise ParseError(
                _("{file} does not exist or is not a file.").format(file=path.name),
                hint=_("Give the file saved from {source}.").format(source=source),
            )
        data = read_given(
            path,
            limit=LIMITS[source],
            what=_(WHAT[source]),
            hint=_("Is {file} the right file?").format(file=path.name),
        )
        checked.append(CHECKS[source](path, data, kommun))
    seen: dict[str, Path] = {}
    for item in checked:
        if item.relative in seen:
            raise ParseError(
                _("{first} and {second} are both {what}.").format(
                    first=seen[item.relative].name, second=item.path.name, what=item.what
                ),
                hint=_("Import one file of each kind; the newer one replaces the stored one."),
            )
        seen[item.relative] = item.path
    if source == "mcf" and any(c.relative != mcf.METADATA for c in checked):
        if mcf.METADATA not in seen and not (manifest.raw_dir / mcf.METADATA).exists():
            raise ParseError(
                _("MCF's counts need the description of table B11 (its incident types), which is not stored yet."),
                hint=_("Save the table's description too (the address in the README) and import it with the counts."),
            )
    return [
        Imported(
            manifest.store(c.relative, c.data, source=source, origin=c.path.name, status=None),
            c.what,
            c.path.name,
            c.next_url,
        )
        for c in checked
    ]


def scb_url(base: str) -> str:
    """The address of SCB's population per region (TAB638) as the fetcher asks for it, to open in a browser."""
    query = "&".join(f"{k}={v}" for k, v in scb.population_params().items())
    return f"{base.rstrip('/')}/tables/TAB638/data?{query}"


def kolada_urls(base: str, kpis: Sequence[str], years: Sequence[int], kommun: Kommun) -> list[str]:
    """The addresses of Kolada's answers the report reads: the KPIs' descriptions, their values for every kommun,
    län and riket, and the kommun's comparison groups."""
    root = base.rstrip("/")
    ids = ",".join(kpis)
    return [
        f"{root}/kpi/{ids}",
        f"{root}/data/kpi/{ids}/year/{','.join(map(str, years))}",
        f"{root}/municipality_groups?title={kommun.namn}",
    ]


def hint(source: str, command: str, addresses: Sequence[str]) -> str:
    """What the offline fetch summary says for a source it could not reach."""
    names = {"scb": "SCB", "kolada": "Kolada", "mcf": "MCF", "geo": _("Kommun boundaries")}
    shown = _(" and ").join(addresses)
    return _("{source}: open {addresses} in a browser, save each answer as a file, then run: {command}").format(
        source=names[source], addresses=shown, command=command
    )
