"""The Brå workbook parser against Brå's real figures (the long CSV made by Region Dalarna's parser)."""

from __future__ import annotations

import io
import math
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from itertools import count
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from builders import varied_bra_workbook
from conftest import BRA_XLSX, write_config
from lagesbild_cli.errors import ParseError
from lagesbild_cli.sources import _xlsx, bra, bra_fetch

WORKBOOKS = sorted(BRA_XLSX.glob("*.xlsx"))


@pytest.fixture(scope="module")
def parsed() -> dict[str, bra.BraWorkbook]:
    return {p.stem: bra.parse(p.read_bytes(), p.name) for p in WORKBOOKS}


def test_every_dalarna_workbook_parses_to_its_kommun(parsed: dict[str, bra.BraWorkbook]) -> None:
    assert len(parsed) == 15
    for stem, workbook in parsed.items():
        assert workbook.kommun.namn == stem
        assert workbook.anmalda["serie_id"].n_unique() == 15
        assert sorted(workbook.anmalda["ar"].unique()) == list(range(2017, 2025))
        assert set(workbook.anmalda["geo_niva"]) == {"kommun", "lan", "riket"}
        assert workbook.ntu["indikator_id"].n_unique() == 20


def _ntu_name(variabel: str) -> str:
    """The long CSV keeps the burglary-worry title quirk ("… bostadsinbrott enligt NTU. Andel …")."""
    return variabel.split(" enligt NTU")[0]


def test_every_value_equals_bras(parsed: dict[str, bra.BraWorkbook], bra_long: list[dict[str, str]]) -> None:
    ours: dict[tuple[str, str, str, int], float | None] = {}
    for workbook in parsed.values():
        for r in workbook.anmalda.iter_rows(named=True):
            ours[(r["serie"], "Antal", r["geo_namn"], r["ar"])] = r["antal"]
            ours[(r["serie"], "Antal per 100 000 inv", r["geo_namn"], r["ar"])] = r["per_100k"]
        for r in workbook.ntu.iter_rows(named=True):
            ours[(r["indikator"], "andel", r["geo_namn"], r["ar"])] = r["andel"]
            ours[(r["indikator"], "KI (95 %) undre gräns", r["geo_namn"], r["ar"])] = r["ki_undre"]
            ours[(r["indikator"], "KI (95 %) övre gräns", r["geo_namn"], r["ar"])] = r["ki_ovre"]
        for r in workbook.svarande.iter_rows(named=True):
            ours[("Antal svarande i NTU.", "", r["geo_namn"], r["ar"])] = r["svarande"]
    checked = 0
    for row in bra_long:
        if row["kalla"] == "Anmälda brott" or row["variabel"].startswith("Antal svarande"):
            key = (row["variabel"], row["enhet"], row["geografi"], int(row["ar"]))
        else:
            enhet = row["enhet"] if row["enhet"].startswith("KI") else "andel"
            key = (_ntu_name(row["variabel"]), enhet, row["geografi"], int(row["ar"]))
        assert key in ours, key
        assert math.isclose(ours[key], float(row["varde"]), rel_tol=1e-9), (key, ours[key], row["varde"])  # type: ignore[arg-type]
        checked += 1
    assert checked == 13209


def test_known_values(parsed: dict[str, bra.BraWorkbook]) -> None:
    gagnef = parsed["Gagnef"].anmalda
    total_2024 = gagnef.filter(
        (gagnef["serie_id"] == "totalt_antal_anmalda_brott") & (gagnef["geo_kod"] == "2026") & (gagnef["ar"] == 2024)
    ).row(0, named=True)
    assert (total_2024["antal"], total_2024["per_100k"]) == (471, 4526.0)
    ntu = parsed["Gagnef"].ntu
    otrygg = ntu.filter(
        ntu["indikator_id"].str.starts_with("otrygghet") & (ntu["geo_kod"] == "2026") & (ntu["ar"] == 2025)
    ).row(0, named=True)
    assert (otrygg["andel"], otrygg["ki_undre"], otrygg["ki_ovre"]) == (11.0, 6.0, 17.0)


def _edited(cell: str, value: object, sheet: int = 0) -> bytes:
    book = openpyxl.load_workbook(BRA_XLSX / "Gagnef.xlsx")
    book.worksheets[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_two_dots_is_a_missing_value() -> None:
    workbook = bra.parse(_edited("B3", ".."), "Gagnef.xlsx")
    row = workbook.anmalda.filter(
        (workbook.anmalda["serie_id"] == "totalt_antal_anmalda_brott")
        & (workbook.anmalda["geo_kod"] == "2026")
        & (workbook.anmalda["ar"] == 2017)
    )
    assert row["antal"].to_list() == [None]


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [
        ("B2", "Summa 2017", "sheet 'Totalt (anmälda)', cell B2: expected a header like 'Antal 2017'"),
        ("C3", "många", "sheet 'Totalt (anmälda)', cell C3: expected a number or '..', found 'många'"),
        ("A4", "Narnia län", "cell A4: 'Narnia län' is neither a Swedish kommun"),
        ("A1", "Något helt annat", "cell A1: expected a title '<indikator> (anmälda brott)"),
    ],
)
def test_a_broken_layout_names_file_sheet_and_cell(cell: str, value: str, message: str) -> None:
    with pytest.raises(ParseError) as err:
        bra.parse(_edited(cell, value), "Gagnef.xlsx")
    assert str(err.value).startswith("Gagnef.xlsx, sheet")
    assert message in str(err.value)


