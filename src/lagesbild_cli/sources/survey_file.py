"""Reading a survey tool's CSV export: bounded, strict about its bytes, and keeping only the mapped cells.

The file is read twice as a stream, never whole into memory: once to find its encoding (and its sha256),
once to parse it. UTF-8 (with or without BOM) and Windows-1252 are read; UTF-16 and a UTF-8 file with a
stray byte of another encoding are refused naming the line. A header the mapping reads that is in the file
twice (``Område`` twice, or ``Kön`` and `` KÖN ``) is refused, and so is a quote that swallows line ends (an
opening ``"`` in a free-text answer without its closing one, which would merge the following respondents into
one). Over :data:`MAX_BYTES` or :data:`MAX_RESPONDENTS` the file is refused. No message ever shows a cell of a
column the mapping does not read.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import itertools
import operator
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

import polars as pl

from lagesbild_cli.errors import ParseError, ValidationError
from lagesbild_cli.i18n import _, ngettext
from lagesbild_cli.settings.survey_mapping import SurveyMapping

if TYPE_CHECKING:
    from _csv import Reader

MAX_BYTES = 200_000_000  # 200 MB: a survey of 100 000 respondents with free text fits many times over
MAX_RESPONDENTS = 100_000  # a kommun's survey has a few thousand (a large city's some 30 000); more is another file
MAX_FIELD = 16 * 1024 * 1024  # characters in one cell (a long free-text answer is read, never kept)
CHUNK = 1 << 20
BATCH = 20_000  # rows kept as Python strings at a time, before they go into a (compact) polars frame
SHOWN_HEADER = 60  # column headers in messages are cut to this length

_NON_ASCII = re.compile("[^\x00-\x7f]")
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, as surrogateescape decodes it
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")

Opener = Callable[[], BinaryIO]


@dataclass(frozen=True)
class SurveyFile:
    """The mapped columns of a survey export under their canonical names (strings, stripped), and each row's
    line number in the file (``line``)."""

    columns: dict[str, str]  # canonical name → header in the file
    table: pl.DataFrame
    encoding: str  # as the manifest and messages name it: "UTF-8", "UTF-8 med BOM", "Windows-1252"
    separator: str
    sha256: str = ""
    size: int = 0

    @property
    def rows(self) -> int:
        return self.table.height


@dataclass(frozen=True)
class Encoding:
    codec: str
    name: str
    sha256: str
    size: int


def _line_of(data: bytes, offset: int, lines_before: int) -> int:
    return lines_before + data.count(b"\n", 0, offset) + 1


@dataclass
class _Utf8Scan:
    """How much of a stream is UTF-8: valid non-ASCII characters, and the bytes that are not UTF-8."""

    chars: int = 0
    stray: int = 0
    first: tuple[int, int] | None = None  # (line, byte) of the first byte that is not UTF-8

    def feed(self, text: str, lines_before: int) -> None:
        """``text`` decoded with surrogateescape, which begins after ``lines_before`` line ends."""
        if text.isascii():
            return
        bad = _NOT_UTF8.findall(text)
        if bad and self.first is None:
            at = _NOT_UTF8.search(text)
            assert at is not None
            self.first = (lines_before + text.count("\n", 0, at.start()) + 1, ord(bad[0]) - 0xDC00)
        self.stray += len(bad)
        self.chars += len(_NON_ASCII.findall(text)) - len(bad)


def detect_encoding(open_binary: Opener, origin: str) -> Encoding:
    """The file's encoding, read as a stream; its sha256 and size on the way."""
    digest = hashlib.sha256()
    size = 0
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    scan = _Utf8Scan()
    cp1252_undefined: tuple[int, int] | None = None
    lines_before = 0
    bom = False
    with open_binary() as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if size == 0:
                _refuse_utf16(chunk, origin)
                bom = chunk.startswith(codecs.BOM_UTF8)
            size += len(chunk)
            if size > MAX_BYTES:
                raise too_large(origin)
            nul = chunk.find(b"\x00")
            if nul >= 0:
                raise ParseError(
                    _("{origin}, line {line}: the file holds a NUL byte, so it is not a text file (CSV).").format(
                        origin=origin, line=_line_of(chunk, nul, lines_before)
                    ),
                    hint=_("Export the survey again as CSV (UTF-8)."),
                )
            if cp1252_undefined is None and (m := _CP1252_UNDEFINED.search(chunk)):
                cp1252_undefined = (_line_of(chunk, m.start(), lines_before), chunk[m.start()])
            scan.feed(decoder.decode(chunk), lines_before)
            lines_before += chunk.count(b"\n")
        scan.feed(decoder.decode(b"", final=True), lines_before)  # a sequence cut off at the end
    digest_hex = digest.hexdigest()
    if scan.first is None:
        return Encoding("utf-8-sig", "UTF-8 med BOM" if bom else "UTF-8", digest_hex, size)
    line, byte = scan.first
    more = (
        ngettext("; {n} more such byte follows", "; {n} more such bytes follow", scan.stray - 1).format(
            n=scan.stray - 1
        )
        if scan.stray > 1
        else ""
    )
    if bom or scan.chars >= scan.stray:
        seen = bytes([byte]).decode("cp1252", errors="replace")
        raise ParseError(
            _(
                "{origin} is UTF-8, but line {line} holds a byte that is not UTF-8 ({byte}, {seen} in "
                "Windows-1252){more}: a character typed or pasted in another encoding."
            ).format(origin=origin, line=line, byte=f"0x{byte:02X}", seen=repr(seen), more=more),
            hint=_(
                "Open the file in a text editor, type that character again on that line and save as UTF-8 — or "
                "export the survey again as CSV (UTF-8). Nothing was imported."
            ),
        )
    if cp1252_undefined is not None:
        line, byte = cp1252_undefined
        raise ParseError(
            _("{origin} is neither UTF-8 nor Windows-1252: line {line} holds the byte {byte}.").format(
                origin=origin, line=line, byte=f"0x{byte:02X}"
            ),
            hint=_("Export the survey again as CSV (UTF-8 or the Windows default)."),
        )
    return Encoding("cp1252", "Windows-1252", digest_hex, size)


