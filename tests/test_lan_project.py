"""A län project for a länsstyrelse: `init --lan` writes a config for all the län's kommuner with no own inputs,
and a `build --lan` batch ends with a table of what each kommun's report has and lacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import BRA_XLSX
from lagesbild_cli.cli import app
from lagesbild_cli.settings.config import load_config


def test_init_lan_writes_a_project_for_every_kommun_without_own_inputs(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["init", "--lan", "12", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "a län project for the 33 kommuner of Skåne län" in result.output
    assert f"lagesbild build --lan 12 --config {tmp_path / 'lagesbild.toml'}" in result.output
    config = load_config(tmp_path / "lagesbild.toml")
    assert config.kommun.lan_kod == "12" and config.survey is None and config.plan.problems == ()
    assert config.plan.narrative_dir is None and config.report.compiled_by == "Länsstyrelsen, Skåne län"
    text = (tmp_path / "lagesbild.toml").read_text(encoding="utf-8")
    assert "[survey" not in text and "[[plan." not in text and "lagesbild build --lan 12" in text
    again = CliRunner().invoke(app, ["init", "--lan", "12", "--dir", str(tmp_path)])
    assert again.exit_code == 1 and "already exists" in again.output
    both = CliRunner().invoke(app, ["init", "--lan", "12", "--kommun", "Ystad", "--dir", str(tmp_path)])
    assert both.exit_code == 2


def test_a_lan_batch_ends_with_what_each_kommun_lacks(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--lan", "Dalarna", "--dir", str(tmp_path)]).exit_code == 0
    config = str(tmp_path / "lagesbild.toml")
    folder = tmp_path / "Nedladdat"
    shutil.copytree(BRA_XLSX, folder, ignore=shutil.ignore_patterns("Vansbro.xlsx", "*.md"))
    assert runner.invoke(app, ["import", "bra", str(folder), "--config", config]).exit_code == 0
    result = runner.invoke(app, ["build", "--lan", "20", "--preview", "--config", config])
    assert result.exit_code == 1  # Vansbro has no crime statistics at all
    lines = result.output.rstrip().splitlines()
    table = lines[-16:]
    assert table[0].split() == ["Kommun", "Brå", "workbook", "population", "Kolada", "Polisen", "MCF", "boundaries"]
    rows = {line.split()[0]: line.split()[1:] for line in table[1:]}
    names = list(rows)
    assert (names[0], names[-2], names[-1]) == ("Avesta", "Vansbro", "Älvdalen")  # Swedish alphabetical order
    assert rows["Vansbro"] == ["–", "snapshot", "–", "–", "–", "snapshot"]
    assert rows["Gagnef"] == ["ok", "snapshot", "–", "–", "–", "snapshot"]
    assert "15 of 15 kommuner lack something." in lines[-17]


def test_the_coverage_table_keeps_each_mark_under_its_heading_in_swedish(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "ögonblicksbild" is wider than "befolkning": each column is as wide as its widest word (trial)."""
    from lagesbild_cli.batch import COVERAGE, Coverage
    from lagesbild_cli.cli.reports import _coverage_table
    from lagesbild_cli.i18n import _
    from lagesbild_cli.settings.kommuner import find_kommun

    monkeypatch.setenv("LANGUAGE", "sv")
    names = [name for name, _sql, _source in COVERAGE]
    states = ("snapshot", "missing", "ok", "snapshot", "missing", "ok")[: len(names)]
    gagnef = find_kommun("2026")
    assert gagnef is not None
    _coverage_table([Coverage(gagnef, tuple(zip(names, states, strict=True)))])
    lines = capsys.readouterr().out.splitlines()
    header, row = lines[-2], lines[-1]
    starts = [header.index(_(name)) for name in names]
    for start, state in zip(starts, states, strict=True):
        mark = {"snapshot": "ögonblicksbild", "missing": "–", "ok": "ok"}[state]
        assert row[start : start + len(mark)] == mark, (header, row)
