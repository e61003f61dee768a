"""The analysis (§ 4 item 3) as a reader gets it: the matrix, the ranking with its reasons, the summary and the
åtgärdsplan section that follow it, the kommun's own order, the draft to edit, and the exports."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from conftest import Demo, exported_csv
from lagesbild_cli import pipeline
from lagesbild_cli.errors import ConfigError, RenderError
from lagesbild_cli.render.report import Preview
from lagesbild_cli.settings.config import Config, load_config
from reading import parse_html


def _words(html: str, section: str) -> str:
    found = re.search(rf'<section id="{section}">(.*?)</section>', html, re.S)
    assert found is not None, section
    return " ".join(" ".join(parse_html(found.group(1)).text).split())


def _priorities(html: str) -> list[str]:
    """The ranking's list items, as read."""
    found = re.search(r'<ol class="priorities">(.*?)</ol>', html, re.S)
    if found is None:
        return []
    return [
        " ".join(" ".join(parse_html(li).text).split()) for li in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    ]


@pytest.fixture
def demo_copy(built: Demo, tmp_path: Path) -> Config:
    """The demo project (Gagnef with its survey, rescue export and texts) in a copy a test may change."""
    shutil.copytree(built.folder, tmp_path / "project")
    return load_config(tmp_path / "project" / "lagesbild.toml")


