"""Brå by hand, made short: the offline hint lists the kommuner alphabetically, Swedish style, with the word to
search for and the name to save each workbook under; `import bra` takes the .zip the browser downloaded."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from conftest import BRA_XLSX
from lagesbild_cli.cli import app


def test_the_offline_hint_lists_each_kommun_in_swedish_order_with_search_word_and_file_name(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--kommun", "Ystad", "--dir", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["fetch", "--source", "bra", "--config", str(tmp_path / "lagesbild.toml")])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    start = lines.index(next(line for line in lines if line.split() == ["search", "word", "save", "as"]))
    table = [line.split() for line in lines[start + 1 : start + 34]]
    assert [row[0] for row in table[:4]] == ["Bjuv", "Bromölla", "Burlöv", "Båstad"]
    assert [" ".join(row[: len(row) // 2]) for row in table[-4:]] == [
        "Åstorp",
        "Ängelholm",
        "Örkelljunga",
        "Östra Göinge",
    ]
    assert ["Ystad", "Ystad.xlsx"] in table and ["Svalöv", "Svalöv.xlsx"] in table
    assert (
        "(all 33 kommuner of the län) from https://bra.se/statistik/indikatorer-for-kommuners-lagesbild"
        in result.output
    )
    assert "Then run: lagesbild import bra FOLDER --config " in result.output and "(or the .zip)" in result.output


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_import_bra_takes_the_zip_the_browser_downloaded(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--kommun", "Gagnef", "--dir", str(tmp_path)]).exit_code == 0
    members = {f"Indikatorer/{p.name}": p.read_bytes() for p in sorted(BRA_XLSX.glob("*.xlsx"))}
    members["__MACOSX/Indikatorer/._Gagnef.xlsx"] = b"\x00\x05\x16\x07 resource fork"
    members["Läs mig.txt"] = b"not a workbook"
    members["../../utanfor.xlsx"] = (BRA_XLSX / "Mora.xlsx").read_bytes()  # a name that climbs out: never unpacked
    members.pop("Indikatorer/Mora.xlsx")
    download = tmp_path / "Nedladdningar" / "indikatorer.zip"
    download.parent.mkdir()
    download.write_bytes(_zip(members))
    result = runner.invoke(app, ["import", "bra", str(download), "--config", str(tmp_path / "lagesbild.toml")])
    assert result.exit_code == 0, result.output
    assert "Imported Gagnef (2026) → data/raw/bra/2026.xlsx" in result.output
    assert "Loaded 15 workbooks" in result.output
    manifest = json.loads((tmp_path / "data/raw/manifest.json").read_text(encoding="utf-8"))
    assert (
        manifest["bra/2026.xlsx"]["origin"] == "Gagnef.xlsx" and manifest["bra/2062.xlsx"]["origin"] == "utanfor.xlsx"
    )
    assert not list(tmp_path.parent.glob("utanfor.xlsx")) and not list(tmp_path.rglob("utanfor.xlsx"))


def test_import_bra_refuses_a_zip_whose_workbook_is_too_large_and_stores_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--kommun", "Gagnef", "--dir", str(tmp_path)]).exit_code == 0
    download = tmp_path / "indikatorer.zip"
    download.write_bytes(
        _zip({"Gagnef.xlsx": (BRA_XLSX / "Gagnef.xlsx").read_bytes(), "Falun.xlsx": b"\x00" * (11 * 2**20)})
    )
    result = runner.invoke(app, ["import", "bra", str(download), "--config", str(tmp_path / "lagesbild.toml")])
    assert result.exit_code == 1
    assert "indikatorer.zip, Falun.xlsx: 11.0 MB, more than the 10 MB limit for a Brå workbook." in result.output
    assert not (tmp_path / "data/raw/bra").exists()
