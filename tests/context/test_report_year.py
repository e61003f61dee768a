"""One report year: the report for 2023 shows nothing after 2023, finds SCB's 2023 population (the sum of
Gagnef's DeSO, which the raw file holds) and computes the rescue service's rates per 1 000 with each year's
own population; a value MCF publishes as ".." stays missing."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from conftest import SAMPLES, Demo, exported_csv
from lagesbild_cli import pipeline
from lagesbild_cli.context import formatting
from lagesbild_cli.database.store import open_store
from lagesbild_cli.settings.config import load_config
from reading import parse_html


def _section(html: str, section: str) -> str:
    found = re.search(rf'<section id="{section}">(.*?)</section>', html, re.S)
    assert found is not None, section
    return " ".join(" ".join(parse_html(found.group(1)).text).split())


def _deso_population(kommun: str, year: int) -> int:
    with (SAMPLES / "scb" / "folkmangd_deso_dalarna_2022-2024.csv").open(encoding="utf-8") as handle:
        return sum(int(r["bef"]) for r in csv.DictReader(handle) if r["Kommunkod"] == kommun and r["år"] == str(year))


def test_the_2023_report_shows_2023_and_nothing_after(built: Demo, tmp_path: Path) -> None:
    shutil.copytree(built.folder, tmp_path / "demo")
    config = load_config(tmp_path / "demo" / "lagesbild.toml")
    preview = pipeline.preview(config, 2023)
    html = preview.html.read_text(encoding="utf-8")
    text = " ".join(" ".join(parse_html(html).text).split())
    population = formatting.number(_deso_population("2026", 2023)).replace(formatting.NBSP, " ")
    assert f"Gagnefs kommun hade {population} invånare den 31 december 2023" in text
    assert "Befolkningsuppgifter från SCB saknas" not in text
    rescue = _section(html, "raddning")
    assert "2025" not in rescue and "2024" not in rescue.replace("2024-", "")
    appendix = _section(html, "tabellbilaga")  # the tables per month and hour of the day
    assert "2019–2023 sammanlagt" in appendix

    with open_store(config.db_path) as store:
        rates = store.rows(
            "select ar, folkmangd, folkmangd_ar from ind_raddning_insatser "
            "where geo_kod = '2026' and kategori = 'olyckor' and ar in (2022, 2023, 2024) order by ar"
        )
        missing = store.rows("select count(*) as n from raw_mcf_handelser where antal is null")[0]["n"]
        zeros = store.rows("select count(*) as n from ind_raddning_insatser where saknade > 0 and antal is not null")
    assert [(r["ar"], r["folkmangd_ar"]) for r in rates] == [(2022, 2022), (2023, 2023), (2024, 2024)]
    assert rates[1]["folkmangd"] == _deso_population("2026", 2023)
    assert zeros[0]["n"] == 0  # a sum with a value MCF does not publish is missing, never counted as zero
    assert missing >= 0

    events = exported_csv(config, preview, "polisen_handelser.csv").splitlines()[1:]
    assert events and all(int(line.split(";")[0].split()[-1]) <= 2023 for line in events)  # "januari 2023"


def test_the_2023_reports_crime_section_names_no_later_year(built: Demo, tmp_path: Path) -> None:
    """The notes on Våld i nära relationer's definition break once cited riket's 2024 rate ("410 år 2024") in the
    2023 report; the section for 2023 names no year after it."""
    shutil.copytree(built.folder, tmp_path / "demo")
    html = pipeline.preview(load_config(tmp_path / "demo" / "lagesbild.toml"), 2023).html.read_text(encoding="utf-8")
    crime = re.sub(r"hämtad \d+ \w+ \d{4}", "", _section(html, "omfattning"))  # retrieval dates are not data
    assert "Våld i nära relationer" in crime and not re.search(r"\b202[4-9]\b", crime)