def decode(data: bytes, origin: str) -> tuple[str, str]:
    """Bytes of a small CSV export (the rescue service's) as text: UTF-8 (with or without BOM) or Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 med BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise ParseError(
            _("{origin} is neither UTF-8 nor Windows-1252 (byte {position}).").format(
                origin=origin, position=exc.start
            ),
            hint=_("Export the survey again as CSV (UTF-8 or the Windows default)."),
        ) from None


def _refuse_utf16(start: bytes, origin: str) -> None:
    """UTF-16 (and UTF-32): by its byte-order mark, or by a NUL byte beside most ASCII characters."""
    sample = start[:4096]
    marked = sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if marked or (len(sample) >= 4 and sample.count(b"\x00") * 3 >= len(sample)):
        raise ParseError(
            _('{origin} is UTF-16 ("Unicode text"), which lagesbild does not read.').format(origin=origin),
            hint=_('Export the survey again as CSV in UTF-8 (in Excel: Save as → "CSV UTF-8").'),
        )


def too_large(origin: str) -> ValidationError:
    return ValidationError(
        _("{origin} is larger than {limit} MB, the most lagesbild reads from a survey export.").format(
            origin=origin, limit=MAX_BYTES // 1_000_000
        ),
        hint=_("Export only the columns named in [survey] (and the rounds you need), then import that file."),
    )


def sniff_separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def norm(header: str) -> str:
    """A header as it is compared: Unicode compatibility form, without format characters (zero-width space,
    BOM), runs of white space as one space, case folded."""
    text = unicodedata.normalize("NFKC", header)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split()).casefold()


def _shown(header: str) -> str:
    return repr(header if len(header) <= SHOWN_HEADER else header[:SHOWN_HEADER] + "…")


def read_stream(open_binary: Opener, origin: str, mapping: SurveyMapping) -> SurveyFile:
    """The mapped columns only, read as a stream. Pure but for reading what ``open_binary`` opens."""
    encoding = detect_encoding(open_binary, origin)
    previous = csv.field_size_limit(max(MAX_FIELD, csv.field_size_limit()))  # the process's limit, restored below
    try:
        return _read_records(open_binary, origin, mapping, encoding)
    finally:
        csv.field_size_limit(previous)


def _read_records(open_binary: Opener, origin: str, mapping: SurveyMapping, encoding: Encoding) -> SurveyFile:
    with open_binary() as handle:
        text = io.TextIOWrapper(handle, encoding=encoding.codec, newline="")
        try:
            first = text.readline()
            separator = sniff_separator(first)
            reader = csv.reader(itertools.chain([first], text), delimiter=separator)
            return _records(reader, separator, origin, mapping, encoding)
        except csv.Error as exc:
            raise _csv_error(exc, reader.line_num, origin) from None
        except UnicodeDecodeError:  # the file was changed between the two readings
            raise ParseError(
                _("{origin} changed while it was being read.").format(origin=origin),
                hint=_("Import it again once it is complete."),
            ) from None
        except MemoryError:
            raise out_of_memory(origin) from None
        finally:
            text.detach()


def read(data: bytes, origin: str, mapping: SurveyMapping) -> SurveyFile:
    """The mapped columns of an export given as bytes."""
    return read_stream(lambda: io.BytesIO(data), origin, mapping)


def out_of_memory(origin: str) -> ValidationError:
    return ValidationError(
        _("{origin} could not be read in the memory available.").format(origin=origin),
        hint=_(
            "Export only the columns named in [survey]; at most {count} respondents are read from one export. "
            "Nothing was imported."
        ).format(count=_count(MAX_RESPONDENTS)),
    )


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _csv_error(exc: csv.Error, line: int, origin: str) -> ParseError:
    if "field larger than field limit" in str(exc):
        return ParseError(
            _(
                "{origin}, line {line}: a cell runs over more than {limit} million characters — "
                'most likely an opening quote (") without its closing one.'
            ).format(origin=origin, line=line, limit=MAX_FIELD // (1024 * 1024)),
            hint=_('Remove the stray " (or close the quote) in the survey tool or a text editor, and export again.'),
        )
    return ParseError(
        _("{origin}, line {line}: {error}.").format(origin=origin, line=line, error=exc),
        hint=_("The file is not a well-formed CSV; export it again."),
    )


def _header_index(header: list[str], origin: str, mapping: SurveyMapping) -> dict[str, int]:
    """Canonical name → the position of its column; a mapped column missing or in the file twice is an error."""
    wanted = mapping.columns()
    positions: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        positions.setdefault(norm(h), []).append(i)
    missing = {name: col for name, col in wanted.items() if norm(col) not in positions}
    if missing:
        listing = []
        for name, column in missing.items():
            close = difflib.get_close_matches(column, header, n=1, cutoff=0.6)
            hint = " " + _("(closest header: {header})").format(header=_shown(close[0])) if close else ""
            listing.append(f"  - {mapping.config_key(name)} = {column!r}{hint}")
        raise ValidationError(
            ngettext(
                "{origin}: {n} column named in [survey] is not in the file:",
                "{origin}: {n} columns named in [survey] are not in the file:",
                len(missing),
            ).format(origin=origin, n=len(missing))
            + "\n"
            + "\n".join(listing),
            hint=_("Correct the column headers in lagesbild.toml so they match the file's first row."),
        )
    twice = {name: positions[norm(col)] for name, col in wanted.items() if len(positions[norm(col)]) > 1}
    if twice:
        listing = [
            f"  - {mapping.config_key(name)} = {wanted[name]!r}: "
            + _("columns {columns}").format(columns=", ".join(f"{i + 1} ({_shown(header[i])})" for i in at))
            for name, at in twice.items()
        ]
        raise ValidationError(
            ngettext(
                "{origin}: {n} column named in [survey] is in the file more than once (headers are compared "
                "without case and extra spaces), so lagesbild cannot tell which to read:",
                "{origin}: {n} columns named in [survey] are in the file more than once (headers are compared "
                "without case and extra spaces), so lagesbild cannot tell which to read:",
                len(twice),
            ).format(origin=origin, n=len(twice))
            + "\n"
            + "\n".join(listing),
            hint=_("Remove or rename the extra column in the survey tool and export again; nothing was imported."),
        )
    return {name: positions[norm(col)][0] for name, col in wanted.items()}


def _records(reader: Reader, separator: str, origin: str, mapping: SurveyMapping, encoding: Encoding) -> SurveyFile:
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError(_("{origin} is empty.").format(origin=origin), hint=_("Export the survey again.")) from None
    positions = _header_index(header, origin, mapping)
    names = list(positions)
    pick = operator.itemgetter(*positions.values())
    needed = max(positions.values()) + 1
    frames: list[pl.DataFrame] = []
    batch: list[tuple[str, ...]] = []
    lines: list[int] = []
    rows = 0
    end = reader.line_num
    for record in reader:
        start, end = end + 1, reader.line_num
        if end > start:
            _refuse_swallowed(record, start, separator, positions["ar"], header, origin)
        if not "".join(record).strip():
            continue
        rows += 1
        if rows > MAX_RESPONDENTS:
            raise ValidationError(
                _(
                    "{origin} has more than {count} respondents (line {line}), the most lagesbild imports from one "
                    "export."
                ).format(origin=origin, count=_count(MAX_RESPONDENTS), line=start),
                hint=_("Export each survey round (year) to a file of its own and import them one by one."),
            )
        if len(record) < needed:
            record += [""] * (needed - len(record))
        # only the mapped cells are kept; the rest of the record is dropped here
        picked = pick(record)
        batch.append(tuple(map(str.strip, picked)) if len(names) > 1 else (picked.strip(),))
        lines.append(start)
        if len(batch) == BATCH:
            frames.append(_batch(batch, lines, names))
            batch, lines = [], []
    frames.append(_batch(batch, lines, names))
    return SurveyFile(
        columns=mapping.columns(),
        table=pl.concat(frames),
        encoding=encoding.name,
        separator=separator,
        sha256=encoding.sha256,
        size=encoding.size,
    )


def _batch(rows: list[tuple[str, ...]], lines: list[int], names: list[str]) -> pl.DataFrame:
    table = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    return table.with_columns(pl.Series("line", lines, dtype=pl.Int64))


_YEAR = re.compile(r"\s*(?:19|20|21)[0-9][0-9]\s*")


def _refuse_swallowed(
    record: list[str], start: int, separator: str, year_at: int, header: list[str], origin: str
) -> None:
    """A cell over several lines is a free-text answer with line breaks, unless a line inside it looks like the
    start of a record (as many separators as the header, or a survey year in the year column): then a quote was
    opened and never closed, and the following respondents were swallowed into one cell."""
    width = len(header)
    line = start
    for i, cell in enumerate(record):
        inner = cell.split("\n")
        if len(inner) > 1 and width >= 3:
            swallowed = sum(1 for part in inner[1:] if _looks_like_a_record(part, separator, width, year_at))
            if swallowed:
                column = _shown(header[i]) if i < len(header) else _("column {number}").format(number=i + 1)
                raise ParseError(
                    ngettext(
                        "{origin}, line {line}: a quoted cell of {column} (column {number}) that starts on this line "
                        "runs over {lines} lines and holds {n} line that looks like a whole respondent — an "
                        'opening quote (") without its closing one.',
                        "{origin}, line {line}: a quoted cell of {column} (column {number}) that starts on this line "
                        "runs over {lines} lines and holds {n} lines that look like whole respondents — an "
                        'opening quote (") without its closing one.',
                        swallowed,
                    ).format(origin=origin, line=line, column=column, number=i + 1, lines=len(inner), n=swallowed),
                    hint=_(
                        'Remove the stray " in that cell (or close it) in the survey tool or a text editor, and '
                        "export again; nothing was imported."
                    ),
                )
        line += cell.count("\n")


def _looks_like_a_record(part: str, separator: str, width: int, year_at: int) -> bool:
    if part.count(separator) >= width - 1:
        return True
    cells = part.split(separator)
    return len(cells) > year_at + 1 and _YEAR.fullmatch(cells[year_at]) is not None
