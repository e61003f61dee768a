"""The municipality's own citizen survey: a CSV export from any survey tool.

Reads UTF-8 (with or without BOM) or Windows-1252, ``;``, ``,`` or tab separated, decimal commas (see
:mod:`survey_file` for how the file is read, and its limits). Only the columns that ``[survey]`` in
lagesbild.toml maps are taken from each row; all other columns (free text, e-mail addresses) are dropped while
reading and never stored, logged or shown. Sex and age answers are closed lists: an answer the mapping does
not list is an error, never a published group. Everything is validated before anything is written, the
rounds an import replaces are swapped in together with their manifest entries, and the original file is
never copied.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lagesbild_cli.errors import ParseError, ValidationError
from lagesbild_cli.i18n import N_, _, ngettext
from lagesbild_cli.settings.survey_mapping import GroupColumn, SurveyMapping
from lagesbild_cli.sources.survey_file import (
    MAX_BYTES,
    SurveyFile,
    decode,
    out_of_memory,
    read,
    read_stream,
    sniff_separator,
    too_large,
)
from lagesbild_cli.storage import staging
from lagesbild_cli.storage.checkpoints import checkpoint
from lagesbild_cli.storage.raw import Manifest, ManifestEntry

__all__ = ["SurveyFile", "SurveyImport", "decode", "import_file", "load", "read", "sniff_separator", "validate"]

SOURCE = "survey"
SHOWN_LABEL = 40  # answer labels in messages are cut to this length
SHOWN_VALUES = 10  # different wrong answers listed in a message; the rest are counted


# What a survey tool's free "annat" field may put into a closed column: never shown in a message, even cut.
_EMAIL = re.compile(r"[^\s@,;<>]+@[^\s@,;<>]+")
PHONE = re.compile(r"\+?\d[\d \-]{5,}\d")
CONTACT_NOTE = N_("looks like contact details: correct the file, never list it in lagesbild.toml")


def _masked(value: str) -> str:
    """``value`` with e-mail addresses and phone numbers replaced by what they are."""
    return PHONE.sub("<telefonnummer>", _EMAIL.sub("<e-postadress>", value))


def _label(value: str) -> str:
    value = _masked(value)
    return value if len(value) <= SHOWN_LABEL else value[:SHOWN_LABEL] + "…"


def _listing(found: pl.DataFrame) -> str:
    """Wrong values (columns ``value``, ``lines``), the most frequent first, each cut to SHOWN_LABEL, with e-mail
    addresses and phone numbers masked."""
    ordered = found.sort(pl.col("lines").list.len(), pl.col("lines").list.first(), descending=[True, False])
    shown = []
    for value, lines in ordered.head(SHOWN_VALUES).iter_rows():
        note = f" — {_(CONTACT_NOTE)}" if _masked(value) != value else ""
        rows = ngettext(
            "{value}: {n} row (first at line {lines})", "{value}: {n} rows (first at line {lines})", len(lines)
        ).format(value=repr(_label(value)), n=len(lines), lines=", ".join(map(str, lines[:3])))
        shown.append(f"  - {rows}{note}")
    if ordered.height > SHOWN_VALUES:
        shown.append("  - " + _("and {count} other values").format(count=ordered.height - SHOWN_VALUES))
    return "\n".join(shown)


def parse_weight(value: str) -> float | None:
    text = value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        weight = float(text)
    except ValueError:
        return None
    return weight if weight > 0 and weight == weight else None


def _year(value: str) -> bool:
    return value.isascii() and value.isdigit() and 1990 <= int(value) <= 2100


def _wrong(table: pl.DataFrame, column: str, ok: Callable[[str], bool], blank: bool = True) -> pl.DataFrame:
    """The values of ``column`` for which ``ok`` is false (judged once per distinct value), with their lines;
    a blank value is wrong only when ``blank`` is false."""
    values = table[column].unique().to_list()
    bad = [v for v in values if not ((blank and not v) or ok(v))]
    if not bad:
        return pl.DataFrame()
    return (
        table.filter(pl.col(column).is_in(bad))
        .group_by(pl.col(column).replace("", "(tomt)").alias("value"), maintain_order=True)
        .agg(pl.col("line").alias("lines"))
    )


def _folded_in(known: set[str]) -> Callable[[str], bool]:
    return lambda value: value.casefold() in known


def _group_problem(column: str | None, key: str, group: GroupColumn, wrong: pl.DataFrame) -> str:
    listed = _("its listed groups") if group.values else _("the age bands it accepts (such as '16–24' or '65+')")
    return (
        _(
            "{column} ({column_key}) holds answers that are neither {listed} nor in {unplaced_key} "
            "(an answer outside a closed list is never published as a group):"
        ).format(
            column=repr(column),
            column_key=f"survey.{key}_column",
            listed=listed,
            unplaced_key=f"survey.{key}_unplaced",
        )
        + f"\n{_listing(wrong)}"
    )


def validate(survey: SurveyFile, origin: str, mapping: SurveyMapping) -> pl.DataFrame:
    """Check every row against the mapping; every problem found is listed with what, where and how."""
    return _validated(survey.table, origin, mapping)


IMPORT_HINT = N_("Add the answers to the right list in lagesbild.toml (or fix the file); nothing was imported.")
STORED_HINT = N_(
    "The round was stored by an earlier import or under another [survey] mapping: add the answers to the right "
    "list in lagesbild.toml, or import the survey export again with 'lagesbild import survey FILE'. Nothing "
    "was loaded into the database."
)


def _validated(table: pl.DataFrame, origin: str, mapping: SurveyMapping, hint: str = IMPORT_HINT) -> pl.DataFrame:
    problems: list[str] = []
    known_areas = mapping.known_area_answers()
    if not (wrong := _wrong(table, "ar", _year, blank=False)).is_empty():
        problems.append(
            _("{column} (survey.year_column) holds values that are not years:").format(column=repr(mapping.year_column))
            + f"\n{_listing(wrong)}"
        )
    if not (wrong := _wrong(table, "omrade", _folded_in(known_areas))).is_empty():
        problems.append(
            _(
                "{column} (survey.area_column) holds answers that no [survey.areas] entry or survey.unplaced lists:"
            ).format(column=repr(mapping.area_column))
            + f"\n{_listing(wrong)}"
        )
    for name, key, group, column in (
        ("kon", "sex", mapping.sex, mapping.sex_column),
        ("alder", "age", mapping.age, mapping.age_column),
    ):
        if name in table.columns and not (wrong := _wrong(table, name, group.known)).is_empty():
            problems.append(_group_problem(column, key, group, wrong))
    if "vikt" in table.columns:
        if not (wrong := _wrong(table, "vikt", lambda v: parse_weight(v) is not None, blank=False)).is_empty():
            problems.append(
                _("{column} (survey.weight_column) holds values that are not positive numbers:").format(
                    column=repr(mapping.weight_column)
                )
                + f"\n{_listing(wrong)}"
            )
    ids = (
        table.group_by("ar", "id", maintain_order=True)
        .agg(pl.col("line").alias("lines"))
        .filter((pl.col("lines").list.len() > 1) | (pl.col("id") == ""))
    )
    if not ids.is_empty():
        duplicates = ids.select(pl.format("{} ({})", "id", "ar").alias("value"), "lines")
        problems.append(
            _("{column} (survey.id_column) has duplicate or empty respondent ids within a survey year:").format(
                column=repr(mapping.id_column)
            )
            + f"\n{_listing(duplicates)}"
        )
    for n, indicator in enumerate(mapping.indicators, 1):
        known = indicator.known()
        if not (wrong := _wrong(table, f"q_{indicator.id}", _folded_in(known))).is_empty():
            problems.append(
                _("{column} ({key}, id {id}) has answers that are neither in yes, no nor exclude:").format(
                    column=repr(indicator.column[:60]), key=f"survey.indicators[{n}]", id=repr(indicator.id)
                )
                + f"\n{_listing(wrong)}"
            )
    if problems:
        raise ValidationError(
            ngettext(
                "{origin}: the survey does not match [survey] in lagesbild.toml ({n} problem):",
                "{origin}: the survey does not match [survey] in lagesbild.toml ({n} problems):",
                len(problems),
            ).format(origin=origin, n=len(problems))
            + "\n"
            + "\n".join(problems),
            hint=_(hint),
        )
    return table.drop("line").with_columns(pl.col("ar").cast(pl.Int32))


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
    replaced; the earlier imports' other rounds stay.

    Whole or nothing: every round file is written beside its place first, and only when all are written are
    they swapped in and recorded in the manifest, in one block that Ctrl-C and SIGTERM cannot cut in two. A
    failure or an interrupt before that leaves the earlier rounds and the manifest as they were."""
    if not path.is_file():
        raise ParseError(
            _("{file} does not exist.").format(file=path.name), hint=_("Give the path of the survey tool's CSV export.")
        )
    if path.stat().st_size > MAX_BYTES:
        raise too_large(path.name)
    try:
        read_file = read_stream(lambda: path.open("rb"), path.name, mapping)
        table = validate(read_file, path.name, mapping)
    except MemoryError:
        raise out_of_memory(path.name) from None
    if table.is_empty():
        raise ValidationError(
            _("{file} has no respondents.").format(file=path.name), hint=_("Export the survey again, with its answers.")
        )
    checkpoint("survey-read")
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
    stored: list[ManifestEntry] = []
    note = ngettext(
        "the survey's round {rounds} from {file} was stored in data/raw/ "
        "(the next 'lagesbild build' or 'lagesbild load' rebuilds the database from it)",
        "the survey's rounds {rounds} from {file} were stored in data/raw/ "
        "(the next 'lagesbild build' or 'lagesbild load' rebuilds the database from them)",
        len(rounds),
    ).format(rounds=", ".join(map(str, rounds)), file=path.name)
    with staging.stored_together(manifest, lambda _files: note) as staged:  # all rounds and their entries, or none
        for year in rounds:
            part = table.filter(pl.col("ar") == year)
            out = io.BytesIO()
            part.write_csv(out)
            origin = (
                f"{path.name} (original sha256 {read_file.sha256}, round {year}: {len(part)} rows, "
                f"{len(part.columns)} mapped columns)"
            )
            stored.append(
                staged.store(round_path(kommun_kod, year), out.getvalue(), source=SOURCE, origin=origin, status=None)
            )
        checkpoint("survey-staged")
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
    own = {int(p.stem) for p, _rounds in files if p.stem.isascii() and p.stem.isdigit()}
    keep: dict[Path, set[int]] = defaultdict(set)
    for year, paths in sorted(_legacy_rounds(raw_dir).items()):
        if year in own:
            continue
        if len(paths) > 1:
            raise ValidationError(
                _(
                    "The survey round {year} is in more than one imported file: {files} (in {folder}); "
                    "its respondents would count twice."
                ).format(year=year, files=", ".join(p.name for p in paths), folder=raw_dir / SOURCE),
                hint=_(
                    "Import the export that should hold the round again with 'lagesbild import survey FILE': "
                    "it then replaces the round from the other files."
                ),
            )
        keep[paths[0]].add(year)
    return files + sorted(keep.items())


