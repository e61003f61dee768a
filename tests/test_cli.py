"""The ``lagesbild`` command as a user runs it: exit codes and messages."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from conftest import BRA_XLSX, SURVEY_SECTION, write_config
from lagesbild_cli.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_then_build_writes_both_reports(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    code, out, _ = run("import", "bra", str(BRA_XLSX), "--config", config)
    assert code == 0 and "Imported Gagnef (2026) → data/raw/bra/2026.xlsx" in out
    code, out, err = run("build", "--year", "2023", "--config", config)
    assert code == 0, err
    assert (tmp_path / "data/processed/reports/2026/2023/lagesbild.html").exists()
    assert (tmp_path / "data/processed/reports/2026/2023/lagesbild.pdf").exists()
    code, out, _ = run("build", "--year", "2023", "--kommun", "Mora", "--config", config)
    assert code == 0 and "reports/2062/2023/lagesbild.pdf" in out


def test_build_without_data_says_to_fetch(tmp_path: Path) -> None:
    code, _, err = run("build", "--config", str(write_config(tmp_path)))
    assert code == 1
    assert "There is no data" in err and "lagesbild fetch" in err and "Traceback" not in err


def test_a_malformed_workbook_is_rejected_and_nothing_is_imported(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(BRA_XLSX / "Mora.xlsx", folder / "Mora.xlsx")
    (folder / "Gagnef.xlsx").write_bytes(b"<html>404</html>")
    code, _, err = run("import", "bra", str(folder), "--config", str(write_config(tmp_path)))
    assert code == 1
    assert "Gagnef.xlsx is not a readable xlsx workbook" in err
    assert not (tmp_path / "data" / "raw" / "bra").exists()  # all or nothing: Mora was not copied either


def test_a_missing_config_key_exits_1_naming_the_key(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('kod = "2026"', ""), encoding="utf-8")
    code, _, err = run("build", "--config", str(path))
    assert code == 1 and "key 'kommun.kod' is missing" in err and str(path) in err


def test_an_unknown_kommun_exits_1(tmp_path: Path) -> None:
    code, _, err = run("build", "--kommun", "9999", "--config", str(write_config(tmp_path)))
    assert code == 1 and "'9999' is not a Swedish kommun code or name" in err


def test_a_year_without_data_names_the_available_years(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    run("import", "bra", str(BRA_XLSX / "Gagnef.xlsx"), "--config", config)
    code, _, err = run("build", "--year", "2010", "--config", config)
    assert code == 1 and "covers 2017–2024" in err


def test_a_failed_build_leaves_the_previous_report(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    run("import", "bra", str(BRA_XLSX / "Gagnef.xlsx"), "--config", config)
    assert run("build", "--year", "2023", "--config", config)[0] == 0
    report = tmp_path / "data/processed/reports/2026/2023/lagesbild.pdf"
    before = report.read_bytes()
    (tmp_path / "data/raw/bra/2026.xlsx").write_bytes(b"corrupt")
    (tmp_path / "data/raw/manifest.json").touch()  # marks the database stale, forcing a reload
    code, _, err = run("build", "--year", "2023", "--config", config)
    assert code == 1 and "not a readable xlsx" in err
    assert report.read_bytes() == before


def test_kommuner_lists_a_lan() -> None:
    code, out, _ = run("kommuner", "--lan", "Dalarna")
    assert code == 0 and len(out.splitlines()) == 15 and "2026  Gagnef" in out


def test_help_lists_the_commands() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for command in ("fetch", "import", "load", "build", "kommuner"):
        assert command in out


def test_changing_only_the_kommun_in_the_config_gives_that_kommuns_report(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('kod = "2026"', 'kod = "2062"'), encoding="utf-8")  # Mora, nothing else changed
    code, _, err = run("import", "bra", str(BRA_XLSX), "--config", str(config))
    assert code == 1  # the survey mapping's areas are Gagnef's
    assert """key 'survey.areas."Djurås".deso' has the DeSO code '2026C1010', which lies outside Mora (2062)""" in err
    config.write_text(text[: text.index(SURVEY_SECTION)].replace('kod = "2026"', 'kod = "2062"'), encoding="utf-8")
    assert run("import", "bra", str(BRA_XLSX), "--config", str(config))[0] == 0
    code, out, _ = run("build", "--year", "2022", "--config", str(config))
    assert code == 0 and "reports/2062/2022/lagesbild.html" in out
    html = (tmp_path / "data/processed/reports/2062/2022/lagesbild.html").read_text(encoding="utf-8")
    assert "Mora kommun" in html and "Gagnef" not in html.split("Filer som rapporten bygger på")[0]


def test_fetch_failure_exits_1_with_the_reason(tmp_path: Path) -> None:
    extra = "".join(f'"{k}" = "http://127.0.0.1:9/{k}.xlsx"\n' for k in ("2021", "2023", "2026"))
    path = write_config(tmp_path, extra=extra)
    path.write_text(path.read_text(encoding="utf-8").replace("discover = true", "discover = false"), encoding="utf-8")
    code, out, err = run("fetch", "--source", "bra", "--config", str(path))
    assert code == 1
    assert out.startswith("bra      failed")
    assert "Could not fetch" in err and "http://127.0.0.1:9/2026.xlsx" in err
    assert "Error: 1 source(s) failed: bra. Their previous data is untouched." in err
    assert "discovery is off" in err  # the kommuner without a URL
    assert "Traceback" not in err
