"""MCF (Myndigheten för civilt försvar, formerly MSB): the rescue services' incidents per kommun from
MCF's statistics database, a PxWeb v1 API, table B11 ("Antal inträffade och befarade olyckor per
övergripande händelsetyp, verksamhet/bostadstyp, plats, månad, veckodag, timme och år").

The table's metadata is read first and every variable is chosen by its code, never by its position:
``kommun``, ``ar`` and ``konvHandelsetypId`` are selected; month and hour only in the queries that
need them; every other variable must allow elimination (its total), or the fetch stops with an error
that names it. Answers are parsed through ``columns[].code`` too, since PxWeb v1 orders a key by the
table's variables, not by the query. ``..``, ``.`` and ``-`` are missing values, never zero.

Automatic alarms (type 14) and "annan händelse utan risk för skada" (15) are kept as their own groups
and never counted as incidents (olyckor).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from lagesbild_cli.errors import LagesbildError, ParseError
from lagesbild_cli.i18n import _
from lagesbild_cli.settings.kommuner import Kommun, all_kommuner, kommuner_in_lan
from lagesbild_cli.sources import Schema, SourceResult
from lagesbild_cli.sources._http import Http, RateLimit, Validators
from lagesbild_cli.storage import parsed_once
from lagesbild_cli.storage.raw import Manifest

SOURCE = "mcf"
METADATA = "mcf/b11_metadata.json"
ALL_KOMMUNER = "mcf/b11_kommuner.json"
BY_MONTH = "mcf/b11_manad_{kod}.json"  # kod: the län's code
BY_HOUR = "mcf/b11_timme_{kod}.json"
MISSING = {"..", ".", "-", "..."}
RULES = RateLimit(min_interval=1.0)  # no published limit; PxWeb's usual default is 30 calls per 10 s


@dataclass(frozen=True)
class Codes:
    """The B11 variable codes lagesbild selects by (the hour's code is looked up among candidates)."""

    kommun: str = "kommun"
    year: str = "ar"
    type: str = "konvHandelsetypId"
    month: str = "manadNummer"
    hour: tuple[str, ...] = ("timme", "timNummer", "klockslag", "tim")


CODES = Codes()
TYPE_SCHEMA: Schema = {"typ": pl.String, "typ_text": pl.String, "grupp": pl.String}
COUNT_SCHEMA: Schema = {
    "kommun_kod": pl.String,
    "ar": pl.Int32,
    "typ": pl.String,
    "manad": pl.Int32,
    "timme": pl.Int32,
    "antal": pl.Int64,
}
# konvHandelsetypId: 14 = Automatlarm utan brandtillbud, 15 = Annan händelse utan risk för skada
GROUPS = {"14": "automatlarm", "15": "utan_risk"}


@dataclass(frozen=True)
class Variable:
    code: str
    text: str
    values: tuple[str, ...]
    value_texts: tuple[str, ...]
    elimination: bool


def _json(data: bytes, origin: str) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(
            _("{origin} is not valid JSON ({error}).").format(origin=origin, error=exc),
            hint=_("MCF's statistics database may have sent an error page or a cut-off answer; fetch again."),
        ) from None


def parse_metadata(data: bytes, origin: str) -> dict[str, Variable]:
    """A PxWeb v1 table's metadata (``{"title", "variables": [...]}``) as variables by code. Pure."""
    doc = _json(data, origin)
    try:
        variables = {
            str(v["code"]): Variable(
                code=str(v["code"]),
                text=str(v.get("text", v["code"])),
                values=tuple(str(x) for x in v["values"]),
                value_texts=tuple(str(x) for x in v.get("valueTexts", v["values"])),
                elimination=bool(v.get("elimination", False)),
            )
            for v in doc["variables"]
        }
    except (KeyError, TypeError) as exc:
        raise ParseError(
            _("{origin} is not a PxWeb v1 table description ({error}).").format(
                origin=origin, error=f"{type(exc).__name__}: {exc}"
            ),
            hint=_(
                "Check [sources.mcf] url and table in lagesbild.toml: a GET on the table should list its variables."
            ),
        ) from None
    for code in (CODES.kommun, CODES.year, CODES.type):
        if code not in variables:
            raise ParseError(
                _("{origin}: the table has no variable {code} (it has {variables}).").format(
                    origin=origin, code=repr(code), variables=", ".join(variables)
                ),
                hint=_("MCF has changed table B11; lagesbild needs kommun, ar and konvHandelsetypId."),
            )
    return variables


def _is_hour(code: str, text: str) -> bool:
    """The hour variable's code is not documented: a known candidate code, else a label "timme…"."""
    return code in CODES.hour or text.strip().casefold().startswith(("timme", "klockslag"))


is_hour = _is_hour  # for the import of a file saved by hand (sources.by_hand)


def hour_code(variables: dict[str, Variable]) -> str | None:
    return next((c for c, v in variables.items() if _is_hour(c, v.text)), None)


def types(variables: dict[str, Variable]) -> pl.DataFrame:
    """The incident types with their labels from the metadata, and their group. Pure."""
    variable = variables[CODES.type]
    return pl.DataFrame(
        [
            {"typ": code, "typ_text": text, "grupp": GROUPS.get(code, "olycka")}
            for code, text in zip(variable.values, variable.value_texts, strict=True)
        ],
        schema=TYPE_SCHEMA,
    )


def build_query(
    variables: dict[str, Variable], kommuner: Sequence[str], years: Sequence[str], by: str | None = None
) -> dict[str, Any]:
    """A PxWeb v1 query for kommuner × years × every type, plus ``by`` (month or hour) if given.

    Every other variable is left out, which PxWeb reads as its total; that needs ``elimination``.
    """
    chosen = {CODES.kommun: list(kommuner), CODES.year: list(years), CODES.type: None}
    if by is not None:
        chosen[by] = None
    for code, variable in variables.items():
        if code not in chosen and not variable.elimination:
            raise ParseError(
                _("Table B11's variable {code} ({text}) can no longer be left out (no elimination).").format(
                    code=repr(code), text=variable.text
                ),
                hint=_("MCF has changed the table; lagesbild must be updated to select a total for it."),
            )
    return {
        "query": [
            {"code": code, "selection": {"filter": "item", "values": values}}
            if values is not None
            else {"code": code, "selection": {"filter": "all", "values": ["*"]}}
            for code, values in chosen.items()
        ],
        "response": {"format": "json"},
    }


@parsed_once.per_content(copy=pl.DataFrame.clone)  # checked when fetched, read again by the load
def parse_data(data: bytes, origin: str) -> pl.DataFrame:
    """A PxWeb v1 "json" answer (``columns``, ``data[{key, values}]``) as counts. Pure.

    Keys are read through ``columns[].code``, whatever their order; the first content column holds the
    count; ``..``, ``.`` and ``-`` become null.
    """
    doc = _json(data, origin)
    try:
        columns = doc["columns"]
        keys = [str(c["code"]) for c in columns if c.get("type") != "c"]
        contents = [str(c["code"]) for c in columns if c.get("type") == "c"]
        rows = doc["data"]
    except (KeyError, TypeError) as exc:
        raise ParseError(
            _("{origin} is not a PxWeb v1 json answer ({error}).").format(
                origin=origin, error=f"{type(exc).__name__}: {exc}"
            ),
            hint=_("Ask for response format json; fetch again."),
        ) from None
    for code in (CODES.kommun, CODES.year, CODES.type):
        if code not in keys:
            raise ParseError(
                _("{origin}: the answer has no column {code}.").format(origin=origin, code=repr(code)),
                hint=_("Fetch again with lagesbild fetch."),
            )
    if not contents:
        raise ParseError(
            _("{origin}: the answer has no content column.").format(origin=origin),
            hint=_("Fetch again with lagesbild fetch."),
        )
    hour = next(
        (str(c["code"]) for c in columns if c.get("type") != "c" and _is_hour(str(c["code"]), str(c.get("text", "")))),
        None,
    )
    known = {k.kod for k in all_kommuner()}
    out = []
    for n, row in enumerate(rows, start=1):
        try:
            key = dict(zip(keys, (str(k) for k in row["key"]), strict=True))
            text = str(row["values"][0]).strip()
            count = None if text in MISSING else int(float(text))
            if key[CODES.kommun] not in known:
                raise ValueError(
                    _("kommun {code} is not one of Sweden's 290 kommuner").format(code=repr(key[CODES.kommun]))
                )
            out.append(
                {
                    "kommun_kod": key[CODES.kommun],
                    "ar": int(key[CODES.year]),
                    "typ": key[CODES.type],
                    "manad": int(key[CODES.month]) if CODES.month in key else None,
                    "timme": int(key[hour]) if hour else None,
                    "antal": count,
                }
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ParseError(
                _("{origin}, data row {number}: {error}.").format(origin=origin, number=n, error=exc),
                hint=_("The answer does not match the table's columns; fetch again, and report it if it persists."),
            ) from None
    return pl.DataFrame(out, schema=COUNT_SCHEMA)


def fetch(kommun: Kommun, base_url: str, table: str, n_years: int, http: Http, manifest: Manifest) -> SourceResult:
    """Metadata, then all kommuner × years × types (for län and riket), then the län's kommuner by month
    and by hour."""
    result = SourceResult(SOURCE)
    limiter = http.limiter("MCF", RULES)
    url = f"{base_url.rstrip('/')}/{table.strip('/')}"
    previous = manifest.get(METADATA)
    got = http.get(
        url,
        what=_("the description of MCF's table B11"),
        validators=Validators(previous.etag, previous.last_modified) if previous else None,
        limiter=limiter,
    )
    if got.not_modified:
        manifest.mark_unchanged(METADATA)
        variables = parse_metadata((manifest.raw_dir / METADATA).read_bytes(), METADATA)
        result.unchanged += 1
    else:
        variables = parse_metadata(got.content, _("the answer from {url}").format(url=got.url))  # checked first
        manifest.store_download(METADATA, got, SOURCE)
        result.fetched += 1
    years = sorted(variables[CODES.year].values)[-n_years:]
    every = [k.kod for k in all_kommuner()]
    jobs: list[tuple[str, list[str], str | None, str]] = [(ALL_KOMMUNER, every, None, _("all kommuner by type"))]
    # by month and hour for every kommun of the län, so that a batch build (--lan) has them for each
    lan = [k.kod for k in kommuner_in_lan(kommun.lan_kod)]
    if CODES.month in variables:
        jobs.append(
            (BY_MONTH.format(kod=kommun.lan_kod), lan, CODES.month, _("{lan} by month").format(lan=kommun.lan.namn))
        )
    hour = hour_code(variables)
    if hour is not None:
        jobs.append((BY_HOUR.format(kod=kommun.lan_kod), lan, hour, _("{lan} by hour").format(lan=kommun.lan.namn)))
    else:
        result.detail = _("the table has no hour variable")
    for relative, kommuner, by, what in jobs:
        try:
            query = build_query(variables, kommuner, years, by)
            answer = http.post(
                url, query, what=_("MCF's rescue-service incidents ({what})").format(what=what), limiter=limiter
            )
            parse_data(answer.content, _("the answer from {url} ({what})").format(url=answer.url, what=what))
            manifest.store_download(relative, answer, SOURCE)
            result.fetched += 1
        except LagesbildError as exc:
            result.fail(exc)
    return result


def load(raw_dir: Path) -> dict[str, pl.DataFrame]:
    """Types, yearly counts for every kommun, and the kommuner's counts by month and by hour."""
    meta = raw_dir / METADATA
    variables = parse_metadata(meta.read_bytes(), str(meta)) if meta.exists() else None

    def counts(pattern: str, keep: list[str]) -> pl.DataFrame:
        files = sorted(raw_dir.glob(pattern))
        frames = [parse_data(p.read_bytes(), str(p)) for p in files]
        frame = pl.concat(frames) if frames else pl.DataFrame(schema=COUNT_SCHEMA)
        key = ["kommun_kod", "ar", "typ", *keep]
        # files of several fetches (another kommun, another län) may overlap: each cell counts once
        return frame.select([*key, "antal"]).unique(key, keep="last", maintain_order=True)

    return {
        "raw_mcf_typer": types(variables) if variables else pl.DataFrame(schema=TYPE_SCHEMA),
        "raw_mcf_handelser": counts(ALL_KOMMUNER, []),
        "raw_mcf_manad": counts(BY_MONTH.format(kod="*"), ["manad"]),
        "raw_mcf_timme": counts(BY_HOUR.format(kod="*"), ["timme"]),
    }
