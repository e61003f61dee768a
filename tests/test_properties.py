"""Property-based tests: whatever bytes arrive, the parsers either parse them or raise the tool's own
error naming the input — never another exception, and never a partial result."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from conftest import BRA_XLSX, REPO
from lagesbild_cli.errors import LagesbildError
from lagesbild_cli.settings.config import load_config
from lagesbild_cli.sources import bra, polisen, survey

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
event_like = st.fixed_dictionaries(
    {
        "id": st.integers(min_value=-5, max_value=10**7) | st.text(max_size=5),
        "datetime": st.text(max_size=30)
        | st.sampled_from(["2025-12-03 15:14:21 +01:00", "2025-06-07 7:32:06 +02:00", "2025-13-40 25:61:61 +01:00"]),
        "name": st.text(max_size=40),
        "summary": st.text(max_size=40),
        "url": st.text(max_size=20),
        "type": st.text(max_size=20),
        "location": st.fixed_dictionaries({"name": st.text(max_size=20), "gps": st.text(max_size=20)}) | json_values,
    },
    optional={"extra": json_values},
)


def _parses_or_locates(call: Any, origin: str) -> Any:
    try:
        return call()
    except LagesbildError as exc:
        assert origin in str(exc), f"the error does not name the input: {exc}"
        return None


@SETTINGS
@given(
    st.binary(max_size=400)
    | st.lists(event_like, max_size=4).map(lambda e: json.dumps(e).encode())
    | json_values.map(lambda v: json.dumps(v).encode())
)
def test_polisen_parser(data: bytes) -> None:
    frame = _parses_or_locates(lambda: polisen.parse(data, "fuzz.json"), "fuzz.json")
    if frame is not None:
        assert frame["id"].n_unique() == frame.height


MAPPING = load_config(REPO / "lagesbild.toml").survey
assert MAPPING is not None
HEADER = [
    MAPPING.id_column,
    MAPPING.year_column,
    MAPPING.area_column,
    "Kön",
    "Ålder",
    "Vikt",
    *[i.column for i in MAPPING.indicators],
    "Fritext",
]
cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["2024", "Djurås", "Ja", "Nej", "Vet ej", "1,25", "", "Vill inte uppge", "Mycket trygg"]
)


@SETTINGS
@given(
    st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), max_size=5),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    st.booleans(),
)
def test_survey_reader(rows: list[list[str]], separator: str, encoding: str, shuffle: bool) -> None:
    import csv

    header = list(reversed(HEADER)) if shuffle else HEADER
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator)
    writer.writerow(header)
    writer.writerows([list(reversed(r)) if shuffle else r for r in rows])
    try:
        data = out.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = out.getvalue().encode("utf-8")

    def read() -> Any:
        return survey.validate(survey.read(data, "enkät.csv", MAPPING), "enkät.csv", MAPPING)

    table = _parses_or_locates(read, "enkät.csv")
    if table is not None:
        assert "Fritext" not in table.columns and len(table) == sum(any(c.strip() for c in r) for r in rows)


@SETTINGS
@given(st.binary(max_size=300))
def test_survey_reader_on_raw_bytes(data: bytes) -> None:
    _parses_or_locates(
        lambda: survey.validate(survey.read(data, "enkät.csv", MAPPING), "enkät.csv", MAPPING), "enkät.csv"
    )


GAGNEF = openpyxl.load_workbook(BRA_XLSX / "Gagnef.xlsx")
CELLS = [
    (ws.title, cell.coordinate)
    for ws in GAGNEF.worksheets[:2] + GAGNEF.worksheets[15:17]
    for row in ws.iter_rows(max_row=6)
    for cell in row
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(CELLS),
            st.none()
            | st.integers(-10, 10**6)
            | st.floats(allow_nan=False)
            | st.text(max_size=25)
            | st.sampled_from(["..", "Antal 2017", "År", "Hela landet"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_bra_parser_on_edited_workbooks(edits: list[tuple[tuple[str, str], Any]]) -> None:
    out = io.BytesIO()
    before = {cell: GAGNEF[cell[0]][cell[1]].value for cell, _ in edits}
    try:
        for (sheet, coordinate), value in edits:
            try:
                GAGNEF[sheet][coordinate] = value
            except IllegalCharacterError:
                assume(False)  # Excel itself cannot hold this text
        GAGNEF.save(out)
    finally:  # the workbook as it was, for the next example (loading it again costs more than the test)
        for (sheet, coordinate), value in before.items():
            GAGNEF[sheet][coordinate] = value
    workbook = _parses_or_locates(lambda: bra.parse(out.getvalue(), "Gagnef.xlsx"), "Gagnef.xlsx")
    if workbook is not None:
        assert workbook.kommun.kod == "2026" and workbook.anmalda.height > 0


@SETTINGS
@given(st.binary(max_size=300))
def test_bra_parser_on_raw_bytes(data: bytes) -> None:
    _parses_or_locates(lambda: bra.parse(data, "Gagnef.xlsx"), "Gagnef.xlsx")


def test_a_zip_that_is_not_a_workbook() -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hej")
    with pytest.raises(LagesbildError, match=r"Gagnef\.xlsx"):
        bra.parse(out.getvalue(), "Gagnef.xlsx")