def load(raw_dir: Path, mapping: SurveyMapping | None, kommun_kod: str, *, legacy: bool = True) -> pl.DataFrame:
    """A kommun's imported rounds as one long frame of coded answers (1 yes, 0 no; left-out answers
    dropped), respondent by respondent in the order of the files. ``legacy``: also read files of the
    earlier layout, which belong to the config's own kommun. Every file is validated against the mapping
    again, so an answer no list names never reaches the database."""
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
    parts = []
    for path, years in _files(raw_dir, kommun_kod, legacy):
        stored = pl.read_csv(path, infer_schema=False)
        if years is not None:
            stored = stored.filter(pl.col("ar").is_in([str(y) for y in years]))
        missing = [c for c in mapping.columns() if c not in stored.columns]
        if missing:
            raise ValidationError(
                _("{path} was imported with another [survey] mapping (it lacks {columns}).").format(
                    path=path, columns=", ".join(missing)
                ),
                hint=_("Import the survey file again with 'lagesbild import survey FILE'."),
            )
        stored = stored.select(list(mapping.columns())).fill_null("")
        stored = stored.with_columns(pl.int_range(2, stored.height + 2, dtype=pl.Int64).alias("line"))
        shown = _("{path} (in data/raw/)").format(path=path.relative_to(raw_dir))  # never the user's folders
        parts.append(_coded(_validated(stored, shown, mapping, STORED_HINT), mapping, kommun_kod))
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).select(list(schema)).cast(schema)  # type: ignore[arg-type]


