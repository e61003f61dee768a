"""A survey newer than Brå's data (issue 28): with the kommun's survey of 2025 and Brå's data to 2024,
``build --year 2025`` gives "Lägesbild 2025" with Brå's 2024 as its latest, said so; the report's exports
hold the survey's indicators, and a plan problem may follow them."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import SURVEY_CSV, exported_csv
from lagesbild_cli import pipeline
from lagesbild_cli.errors import DataMissingError
from lagesbild_cli.settings.config import Config, load_config
from reading import parse_html

PLAN = """
[[plan.problems]]
title = "Otrygghet på kvällen"
indicators = ["survey:otrygg_kvall"]
"""


@pytest.fixture
def survey_2025(loaded_dir: Path, tmp_path: Path) -> Config:
    """The loaded Dalarna project with Gagnef's demo survey relabelled: its 2024 round is now of 2025, and
    its 2022 round is left out, so the only survey is newer than Brå's data."""
    folder = tmp_path / "project"
    shutil.copytree(loaded_dir, folder)
    toml = folder / "lagesbild.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + PLAN, encoding="utf-8")
    relabelled = tmp_path / "survey_2025.csv"
    raw = SURVEY_CSV.read_bytes()
    rows = raw.split(b"\n")
    kept = [rows[0]] + [re.sub(rb"^(\d+);2024;", rb"\1;2025;", r) for r in rows[1:] if b";2022;" not in r[:20]]
    relabelled.write_bytes(b"\n".join(kept))
    config = load_config(toml)
    pipeline.import_survey(config, relabelled)
    return config


def _text(html: str) -> str:
    return " ".join(" ".join(parse_html(html).text).split())


def test_a_report_for_the_surveys_year_shows_bras_latest_and_says_so(survey_2025: Config) -> None:
    preview = pipeline.preview(survey_2025, 2025)
    text = _text(preview.html.read_text(encoding="utf-8"))
    assert preview.context.year == 2025
    assert "Lägesbild 2025" in text or "· 2025" in text
    assert "Brå har ännu inte publicerat anmälda brott för 2025. Brås senaste år är 2024" in text
    assert "Brås statistik över anmälda brott finns till och med 2024" in text
    assert "som bara någon av källorna har, till exempel kommunens egen undersökning: då visar den Brås senaste" in text
    assert "Anmälda brott 2024, Gagnef jämfört med Dalarnas län och riket" in text
    assert "kommunens egen trygghetsundersökning 2025" in text.lower()
    # the plan follows the survey's indicator: its baseline is the 2025 share
    (row,) = preview.context.plan
    assert [(v.id, v.year) for v in row.values] == [("survey:otrygg_kvall", 2025)]

    indicators = exported_csv(survey_2025, preview, "indikatorer.csv")
    assert "survey:otrygg_kvall;" in indicators
    assert "bra:totalt_antal_anmalda_brott;" in indicators


def test_the_2024_report_shows_no_survey_of_2025_and_exports_none(survey_2025: Config) -> None:
    """A report for 2024 shows nothing after 2024: the 2025 survey is neither in its section nor in its exports
    (it once showed the survey and exported none of it), and belongs to the 2025 report."""
    # (its plan follows the 2025 survey; a plan id without a value in the report's year is refused, so it is
    # left out here: a report for 2024 has no baseline for it)
    config = replace(survey_2025, plan=replace(survey_2025.plan, problems=()))
    preview = pipeline.preview(config, 2024)
    assert preview.context.survey is None
    assert not [v.id for v in preview.context.values if v.id.startswith("survey:")]
    assert "survey:" not in exported_csv(config, preview, "indikatorer.csv")


def test_a_year_no_source_has_is_still_refused(survey_2025: Config) -> None:
    with pytest.raises(DataMissingError, match="no data for Gagnef in 2031"):
        pipeline.preview(survey_2025, 2031)
