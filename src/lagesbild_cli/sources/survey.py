"""The municipality's own citizen survey: a CSV export from any survey tool.

Reads UTF-8 (with or without BOM) or Windows-1252, ``;``, ``,`` or tab separated, decimal commas.
Only the columns that ``[survey]`` in lagesbild.toml maps are taken from each row; all other
columns (free text, e-mail addresses) are dropped while reading and never stored, logged or shown.
Everything is validated before anything is written, and the original file is never copied.
"""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lagesbild_cli.errors import ParseError, ValidationError
from lagesbild_cli.settings.survey_mapping import SurveyMapping
from lagesbild_cli.storage.raw import Manifest, ManifestEntry, sha256

SOURCE = "survey"
SHOWN_LABEL = 40  # answer labels in messages are cut to this length


@dataclass(frozen=True)
class SurveyFile:
    """The mapped columns of a survey export, by canonical name, with each row's line number."""

    columns: dict[str, str]  # canonical name → header in the file
    rows: list[dict[str, str]]
    lines: list[int]
    encoding: str
    separator: str


def decode(data: bytes, origin: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 med BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"{origin} is neither UTF-8 nor Windows-1252 (byte {exc.start}).",
            hint="Export the survey again as CSV (UTF-8 or the Windows default).",
        ) from None


def sniff_separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _norm(header: str) -> str:
    return " ".join(unicodedata.normalize("NFC", header).split()).casefold()


