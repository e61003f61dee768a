"""Definition breaks found in Brå's national series: "Våld i nära relationer" (riket 23 → 149 → 283 → 394
per 100 000 over 2017–2020 for women, 1 → 98 for men) is marked like bilbrott, and no change is computed
across it, in the report and in its exports."""

from __future__ import annotations

import csv
import re

from conftest import exported_csv
from lagesbild_cli import pipeline
from lagesbild_cli.database.store import open_store
from lagesbild_cli.settings.config import Config
from reading import parse_html


def test_violence_in_close_relationships_is_a_break_in_report_and_exports(loaded_config: Config) -> None:
    with open_store(loaded_config.db_path) as store:
        rows = store.rows(
            "select indikator, ar, i_data, i_listan from definitionsbrott where indikator like '%nara%' order by 1, 2"
        )
    assert [(r["indikator"][4:], r["ar"], r["i_data"], r["i_listan"]) for r in rows] == [
        (f"vald_i_nara_relationer_mot_{who}", year, True, True)
        for who in ("kvinnor", "man")
        for year in (2018, 2019, 2020)
    ]
    preview = pipeline.preview(loaded_config, 2024)
    html = preview.html.read_text(encoding="utf-8")
    text = " ".join(" ".join(parse_html(html).text).split())
    assert "Definitionsbrott i serien Våld i nära relationer, mot kvinnor 2018–2020: Brås serie" in text
    assert "från 23 till 394 anmälda brott per 100 000 invånare 2017–2020 (från 2 289 till 40 764 brott)" in text
    assert "Definitionsbrott i serien Våld i nära relationer, mot män 2018–2020" in text
    svg = re.search(r'<svg[^>]*aria-labelledby="chart-vald_i_nara_relationer_mot_kvinnor-title.*?</svg>', html, re.S)
    assert svg is not None and "Från 2018: Definitionsbrott: ny redovisning 2018–2020." in svg.group(0)
    method = " ".join(html.split('<section id="metod">')[1].split("</section>")[0].split())
    assert "minst 2 gånger så stort som året före" in method
    assert "serien Våld i nära relationer, mot kvinnor 2018–2020" in method

    exported = list(csv.reader(exported_csv(loaded_config, preview, "anmalda_brott.csv").splitlines(), delimiter=";"))
    change = {(r[0], r[1], r[2]): r[7] for r in exported[1:]}
    # before: +253,8 % (Gagnef, women, 2020), +159,8 % and +212,8 % (riket) across the break
    for who in ("kvinnor", "män"):
        for year in ("2020", "2021", "2022"):
            for geo in ("Gagnef", "Hela landet"):
                key = next(k for k in change if k[0].endswith(who) and k[1].startswith(geo) and k[2] == year)
                assert change[key] == "", (key, change[key])
    first = next(k for k in change if k[0].endswith("kvinnor") and k[1] == "Hela landet" and k[2] == "2023")
    assert change[first] != ""  # 2023 against 2020–2022, all under the new definition