def _mapped(column: pl.Series, label: Callable[[str], object]) -> pl.Expr:
    """``column`` through ``label``, judged once per distinct value."""
    values = column.unique().to_list()
    return pl.col(column.name).replace_strict(values, [label(v) for v in values])


def _coded(table: pl.DataFrame, mapping: SurveyMapping, kommun_kod: str) -> pl.DataFrame:
    """One validated file's respondents as coded answers, one row per respondent and answered indicator."""
    respondents = table.with_row_index("_respondent").select(
        "_respondent",
        pl.lit(kommun_kod).alias("kommun_kod"),
        "id",
        "ar",
        pl.when(pl.col("omrade") != "").then(pl.col("omrade")).alias("omrade_svar"),
        _mapped(table["omrade"], lambda v: mapping.area_of(v) if v else None).alias("omrade"),
        (_mapped(table["kon"], mapping.sex.label) if "kon" in table.columns else pl.lit(None)).alias("kon"),
        (_mapped(table["alder"], mapping.age.label) if "alder" in table.columns else pl.lit(None)).alias("alder"),
        (_mapped(table["vikt"], parse_weight) if "vikt" in table.columns else pl.lit(1.0)).alias("vikt"),
        *[_mapped(table[f"q_{i.id}"], i.code).cast(pl.Int8).alias(f"q_{i.id}") for i in mapping.indicators],
    )
    answers = [
        respondents.select(
            pl.exclude("^q_.*$"),
            pl.lit(i.id).alias("indikator"),
            pl.lit(n).alias("_order"),
            pl.col(f"q_{i.id}").alias("varde"),
        )
        for n, i in enumerate(mapping.indicators)
    ]
    return pl.concat(answers).drop_nulls("varde").sort("_respondent", "_order").drop("_respondent", "_order")
