"""The demo's example texts say nothing their own tables contradict, in the 2024 report and in the 2023 one built
from the same project: their figures are references, equal to the tables' cells, and what they say about them
(which problem most respondents name, that the areas' intervals overlap) holds in the tables of both years."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import Demo
from lagesbild_cli import pipeline
from lagesbild_cli.render.report import Preview
from lagesbild_cli.settings.config import load_config
from reading import parse_html

OTRYGG = "Otrygg ute ensam sent en kväll i bostadsområdet"
PROBLEMS = "Stort problem: "


@pytest.fixture(scope="module")
def reports(built: Demo, tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[str, Preview | None]]:
    """The demo's 2024 report as built, and its 2023 report as a preview from a copy of the project."""
    folder = tmp_path_factory.mktemp("demo-2023") / "demo"
    shutil.copytree(built.folder, folder)
    earlier = pipeline.preview(load_config(folder / "lagesbild.toml"), 2023)
    return {2024: (built.html, None), 2023: (earlier.html.read_text(encoding="utf-8"), earlier)}


def words(html: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.S)
    assert found is not None, section_id
    return " ".join(" ".join(parse_html(found.group(1)).text).split())


def table(html: str, caption: str) -> list[list[str]]:
    found = re.search(rf"<caption[^>]*>{re.escape(caption)}.*?</table>", html, re.S)
    assert found is not None, caption
    return [r for r in parse_html(found.group(0)).rows if r]


def cell(rows: list[list[str]], first: str) -> list[str]:
    return next(r for r in rows if r[0].startswith(first))


def share(cells: list[str], at: int = 1) -> str:
    """ "27 % (22–33)": a share and its interval as the table's two cells hold them."""
    return f"{cells[at]} ({cells[at + 1]})"


def bounds(interval: str) -> tuple[int, int]:
    low, high = interval.split("–")
    return int(low), int(high)


@pytest.mark.parametrize("year", [2024, 2023])
def test_the_demo_texts_figures_are_the_tables_and_hold_against_them(
    reports: dict[int, tuple[str, Preview | None]], year: int
) -> None:
    html, preview = reports[year]
    if preview is not None:
        assert preview.context.hand_numbers == ()  # no number written by hand differs from the report's
    crime = cell(table(html, f"Anmälda brott {year}"), "Totalt antal anmälda brott")
    summary, analysis = words(html, "sammanfattning"), words(html, "analys")
    assert "Exempeltext i demoprojektet" in summary and "{{" not in html
    assert f"År {year} anmäldes {crime[1]} brott i Gagnef, {crime[3]} per 100 000 invånare." in summary
    assert f"Jämfört med länet ({crime[4]}): lägre. Jämfört med riket ({crime[5]}): lägre." in summary
    trend = "ökat (+11 %)" if year == 2023 else "ingen säkerställd förändring (±0 %)"
    assert f"Mot medelvärdet för de tre föregående åren: {trend}." in summary

    whole = table(html, "Hela kommunen ")  # the survey's table of the whole kommun
    problems = {r[0].removeprefix(PROBLEMS): r for r in whole if r[0].startswith(PROBLEMS)}
    traffic, vandalism = problems["fortkörning och störande trafik"], problems["skadegörelse och klotter"]
    assert (
        f"ser fortkörning och störande trafik som ett stort problem störst, {share(traffic)}; för skadegörelse och "
        f"klotter är den {share(vandalism)}." in summary
    )
    # "störst", "näst flest", "minst andel": the order of the problem questions' shares, each interval clear of
    # the next one's
    ordered = sorted(problems.values(), key=lambda r: -bounds(r[2])[0])
    assert [ordered[0][0], ordered[1][0], ordered[-1][0]] == [
        PROBLEMS + "fortkörning och störande trafik",
        PROBLEMS + "skadegörelse och klotter",
        PROBLEMS + "öppen narkotikahandel",
    ]
    assert bounds(ordered[0][2])[0] > bounds(ordered[1][2])[1] and bounds(ordered[1][2])[0] > bounds(ordered[2][2])[1]
    assert bounds(ordered[-1][2])[1] < bounds(ordered[-2][2])[0]
    plan = words(html, "atgarder")
    assert f"som näst flest ser som ett stort problem, {share(vandalism)}:" in plan
    narcotics = problems["öppen narkotikahandel"]
    assert f"Öppen narkotikahandel är det problem som minst andel ser som stort, {share(narcotics)}," in plan
    avoided, other_way = cell(whole, "Avstått från en aktivitet"), cell(whole, "Valt annan väg")
    assert f"{share(avoided)} har avstått från en aktivitet och {share(other_way)} har valt en annan väg" in plan

    areas = table(html, f"{OTRYGG} per område")
    djuras, gagnef, mockfjard = (cell(areas, a) for a in ("Djurås", "Gagnef", "Mockfjärd"))
    assert (
        f"{share(cell(whole, OTRYGG))} i hela kommunen, {share(djuras, 2)} i Djurås, {share(gagnef, 2)} i Gagnef och "
        f"{share(mockfjard, 2)} i Mockfjärd. Konfidensintervallen överlappar" in analysis
    )
    spans = [bounds(r[3]) for r in (djuras, gagnef, mockfjard)]
    assert all(a[0] <= b[1] and b[0] <= a[1] for a in spans for b in spans)  # "överlappar": every pair
    assert "NTU mäter otrygghet med en annan fråga och har inga siffror per område" in analysis
    assert "Siffror som texterna hämtar ur rapporten skrivs som i rapportens tabeller" in words(html, "metod")
    # what the texts said before, and the tables contradicted
    said = " ".join(words(html, s) for s in ("sammanfattning", "annan", "analys", "atgarder"))
    for wrong in ("oftast nämner", "större i Gagnef och Mockfjärd", "samma mönster som NTU", "ungefär detsamma"):
        assert wrong not in said


def test_the_rescue_text_names_the_exports_years(reports: dict[int, tuple[str, Preview | None]]) -> None:
    text = words(reports[2024][0], "annan")
    assert "Räddningstjänstens egen export omfattar bara fordonsbränder fram till 2019; det året bedömde" in text
    assert "räddningsledaren 0 av dem som avsiktliga." in text
    assert "per 1 000 invånare 2024, mot 1,55 i genomsnitt för fem år" in text


def test_the_texts_name_figures_only_by_reference(built: Demo) -> None:
    """A number the demo's texts write by hand would not follow the report's year: none next to a theme."""
    assert "by hand" not in built.output
    folder = Path(built.folder) / "text"
    for path in sorted(folder.glob("*.md")):
        text = re.sub(r"\{\{.*?\}\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        assert not re.search(r"\d\s?%", text), path.name
