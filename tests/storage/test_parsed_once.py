"""A pure parser wrapped with parsed_once runs once per distinct content, keeps a bounded number of results
and never keeps an error."""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

import polars as pl
import pytest

from conftest import BRA_XLSX
from lagesbild_cli import pipeline
from lagesbild_cli.errors import ParseError
from lagesbild_cli.settings.config import Config
from lagesbild_cli.sources import bra
from lagesbild_cli.storage import parsed_once


def test_the_same_bytes_are_parsed_once_and_an_error_every_time() -> None:
    calls: list[bytes] = []

    @parsed_once.per_content(keep=2)
    def parse(data: bytes, name: str) -> list[str]:
        calls.append(data)
        if data == b"bad":
            raise ParseError(f"{name} is bad")
        return [data.decode(), "parsed"]

    first = parse(b"a", "a.txt")
    assert parse(b"a", "another name.txt") is first and calls == [b"a"]
    for _ in range(2):
        with pytest.raises(ParseError, match=r"x\.txt is bad"):
            parse(b"bad", "x.txt")
    assert calls == [b"a", b"bad", b"bad"]  # an error is never kept
    parse(b"b", "b.txt")
    parse(b"c", "c.txt")  # keeps two: "a" is the oldest and goes
    parse(b"a", "a.txt")
    assert calls == [b"a", b"bad", b"bad", b"b", b"c", b"a"]


def test_each_caller_gets_its_own_copy_where_asked() -> None:
    @parsed_once.per_content(copy=pl.DataFrame.clone)
    def parse(data: bytes, name: str) -> pl.DataFrame:
        return pl.DataFrame({"value": [len(data)]})

    one, two = parse(b"abc", "x"), parse(b"abc", "x")
    assert one is not two and one.equals(two)


def test_an_import_reads_each_workbook_once(config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import checks the workbook and the load reads it: one parse. (Bytes no other test has: a new
    comment in the zip.)"""
    import openpyxl

    workbook = tmp_path / "Gagnef.xlsx"
    with zipfile.ZipFile(BRA_XLSX / "Gagnef.xlsx") as source, zipfile.ZipFile(workbook, "w") as copy:
        for item in source.infolist():
            copy.writestr(item, source.read(item))
        copy.comment = uuid.uuid4().hex.encode("ascii")
    opened: list[object] = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a) or real(*a, **k))
    pipeline.import_bra(config, [workbook])
    assert len(opened) == 1
    assert bra.parse.__name__ == "parse" and "Pure" in (bra.parse.__doc__ or "")
