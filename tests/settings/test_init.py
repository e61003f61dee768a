"""``lagesbild init``: a commented config for one kommun that loads, names no other kommun and is never
overwritten by accident."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from conftest import REPO
from lagesbild_cli.cli import app
from lagesbild_cli.settings.config import load_config

runner = CliRunner()
OTHER_KOMMUN = ("Gagnef", "Djurås", "Mockfjärd", "Dala-Floda", "Björbo", "Sifferbo", "Nordåker", "Falun")


def init(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["init", *args])
    return result.exit_code, result.stdout, result.stderr


def test_init_writes_a_config_for_the_kommun_that_loads(tmp_path: Path) -> None:
    folder = tmp_path / "mora"
    code, out, err = init("--kommun", "Mora", "--dir", str(folder))
    assert code == 0, err
    path = folder / "lagesbild.toml"
    text = path.read_text(encoding="utf-8")
    assert 'kod = "2062"' in text and 'namn = "Mora"' in text
    assert not [name for name in OTHER_KOMMUN if name in text]
    config = load_config(path)
    assert config.kommun.kod == "2062" and config.survey is None and config.plan.problems == ()
    assert config.plan.narrative_dir is None and config.data_dir == folder / "data"
    steps = ("lagesbild fetch --config", "lagesbild import bra FOLDER --config", "lagesbild build --config")
    for step in (*steps, "lagesbild build --preview --config"):
        assert f"{step} {path}" in out


def test_the_commented_examples_are_valid_and_use_the_kommuns_own_name(tmp_path: Path) -> None:
    assert init("--kommun", "2062", "--dir", str(tmp_path))[0] == 0
    path = tmp_path / "lagesbild.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(
            line[2:] if re.match(r'^# (\[|[a-z_]+ = |"\d{4}" = )', line) and "typsnitt" not in line else line
            for line in lines
        ),
        encoding="utf-8",
    )
    # the profile's example names a logo beside the config (its own font files are left commented)
    (tmp_path / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.profile.logo is not None and config.profile.colour == "#005b99"
    assert config.survey is not None and [a.name for a in config.survey.areas] == ["Mora"]
    assert config.plan.problems[0].title == "Otrygghet på kvällen i Mora"
    assert config.plan.measures[0].partners[0] == "Mora kommun"
    assert config.bra.urls["2062"].endswith("/Mora.xlsx")


def test_init_never_overwrites_a_config_unless_forced(tmp_path: Path) -> None:
    assert init("--kommun", "Mora", "--dir", str(tmp_path))[0] == 0
    path = tmp_path / "lagesbild.toml"
    path.write_text(path.read_text(encoding="utf-8") + "# my own edits\n", encoding="utf-8")
    edited = path.read_text(encoding="utf-8")
    code, _, err = init("--kommun", "Mora", "--dir", str(tmp_path))
    assert code == 1 and f"{path} already exists" in err and "--force" in err
    assert path.read_text(encoding="utf-8") == edited
    code, _, err = init("--kommun", "Älvdalen", "--dir", str(tmp_path), "--force")
    assert code == 0, err
    assert load_config(path).kommun.namn == "Älvdalen" and "# my own edits" not in path.read_text(encoding="utf-8")


def test_init_with_an_unknown_kommun_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    code, _, err = init("--kommun", "Moraa", "--dir", str(tmp_path))
    assert code == 1 and "'Moraa' is not a Swedish kommun code or name" in err
    assert not (tmp_path / "lagesbild.toml").exists()
    assert init("--dir", str(tmp_path))[0] == 2  # --kommun is required: a usage error


def test_the_bra_section_explains_the_page_search_and_the_browser_like_the_shipped_config(tmp_path: Path) -> None:
    assert init("--kommun", "Mora", "--dir", str(tmp_path))[0] == 0

    def bra_section(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        return text[text.index("[sources.bra]\n") : text.index("[sources.bra.urls]")]

    section = bra_section(tmp_path / "lagesbild.toml")
    for told in ("sökformulär", "förra gången", "LAGESBILD_BROWSER", '"never"', "lagesbild[browser]", "chromedriver"):
        assert told in section, told
    assert '\nbrowser = "auto"\n' in section and "\nsearch_interval_seconds = 2 " in section

    def settings(section: str) -> list[str]:  # the template's comments are Swedish, the shipped config's English
        return [line.split("#")[0].strip() for line in section.splitlines() if not line.startswith("#")]

    assert settings(section) == settings(bra_section(REPO / "lagesbild.toml"))
    config = load_config(tmp_path / "lagesbild.toml")
    assert config.bra.browser == "auto" and config.bra.search_interval_seconds == 2