def read(data: bytes, origin: str, mapping: SurveyMapping) -> SurveyFile:
    """The mapped columns only. Pure: reads nothing but ``data``."""
    text, encoding = decode(data, origin)
    first_line = text.split("\n", 1)[0]
    separator = sniff_separator(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError(f"{origin} is empty.", hint="Export the survey again.") from None
    index = {_norm(h): i for i, h in enumerate(header)}
    wanted = mapping.columns()
    missing = {name: col for name, col in wanted.items() if _norm(col) not in index}
    if missing:
        listing = []
        for name, column in missing.items():
            close = difflib.get_close_matches(column, header, n=1, cutoff=0.6)
            hint = f" (closest header: {close[0]!r})" if close else ""
            listing.append(f"  - {_config_key(mapping, name)} = {column!r}{hint}")
        raise ValidationError(
            f"{origin}: {len(missing)} column(s) named in [survey] are not in the file:\n" + "\n".join(listing),
            hint="Correct the column headers in lagesbild.toml so they match the file's first row.",
        )
    positions = {name: index[_norm(col)] for name, col in wanted.items()}
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            # only the mapped cells are kept; the rest of the record is dropped here
            rows.append({name: record[i].strip() if i < len(record) else "" for name, i in positions.items()})
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise ParseError(
            f"{origin}, line {reader.line_num}: {exc}.", hint="The file is not a well-formed CSV; export it again."
        ) from None
    return SurveyFile(columns=wanted, rows=rows, lines=lines, encoding=encoding, separator=separator)


def _config_key(mapping: SurveyMapping, name: str) -> str:
    if name.startswith("q_"):
        n = next(i for i, ind in enumerate(mapping.indicators, 1) if f"q_{ind.id}" == name)
        return f"survey.indicators[{n}].column"
    return {
        "id": "survey.id_column",
        "ar": "survey.year_column",
        "omrade": "survey.area_column",
        "kon": "survey.sex_column",
        "alder": "survey.age_column",
        "vikt": "survey.weight_column",
    }[name]


def _label(value: str) -> str:
    return value if len(value) <= SHOWN_LABEL else value[:SHOWN_LABEL] + "…"


def _listing(found: dict[str, list[int]]) -> str:
    return "\n".join(
        f"  - {_label(value)!r}: {len(rows)} rows (first at line {', '.join(map(str, rows[:3]))})"
        for value, rows in sorted(found.items(), key=lambda kv: -len(kv[1]))
    )


def parse_weight(value: str) -> float | None:
    text = value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        weight = float(text)
    except ValueError:
        return None
    return weight if weight > 0 and weight == weight else None


def validate(survey: SurveyFile, origin: str, mapping: SurveyMapping) -> pl.DataFrame:
    """Check every row against the mapping; the first problem found raises with what, where and how."""
    problems: list[str] = []
    years: dict[str, list[int]] = defaultdict(list)
    areas: dict[str, list[int]] = defaultdict(list)
    weights: dict[str, list[int]] = defaultdict(list)
    ids: dict[tuple[str, str], list[int]] = defaultdict(list)
    known_areas = mapping.known_area_answers()
    for row, line in zip(survey.rows, survey.lines, strict=True):
        if not (row["ar"].isascii() and row["ar"].isdigit() and 1990 <= int(row["ar"]) <= 2100):
            years[row["ar"] or "(tomt)"].append(line)
        if row["omrade"] and row["omrade"].casefold() not in known_areas:
            areas[row["omrade"]].append(line)
        if "vikt" in row and parse_weight(row["vikt"]) is None:
            weights[row["vikt"] or "(tomt)"].append(line)
        ids[(row["ar"], row["id"])].append(line)
    if years:
        problems.append(
            f"{mapping.year_column!r} (survey.year_column) holds values that are not years:\n{_listing(years)}"
        )
    if areas:
        problems.append(
            f"{mapping.area_column!r} (survey.area_column) holds answers that no [survey.areas] "
            f"entry or survey.unplaced lists:\n{_listing(areas)}"
        )
    if weights:
        problems.append(
            f"{mapping.weight_column!r} (survey.weight_column) holds values that are not positive "
            f"numbers:\n{_listing(weights)}"
        )
    duplicates = {f"{key[1]} ({key[0]})": lines for key, lines in ids.items() if len(lines) > 1 or not key[1]}
    if duplicates:
        problems.append(
            f"{mapping.id_column!r} (survey.id_column) has duplicate or empty respondent ids within a "
            f"survey year:\n{_listing(duplicates)}"
        )
    for n, indicator in enumerate(mapping.indicators, 1):
        known = indicator.known()
        unknown: dict[str, list[int]] = defaultdict(list)
        for row, line in zip(survey.rows, survey.lines, strict=True):
            value = row[f"q_{indicator.id}"]
            if value and value.casefold() not in known:
                unknown[value].append(line)
        if unknown:
            problems.append(
                f"{indicator.column[:60]!r} (survey.indicators[{n}], id {indicator.id!r}) has answers "
                f"that are neither in yes, no nor exclude:\n{_listing(unknown)}"
            )
    if problems:
        raise ValidationError(
            f"{origin}: the survey does not match [survey] in lagesbild.toml ({len(problems)} problem(s)):\n"
            + "\n".join(problems),
            hint="Add the answers to the right list in lagesbild.toml (or fix the file); nothing was imported.",
        )
    return frame(survey, mapping)


def frame(survey: SurveyFile, mapping: SurveyMapping) -> pl.DataFrame:
    """The validated rows as a frame of the mapped columns, under canonical names."""
    data = {name: [r[name] for r in survey.rows] for name in survey.columns}
    result = pl.DataFrame(data, schema=dict.fromkeys(survey.columns, pl.String))
    return result.with_columns(pl.col("ar").cast(pl.Int32))


@dataclass(frozen=True)
class SurveyImport:
    """What one import stored: a raw file per round, and the rounds it took over from earlier imports."""

    entries: tuple[ManifestEntry, ...]
    respondents: int
    rounds: tuple[int, ...]
    replaced: tuple[tuple[int, str], ...]  # (round, the earlier file's name) that this import replaced


def round_path(kommun_kod: str, year: int) -> str:
    """Where one round of a kommun's survey is stored under data/raw/: one file per round, so that each
    round always comes from exactly one imported export."""
    return f"{SOURCE}/{kommun_kod}/{year}.csv"


def _origin_name(entry: ManifestEntry | None, path: Path) -> str:
    """The original export's file name, as the manifest recorded it when the round was imported."""
    if entry is None:
        return path.name
    return entry.origin.split(" (original sha256 ", 1)[0]


def _legacy_rounds(raw_dir: Path) -> dict[int, list[Path]]:
    """Rounds in files of the earlier layout (data/raw/survey/<name>.csv, before surveys were stored per
    kommun and round); they belong to the config's own kommun."""
    rounds: dict[int, list[Path]] = defaultdict(list)
    for path in sorted((raw_dir / SOURCE).glob("*.csv")):
        years = pl.read_csv(path, infer_schema=False, columns=["ar"])["ar"].unique().to_list()
        for year in years:
            if year is not None and year.isascii() and year.isdigit():
                rounds[int(year)].append(path)
    return rounds


def import_file(path: Path, mapping: SurveyMapping, manifest: Manifest, kommun_kod: str) -> SurveyImport:
    """Read and validate the export, then store the mapped columns of each round it holds as
    ``data/raw/survey/<kommun>/<round>.csv``. A round imported before, from this or another export, is
    replaced; the earlier imports' other rounds stay."""
    if not path.is_file():
        raise ParseError(f"{path} does not exist.", hint="Give the path of the survey tool's CSV export.")
    data = path.read_bytes()
    table = validate(read(data, path.name, mapping), path.name, mapping)
    if table.is_empty():
        raise ValidationError(f"{path.name} has no respondents.", hint="Export the survey again, with its answers.")
    entries = manifest.entries()
    legacy = _legacy_rounds(manifest.raw_dir)
    rounds = sorted(table["ar"].unique().to_list())
    replaced: list[tuple[int, str]] = []
    for year in rounds:
        relative = round_path(kommun_kod, year)
        if (manifest.raw_dir / relative).exists():
            replaced.append((year, _origin_name(entries.get(relative), manifest.raw_dir / relative)))
        else:
            for old in legacy.get(year, []):
                old_relative = str(old.relative_to(manifest.raw_dir))
                replaced.append((year, _origin_name(entries.get(old_relative), old)))
    stored = []
    for year in rounds:
        part = table.filter(pl.col("ar") == year)
        out = io.BytesIO()
        part.write_csv(out)
        stored.append(
            manifest.store(
                round_path(kommun_kod, year),
                out.getvalue(),
                source=SOURCE,
                origin=f"{path.name} (original sha256 {sha256(data)}, round {year}: {len(part)} rows, "
                f"{len(part.columns)} mapped columns)",
                status=None,
            )
        )
    return SurveyImport(tuple(stored), len(table), tuple(rounds), tuple(replaced))


def _files(raw_dir: Path, kommun_kod: str, legacy: bool) -> list[tuple[Path, set[int] | None]]:
    """The stored files of a kommun's survey, each with the rounds to take from it (None: all of it).

    A round stored per kommun and round wins over the same round in a file of the earlier layout; two
    earlier-layout files with the same round are an error (that round would count twice)."""
    files: list[tuple[Path, set[int] | None]] = [
        (p, None) for p in sorted((raw_dir / SOURCE / kommun_kod).glob("*.csv"))
    ]
    if not legacy:
        return files
    own = {int(p.stem) for p, _ in files if p.stem.isascii() and p.stem.isdigit()}
    keep: dict[Path, set[int]] = defaultdict(set)
    for year, paths in sorted(_legacy_rounds(raw_dir).items()):
        if year in own:
            continue
        if len(paths) > 1:
            raise ValidationError(
                f"The survey round {year} is in more than one imported file: {', '.join(p.name for p in paths)} "
                f"(in {raw_dir / SOURCE}); its respondents would count twice.",
                hint="Import the export that should hold the round again with 'lagesbild import survey FILE': "
                "it then replaces the round from the other files.",
            )
        keep[paths[0]].add(year)
    return files + sorted(keep.items())


def load(raw_dir: Path, mapping: SurveyMapping | None, kommun_kod: str, *, legacy: bool = True) -> pl.DataFrame:
    """A kommun's imported rounds as one long frame of coded answers (1 yes, 0 no; left-out answers
    dropped). ``legacy``: also read files of the earlier layout, which belong to the config's own kommun."""
    schema = {
        "kommun_kod": pl.String,
        "id": pl.String,
        "ar": pl.Int32,
        "omrade_svar": pl.String,
        "omrade": pl.String,
        "kon": pl.String,
        "alder": pl.String,
        "vikt": pl.Float64,
        "indikator": pl.String,
        "varde": pl.Int8,
    }
    if mapping is None:
        return pl.DataFrame(schema=schema)
    files = _files(raw_dir, kommun_kod, legacy)
    rows = []
    for path, years in files:
        stored = pl.read_csv(path, infer_schema=False)
        if years is not None:
            stored = stored.filter(pl.col("ar").is_in([str(y) for y in years]))
        survey = SurveyFile(
            columns={c: c for c in stored.columns},
            rows=stored.fill_null("").to_dicts(),
            lines=list(range(2, stored.height + 2)),
            encoding="UTF-8",
            separator=",",
        )
        missing = [c for c in mapping.columns() if c not in stored.columns]
        if missing:
            raise ValidationError(
                f"{path} was imported with another [survey] mapping (it lacks {', '.join(missing)}).",
                hint="Import the survey file again with 'lagesbild import survey FILE'.",
            )
        validate(survey, str(path), mapping)
        for r in survey.rows:
            respondent = {
                "kommun_kod": kommun_kod,
                "id": r["id"],
                "ar": int(r["ar"]),
                "omrade_svar": r["omrade"] or None,
                "omrade": mapping.area_of(r["omrade"]) if r["omrade"] else None,
                "kon": r.get("kon") or None,
                "alder": r.get("alder") or None,
                "vikt": parse_weight(r["vikt"]) if "vikt" in r else 1.0,
            }
            for indicator in mapping.indicators:
                value = indicator.code(r[f"q_{indicator.id}"])
                if value is not None:
                    rows.append({**respondent, "indikator": indicator.id, "varde": value})
    return pl.DataFrame(rows, schema=schema)
