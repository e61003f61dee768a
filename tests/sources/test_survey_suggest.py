"""``lagesbild survey suggest``: a proposed [survey] mapping that imports and gives the report's numbers, guessed
from the headers and values of an export it has never seen, that never shows free text or contact details."""

from __future__ import annotations

import csv
import random
import shutil
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from conftest import SURVEY_CSV, SURVEY_SECTION
from lagesbild_cli import pipeline
from lagesbild_cli.cli import app
from lagesbild_cli.settings.config import Config, load_config
from reading import parse_html


def suggest(path: Path, out: Path) -> tuple[str, dict[str, object]]:
    result = CliRunner().invoke(app, ["survey", "suggest", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    return text, tomllib.loads(text)["survey"]


def sorted_lists(indicators: object) -> list[dict[str, object]]:
    assert isinstance(indicators, list)
    return [{k: sorted(v) if isinstance(v, list) else v for k, v in i.items()} for i in indicators]


def survey_rows(config: Config, year: int) -> list[list[str]]:
    """The rows of the survey's share tables for Djurås and the whole kommun (n, share, interval, change), as
    the report's web page shows them."""
    html = pipeline.preview(config, year).html.read_text(encoding="utf-8")
    return [r for r in parse_html(html).rows if r and r[0] in ("Djurås", "Hela kommunen") and len(r) == 5]


def test_the_suggestion_for_the_demo_survey_imports_and_gives_the_demos_numbers(
    loaded_config: Config, tmp_path: Path
) -> None:
    text, proposed = suggest(SURVEY_CSV, tmp_path / "survey.toml")
    reference = tomllib.loads(loaded_config.path.read_text(encoding="utf-8"))["survey"]
    for key in ("id_column", "year_column", "area_column", "sex_column", "age_column", "weight_column", "unplaced"):
        assert proposed[key] == reference[key], key
    assert sorted_lists(proposed["indicators"]) == sorted_lists(reference["indicators"])  # ids, labels, answers, NTU
    # a second project whose [survey] is the suggestion, pasted as it was written
    other = tmp_path / "suggested"
    shutil.copytree(loaded_config.path.parent, other)
    config_text = (other / "lagesbild.toml").read_text(encoding="utf-8")
    (other / "lagesbild.toml").write_text(config_text[: config_text.index(SURVEY_SECTION)] + text, encoding="utf-8")
    suggested = load_config(other / "lagesbild.toml")
    result = CliRunner().invoke(app, ["import", "survey", str(SURVEY_CSV), "--config", str(suggested.path)])
    assert result.exit_code == 0, result.output
    assert "Imported 2800 survey rows" in result.output
    pipeline.import_survey(loaded_config, SURVEY_CSV)  # the demo's own mapping
    shown = survey_rows(suggested, 2024)
    assert len(shown) == 24 and shown == survey_rows(loaded_config, 2024)
    assert ["Djurås", "402", "24 %", "20–29", "ingen säkerställd förändring"] in shown  # otrygg ute sent en kväll
    assert ["Hela kommunen", "1 400", "9 %", "7–10", "ingen säkerställd förändring"] in shown


def test_free_text_and_contact_details_are_named_never_shown(tmp_path: Path) -> None:
    text, _ = suggest(SURVEY_CSV, tmp_path / "survey.toml")
    with SURVEY_CSV.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    private = {r[i] for r in rows[1:] for i in (-2, -1)} - {""}
    assert len(private) > 100 and not [p for p in private if p in text]
    assert "@" not in text and "070-" not in text
    assert '"Har du något övrigt du vill framföra?": free text' in text
    assert '"E-post (för utlottning)": e-mail addresses' in text
    assert "\nid_column = " in text and "1,748" not in text  # the id's and weight's values are not shown either


OTHER_HEADER = [
    "RespondentID",
    "Year",
    "District",
    "Gender",
    "Age group",
    "weight_final",
    "Q1. How safe do you feel walking alone in your neighbourhood after dark?",
    "Q2. How often do you worry about becoming a victim of crime?",
    "Q3. In the past 12 months, have you been subjected to assault or threats of violence?",
    "Q4. Has anyone in your household been the victim of a burglary or theft in the past year?",
    "Q5. How much trust do you have in the police?",
    "Q6. Do you enjoy living here?",
    "Comments",
    "Phone (for the prize draw)",
]
SAFE = ["Very safe", "Fairly safe", "Fairly unsafe", "Very unsafe", "Don't know"]
WORRY = ["Very often", "Fairly often", "Rarely", "Never", "Don't know"]
YES_NO = ["Yes, once", "Yes, several times", "No", "Don't know"]


def write_other_survey(path: Path) -> None:
    """A survey with other headers and answers than the demo's: English-ish, comma separated, UTF-8."""
    pick = random.Random(29).choice
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(OTHER_HEADER)
        for n in range(1, 301):
            out.writerow(
                [
                    f"R{n:04d}",
                    pick(["2023", "2025"]),
                    pick(["Ystad tätort", "Löderup", "Köpingebro", "Prefer not to say"]),
                    pick(["Female", "Male", "Other/prefer not to say"]),
                    pick(["16-24", "25-44", "45-64", "65+"]),
                    f"{pick([0.6, 0.85, 1.1, 1.45, 2.0]) + n / 1000:.3f}",
                    pick(SAFE),
                    pick(WORRY),
                    pick(YES_NO),
                    pick(YES_NO),
                    pick(["A great deal", "Quite a lot", "Not very much", "None at all", "Don't know"]),
                    pick(["Yes", "No"]),
                    pick(["", "", "", f"Call me, Eva Persson 0411-{n:06d}"]),
                    f"0701{n:06d}",
                ]
            )


def test_a_survey_with_other_headers_and_answers_is_guessed_right(tmp_path: Path) -> None:
    export = tmp_path / "ystad_2025.csv"
    write_other_survey(export)
    text, proposed = suggest(export, tmp_path / "survey.toml")
    assert (proposed["id_column"], proposed["year_column"], proposed["area_column"]) == (
        "RespondentID",
        "Year",
        "District",
    )
    assert (proposed["sex_column"], proposed["age_column"], proposed["weight_column"]) == (
        "Gender",
        "Age group",
        "weight_final",
    )
    assert proposed["unplaced"] == ["Prefer not to say"]
    assert sorted(proposed["areas"]) == ["Köpingebro", "Löderup", "Ystad tätort"]  # type: ignore[call-overload]
    assert "Female" in proposed["sex_values"] and proposed["sex_unplaced"] == ["Other/prefer not to say"]  # type: ignore[operator]
    by_id = {i["id"]: i for i in proposed["indicators"]}  # type: ignore[attr-defined]
    known = ["fortroende_polisen", "oro_brott", "otrygg_kvall", "utsatt_inbrott_stold", "utsatt_vald_hot"]
    assert sorted(by_id) == known
    assert by_id["otrygg_kvall"]["column"] == OTHER_HEADER[6]
    assert (sorted(by_id["otrygg_kvall"]["yes"]), sorted(by_id["otrygg_kvall"]["no"])) == (
        ["Fairly unsafe", "Very unsafe"],
        ["Fairly safe", "Very safe"],
    )
    assert by_id["otrygg_kvall"]["label"] == "Otrygg ute ensam sent en kväll i bostadsområdet"  # not "Q1. How safe…"
    assert by_id["otrygg_kvall"]["ntu"] == "otrygghet_vid_utevistelse_sent_pa_kvallen_i_det_egna_bostadsomradet"
    assert (sorted(by_id["oro_brott"]["yes"]), sorted(by_id["oro_brott"]["no"])) == (
        ["Fairly often", "Very often"],
        ["Never", "Rarely"],
    )
    for key in ("utsatt_vald_hot", "utsatt_inbrott_stold"):
        assert sorted(by_id[key]["yes"]) == ["Yes, once", "Yes, several times"]
        assert (by_id[key]["no"], by_id[key]["exclude"]) == (["No"], ["Don't know"])
    assert sorted(by_id["fortroende_polisen"]["yes"]) == ["A great deal", "Quite a lot"]
    assert "Q6. Do you enjoy living here?" in text.split("does not know")[1].split("[survey]")[0]
    assert '"Comments": free text' in text and '"Phone (for the prize draw)": phone numbers' in text
    assert "Eva Persson" not in text and "0701" not in text and "0411" not in text


def test_answers_the_words_do_not_place_are_listed_to_place(tmp_path: Path) -> None:
    export = tmp_path / "enkat.csv"
    export.write_text(
        "Löpnr;År;Område;Hur ofta är du orolig för att utsättas för brott?\n"
        + "".join(f"{n};2025;Centrum;{['Ofta', 'Sällan', 'Ibland'][n % 3]}\n" for n in range(1, 31)),
        encoding="utf-8",
    )
    text, proposed = suggest(export, tmp_path / "survey.toml")
    (indicator,) = proposed["indicators"]  # type: ignore[misc]
    assert (indicator["yes"], indicator["no"]) == (["Ofta"], ["Sällan"])
    assert '# NOT PLACED, put each in yes, no or exclude: "Ibland" (10 rows)' in text
    assert "# weight_column" in text  # none: the survey is read unweighted


def test_an_existing_out_file_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "lagesbild.toml"
    out.write_text("[kommun]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["survey", "suggest", str(SURVEY_CSV), "--out", str(out)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert out.read_text(encoding="utf-8") == "[kommun]\n"
    printed = CliRunner().invoke(app, ["survey", "suggest", str(SURVEY_CSV)])
    assert printed.exit_code == 0 and printed.output.startswith("# Proposed [survey] mapping")


def test_sex_and_age_groups_are_closed_lists_and_unplaced_answers_never_a_group() -> None:
    from lagesbild_cli.sources import survey_suggest, survey_toml

    found = survey_suggest.suggest(SURVEY_CSV.read_bytes(), SURVEY_CSV.name)
    proposed = tomllib.loads(survey_toml.to_toml(found))["survey"]
    assert (proposed["sex_values"], proposed["sex_unplaced"]) == (["Kvinna", "Man"], ["Annat/vill inte uppge"])
    assert sorted(proposed["age_values"]) == ["16–24", "25–44", "45–64", "65–84"] and "age_unplaced" not in proposed


def test_one_stray_contact_detail_in_sex_keeps_the_column_and_is_never_shown(tmp_path: Path) -> None:
    """A survey tool's free "annat" field wrote one e-mail address into Kön: Kön is still the sex column (one
    row in 2 800 is a stray, not a contact column), and the address is never shown."""
    rows = list(csv.reader(SURVEY_CSV.read_text(encoding="cp1252").splitlines(), delimiter=";"))
    sex = rows[0].index("Kön")
    rows[5][sex] = "Anna Svensson, anna.svensson@exempel.se"
    export = tmp_path / "enkat.csv"
    with export.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    text, proposed = suggest(export, tmp_path / "survey.toml")
    assert proposed["sex_column"] == "Kön"
    assert "anna.svensson" not in text and "@" not in text
