"""The Brå workbook parser against Brå's real figures (the long CSV made by Region Dalarna's parser)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from builders import varied_bra_workbook
from conftest import BRA_XLSX
from lagesbild_cli.errors import ParseError
from lagesbild_cli.sources import bra

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
    assert varied.skipped[2].startswith("2025: no values yet ('..') in 15 sheet(s) ('Totalt (anmälda)'")
    assert varied.skipped[3].startswith("2026: no values yet ('..') in 21 sheet(s) ('NTU 01'")


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
