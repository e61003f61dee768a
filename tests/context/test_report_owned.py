"""A kommun's own inputs (survey, rescue-service export, problems, measures, narrative texts) appear only
in its own report: `build --kommun 2021` from Gagnef's config shows none of Gagnef's, in the report or its
exports, and says what Vansbro lacks; Gagnef's report still has them all."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import MISSING_NOTES, OWNED_MARKERS, report_outputs
from lagesbild_cli import pipeline
from lagesbild_cli.cli import app
from lagesbild_cli.database.store import open_store
from lagesbild_cli.errors import ConfigError
from lagesbild_cli.settings.config import load_config


@pytest.fixture(scope="module")
def single(owned_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """Gagnef's report and Vansbro's (`--kommun 2021`), built from Gagnef's config and database."""
    folder = tmp_path_factory.mktemp("single") / "project"
    shutil.copytree(owned_dir, folder)
    config = folder / "lagesbild.toml"
    runner = CliRunner()
    for args in (["build", "--year", "2024"], ["build", "--kommun", "2021", "--year", "2024"]):
        result = runner.invoke(app, [*args, "--config", str(config)])
        assert result.exit_code == 0, result.stderr
    reports = folder / "data" / "processed" / "reports"
    yield folder, {kod: report_outputs(reports / kod / "2024") for kod in ("2026", "2021")}


@pytest.mark.parametrize("owned", sorted(OWNED_MARKERS))
def test_another_kommuns_report_shows_none_of_gagnefs_own_inputs(
    single: tuple[Path, dict[str, str]], owned: str
) -> None:
    _, outputs = single
    assert all(marker in outputs["2026"] for marker in OWNED_MARKERS[owned]), [
        m for m in OWNED_MARKERS[owned] if m not in outputs["2026"]
    ]
    leaked = [marker for marker in OWNED_MARKERS[owned] if marker in outputs["2021"]]
    assert not leaked, f"Vansbro's report or exports show Gagnef's {owned}: {leaked}"
    assert all(note in outputs["2021"] for note in MISSING_NOTES[owned])


def test_the_rescue_export_is_stored_with_its_kommun_and_holds_other_kommuners_events(
    single: tuple[Path, dict[str, str]],
) -> None:
    folder, _ = single
    config = load_config(folder / "lagesbild.toml")
    assert (config.raw_dir / "raddning" / "2026" / "handelser.csv").exists()
    assert sorted(p.name for p in (config.raw_dir / "survey" / "2026").iterdir()) == ["2022.csv", "2024.csv"]
    with open_store(config.db_path) as store:
        vansbro = store.rows("select count(*) as n from raw_raddning_handelser where kommun_kod = '2021'")[0]["n"]
        owners = store.rows("select distinct agare_kod from raw_raddning_handelser")
        survey = store.rows("select distinct kommun_kod from ind_survey")
    assert vansbro > 0  # Vansbro's events are in Gagnef's export, and still not in Vansbro's report
    assert owners == [{"agare_kod": "2026"}] and survey == [{"kommun_kod": "2026"}]


def test_a_final_report_of_another_kommun_is_refused(single: tuple[Path, dict[str, str]]) -> None:
    folder, _ = single
    config = load_config(folder / "lagesbild.toml").with_kommun("2021")
    assert config.home.kod == "2026" and not config.owns_inputs
    with pytest.raises(ConfigError, match=r"A final report for Vansbro \(2021\) needs Vansbro's own texts"):
        pipeline.build(config, 2024, final=True)


def test_surveys_stored_for_another_kommun_are_not_read(single: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """A data folder copied from Gagnef's project to Vansbro's config: Gagnef's survey stays out."""
    folder = tmp_path / "vansbro"
    shutil.copytree(single[0], folder)
    path = folder / "lagesbild.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text[: text.index("# ── The municipality's own citizen survey")].replace('kod = "2026"', 'kod = "2021"')
    )
    config = load_config(path)
    pipeline.load(config)
    with open_store(config.db_path) as store:
        assert store.rows("select count(*) as n from raw_survey_svar")[0]["n"] == 0
        assert store.rows("select count(*) as n from raw_raddning_handelser")[0]["n"] == 0
