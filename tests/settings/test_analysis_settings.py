"""The themes file and [analys] in the config: typed, strict, errors naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagesbild_cli.errors import ConfigError
from lagesbild_cli.settings.analysis import AnalysisSettings, load_themes, parse_themes


def test_the_shipped_themes_are_the_fixed_set_with_harm_weights() -> None:
    themes = load_themes(AnalysisSettings())
    assert [t.name for t in themes] == [
        "Våld i offentlig miljö",
        "Våld i nära relationer",
        "Våld mot barn och unga",
        "Inbrott och stöld",
        "Skadegörelse och bränder",
        "Narkotika",
        "Trafik",
        "Otrygghet och oro",
    ]
    assert all(t.harm in (1, 2, 3) for t in themes)
    assert next(t for t in themes if t.id == "skadegorelse-brand").rescue


def test_a_kommuns_own_themes_file_is_read_and_its_errors_name_file_and_key(tmp_path: Path) -> None:
    own = tmp_path / "teman.toml"
    own.write_text('[[tema]]\nid = "klotter"\nnamn = "Klotter"\nskadevikt = 1\nbra = ["skadegorelsebrott"]\n', "utf-8")
    assert [t.id for t in load_themes(AnalysisSettings(themes_file=own))] == ["klotter"]
    with pytest.raises(ConfigError, match=r"teman\.toml: key 'tema\[1\]\.skadevikt' is 5"):
        parse_themes('[[tema]]\nid = "a"\nnamn = "A"\nskadevikt = 5\n', own)
    with pytest.raises(ConfigError, match=r"key 'tema\[1\]\.polis' "):
        parse_themes('[[tema]]\nid = "a"\nnamn = "A"\nskadevikt = 1\npolis = ["Trafik"]\n', own)
    with pytest.raises(ConfigError, match="does not exist"):
        load_themes(AnalysisSettings(themes_file=tmp_path / "saknas.toml"))


def test_a_themes_error_reads_in_swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "sv")
    own = tmp_path / "teman.toml"
    with pytest.raises(ConfigError) as caught:
        parse_themes('[[tema]]\nid = "a"\nnamn = "A"\nskadevikt = 5\n', own)
    assert str(caught.value) == f"{own}: nyckeln 'tema[1].skadevikt' är 5.\n  → Ange en skadevikt på 1, 2 eller 3."
    with pytest.raises(ConfigError) as caught:
        load_themes(AnalysisSettings(order=("inbrott",)))
    assert str(caught.value).startswith(
        "[analys] ordning anger 'inbrott', som inte är något tema.\n  → Använd temanas id:"
    )
