"""Figures named by reference in the coordinator's texts ({{ id }}), and numbers written by hand that differ."""

from __future__ import annotations

import re
import shutil
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from lagesbild_cli import pipeline
from lagesbild_cli.context.references import Figure, Theme, hand_written, resolve
from lagesbild_cli.errors import Notice, RenderError
from lagesbild_cli.render.markup import render_markdown
from lagesbild_cli.render.report import Preview
from lagesbild_cli.settings.config import Config, load_config
from lagesbild_cli.settings.plan import Narrative
from reading import parse_html

TOTAL = "bra:totalt_antal_anmalda_brott"
TEXTS = {
    "sammanfattning.md": "Anmälda brott: {{ " + TOTAL + " }} per 100 000 invånare ({{ " + TOTAL + ".antal }} brott, "
    "länet {{ " + TOTAL + ".lan }}).",
    "annan-information.md": "Ingen annan information.",
    "analys.md": "Otrygga ute på kvällen i Djurås: {{ survey:otrygg_kvall@Djurås }}, i hela kommunen\n"
    "{{survey:otrygg_kvall.andel_utan_ki}} (NTU {{ ntu:otrygghet_vid_utevistelse_sent_pa_kvallen_i_det_egna_"
    "bostadsomradet }}).",
    "atgarder.md": "Åtgärder.",
}


def with_texts(owned_dir: Path, folder: Path, texts: dict[str, str]) -> Config:
    shutil.copytree(owned_dir, folder / "project")
    text = folder / "project" / "text"
    for name, body in texts.items():
        (text / name).write_text(body + "\n", encoding="utf-8")
    config = load_config(folder / "project" / "lagesbild.toml")
    return replace(config, plan=replace(config.plan, narrative_dir=text))


@pytest.fixture(scope="module")
def referenced(owned_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Preview]:
    config = with_texts(owned_dir, tmp_path_factory.mktemp("references"), TEXTS)
    return config, pipeline.preview(config, 2024)


def section_text(html: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.S)
    assert found is not None, section_id
    return " ".join(" ".join(parse_html(found.group(1)).text).split())


def row(html: str, caption: str, first: str) -> list[str]:
    """The cells of the row headed ``first`` in the table whose caption begins with ``caption``."""
    table = re.search(rf"<caption[^>]*>{re.escape(caption)}.*?</table>", html, re.S)
    assert table is not None, caption
    return next(r for r in parse_html(table.group(0)).rows if r and r[0].startswith(first))


def test_references_render_as_the_tables_print_the_figures(referenced: tuple[Config, Preview]) -> None:
    html = referenced[1].html.read_text(encoding="utf-8")
    crime = row(html, "Anmälda brott 2024", "Totalt antal anmälda brott")
    djuras = row(html, "Otrygg ute ensam sent en kväll i bostadsområdet per område", "Djurås")
    whole = row(html, "Hela kommunen 2024", "Otrygg ute ensam sent en kväll i bostadsområdet")
    ntu = row(html, "NTU 2024", "Otrygghet vid utevistelse sent på kvällen")
    summary = section_text(html, "sammanfattning")
    assert f"Anmälda brott: {crime[3]} per 100 000 invånare ({crime[1]} brott, länet {crime[4]})." in summary
    assert crime[3] == "4 526"  # the number, not the id
    analysis = section_text(html, "analys")
    share = f"{djuras[2]} ({djuras[3]})"
    assert re.fullmatch(r"\d+ % \(\d+–\d+\)", share)
    assert (
        f"Otrygga ute på kvällen i Djurås: {share}, i hela kommunen {whole[1]} (NTU {ntu[1]} ({ntu[2]}))." in analysis
    )
    assert "{{" not in html and "survey:otrygg_kvall@" not in analysis and TOTAL not in summary


def test_an_unknown_reference_fails_naming_the_file_the_line_and_close_ids(owned_dir: Path, tmp_path: Path) -> None:
    texts = {**TEXTS, "analys.md": "Första raden.\n\nOtrygga i Djurås: {{ survey:otrygg_kvall@Djuras }}."}
    config = with_texts(owned_dir, tmp_path, texts)
    with pytest.raises(
        RenderError, match=r"text/analys\.md, line 3: the reference \{\{ survey:otrygg_kvall@Djuras \}\}"
    ) as e:
        pipeline.preview(config, 2024)
    assert "survey:otrygg_kvall@Djurås.andel" in str(e.value.hint)
    assert not (config.processed_dir / "preview" / "2026" / "2024" / "lagesbild.html").exists()