def test_a_broken_ntu_header_is_located() -> None:
    ntu_sheet = 16  # "NTU 02": the first sheet with shares
    with pytest.raises(ParseError, match=r"sheet 'NTU 02', cell C4: expected the header 'KI \(95 %\) undre gräns'"):
        bra.parse(_edited("C4", "Undre", ntu_sheet), "Gagnef.xlsx")


def test_a_file_that_is_not_a_workbook_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="not a readable xlsx workbook"):
        bra.parse(b"<html>Sidan finns inte</html>", "Gagnef.xlsx")


def test_a_workbook_without_crime_sheets_is_rejected() -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "Hej"  # type: ignore[index]
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ParseError):
        bra.parse(out.getvalue(), "tom.xlsx")


def test_slug_is_stable() -> None:
    assert bra.slug("Våld i nära relationer, mot män") == "vald_i_nara_relationer_mot_man"


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns)


def test_a_workbook_as_brå_changes_it_between_years_gives_the_same_figures() -> None:
    original = bra.parse((BRA_XLSX / "Vansbro.xlsx").read_bytes(), "Vansbro.xlsx")
    varied = bra.parse(varied_bra_workbook("Vansbro"), "Vansbro.xlsx")
    assert varied.kommun == original.kommun
    assert_frame_equal(_sorted(varied.anmalda), _sorted(original.anmalda))
    assert_frame_equal(_sorted(varied.ntu), _sorted(original.ntu))
    assert_frame_equal(_sorted(varied.svarande), _sorted(original.svarande))
    # the empty year (a column or row of '..') is never the latest year with data
    assert varied.anmalda["ar"].max() == 2024 and varied.ntu["ar"].max() == 2025
    assert original.skipped == ()
    assert varied.skipped[:2] == (
        "sheet 'Om statistiken': not an indicator table (information or definitions)",
        "sheet 'Definitioner': not an indicator table (information or definitions)",
    )
    assert varied.skipped[2].startswith("2025: no values yet ('..') in 15 sheets ('Totalt (anmälda)'")
    assert varied.skipped[3].startswith("2026: no values yet ('..') in 21 sheets ('NTU 01'")


def _varied_edited(sheet: str, cell: str, value: object) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(varied_bra_workbook("Vansbro")))
    book[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "message"),
    [
        (
            "Totalt (anmälda)",
            "C3",
            "många",
            "sheet 'Totalt (anmälda)', cell C3: expected a number or '..', found 'många'",
        ),
        ("Totalt (anmälda)", "A4", "Narnia län", "sheet 'Totalt (anmälda)', cell A4: 'Narnia län' is neither"),
        ("NTU 02", "A1", "Om statistiken", "sheet 'NTU 02', cell A1: expected a title '<indikator>, enligt NTU"),
        ("NTU 02", "A8", "tjugo", "sheet 'NTU 02', cell A8: expected a year, found 'tjugo'"),
    ],
)
def test_a_broken_table_among_the_variations_is_still_located(sheet: str, cell: str, value: str, message: str) -> None:
    with pytest.raises(ParseError) as err:
        bra.parse(_varied_edited(sheet, cell, value), "Vansbro.xlsx")
    assert str(err.value).startswith("Vansbro.xlsx, sheet")
    assert message in str(err.value)


# ── hostile workbooks: refused by name, within seconds and bounded memory, never "a bug" ─────────────

LAST_SHEET = "xl/worksheets/sheet36.xml"  # Gagnef's last sheet, "NTU 21"
SHEET_XML = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _members(name: str = "Gagnef.xlsx") -> dict[str, bytes]:
    with zipfile.ZipFile(BRA_XLSX / name) as archive:
        return {m.filename: archive.read(m) for m in archive.infolist()}


def _zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def dimension_bomb() -> bytes:
    """Gagnef's workbook whose last sheet declares A1:XFD1048576 and holds 100 000 tiny rows: about 550 KB,
    which openpyxl pads to 100 000 × 16 384 cells (13 GB)."""
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 100_001))
    sheet = SHEET_XML + b'<dimension ref="A1:XFD1048576"/><sheetData>' + rows + b"</sheetData></worksheet>"
    return _zipped({**_members(), LAST_SHEET: sheet})


