"""Every change the report's own rule confirms (NTU's z test against three years before) is named in its
section and in the summary: Gagnef 2023 oro för bostadsinbrott (z = −2,90) and oro för våldtäkt
(z = −2,08), Gagnef 2024 försäljningsbedrägeri (z = +3,13)."""

from __future__ import annotations

from lagesbild_cli import pipeline
from lagesbild_cli.settings.config import Config
from reading import parse_html


def _text(html: str, section: str) -> str:
    part = html.split(f'<section id="{section}">')[1].split("</section>")[0]
    return " ".join(" ".join(parse_html(part).text).split())


def test_confirmed_ntu_changes_are_named_in_the_section_and_the_summary(loaded_config: Config) -> None:
    html = pipeline.preview(loaded_config, 2023).html.read_text(encoding="utf-8")
    ntu, summary = _text(html, "ntu"), _text(html, "sammanfattning")
    burglary = "Oro för att utsättas för bostadsinbrott har minskat från 23 % 2020 till 12 % 2023 (z = −2,90)."
    rape = "Oro för att utsättas för våldtäkt/sexuella angrepp har minskat från 8 % 2020 till 5 % 2023 (z = −2,08)."
    for text in (ntu, summary):
        assert burglary in text and rape in text
    assert "Säkerställda förändringar i NTU mellan 2020 och 2023 (z-test, 5 % signifikansnivå):" in summary
    assert "Sedan 2020" in ntu and "minskat" in ntu and "minskande" not in ntu  # one wording per rule

    html = pipeline.preview(loaded_config, 2024).html.read_text(encoding="utf-8")
    fraud = "Självrapporterad utsatthet för försäljningsbedrägeri har ökat från 2,8 % 2021 till 5,8 % 2024 (z = +3,13)."
    assert fraud in _text(html, "ntu") and fraud in _text(html, "sammanfattning")
