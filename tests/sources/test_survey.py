"""The citizen-survey importer: encodings, separators, mapped columns only, validation, statistics."""

from __future__ import annotations

import csv
import io
import math
import random
import re
import shutil
from pathlib import Path

import pytest

from conftest import SURVEY_CSV, store_raw
from lagesbild_cli import pipeline
from lagesbild_cli.config import Config
from lagesbild_cli.errors import ValidationError
from lagesbild_cli.stats import kish_effective_n, wilson_interval
from lagesbild_cli.store import open_store

SURVEY = SURVEY_CSV
FREE_TEXT = "Har du något övrigt du vill framföra?"
EMAIL = "E-post (för utlottning)"


def original_rows() -> tuple[list[str], list[list[str]]]:
    text = SURVEY.read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return rows[0], rows[1:]


def write_variant(
    path: Path, *, encoding: str, separator: str, reorder: bool = False, edit: dict[tuple[int, str], str] | None = None
) -> Path:
    """The sample survey re-encoded, with another separator, columns reordered or cells edited."""
    header, rows = original_rows()
    for (row, column), value in (edit or {}).items():
        rows[row][header.index(column)] = value
    order = list(range(len(header)))
    if reorder:
        order = order[::-1]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow([header[i] for i in order])
    writer.writerows([[r[i] for i in order] for r in rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_rounds_export(path: Path, *, dropped: int = 100) -> Path:
    """A second export of the same survey from another tool: Windows-1252, ``;``, shuffled columns; the 2024
    round without its first ``dropped`` respondents, and a 2026 round (the 2022 answers again)."""
    header, rows = original_rows()
    year = header.index("Enkätår")
    kept = [r for r in rows if r[year] == "2024"][dropped:]
    kept += [[*r[:year], "2026", *r[year + 1 :]] for r in rows if r[year] == "2022"]
    order = list(range(len(header)))
    random.Random(12).shuffle(order)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([header[i] for i in order])
    writer.writerows([[r[i] for i in order] for r in kept])
    path.write_bytes(out.getvalue().encode("cp1252"))
    return path


def respondents_per_round(config: Config) -> dict[int, tuple[int, int]]:
    """Per round: (distinct respondents, n of a yes/no question every respondent answered)."""
    with open_store(config.db_path) as store:
        rows = store.rows("""
            select s.ar, count(distinct s.id) as svarande, any_value(i.n) as n from raw_survey_svar s
            join ind_survey i on i.ar = s.ar and i.indikator = 'avstatt_aktivitet' and i.dimension = 'kommun'
            group by s.ar order by s.ar
        """)
    return {r["ar"]: (r["svarande"], r["n"]) for r in rows}


def test_an_overlapping_export_replaces_its_rounds_and_keeps_the_others(config: Config, tmp_path: Path) -> None:
    pipeline.import_survey(config, SURVEY)
    assert respondents_per_round(config) == {2022: (1400, 1400), 2024: (1400, 1400)}
    second_export = write_rounds_export(tmp_path / "enkat_2024_2026.csv")
    second, _ = pipeline.import_survey(config, second_export)
    assert second.rounds == (2024, 2026) and second.replaced == ((2024, SURVEY.name),)
    assert respondents_per_round(config) == {2022: (1400, 1400), 2024: (1300, 1300), 2026: (1400, 1400)}
    again, _ = pipeline.import_survey(config, SURVEY)  # the first export again: its rounds come back
    assert again.replaced == ((2022, SURVEY.name), (2024, second_export.name))
    assert respondents_per_round(config) == {2022: (1400, 1400), 2024: (1400, 1400), 2026: (1400, 1400)}
    assert sorted(p.name for p in (config.raw_dir / "survey" / "2026").iterdir()) == [
        "2022.csv",
        "2024.csv",
        "2026.csv",
    ]


def test_files_of_the_earlier_layout_never_count_a_round_twice(config: Config) -> None:
    imported, _ = pipeline.import_survey(config, SURVEY)
    stored = config.raw_dir / "survey" / "2026"
    both = (stored / "2022.csv").read_text(encoding="utf-8")
    both += (stored / "2024.csv").read_text(encoding="utf-8").split("\n", 1)[1]  # without its header
    for name in ("enkat-a.csv", "enkat-b.csv"):  # one export imported twice under two names, before this layout
        store_raw(config, f"survey/{name}", both.encode("utf-8"))
    shutil.rmtree(stored)
    with pytest.raises(ValidationError, match=r"round 2022 is in more than one imported file: enkat-a.csv, enkat-b"):
        pipeline.load(config)
    again, _ = pipeline.import_survey(config, SURVEY)
    assert again.replaced == (
        (2022, "enkat-a.csv"),
        (2022, "enkat-b.csv"),
        (2024, "enkat-a.csv"),
        (2024, "enkat-b.csv"),
    )
    assert respondents_per_round(config) == {2022: (1400, 1400), 2024: (1400, 1400)}
    assert len(imported.entries) == 2


def indicators(config: Config) -> list[dict[str, object]]:
    with open_store(config.db_path) as store:
        return store.rows("select * from ind_survey order by all")


def test_import_stores_only_the_mapped_columns(config: Config) -> None:
    imported, _ = pipeline.import_survey(config, SURVEY)
    assert imported.respondents == 2800 and imported.rounds == (2022, 2024) and not imported.replaced
    assert [e.file for e in imported.entries] == ["survey/2026/2022.csv", "survey/2026/2024.csv"]
    entry = imported.entries[1]
    stored = "".join((config.raw_dir / e.file).read_text(encoding="utf-8") for e in imported.entries)
    header = stored.splitlines()[0].split(",")
    assert header[:6] == ["id", "ar", "omrade", "kon", "alder", "vikt"] and len(header) == 6 + 12
    header, rows = original_rows()
    private = {r[header.index(c)] for r in rows for c in (FREE_TEXT, EMAIL)} - {""}
    assert len(private) > 100 and not [p for p in private if p in stored]
    assert "@" not in stored and "070-" not in stored
    assert re.search(r"original sha256 [0-9a-f]{64}, round 2024: 1400 rows", entry.origin)
    assert entry.origin.startswith(SURVEY.name)
    assert not any(
        p.suffix == ".csv" and p.stat().st_size == SURVEY.stat().st_size for p in config.raw_dir.rglob("*")
    )  # the original is never copied


def test_utf8_bom_commas_and_reordered_columns_give_identical_indicators(
    config: Config, make_config, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    pipeline.import_survey(config, SURVEY)
    reference = indicators(config)
    variant = write_variant(tmp_path / "export.csv", encoding="utf-8-sig", separator=",", reorder=True)
    other = make_config()
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    from conftest import write_config
    from lagesbild_cli.config import load_config

    other = load_config(write_config(other_folder))
    pipeline.import_survey(other, variant)
    assert indicators(other) == reference
    assert len(reference) > 300


def _weighted(rows: list[dict[str, str]], column: str, yes: set[str], no: set[str]) -> tuple[float, float, int]:
    valid = [(float(r["Vikt"].replace(",", ".")), 1 if r[column] in yes else 0) for r in rows if r[column] in yes | no]
    share = sum(w * y for w, y in valid) / sum(w for w, _ in valid)
    return share, kish_effective_n([w for w, _ in valid]), len(valid)


def test_shares_and_intervals_equal_an_independent_computation(config: Config) -> None:
    pipeline.import_survey(config, SURVEY)
    header, rows = original_rows()
    records = [dict(zip(header, r, strict=True)) for r in rows]
    column = "Hur trygg eller otrygg skulle du känna dig om du gick ut ensam sent en kväll i ditt bostadsområde?"
    yes = {"Ganska otrygg", "Mycket otrygg", "Går aldrig ut ensam sent på kvällen på grund av otrygghet"}
    djuras = [r for r in records if r["Enkätår"] == "2024" and r["Område"] == "Djurås"]
    share, n_eff, n = _weighted(djuras, column, yes, {"Mycket trygg", "Ganska trygg"})
    # Wilson by hand: (p + z²/2m)/(1 + z²/m) ± z·√(p(1−p)/m + z²/4m²)/(1 + z²/m)
    z = 1.959963984540054
    centre = (share + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z * math.sqrt(share * (1 - share) / n_eff + z * z / (4 * n_eff**2)) / (1 + z * z / n_eff)
    with open_store(config.db_path) as store:
        row = store.rows(
            "select * from ind_survey where indikator = 'otrygg_kvall' and ar = 2024 "
            "and dimension = 'omrade' and grupp = 'Djurås'"
        )[0]
    assert row["n"] == n == 402
    assert row["andel"] == pytest.approx(share) and row["n_eff"] == pytest.approx(n_eff)
    assert (row["ki_undre"], row["ki_ovre"]) == (pytest.approx(centre - half), pytest.approx(centre + half))
    assert row["status"] == "visas"


def test_wilson_matches_a_textbook_value() -> None:
    low, high = wilson_interval(0.1, 100)  # 10 of 100: 5.52 %–17.44 % (Newcombe 1998, method 3)
    assert (round(low * 100, 2), round(high * 100, 2)) == (5.52, 17.44)


def test_small_areas_never_show_a_share(config: Config) -> None:
    pipeline.import_survey(config, SURVEY)
    with open_store(config.db_path) as store:
        nordaker = store.rows("select ar, status from ind_survey where dimension = 'omrade' and grupp = 'Nordåker'")
        bjorbo = store.rows(
            "select distinct status from ind_survey where dimension = 'omrade' and grupp = 'Björbo' and ar = 2022"
        )
    assert nordaker and all(r["status"] != "visas" for r in nordaker)
    assert {r["status"] for r in nordaker if r["ar"] == 2022} == {"färre än 5"}
    assert bjorbo == [{"status": "för få svar"}]


def test_no_total_lets_a_hidden_cell_be_recovered(config: Config) -> None:
    pipeline.import_survey(config, SURVEY)
    with open_store(config.db_path) as store:
        groups = store.rows("""
            select c.indikator, c.ar, c.dimension, list(c.status) as statuses, t.n - sum(c.n) as remainder,
                   v.viktad
            from ind_survey c
            join ind_survey t on t.indikator = c.indikator and t.ar = c.ar and t.dimension = 'kommun'
            cross join survey_installningar v
            where c.dimension <> 'kommun'
            group by c.indikator, c.ar, c.dimension, t.n, v.viktad
        """)
    assert groups
    for g in groups:
        hidden_n = sum(s.startswith(("färre än", "dold")) for s in g["statuses"]) + (g["remainder"] > 0)
        if any(s.startswith(("färre än", "dold")) for s in g["statuses"]):
            assert hidden_n >= 2, g
        if g["dimension"] == "omrade" or not g["viktad"]:
            hidden_share = sum(s != "visas" for s in g["statuses"]) + (g["remainder"] > 0)
            if any(s != "visas" for s in g["statuses"]):
                assert hidden_share >= 2, g


def test_without_weights_the_share_is_unweighted_and_protected(make_config) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    config = make_config()
    unweighted = replace(config, survey=replace(config.survey, weight_column=None))
    pipeline.import_survey(unweighted, SURVEY)
    with open_store(unweighted.db_path) as store:
        row = store.rows(
            "select andel, andel_ovagd, n, ja from ind_survey where indikator = 'otrygg_kvall' "
            "and ar = 2024 and dimension = 'kommun'"
        )[0]
    assert row["andel"] == pytest.approx(row["ja"] / row["n"]) == pytest.approx(row["andel_ovagd"])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            {(0, "Område"): "Atlantis"},
            r"holds answers that no \[survey.areas\] entry or survey.unplaced lists:\n"
            r"  - 'Atlantis': 1 rows \(first at line 2\)",
        ),
        (
            {(3, "Vikt"): "tung"},
            r"'Vikt' \(survey.weight_column\) holds values that are not positive numbers:\n"
            r"  - 'tung': 1 rows \(first at line 5\)",
        ),
        ({(1, "Löpnr"): "1"}, r"duplicate or empty respondent ids within a survey year:\n  - '1 \(2022\)': 2 rows"),
        (
            {
                (4, "Hur ofta händer det att du känner dig orolig för att utsättas för brott?"): "Varje dag",
                (9, "Hur ofta händer det att du känner dig orolig för att utsättas för brott?"): "Varje dag",
            },
            r"\(survey.indicators\[2\], id 'oro_brott'\) has answers that are neither in yes, no nor exclude:\n"
            r"  - 'Varje dag': 2 rows \(first at line 6, 11\)",
        ),
        ({(0, "Enkätår"): "tjugotjugotvå"}, r"'Enkätår' \(survey.year_column\) holds values that are not years"),
        # digits to str.isdigit() but not to int(): a clear error, not a crash
        ({(0, "Enkätår"): "20²²"}, r"'Enkätår' \(survey.year_column\) holds values that are not years"),
    ],
)
def test_validation_errors_say_what_and_where_and_change_nothing(
    edit: dict[tuple[int, str], str], message: str, loaded_config: Config, tmp_path: Path
) -> None:
    before = loaded_config.db_path.read_bytes()
    bad = write_variant(tmp_path / "enkät.csv", encoding="cp1252", separator=";", edit=edit)
    with pytest.raises(ValidationError) as err:
        pipeline.import_survey(loaded_config, bad)
    assert re.search(message, str(err.value)), str(err.value)
    assert "enkät.csv" in str(err.value) and "nothing was imported" in str(err.value)
    assert not (loaded_config.raw_dir / "survey").exists()
    assert loaded_config.db_path.read_bytes() == before


def test_a_missing_column_names_the_config_key_and_the_closest_header(config: Config, tmp_path: Path) -> None:
    header, rows = original_rows()
    renamed = [h.replace("Enkätår", "Enkät år") for h in header]
    path = tmp_path / "export.csv"
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";").writerows([renamed, *rows])
    path.write_bytes(out.getvalue().encode("cp1252"))
    with pytest.raises(ValidationError, match=r"survey.year_column = 'Enkätår' \(closest header: 'Enkät år'\)"):
        pipeline.import_survey(config, path)


