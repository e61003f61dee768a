"""The ``lagesbild`` command as a user runs it: exit codes and messages."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import stat
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from builders import varied_bra_workbook
from conftest import BRA_XLSX, SURVEY_SECTION, store_raw, write_config
from lagesbild_cli import cli, pipeline
from lagesbild_cli.cli import app
from lagesbild_cli.database import store
from lagesbild_cli.render import exports
from lagesbild_cli.settings.config import Config, load_config
from lagesbild_cli.settings.kommuner import kommuner_in_lan
from lagesbild_cli.storage import raw
from reading import pdf_text

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_then_build_writes_both_reports(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    code, out, _ = run("import", "bra", str(BRA_XLSX), "--config", config)
    assert code == 0 and "Imported Gagnef (2026) → data/raw/bra/2026.xlsx" in out
    assert "Loaded 15 workbooks into " in out
    code, out, err = run("build", "--year", "2023", "--config", config)
    assert code == 0, err
    assert (tmp_path / "data/processed/reports/2026/2023/lagesbild.html").exists()
    assert (tmp_path / "data/processed/reports/2026/2023/lagesbild.pdf").exists()
    # 2024: the report the whole län's batch also builds, so a test run renders it once
    code, out, _ = run("build", "--year", "2024", "--kommun", "Mora", "--config", config)
    assert code == 0 and "reports/2062/2024/lagesbild.pdf" in out


def test_the_help_names_every_source_and_the_browser() -> None:
    fetch_help = run("fetch", "--help")[1]
    assert "MCF" in fetch_help and "search" in fetch_help and "Chrome/Chromium" in fetch_help
    assert "browser for Brå's search" in run("doctor", "--help")[1]


def test_one_imported_workbook_is_one_workbook(tmp_path: Path) -> None:
    code, out, _ = run("import", "bra", str(BRA_XLSX / "Gagnef.xlsx"), "--config", str(write_config(tmp_path)))
    assert code == 0 and "Loaded 1 workbook into " in out


def test_build_without_data_says_to_fetch(tmp_path: Path) -> None:
    code, _, err = run("build", "--config", str(write_config(tmp_path)))
    assert code == 1
    assert "There is no data" in err and "lagesbild fetch" in err and "Traceback" not in err


def test_suggested_commands_carry_the_given_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # run from the parent folder: the printed commands must name the project's config, or, run as printed,
    # they would work on ./lagesbild.toml, another project
    (tmp_path / "mora").mkdir()
    write_config(tmp_path / "mora", kommun="2062")
    monkeypatch.chdir(tmp_path)
    code, _, err = run("build", "--config", "mora/lagesbild.toml")
    assert code == 1 and "Run 'lagesbild fetch --config mora/lagesbild.toml'" in err
    code, out, _ = run("doctor", "--config", "mora/lagesbild.toml")
    assert "→ Run 'lagesbild fetch --config mora/lagesbild.toml'." in out
    # the default config needs no --config
    write_config(tmp_path, kommun="2062")
    code, _, err = run("build")
    assert code == 1 and "Run 'lagesbild fetch'" in err and "--config" not in err


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
    store_raw(load_config(Path(config)), "bra/2026.xlsx", b"corrupt")  # a new raw file: the database reloads
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
    code, out, _ = run("build", "--year", "2022", "--preview", "--config", str(config))
    page = tmp_path / "data/processed/preview/2062/2022/lagesbild.html"
    assert code == 0 and out == f"Wrote {page} (a preview: the web page only; no PDF or exports were made)\n"
    assert not (tmp_path / "data/processed/reports").exists()
    html = page.read_text(encoding="utf-8")
    # Gagnef's name is on the map of Dalarna's kommuner (boundaries from the shipped snapshot), nowhere else
    outside_map = re.sub(
        r'<figure class="map">.*?</table>', "", html.split("Filer som rapporten bygger på")[0], flags=re.S
    )
    assert "Mora kommun" in html and "Gagnef" not in outside_map


def test_fetch_failure_exits_1_with_the_reason(tmp_path: Path) -> None:
    extra = "".join(f'"{k}" = "http://127.0.0.1:9/{k}.xlsx"\n' for k in ("2021", "2023", "2026"))
    path = write_config(tmp_path, extra=extra)
    path.write_text(path.read_text(encoding="utf-8").replace("discover = true", "discover = false"), encoding="utf-8")
    code, out, err = run("fetch", "--source", "bra", "--config", str(path))
    assert code == 1
    assert out.startswith("bra      failed    15 failed, no connection: 127.0.0.1:9 refused the connection")
    assert "Brå: download the workbook of each kommun below (all 15 kommuner of the län)" in err
    assert "Or add their URLs under [sources.bra.urls]" in err
    assert "Error: 1 source failed: bra. Its previous data is untouched." in err
    assert "discovery is off" in err  # the kommuner without a URL
    assert "Traceback" not in err


# ── The operating system's errors are the user's errors; exit codes ──────────────────────────────


def report_set(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_read_only_data_folder_exits_1_naming_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(*args: object, dir: str, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), dir)

    monkeypatch.setattr(raw.tempfile, "mkstemp", read_only)
    code, _, err = run("import", "bra", str(BRA_XLSX / "Gagnef.xlsx"), "--config", str(write_config(tmp_path)))
    assert code == 1
    assert f"{tmp_path / 'data' / 'raw' / 'bra'} is on a read-only file system" in err
    assert "writable copy" in err and "bug" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="chmod does not stop root; the injected variant above runs instead")
def test_a_data_folder_without_write_permission_exits_1(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data").chmod(0o555)
    try:
        code, _, err = run("import", "bra", str(BRA_XLSX / "Gagnef.xlsx"), "--config", str(config))
    finally:
        (tmp_path / "data").chmod(0o755)
    assert code == 1 and "Permission denied" in err and str(tmp_path / "data") in err and "bug" not in err


def test_a_full_disk_while_writing_the_exports_keeps_the_previous_report_set(
    loaded_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = str(loaded_config.path)
    assert run("build", "--year", "2023", "--config", config)[0] == 0
    folder = loaded_config.reports_dir / "2026" / "2023"
    before = report_set(folder)
    # anmalda_brott, anmalda_brott_bedomning, indikatorer, kallor, ntu, riskfaktorer, analysmatris and prioritering
    assert len([name for name in before if name.startswith("csv/")]) == 8
    written: list[Path] = []
    real = exports.atomic_write_bytes

    def fill_up(path: Path, data: bytes) -> None:
        if len(written) == 4:  # the xlsx and three CSVs fit, the fourth does not
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        written.append(path)
        real(path, data)

    monkeypatch.setattr(exports, "atomic_write_bytes", fill_up)
    code, _, err = run("build", "--year", "2023", "--config", config)
    assert code == 1, err
    assert "The disk is full" in err and "bug" not in err and "/csv/" in err
    assert report_set(folder) == before  # byte-identical and complete
    assert sorted(p.name for p in folder.parent.iterdir()) == ["2023"]  # no half-written set left beside it


@pytest.mark.parametrize(
    "error",
    [
        duckdb.IOException('IO Error: Could not write all bytes to file "x.tmp": No space left on device'),
        duckdb.TransactionException("TransactionContext Error: Failed to commit: No space left on device"),
    ],
)
def test_a_full_disk_while_loading_duckdb_exits_1(
    loaded_config: Config, monkeypatch: pytest.MonkeyPatch, error: duckdb.Error
) -> None:
    before = loaded_config.db_path.read_bytes()

    def full(self: object, name: str, frame: object) -> None:
        raise error

    monkeypatch.setattr(store.Store, "write_table", full)
    code, _, err = run("load", "--config", str(loaded_config.path))
    assert code == 1 and "The disk is full" in err and str(loaded_config.processed_dir) in err and "bug" not in err
    assert loaded_config.db_path.read_bytes() == before


def test_usage_errors_exit_2_as_click_does(tmp_path: Path) -> None:
    def plain(text: str) -> str:  # click's message as one line, without the box Rich draws around it
        return " ".join(text.replace("│", " ").split())

    code, _, err = run("build", "--year", "abc", "--config", str(write_config(tmp_path)))
    assert code == 2 and "Invalid value for '--year'" in err and "Usage: lagesbild build" in err
    assert "bug" not in err
    code, _, err = run("build", "--date", "2024-13-01", "--config", str(write_config(tmp_path)))
    assert code == 2 and "'2024-13-01' is not a date of the form YYYY-MM-DD" in plain(err)
    code, _, err = run("no-such-command")
    assert code == 2 and "No such command" in err
    code, _, err = run()
    assert code == 2 and "Usage: " in err and "build" in err  # no command: the help on stderr, exit 2 (click)


def test_a_bug_exits_70_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("secret cell value")

    monkeypatch.setattr(pipeline, "load", broken)
    code, _, err = run("load", "--config", str(write_config(tmp_path)))
    assert code == cli.EXIT_BUG == 70
    assert "a bug in lagesbild" in err and "KeyError" in err and "Please report it" in err
    assert "secret cell value" not in err


def test_outputs_are_readable_by_colleagues_and_name_no_local_folder(tmp_path: Path) -> None:
    downloads = tmp_path / "Hämtade filer XYZZY7" / "bra"
    shutil.copytree(BRA_XLSX, downloads)
    (tmp_path / "project").mkdir()
    config = write_config(tmp_path / "project")
    previous = os.umask(0o022)
    try:
        assert run("import", "bra", str(downloads), "--config", str(config))[0] == 0
        manifest = json.loads((tmp_path / "project/data/raw/manifest.json").read_text(encoding="utf-8"))
        assert manifest["bra/2026.xlsx"]["origin"] == "Gagnef.xlsx"
        # a manifest from an older version, with the absolute path of an import, must not show it either
        manifest["bra/2026.xlsx"]["origin"] = str(downloads / "Gagnef.xlsx")
        (tmp_path / "project/data/raw/manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        code, _, err = run("build", "--year", "2023", "--config", str(config))
        assert code == 0, err
    finally:
        os.umask(previous)
    data = tmp_path / "project" / "data"
    for path in data.rglob("*"):
        if path.name != ".lagesbild.lock":
            assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path
    folder = data / "processed/reports/2026/2023"
    texts = {"html": (folder / "lagesbild.html").read_text(encoding="utf-8")}
    texts["pdf"] = "".join(pdf_text((folder / "lagesbild.pdf").read_bytes()).split())
    book = openpyxl.load_workbook(folder / "indikatorer.xlsx")
    texts["xlsx"] = "\n".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c)
    for csv_file in (folder / "csv").glob("*.csv"):
        texts[csv_file.name] = csv_file.read_text(encoding="utf-8-sig")
    assert len(texts) >= 8
    for name, text in texts.items():
        assert "XYZZY7" not in text and str(tmp_path) not in text, name
    assert "Gagnef.xlsx" in texts["kallor.csv"] and "Gagnef.xlsx" not in texts["html"]  # file names: exports only


def test_import_bra_reads_a_changed_workbook_and_says_what_it_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "Vansbro.xlsx").write_bytes(varied_bra_workbook("Vansbro"))
    config = str(write_config(tmp_path, kommun="2021"))
    code, out, err = run("import", "bra", str(folder), "--config", config)
    assert code == 0, err
    assert "Imported Vansbro (2021) → data/raw/bra/2021.xlsx" in out
    assert "  skipped sheet 'Om statistiken': not an indicator table (information or definitions)" in out
    assert "  skipped 2025: no values yet ('..') in 15 sheets" in out


def test_a_broken_table_in_a_changed_workbook_stops_the_whole_import(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "Vansbro.xlsx").write_bytes(varied_bra_workbook("Vansbro"))
    book = openpyxl.load_workbook(io.BytesIO(varied_bra_workbook("Mora")))
    book["Bilbrott (anmälda)"]["D5"] = "12 3 4x"
    book.save(folder / "Mora.xlsx")
    code, _, err = run("import", "bra", str(folder), "--config", str(write_config(tmp_path)))
    assert code == 1
    assert "Error (parse error): Mora.xlsx, sheet 'Bilbrott (anmälda)', cell D5: expected a number or '..'" in err
    assert str(folder) not in err  # the file's name, not the user's folder
    assert not (tmp_path / "data" / "raw" / "bra").exists()  # all or nothing: Vansbro was not copied either


def test_offline_fetch_fails_fast_with_one_line_per_source_and_one_summary(tmp_path: Path) -> None:
    # the autouse no_internet fixture makes every name lookup but loopback fail, as on a computer without network
    started = time.monotonic()
    config = write_config(tmp_path)
    code, out, err = run("fetch", "--config", str(config))
    assert time.monotonic() - started < 20  # no backoff: 4 tries x 6 sources used to take two minutes
    assert code == 1
    assert out.splitlines() == [
        "bra      failed    no network: bra.se could not be reached",
        "polisen  failed    no network: polisen.se could not be reached",
        "scb      failed    no network: statistikdatabasen.scb.se could not be reached",
        "kolada   failed    no network: api.kolada.se could not be reached",
        "mcf      failed    no network: statistik.mcf.se could not be reached",
        "geo      failed    no network: raw.githubusercontent.com could not be reached",
    ]
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) <= 10 + 2 + 15  # a line per source and the summary, and Brå's table: one row per kommun
    bra = [line for line in lines if "Brå:" in line]
    assert len(bra) == 1 and "https://bra.se/statistik/indikatorer-for-kommuners-lagesbild" in bra[0]
    assert f"lagesbild import bra FOLDER --config {config}" in err and "all 15 kommuner of the län" in bra[0]
    for kommun in kommuner_in_lan("20"):  # its search word and the file name to save, once (Gagnef: Polisen's too)
        assert (out + err).count(kommun.namn) == 2 or kommun.namn == "Gagnef", kommun
        assert [line.split() for line in lines].count([*kommun.namn.split(), *f"{kommun.namn}.xlsx".split()]) == 1
    for source in ("scb", "kolada", "mcf", "geo"):  # every source has a way in without the API
        assert f"lagesbild import {source} FILE --config {config}" in err, source
    assert f"lagesbild import polisen FILE --config {config}" in err
    assert f"'lagesbild fetch --config {config}' again" in err
    assert err.count("Error:") == 1 and "6 sources failed" in err
    assert "Traceback" not in err


def test_a_misspelt_kommun_or_lan_on_the_command_line_suggests_the_closest(tmp_path: Path) -> None:
    config = str(write_config(tmp_path, kommun="2062"))
    code, _, err = run("build", "--kommun", "Moraa", "--config", config)
    assert (
        code == 1
        and "'Moraa' is not a Swedish kommun code or name (--kommun)" in err
        and "Did you mean Mora (2062)" in err
    )
    code, _, err = run("build", "--kommun", "9999", "--config", config)
    assert code == 1 and "(e.g. 2062)" in err and "Gagnef" not in err  # the example is the config's kommun
    code, _, err = run("build", "--lan", "Dalarn", "--config", config)
    assert code == 1 and "Did you mean Dalarnas län (20)?" in err
    code, out, err = run("kommuner", "--lan", "Dalarn")
    assert code == 1 and out == "" and "Did you mean Dalarnas län (20)?" in err


def test_a_misspelt_config_key_is_named(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('kod = "2026"', 'kood = "2062"'), encoding="utf-8")
    code, _, err = run("fetch", "--config", str(path))
    assert code == 1 and "Unknown key 'kommun.kood'" in err and "did you mean 'kommun.kod'?" in err
    assert "missing" not in err
