"""Files given to an import are refused by their size before they are read: a file of gigabytes would fill the
memory and end as "a bug"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write_config
from lagesbild_cli.cli import app


def _sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk."""
    with path.open("wb") as file:
        file.truncate(size)
    return path


@pytest.mark.parametrize(
    ("command", "name", "limit", "message"),
    [
        (
            "bra",
            "Gagnef.xlsx",
            10 * 2**20,
            "Gagnef.xlsx is 11 MB, more than the 10 MB limit for a Brå workbook.",
        ),
        (
            "polisen",
            "handelser.json",
            100 * 2**20,
            "handelser.json is 101 MB, more than the 100 MB limit for a file of Polisen events.",
        ),
        (
            "raddning",
            "export.csv",
            100 * 2**20,
            "export.csv is 101 MB, more than the 100 MB limit for a rescue-service export.",
        ),
    ],
)
def test_a_file_too_large_to_import_is_refused_by_name(
    command: str, name: str, limit: int, message: str, tmp_path: Path
) -> None:
    downloads = tmp_path / "hämtat"
    downloads.mkdir()
    given = _sparse(downloads / name, limit + 2**20)
    result = CliRunner().invoke(app, ["import", command, str(given), "--config", str(write_config(tmp_path))])
    assert result.exit_code == 1, result.output
    assert message in result.stderr and "hämtat" not in result.stderr  # the file's name, not its folder
    assert "Traceback" not in result.output and "bug" not in result.output
    assert not (tmp_path / "data" / "raw").exists() or not any((tmp_path / "data" / "raw").rglob(f"*{command}*"))


def test_a_rescue_export_with_a_huge_cell_names_the_line(tmp_path: Path) -> None:
    # a 200 KB cell passes the csv module's field limit (128 KB): that was "a bug" (csv.Error)
    export = tmp_path / "export.csv"
    export.write_bytes(
        b"handelseId;datum;utlosandeHandelseText;kommun;deso;orsakAvsiktText\n"
        b"1;2024-05-01;Brand i fordon;2026;2026C1010;Avsiktlig h\xc3\xa4ndelse\n"
        b"2;2024-05-02;Brand i fordon;2026;2026C1010;" + b"x" * 200_000 + b"\n"
    )
    result = CliRunner().invoke(app, ["import", "raddning", str(export), "--config", str(write_config(tmp_path))])
    assert result.exit_code == 1, result.output
    assert "export.csv, line 3: not a well-formed CSV line (field larger than field limit" in result.stderr
    assert "bug" not in result.output and not (tmp_path / "data" / "raw" / "raddning").exists()
