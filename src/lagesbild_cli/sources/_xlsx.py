"""Reading an xlsx workbook within bounds: a hostile file is refused before it costs memory or time.

An xlsx is a zip of XML. A small file can declare a sheet of 17 billion cells (``<dimension
ref="A1:XFD1048576"/>``, which openpyxl pads every row to), unpack to gigabytes (a zip bomb), hold
macros or be no zip at all (an old .xls, a password-protected workbook). So, before any XML is parsed,
the file's size, its members' declared sizes and compression ratios and its macros are checked (the zip
reader never unpacks more than a member declares: a member that lies about its size fails its CRC); then
each sheet is read row by row in openpyxl's streaming mode, its declared dimension ignored, counting the
rows and columns actually used, the cells kept and the time taken.

The limits leave a wide margin over Brå's workbooks (about 50 KB, 180 KB unpacked, 36 sheets of at
most 13 rows and 17 columns) and are stated in the README.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from typing import Any

from lagesbild_cli.errors import ParseError
from lagesbild_cli.i18n import _

MAX_FILE_BYTES = 10 * 2**20  # the workbook as stored
MAX_UNPACKED_BYTES = 20 * 2**20  # all its members unpacked
MAX_MEMBERS = 1_000  # files inside the zip
MAX_RATIO = 100  # unpacked : packed, for members over RATIO_FROM bytes (XML packs 4–20 times)
RATIO_FROM = 2**20
MAX_SHEETS = 200
MAX_ROWS = 5_000  # per sheet, the last row present (empty rows count: they are in the file)
MAX_COLUMNS = 200  # per sheet, the last column with a value
MAX_CELLS = 1_000_000  # kept across the workbook (each row up to its last value)
MAX_SECONDS = 30.0  # reading all sheets

CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE2 compound file: .xls, or an encrypted xlsx
MACRO_CONTENT_TYPE = b"macroenabled"  # application/vnd.ms-excel.sheet.macroEnabled.main+xml and kin

Rows = list[tuple[Any, ...]]
clock: Callable[[], float] = time.monotonic  # a test moves it on


def read_sheets(data: bytes, filename: str, *, publisher: str, hint: str) -> list[tuple[str, Rows]]:
    """Each sheet's title and rows (values only, each row up to its last value, trailing empty rows
    dropped). Raises ParseError naming ``filename`` (and the sheet and the limit) with ``hint`` when the
    file is no xlsx workbook, holds macros or passes a limit; ``publisher`` (who publishes the workbook,
    without password or macros) is named in the advice."""
    try:
        _check_container(data, filename, publisher, hint)
        return _read(data, filename, publisher, hint)
    except MemoryError:
        raise ParseError(
            _("{file} is too large to read in the memory this computer has left.").format(file=filename),
            hint=hint,
        ) from None


def _check_container(data: bytes, filename: str, publisher: str, hint: str) -> None:
    if data.startswith(CFB_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise ParseError(
                _("{file} is password protected (an encrypted workbook), so it cannot be read.").format(file=filename),
                hint=_(
                    "Download the workbook again from {publisher}: {publisher}'s workbooks have no password "
                    "(or open it in Excel, remove the password under File → Info → Protect Workbook and save it)."
                ).format(publisher=publisher),
            )
        raise ParseError(
            _("{file} is an old Excel 97–2003 workbook (.xls) or another Office file, not an .xlsx workbook.").format(
                file=filename
            ),
            hint=_("Download the .xlsx workbook again from {publisher} (or save this one as .xlsx in Excel).").format(
                publisher=publisher
            ),
        )
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(
            _("{file} is {size} MB, more than the {limit} MB limit.").format(
                file=filename, size=f"{len(data) / 2**20:.1f}", limit=MAX_FILE_BYTES >> 20
            ),
            hint=hint,
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ParseError(
                    _("{file} holds {count} files, more than the limit of {limit}.").format(
                        file=filename, count=len(members), limit=MAX_MEMBERS
                    ),
                    hint=hint,
                )
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_UNPACKED_BYTES:
                raise ParseError(
                    _(
                        "{file} unpacks to {size}, more than the {limit} MB limit "
                        "(a workbook that unpacks to far more than it weighs is a zip bomb)."
                    ).format(file=filename, size=_size(unpacked), limit=MAX_UNPACKED_BYTES >> 20),
                    hint=hint,
                )
            for member in members:
                if member.file_size > RATIO_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                    raise ParseError(
                        _("{file} holds {member}, packed {ratio} times (more than {limit}: a zip bomb).").format(
                            file=filename,
                            member=member.filename,
                            ratio=member.file_size // max(member.compress_size, 1),
                            limit=MAX_RATIO,
                        ),
                        hint=hint,
                    )
            names = {m.filename.casefold() for m in members}
            types = archive.read("[Content_Types].xml") if "[content_types].xml" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
        raise _unreadable(filename, exc, publisher) from None
    if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in names) or MACRO_CONTENT_TYPE in types.lower():
        raise ParseError(
            _("{file} holds macros (a macro-enabled workbook, .xlsm, named .xlsx); it was not stored.").format(
                file=filename
            ),
            hint=_("{publisher}'s workbooks never hold macros: download the workbook again from {publisher}.").format(
                publisher=publisher
            ),
        )


def _unreadable(filename: str, exc: Exception, publisher: str) -> ParseError:
    return ParseError(
        _("{file} is not a readable xlsx workbook ({error}).").format(
            file=filename, error=f"{type(exc).__name__}: {exc}"
        ),
        hint=_("Download the workbook again from {publisher}; a browser may have saved an error page.").format(
            publisher=publisher
        ),
    )


def _size(n: int) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.1f} MB"


def _read(data: bytes, filename: str, publisher: str, hint: str) -> list[tuple[str, Rows]]:
    import openpyxl  # here, not at the top: a report's build imports the sources but reads no workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    deadline = clock() + MAX_SECONDS
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError) as exc:
        raise _unreadable(filename, exc, publisher) from None
    sheets: list[tuple[str, Rows]] = []
    cells = 0
    title = ""
    try:
        if len(book.worksheets) > MAX_SHEETS:
            raise ParseError(
                _("{file} has {count} sheets, more than the limit of {limit}.").format(
                    file=filename, count=len(book.worksheets), limit=MAX_SHEETS
                ),
                hint=hint,
            )
        for sheet in book.worksheets:
            title = sheet.title
            sheet.reset_dimensions()  # the declared <dimension> may be A1:XFD1048576: read what is there
            rows: Rows = []
            blank = 0  # empty rows not yet kept: kept only when a row with a value follows
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    raise ParseError(
                        _("{file}, sheet '{sheet}', has rows past row {limit}, the limit per sheet.").format(
                            file=filename, sheet=title, limit=MAX_ROWS
                        ),
                        hint=hint,
                    )
                if clock() > deadline:
                    raise ParseError(
                        _(
                            "{file}, sheet '{sheet}', row {row}: reading the workbook took longer than {limit} s, "
                            "the limit."
                        ).format(file=filename, sheet=title, row=number, limit=f"{MAX_SECONDS:.0f}"),
                        hint=hint,
                    )
                width = len(row)
                while width and row[width - 1] is None:
                    width -= 1
                if not width:
                    blank += 1
                    continue
                if width > MAX_COLUMNS:
                    raise ParseError(
                        _(
                            "{file}, sheet '{sheet}', cell {cell}: a value past column {column} ({limit} columns), "
                            "the limit per sheet."
                        ).format(
                            file=filename,
                            sheet=title,
                            cell=f"{get_column_letter(width)}{number}",
                            column=get_column_letter(MAX_COLUMNS),
                            limit=MAX_COLUMNS,
                        ),
                        hint=hint,
                    )
                cells += width + blank
                if cells > MAX_CELLS:
                    raise ParseError(
                        _(
                            "{file}, sheet '{sheet}', row {row}: the workbook holds more than {limit} cells, the limit."
                        ).format(file=filename, sheet=title, row=number, limit=MAX_CELLS),
                        hint=hint,
                    )
                rows.extend([()] * blank)
                blank = 0
                rows.append(row[:width])
            sheets.append((title, rows))
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, TypeError, SyntaxError) as exc:
        raise ParseError(
            _("{file}, sheet '{sheet}': the sheet cannot be read ({error}).").format(
                file=filename, sheet=title, error=f"{type(exc).__name__}: {exc}"
            ),
            hint=hint,
        ) from None
    finally:
        book.close()
    return sheets