def _change_rows(config: Config, *statements: str) -> None:
    """Change the demo's stored indicator rows (the database is derived; the preview reads it as it is)."""
    con = duckdb.connect(str(config.db_path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def _preview(config: Config, **options: object) -> tuple[Preview, str]:
    preview = pipeline.preview(config, 2024, **options)  # type: ignore[arg-type]
    return preview, preview.html.read_text(encoding="utf-8")


def test_a_clear_signal_in_one_theme_ranks_it_first_with_its_reasons(demo_copy: Config) -> None:
    # bostadsinbrott three times riket's rate, above the län too, and a confirmed rise; the survey's
    # "utsatt för inbrott eller stöld" has risen since 2022 in the demo's own answers
    _change_rows(
        demo_copy,
        "update ind_anmalda_brott_bedomning set per_100k = 3 * per_100k_riket, niva_mot_riket = 'högre', "
        "niva_mot_lan = 'högre', trend = 'ökat' "
        "where serie_id = 'bostadsinbrott' and kommun_kod = '2026' and ar = 2024",
    )
    preview, html = _preview(demo_copy)
    ranked = _priorities(html)
    assert ranked[0].startswith("Inbrott och stöld")
    first = ranked[0]
    riket = next(
        r
        for r in preview.context.analysis.rows
        if r.theme.id == "inbrott-stold"  # type: ignore[union-attr]
    )
    assert riket.place == "1"
    assert "Bostadsinbrott:" in first and "högre än rikets" in first and "och länets" in first
    assert "Bostadsinbrott har ökat" in first
    assert "Utsatt för inbrott eller stöld (hushållet)” ökat sedan 2022" in first  # the survey echoes it
    assert "2 källor pekar uppåt: anmälda brott och kommunens trygghetsundersökning." in first
    # the summary's first key point and the åtgärdsplan section follow the ranking
    summary = _words(html, "sammanfattning")
    assert "bör dessa problemområden prioriteras, i den här ordningen: 1. Inbrott och stöld" in summary
    assert "Underlag" in html and "1. Inbrott och stöld" in _words(html, "atgarder")
    # the matrix says what each source shows, in symbols and words
    analys = _words(html, "analys")
    assert "Inbrott och stöld ▲ uppåt ▼ nedåt ▲ uppåt – saknas antal, bedöms inte Källorna går isär 1" in analys
    assert "Bostadsinbrott: 942 per 100 000, högre än både länet och riket, ökat mot 2021–2023 (säkerställt)" in _words(
        html, "tabellbilaga"
    )  # the details, in the appendix
    assert "Polisens händelser visas som antal och bedöms aldrig" in analys


def test_a_prioritised_theme_no_plan_problem_follows_up_is_named_in_the_atgardsplan_section(
    demo_copy: Config,
) -> None:
    # the demo's plan follows up otrygghet, trafik, skadegörelse and narkotika; the analysis puts trafik first
    _, html = _preview(demo_copy)
    atgarder = _words(html, "atgarder")
    assert "Analysens prioriteringar, i ordning (skälen står i avsnittet Analys ): 1. Trafik." in atgarder
    assert "som inget prioriterat problem följer upp" not in atgarder
    # without the traffic problem, the plan leaves the first priority without follow-up, and the section says so
    problems = tuple(p for p in demo_copy.plan.problems if "trafik" not in p.title.lower())
    assert len(problems) == len(demo_copy.plan.problems) - 1
    _, html = _preview(replace(demo_copy, plan=replace(demo_copy.plan, problems=problems)))
    atgarder = _words(html, "atgarder")
    assert "Analysens prioriterade teman som inget prioriterat problem följer upp: Trafik." in atgarder


def test_a_kommun_with_no_signal_gets_no_invented_priority(built_project: Path) -> None:
    config = load_config(built_project)  # Gagnef 2023 from Brå alone (no survey, no rescue export)
    # Gagnef's one real signal that year (violence in close relationships against men, a confirmed rise) taken
    # away: nothing is higher than län or riket and nothing has risen
    _change_rows(
        config,
        "update ind_anmalda_brott_bedomning set trend = 'ingen säkerställd förändring' where trend = 'ökat'",
        "update ind_anmalda_brott_bedomning set niva_mot_lan = 'i nivå med' where niva_mot_lan = 'högre'",
        "update ind_anmalda_brott_bedomning set niva_mot_riket = 'i nivå med' where niva_mot_riket = 'högre'",
        "update ind_ntu set trend = 'ingen säkerställd förändring' where trend = 'ökande'",
        "update ind_ntu set jamfort_med_riket = 'ingen säker skillnad' where jamfort_med_riket = 'högre'",
        "update ind_ntu set jamfort_med_lan = 'ingen säker skillnad' where jamfort_med_lan = 'högre'",
    )
    preview = pipeline.preview(config, 2023)
    html = preview.html.read_text(encoding="utf-8")
    assert _priorities(html) == []
    analys = _words(html, "analys")
    assert "Inget tema sticker ut enligt analysens regler" in analys
    assert "Verktyget föreslår därför ingen prioritering" in analys
    assert "Analysen pekar inte ut något problemområde" in _words(html, "sammanfattning")
    assert "Inget tema sticker ut" in _words(html, "atgarder")


def test_the_kommuns_own_order_overrides_and_the_report_says_so(demo_copy: Config) -> None:
    text = demo_copy.path.read_text(encoding="utf-8") + '\n[analys]\nordning = ["narkotika", "trafik"]\n'
    demo_copy.path.write_text(text, encoding="utf-8")
    _, html = _preview(load_config(demo_copy.path))
    ranked = _priorities(html)
    assert [r.split(":")[0].strip() for r in ranked] == ["Narkotika", "Trafik"]
    assert "Ordningen är kommunens egen" in _words(html, "analys")
    assert "Kommunens egna prioriteringar, i den ordning kommunen har bestämt: 1. Narkotika; 2. Trafik." in _words(
        html, "sammanfattning"
    )
    assert "Kommunens egna prioriteringar" in _words(html, "atgarder")


def test_an_order_naming_an_unknown_theme_is_a_clear_error(demo_copy: Config) -> None:
    demo_copy.path.write_text(
        demo_copy.path.read_text(encoding="utf-8") + '\n[analys]\nordning = ["inbrott"]\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"\[analys\] ordning names 'inbrott'") as caught:
        pipeline.preview(load_config(demo_copy.path), 2024)
    assert "inbrott-stold" in (caught.value.hint or "")


def _numbers(text: str) -> set[str]:
    """Every number as written the Swedish way ("1 038", "4,5", "2021–2023" as two)."""
    return set(re.findall(r"\d+(?:[ \u00a0]\d{3})*(?:,\d+)?", text))


def test_draft_analys_writes_a_draft_whose_numbers_are_the_reports_and_never_overwrites(demo_copy: Config) -> None:
    own = demo_copy.plan.narrative_dir / "analys.md"  # type: ignore[operator]
    before = own.read_bytes()
    written = pipeline.draft_analysis(demo_copy, 2024)
    assert written.name == "analys.utkast.md" and own.read_bytes() == before
    draft = written.read_text(encoding="utf-8")
    assert draft.startswith("<!-- lagesbild:utkast -->")
    prose = re.sub(r"<!--.*?-->", "", draft, flags=re.S)
    assert "### 1. Trafik" in prose
    _, html = _preview(demo_copy)
    report = " ".join(" ".join(parse_html(html).text).split())
    numbers = _numbers(prose)
    assert numbers and numbers <= _numbers(report), numbers - _numbers(report)
    # a second run refuses and leaves the draft as it is
    written.write_text(draft + "\nMin egen mening.\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="already exists"):
        pipeline.draft_analysis(demo_copy, 2024)
    assert written.read_text(encoding="utf-8").endswith("Min egen mening.\n")


def test_an_unedited_draft_is_labelled_and_refused_by_a_final(demo_copy: Config) -> None:
    written = pipeline.draft_analysis(demo_copy, 2024)
    written.replace(written.with_name("analys.md"))
    _, html = _preview(demo_copy)
    analys = _words(html, "analys")
    assert "Utkast framtaget av verktyget – inte bearbetat" in analys
    assert "lagesbild:utkast" not in html  # the marker and the guidance comment are never shown
    with pytest.raises(RenderError, match="still the draft"):
        pipeline.preview(demo_copy, 2024, final=True)
    # the coordinator removes the marker line: an edited text, no label
    edited = written.with_name("analys.md")
    edited.write_text(edited.read_text(encoding="utf-8").replace("<!-- lagesbild:utkast -->\n", ""), encoding="utf-8")
    _, html = _preview(demo_copy)
    assert "Utkast framtaget av verktyget" not in _words(html, "analys")


def test_the_matrix_and_the_ranking_are_exported_in_report_words(demo_copy: Config) -> None:
    preview, _ = _preview(demo_copy)
    ranking = exported_csv(demo_copy, preview, "prioritering.csv")
    assert "Trafik" in ranking and "analysens regler" in ranking and "ökat sedan 2022" in ranking
    matrix = exported_csv(demo_copy, preview, "analysmatris.csv")
    assert "Polisens händelser" in matrix and "bara händelser, ingen bedömning" in matrix
    assert "Samstämmighet" in matrix.splitlines()[0]


def test_the_draft_analys_command_writes_once_and_then_refuses(demo_copy: Config) -> None:
    from typer.testing import CliRunner

    from lagesbild_cli.cli import app

    args = ["draft", "analys", "--year", "2024", "--config", str(demo_copy.path)]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    # the demo has its own analys.md: the report keeps it, and the message says so instead of "save it as"
    assert "analys.utkast.md" in first.output and "analys.md already exists and the report keeps using it" in (
        first.output
    )
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 1 and "already exists" in again.output and "never writes over" in again.output
    # without an own analys.md the message says how the draft becomes the text
    texts = demo_copy.path.parent / "text"
    (texts / "analys.md").unlink()
    (texts / "analys.utkast.md").unlink()
    fresh = CliRunner().invoke(app, args)
    assert fresh.exit_code == 0 and "save it as analys.md in the same folder and remove its first line" in fresh.output


def test_the_draft_analys_command_speaks_swedish_by_default(demo_copy: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from lagesbild_cli.cli import app

    monkeypatch.setenv("LANGUAGE", "sv")
    args = ["draft", "analys", "--year", "2024", "--config", str(demo_copy.path)]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "Skrev " in first.output and "analys.utkast.md" in first.output
    assert "analys.md finns redan och rapporten fortsätter att använda den" in first.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 1
    assert "analys.utkast.md finns redan. lagesbild skriver aldrig över en text." in again.output
    assert "→ Byt namn på eller ta bort analys.utkast.md för att få ett nytt utkast." in again.output