def test_a_figure_cannot_inject_markup() -> None:
    """A figure is text: what it holds is escaped for Markdown, so neither HTML nor Markdown syntax survives."""
    known = {"x:y.varde": Figure("<b>fet</b> *kursiv* [länk](https://example.org) `kod`")}
    text = resolve("Se {{ x:y }} och [här]({{ x:y }}).", "analys.md", known, 2024)
    html = str(render_markdown(text))
    assert "&lt;b&gt;fet&lt;/b&gt; *kursiv* [länk](https://example.org) `kod`" in html
    assert (
        "<b>" not in html and "<em>" not in html and "<code>" not in html and 'href="https://example.org"' not in html
    )


THEMES = (
    Theme("Stort problem: skadegörelse och klotter", "survey:problem_skadegorelse", frozenset({"skadegörelse"})),
    Theme("Bostadsinbrott", "bra:bostadsinbrott.", frozenset({"bostadsinbrott"})),
)
KNOWN = {
    "bra:bostadsinbrott.per_100k": Figure("106", 106.0, "per_100k"),
    "bra:bostadsinbrott.riket": Figure("312", 312.0, "per_100k"),
    "survey:problem_skadegorelse.andel": Figure("33 % (31–36)", 33.3, "procent"),
    "survey:problem_skadegorelse@Djurås.andel": Figure("35 % (30–40)", 34.7, "procent"),
}


@pytest.mark.parametrize(
    ("sentence", "warned"),
    [
        ("Skadegörelse nämns av 45 % av invånarna.", True),
        ("Skadegörelse nämns av 33 % av invånarna, i Djurås 35 %.", False),
        ("Skadegörelsen har ökat, och 45 % av bilarna är gamla.\nFortkörning nämns av 45 %.", True),
        ("Fortkörning nämns av 45 %.", False),  # names no theme of these figures
        ("Bostadsinbrotten var 145 per 100 000 invånare.", True),
        ("Bostadsinbrotten var 106 per 100 000 invånare, i riket 312 per 100 000.", False),
        ("Skadegörelse nämns av {{ survey:problem_skadegorelse }}.", False),  # a reference is not by hand
    ],
)
def test_a_number_written_by_hand_is_checked_against_the_theme_its_sentence_names(sentence: str, warned: bool) -> None:
    found = hand_written([Narrative("analys", "analys.md", "", sentence)], KNOWN, THEMES)
    assert bool(found) == warned
    if warned and "%" in sentence:
        assert found[0].startswith(
            "analys.md, line 1: the text writes '45 %' by hand next to Stort problem: skadegörelse"
        )
        assert "33 % (31–36)" in found[0]
    elif warned:
        assert found[0].startswith(
            "analys.md, line 1: the text writes '145 per 100 000' by hand next to Bostadsinbrott"
        )
        assert "the report shows Bostadsinbrott: 106, 312." in found[0]


def test_a_wrong_hand_written_number_is_a_notice_after_the_build(owned_dir: Path, tmp_path: Path) -> None:
    texts = {**TEXTS, "annan-information.md": "Skadegörelse och klotter är ett stort problem för 12 % av invånarna."}
    config = with_texts(owned_dir, tmp_path, texts)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipeline.preview(config, 2024)
    notices = [str(w.message) for w in caught if issubclass(w.category, Notice)]
    assert any(n.startswith("text/annan-information.md, line 1: the text writes '12 %' by hand") for n in notices), (
        notices
    )


def test_an_unknown_reference_and_a_hand_written_number_read_in_swedish(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "sv")
    with pytest.raises(RenderError) as e:
        resolve("Första raden.\n\nInbrott: {{ bra:bostadsinbrot }}.", "text/analys.md", KNOWN, 2024)
    assert str(e.value).startswith(
        "text/analys.md, rad 3: hänvisningen {{ bra:bostadsinbrot }} anger inget tal som rapporten har för 2024.\n"
        "  → Liknande id: bra:bostadsinbrott.per_100k"
    )
    assert str(e.value).endswith("Rätta texten, eller skriv talet för hand.")
    found = hand_written(
        [Narrative("analys", "analys.md", "", "Skadegörelse nämns av 45 % av invånarna.")], KNOWN, THEMES
    )
    assert found == (
        "analys.md, rad 1: texten har '45 %' skrivet för hand intill Stort problem: skadegörelse och klotter, men "
        "rapporten visar Stort problem: skadegörelse och klotter: 33 % (31–36). Kontrollera talet, eller skriv det "
        "som en hänvisning ({{ id }}).",
    )