def test_free_text_never_appears_in_an_error(config: Config, tmp_path: Path) -> None:
    _, rows = original_rows()
    header, _ = original_rows()
    secret = next(r[header.index(FREE_TEXT)] for r in rows if r[header.index(FREE_TEXT)])
    bad = write_variant(tmp_path / "x.csv", encoding="cp1252", separator=";", edit={(0, "Område"): "Atlantis"})
    with pytest.raises(ValidationError) as err:
        pipeline.import_survey(config, bad)
    assert secret not in str(err.value)


def test_an_encoding_that_is_neither_utf8_nor_cp1252_is_refused(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(SURVEY.read_bytes().replace(b"\xe5", b"\x81", 1))  # 0x81 is undefined in cp1252
    from lagesbild_cli.errors import ParseError

    with pytest.raises(ParseError, match="neither UTF-8 nor Windows-1252"):
        pipeline.import_survey(config, path)


def test_several_answers_form_one_area_and_get_its_population(make_config, httpserver) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from builders import deso_fixture
    from conftest import no_sleep
    from lagesbild_cli.config import ServiceSettings
    from lagesbild_cli.survey_mapping import SurveyArea

    config = make_config()
    assert config.survey is not None
    areas = (
        SurveyArea("Djurås", ("Djurås",), ("2026C1010", "2026C1020")),
        SurveyArea("Gagnef", ("Gagnef",), ("2026B3010",)),
        SurveyArea("Mockfjärd", ("Mockfjärd",), ("2026B2010",)),
        SurveyArea("Västra Gagnef", ("Dala-Floda", "Björbo"), ("2026A0010",)),
        SurveyArea("Sifferbo med omnejd", ("Sifferbo", "Nordåker"), ("2026A0020",)),
    )
    grouped = replace(
        config, survey=replace(config.survey, areas=areas), scb=ServiceSettings(url=httpserver.url_for("/api/v2"))
    )
    httpserver.expect_request("/api/v2/tables/TAB638/data").respond_with_data("{}", status=404)
    httpserver.expect_request("/api/v2/tables/TAB6574/data").respond_with_data(deso_fixture("2026"))
    pipeline.fetch(grouped, ["scb"], sleep=no_sleep)
    pipeline.import_survey(grouped, SURVEY)
    header, rows = original_rows()
    column = header.index("Område")
    expected = sum(1 for r in rows if r[column] in ("Dala-Floda", "Björbo") and r[1] == "2024")
    with open_store(grouped.db_path) as store:
        cell = store.rows(
            "select n, status from ind_survey where indikator = 'avstatt_aktivitet' and ar = 2024 "
            "and dimension = 'omrade' and grupp = 'Västra Gagnef'"
        )[0]
        population = {
            r["omrade"]: r["folkmangd"]
            for r in store.rows("select omrade, folkmangd from ind_survey_omraden where ar = 2024")
        }
    assert cell == {"n": expected, "status": "visas"}  # yes/no items: every respondent answered
    assert population["Djurås"] == 1877 + 1525 and population["Västra Gagnef"] == 1703


def test_change_is_a_two_proportion_z_test_on_kish_n(config: Config) -> None:
    """Recomputed from the respondents' answers and weights, not from the SQL's shares: each round's weighted
    share and Kish's effective n, then z = (p1 − p0) / √(p1(1−p1)/n1 + p0(1−p0)/n0), significant at 5 %."""
    from statistics import NormalDist

    pipeline.import_survey(config, SURVEY)
    with open_store(config.db_path) as store:
        answers = store.rows("select indikator, ar, varde, vikt from raw_survey_svar")
        rows = store.rows(
            "select indikator, ar, ar_fore, z, forandring from ind_survey_forandring "
            "where dimension = 'kommun' and ar_fore is not null"
        )
    critical = NormalDist().inv_cdf(1 - 0.05 / 2)
    by_round: dict[tuple[str, int], tuple[float, float]] = {}
    for key in {(a["indikator"], a["ar"]) for a in answers}:
        mine = [a for a in answers if (a["indikator"], a["ar"]) == key]
        weights = [a["vikt"] for a in mine]
        share = sum(a["vikt"] * a["varde"] for a in mine) / sum(weights)
        by_round[key] = (share, sum(weights) ** 2 / sum(w * w for w in weights))
    assert len(rows) == 12
    for r in rows:
        (p1, n1), (p0, n0) = by_round[(r["indikator"], r["ar"])], by_round[(r["indikator"], r["ar_fore"])]
        z = (p1 - p0) / math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        assert r["z"] == pytest.approx(z, rel=1e-9)
        expected = "ökat" if z >= critical else "minskat" if z <= -critical else "ingen säkerställd förändring"
        assert r["forandring"] == expected, r
    burglary = next(r for r in rows if r["indikator"] == "utsatt_inbrott_stold")
    share_2024, share_2022 = by_round[("utsatt_inbrott_stold", 2024)][0], by_round[("utsatt_inbrott_stold", 2022)][0]
    # 7,3 % → 10,0 %: the 95 % intervals overlap, yet the difference is significant (z ≈ 2,4)
    assert round(100 * share_2022, 1) == 7.3 and round(100 * share_2024, 1) == 10.0
    assert burglary["z"] == pytest.approx(2.4, abs=0.05) and burglary["forandring"] == "ökat"