def _deflated_run(head: bytes, chunk: bytes, times: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``head`` then ``times`` × ``chunk``, made without compressing them all (after a
    full flush each chunk's stream is the same bytes), and its CRC-32."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert first == again
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    return start + first * times + compressor.flush(zlib.Z_FINISH), crc


def _raw_zip(members: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A zip of (raw deflate stream, CRC-32, declared unpacked size) per name, written by hand so that a
    member can hold gigabytes, or declare a size that is not its own."""
    out, central = bytearray(), bytearray()
    for name, (stream, crc, size) in members.items():
        encoded, offset = name.encode(), len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(stream), size, len(encoded), 0)
        out += encoded + stream
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(stream),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def zip_bomb(*, lying: bool = False) -> bytes:
    """Gagnef's workbook whose last sheet is followed by 4 GiB less 1 MiB of spaces (a 4 MB file); ``lying``:
    its headers declare only the size of the sheet, as if the spaces were not there."""
    sheet = _members()[LAST_SHEET]
    stream, crc = _deflated_run(sheet, b" " * 2**20, 4095)
    members = {name: _deflated(data) for name, data in _members().items()}
    members[LAST_SHEET] = (stream, crc, len(sheet) if lying else len(sheet) + 4095 * 2**20)
    return _raw_zip(members)


# the CLI in a process that cannot take more than 1 GiB of address space; it reports its peak memory
LIMITED = """
import atexit, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))
def peak():  # the process's own peak (kB): VmHWM starts anew at exec, ru_maxrss keeps the test worker's
    return next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
atexit.register(lambda: print("peak", peak(), file=sys.stderr))
from lagesbild_cli.cli import main
main()
"""


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (dimension_bomb, "Gagnef.xlsx, sheet 'NTU 21', has rows past row 5000, the limit per sheet."),
        (zip_bomb, "Gagnef.xlsx unpacks to 4.0 GB, more than the 20 MB limit"),
        (
            lambda: zip_bomb(lying=True),
            "Gagnef.xlsx is not a readable xlsx workbook (BadZipFile: Bad CRC-32 for file 'xl/worksheets/sheet36.xml')",
        ),
    ],
    ids=["dimension bomb", "zip bomb", "zip bomb declaring a small size"],
)
def test_a_workbook_bomb_is_refused_within_seconds_and_500_mb(
    make: Callable[[], bytes], message: str, tmp_path: Path
) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "Gagnef.xlsx").write_bytes(make())
    config = write_config(tmp_path)
    run = subprocess.run(
        [sys.executable, "-c", LIMITED, "import", "bra", str(folder), "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,  # today the dimension bomb passes 10 GB in 27 s; the zip bomb parses for more than 10 minutes
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert message in run.stderr and "Download the workbook again" in run.stderr
    assert "Traceback" not in run.stderr and "bug" not in run.stderr
    peak_kib = int(run.stderr.rsplit("peak", 1)[1])
    assert peak_kib < 500 * 1024
    assert not (tmp_path / "data" / "raw" / "bra").exists()  # nothing stored


def _with_cell(coordinate: str, value: object, sheet: int = -1) -> bytes:
    book = openpyxl.load_workbook(BRA_XLSX / "Gagnef.xlsx")
    book.worksheets[sheet][coordinate] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_value_past_the_column_limit_is_refused_naming_the_cell() -> None:
    with pytest.raises(ParseError) as err:
        bra.parse(_with_cell("XFD20", 1), "Gagnef.xlsx")
    assert str(err.value).startswith(
        "Gagnef.xlsx, sheet 'NTU 21', cell XFD20: a value past column GR (200 columns), the limit per sheet."
    )


def test_a_row_past_the_row_limit_is_refused() -> None:
    with pytest.raises(ParseError, match=r"^Gagnef\.xlsx, sheet 'NTU 21', has rows past row 5000"):
        bra.parse(_with_cell("A5001", "Källa: Brå"), "Gagnef.xlsx")


def test_a_declared_dimension_is_not_trusted() -> None:
    # the whole sheet declared, 14 rows written: read as the 14 rows, not padded to 16 384 columns
    sheet = _members()[LAST_SHEET].replace(b'<dimension ref="A1:J13" />', b'<dimension ref="A1:XFD1048576" />')
    assert b"XFD1048576" in sheet
    parsed = bra.parse(_zipped({**_members(), LAST_SHEET: sheet}), "Gagnef.xlsx")
    assert parsed.ntu.equals(bra.parse((BRA_XLSX / "Gagnef.xlsx").read_bytes(), "Gagnef.xlsx").ntu)


def test_too_many_sheets_are_refused() -> None:
    book = openpyxl.Workbook()
    for i in range(_xlsx.MAX_SHEETS):
        book.create_sheet(f"Blad {i}")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ParseError, match=r"^många\.xlsx has 201 sheets, more than the limit of 200\."):
        bra.parse(out.getvalue(), "många.xlsx")


def test_reading_for_too_long_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = count(step=10.0)  # each look at the clock: ten seconds later
    monkeypatch.setattr(_xlsx, "clock", lambda: next(ticks))
    with pytest.raises(ParseError, match=r"took longer than 30 s, the limit") as err:
        bra.parse(_with_cell("A1", "Information", 0), "Gagnef.xlsx")
    assert str(err.value).startswith("Gagnef.xlsx, sheet 'Totalt (anmälda)', row ")


def test_running_out_of_memory_is_a_parse_error_naming_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_memory(*args: object, **kwargs: object) -> object:
        raise MemoryError

    monkeypatch.setattr(openpyxl, "load_workbook", no_memory)
    with pytest.raises(ParseError, match=r"^Gagnef-minne\.xlsx is too large to read in the memory"):
        bra.parse(_zipped({**_members(), "docProps/custom.xml": b"<unread/>"}), "Gagnef-minne.xlsx")


def test_a_file_too_large_for_a_workbook_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "Gagnef.xlsx"
    with big.open("wb") as file:  # sparse: 11 MB that take no disk
        file.truncate(_xlsx.MAX_FILE_BYTES + 2**20)
    with pytest.raises(ParseError, match=r"^Gagnef\.xlsx is 11 MB, more than the 10 MB limit for a Brå workbook\."):
        bra_fetch.import_files([big], None)  # type: ignore[arg-type]  # refused before the manifest is used


def _compound_file(*streams: str) -> bytes:
    """A minimal OLE2 compound file (what Excel writes for .xls, and around an encrypted xlsx) whose
    directory lists ``streams`` (all empty)."""
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = (
        _xlsx.CFB_MAGIC
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)  # DIFAT: the FAT is sector 0
        + struct.pack("<I", free) * 108
    )
    fat = struct.pack("<III", fat_sector, end, end) + struct.pack("<I", free) * 125

    def entry(name: str, kind: int, child: int = free, right: int = free) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", free, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", end, 0)
        )

    names = list(streams)
    directory = entry("Root Entry", 5, child=1) + b"".join(
        entry(name, 2, right=i + 2 if i + 1 < len(names) else free) for i, name in enumerate(names)
    )
    return header + fat + directory.ljust(512 * 2, b"\0")


def test_a_password_protected_workbook_is_named_as_such() -> None:
    data = _compound_file("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces")
    with pytest.raises(ParseError) as err:
        bra.parse(data, "Gagnef.xlsx")
    assert str(err.value).startswith("Gagnef.xlsx is password protected (an encrypted workbook)")
    assert "browser" not in str(err.value)


def test_an_old_xls_workbook_is_named_as_such() -> None:
    with pytest.raises(ParseError, match=r"^Gagnef\.xlsx is an old Excel 97–2003 workbook \(\.xls\)"):
        bra.parse(_compound_file("Workbook", "\x05SummaryInformation"), "Gagnef.xlsx")


XLSM_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@pytest.mark.parametrize("how", ["vbaProject.bin", "content type"])
def test_a_macro_workbook_renamed_xlsx_is_refused_and_not_stored(how: str, tmp_path: Path) -> None:
    members = _members()
    types = members["[Content_Types].xml"]
    assert b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml" in types
    if how == "vbaProject.bin":
        members["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 Attribute VB_Name = ThisWorkbook"
    else:
        members["[Content_Types].xml"] = types.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", XLSM_TYPE
        )
    (tmp_path / "Gagnef.xlsx").write_bytes(_zipped(members))
    config = write_config(tmp_path)
    code, _, err = _cli("import", "bra", str(tmp_path / "Gagnef.xlsx"), "--config", str(config))
    assert code == 1 and "Gagnef.xlsx holds macros" in err and "Brå's workbooks never hold macros" in err
    assert not (tmp_path / "data" / "raw" / "bra").exists()


def _cli(*args: str) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from lagesbild_cli.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_an_entity_bomb_in_a_sheet_is_refused_naming_the_sheet() -> None:
    # "billion laughs": ten levels of ten entities unfold to 3 GB of text; the XML parser stops it
    entities = '<!ENTITY a0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    sheet = _members()[LAST_SHEET].replace(b"<t>", b"<t>&a9;", 1)
    bomb = b"<!DOCTYPE worksheet [" + entities.encode() + b"]>" + sheet
    with pytest.raises(ParseError, match=r"^Gagnef\.xlsx, sheet 'NTU 21': the sheet cannot be read \(.*amplification"):
        bra.parse(_zipped({**_members(), LAST_SHEET: bomb}), "Gagnef.xlsx")
