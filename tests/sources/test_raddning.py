"""The rescue service's exported event reports (händelserapporter): the real Dalarna vehicle-fire
extracts of 2018 and 2019, whose columns differ between the years."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conftest import RADDNING_EXPORTS
from lagesbild_cli import pipeline
from lagesbild_cli.errors import ParseError
from lagesbild_cli.settings.config import Config
from lagesbild_cli.sources import raddning

EXPORT_2018, EXPORT_2019 = RADDNING_EXPORTS


def test_both_years_schemas_parse_with_the_counts_of_the_provenance_note() -> None:
    for path, events, deliberate, gagnef in ((EXPORT_2018, 176, 22, 3), (EXPORT_2019, 146, 23, 6)):
        frame = raddning.parse(path.read_bytes(), str(path))
        assert frame.height == events
        assert frame["avsiktlig"].sum() == deliberate
        assert frame.filter(frame["kommun_kod"] == "2026").height == gagnef
        assert frame["brand"].all()  # every row is a vehicle fire, one as the follow-on of a traffic accident


def test_only_the_named_columns_are_kept() -> None:
    frame = raddning.parse(EXPORT_2019.read_bytes(), "x")
    assert frame.columns == list(raddning.SCHEMA)
    with EXPORT_2019.open(encoding="utf-8") as handle:
        first = next(csv.DictReader(handle))
    assert frame.row(0, named=True)["timme"] == int(first["tid"][:2])


def test_a_time_of_day_that_is_not_a_clock_time_has_no_hour(tmp_path: Path) -> None:
    lines = EXPORT_2018.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    row = next(csv.reader([lines[1]]))
    row[header.index("tid")] = "²3:15"  # digits to str.isdigit(), not to int()
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    lines[1] = out.getvalue().rstrip("\n")
    frame = raddning.parse("\n".join(lines).encode("utf-8"), "export.csv")
    assert frame.row(0, named=True)["timme"] is None and frame.height == 176


def test_a_bad_date_names_file_row_and_column(tmp_path: Path) -> None:
    lines = EXPORT_2018.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("2018-", "18/", 1)
    bad = tmp_path / "export.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ParseError, match=r"export.csv, row 4, column 'datum': '18/"):
        raddning.parse(bad.read_bytes(), str(bad))


def test_a_missing_cause_column_says_which(tmp_path: Path) -> None:
    text = EXPORT_2018.read_text(encoding="utf-8").replace("orsakAvsiktText", "orsak")
    with pytest.raises(ParseError, match="no column 'orsakAvsiktText'"):
        raddning.parse(text.encode(), "export.csv")


def test_a_failed_import_changes_nothing(config: Config, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(EXPORT_2018.read_text(encoding="utf-8").replace(",2026,", ",9999,", 1), encoding="utf-8")
    with pytest.raises(ParseError, match="not a kommun code"):
        pipeline.import_raddning(config, [EXPORT_2019, bad])
    assert not (config.raw_dir / raddning.stored_path("2026")).exists()
