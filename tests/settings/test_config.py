from pathlib import Path

import pytest

from conftest import REPO, write_config
from lagesbild_cli.errors import ConfigError
from lagesbild_cli.settings.config import load_config


def test_the_shipped_config_is_valid() -> None:
    config = load_config(REPO / "lagesbild.toml")
    assert config.kommun.kod == "2026"
    assert config.kommun.lan.namn == "Dalarnas län"
    assert config.report.decision_body == "Kommunstyrelsen"
    assert config.db_path == REPO / "data" / "processed" / "lagesbild.duckdb"
    assert (config.queries_dir / "10_anmalda_brott.sql").exists()
    assert (config.templates_dir / "report.html.j2").exists()


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    assert config.raw_dir == tmp_path / "data" / "raw"
    assert config.reports_dir == tmp_path / "data" / "processed" / "reports"


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return path


def test_a_missing_key_names_the_key_the_file_and_the_form(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'decision_body = "Kommunstyrelsen"', "")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "report.decision_body" in str(err.value)
    assert str(path) in str(err.value)
    assert "Expected a string" in str(err.value)


def test_a_wrong_type_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'http.timeout_seconds' has the value 'soon'"):
        load_config(_broken(tmp_path, "timeout_seconds = 30", 'timeout_seconds = "soon"'))


def test_an_unknown_kommun_code_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'kommun.kod' is '9999', which is not one of Sweden's 290"):
        load_config(_broken(tmp_path, 'kod = "2026"', 'kod = "9999"'))


def test_a_name_that_does_not_match_the_code_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="kod 2026 is Gagnef"):
        load_config(_broken(tmp_path, "# namn", 'namn = "Mora"'))


def test_a_misspelt_key_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Unknown key 'report\.titel' in .*; did you mean 'report\.title'\?"):
        load_config(_broken(tmp_path, "\n[report]\n", '\n[report]\ntitel = "x"\n'))


def test_a_misspelt_required_key_names_the_misspelling_not_a_missing_key(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'kod = "2026"', 'kood = "2026"')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.message == f"Unknown key 'kommun.kood' in {path}; did you mean 'kommun.kod'?"
    assert "missing" not in str(err.value)


def test_a_misspelt_optional_key_or_table_suggests_the_known_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Unknown key 'http\.timout_seconds' .*did you mean 'http\.timeout_seconds'"):
        load_config(_broken(tmp_path, "timeout_seconds = 30", "timout_seconds = 30"))
    with pytest.raises(ConfigError, match=r"Unknown key 'kommmun' in .*; did you mean 'kommun'\?"):
        load_config(_broken(tmp_path, "\n[kommun]\n", "\n[kommmun]\n"))
    with pytest.raises(ConfigError, match=r"Unknown key 'sources\.kolda' in .*; did you mean 'sources\.kolada'\?"):
        load_config(_broken(tmp_path, "[sources.kolada]", "[sources.kolda]"))


def test_a_misspelt_kommun_in_the_config_suggests_the_closest(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(_broken(tmp_path, 'kod = "2026"', 'kod = "Moraa"'))
    assert "'kommun.kod' is 'Moraa'" in str(err.value) and 'did you mean kod = "2062" (Mora)?' in str(err.value)


def test_examples_in_config_messages_use_the_users_own_kommun(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'kod = "2026"', "")
    path.write_text(path.read_text(encoding="utf-8").replace("# namn", 'namn = "Mora"'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'kommun\.kod' is missing") as err:
        load_config(path)
    assert 'e.g. kod = "2062"' in str(err.value) and "2026" not in str(err.value)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_broken(tmp_path, "\n[report]\n", "\n[report\n"))


def test_a_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--config"):
        load_config(tmp_path / "nope.toml")


def test_bra_urls_accept_codes_and_names(tmp_path: Path) -> None:
    extra = '"Mora" = "https://example.org/Mora.xlsx"\n"2026" = "https://example.org/Gagnef.xlsx"\n'
    config = load_config(write_config(tmp_path, extra=extra))
    assert config.bra.urls == {"2062": "https://example.org/Mora.xlsx", "2026": "https://example.org/Gagnef.xlsx"}


def test_a_bra_url_must_be_http(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not an http"):
        load_config(write_config(tmp_path, extra='"2026" = "file:///etc/passwd"\n'))


def test_with_kommun_overrides_for_one_run(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path)).with_kommun("Falun")
    assert config.kommun.kod == "2080"


def test_the_mcf_and_fire_settings_are_read_and_checked(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    assert config.mcf.table == "B/B1/B11" and config.mcf.years == 10 and config.mcf.enabled
    assert config.kolada.fire_kpis == ("U07415", "N07415")
    with pytest.raises(ConfigError, match=r"'sources.mcf.years' is 0"):
        load_config(_broken(tmp_path, "years = 10", "years = 0"))
    with pytest.raises(ConfigError, match=r"'sources.mcf.url' is 'statistik.mcf.se'"):
        load_config(
            _broken(tmp_path, 'url = "https://statistik.mcf.se/PxWeb/api/v1/sv/PxData"', 'url = "statistik.mcf.se"')
        )


def test_a_measure_period_must_be_a_year_or_a_date(tmp_path: Path) -> None:
    plan = '\n[[plan.measures]]\nname = "Grannsamverkan"\nkind = "grannsamverkan"\nstart = "i höstas"\n'
    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + plan, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'plan.measures\[1\].start' has the value 'i höstas'"):
        load_config(path)
    path.write_text(
        path.read_text(encoding="utf-8").replace('start = "i höstas"', "start = 2024-05-01"), encoding="utf-8"
    )
    measure = load_config(path).plan.measures[0]
    assert measure.period == "från 2024-05-01, pågående" and measure.kind == "grannsamverkan"


def test_survey_deso_codes_outside_the_kommun_are_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('deso = ["2026B2010"]', 'deso = ["2026B2010", "2062C1010"]'), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert """key 'survey.areas."Mockfjärd".deso' has the DeSO code '2062C1010', which lies outside Gagnef""" in str(
        err.value
    )
    # a Mora coordinator who copied Gagnef's config and changed only the kommun code
    path.write_text(text.replace('kod = "2026"', 'kod = "2062"'), encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"""'survey.areas."Djurås".deso' has the DeSO code '2026C1010'.*Mora \(2062\)"""
    ):
        load_config(path)


def test_a_config_error_reads_in_swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user with no LANG=en reads the key, the file and what to write in Swedish; keys stay as written."""
    monkeypatch.setenv("LANGUAGE", "sv")
    path = _broken(tmp_path, 'decision_body = "Kommunstyrelsen"', "")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert f"{path}: nyckeln 'report.decision_body' saknas." in str(err.value)
    assert '→ Ange en sträng, t.ex. "Kommunstyrelsen".' in str(err.value)
    with pytest.raises(
        ConfigError, match=r"Det finns ingen inställningsfil i .*saknas\.toml\.\n  → Kör lagesbild i mappen"
    ):
        load_config(tmp_path / "saknas.toml")


def test_an_unknown_kommun_in_the_config_reads_in_swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "sv")
    path = _broken(tmp_path, 'kod = "2026"', 'kod = "9999"')
    with pytest.raises(
        ConfigError, match=r"nyckeln 'kommun.kod' är '9999', som inte är någon av Sveriges 290 kommuner"
    ):
        load_config(path)
