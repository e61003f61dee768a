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
from lagesbild_cli.database.store import open_store
from lagesbild_cli.errors import ParseError, ValidationError
from lagesbild_cli.rules.stats import kish_effective_n, wilson_interval
from lagesbild_cli.settings.config import Config

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
    from lagesbild_cli.settings.config import load_config

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
            r"  - 'Atlantis': 1 row \(first at line 2\)",
        ),
        (
            {(3, "Vikt"): "tung"},
            r"'Vikt' \(survey.weight_column\) holds values that are not positive numbers:\n"
            r"  - 'tung': 1 row \(first at line 5\)",
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
    from lagesbild_cli.settings.config import ServiceSettings
    from lagesbild_cli.settings.survey_mapping import SurveyArea

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


# ── Hostile exports (issue 26): closed group lists, a strict reader, limits, whole or nothing ────────────────


def write_rows(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "cp1252") -> Path:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def stored_survey(config: Config) -> dict[str, bytes]:
    """The stored rounds and the manifest, as bytes: what a failed or interrupted import must leave alone."""
    files = {str(p.relative_to(config.raw_dir)): p.read_bytes() for p in sorted(config.raw_dir.rglob("*.csv"))}
    return {**files, "manifest.json": (config.raw_dir / "manifest.json").read_bytes()}


CONTACT = "Anna Svensson anna@example.se"
ADDRESS = "070-1234567 Storgatan 5"


def hostile_exports(folder: Path) -> dict[str, tuple[Path, str]]:
    """Exports that must be refused, each with a part of the message a user reads (the file name, the line or
    the column), made from the sample survey."""
    header, rows = original_rows()
    sex, age = header.index("Kön"), header.index("Ålder")
    free = header.index(FREE_TEXT)
    contact = [list(r) for r in rows]
    contact[4][sex], contact[8][age], contact[9][sex] = CONTACT, ADDRESS, "x" * 100_000
    second_area = [[*r, "Djurås"] for r in rows]
    second_sex = [[*r, "Man"] for r in rows]
    unclosed = write_rows(folder / "citat.csv", header, rows).read_bytes().decode("cp1252").split("\r\n")
    cells = unclosed[6].split(";")
    cells[free] = '"Jag vill bara säga att'  # an opening quote that is never closed: the next lines are swallowed
    unclosed[6] = ";".join(cells)
    (folder / "citat.csv").write_bytes("\r\n".join(unclosed).encode("cp1252"))
    cells = unclosed[7].split(";")
    cells[free] = 'slut" och sedan'  # a quote in the next answer closes it: one respondent swallowed
    unclosed[7] = ";".join(cells)
    (folder / "citat2.csv").write_bytes("\r\n".join(unclosed).encode("cp1252"))
    utf8 = write_rows(folder / "blandad.csv", header, rows, encoding="utf-8").read_bytes()
    at = utf8.index(b"\r\n", utf8.index(b"\r\n") + 1)  # the end of line 2
    (folder / "blandad.csv").write_bytes(utf8[:at] + b" caf\xe9" + utf8[at:])  # one Windows-1252 'é' in UTF-8
    return {
        "contact": (
            write_rows(folder / "kontakt.csv", header, contact),
            "'Kön' (survey.sex_column) holds answers that are neither its listed groups nor in survey.sex_unplaced",
        ),
        "second area": (
            write_rows(folder / "omrade2.csv", [*header, "Område"], second_area),
            "survey.area_column = 'Område': columns 3 ('Område'), 21 ('Område')",
        ),
        "second sex": (
            write_rows(folder / "kon2.csv", [*header, " KÖN "], second_sex),
            "survey.sex_column = 'Kön': columns 4 ('Kön'), 21 (' KÖN ')",
        ),
        "unclosed quote": (folder / "citat.csv", "citat.csv, line 7: a quoted cell of 'Har du något övrigt du vill"),
        "quote closed a line later": (folder / "citat2.csv", "citat2.csv, line 7: a quoted cell of 'Har du"),
        "utf-16": (write_rows(folder / "unicode.csv", header, rows, encoding="utf-16"), "unicode.csv is UTF-16"),
        "stray byte": (
            folder / "blandad.csv",
            "blandad.csv is UTF-8, but line 2 holds a byte that is not UTF-8 (0xE9, 'é' in Windows-1252)",
        ),
    }


def test_contact_details_in_sex_and_age_are_refused_cut_and_never_published(config: Config, tmp_path: Path) -> None:
    pipeline.import_survey(config, SURVEY)
    before = stored_survey(config)
    bad, _ = hostile_exports(tmp_path)["contact"]
    with pytest.raises(ValidationError) as err:
        pipeline.import_survey(config, bad)
    message = str(err.value)
    contact_note = "looks like contact details: correct the file, never list it in lagesbild.toml"
    assert f"  - 'Anna Svensson <e-postadress>': 1 row (first at line 6) — {contact_note}" in message
    assert f"  - {'x' * 40 + '…'!r}: 1 row (first at line 11)" in message and "x" * 41 not in message
    assert "'Ålder' (survey.age_column) holds answers that are neither the age bands" in message
    assert f"  - '<telefonnummer> Storgatan 5': 1 row (first at line 10) — {contact_note}" in message
    assert "anna@example.se" not in message and "1234567" not in message  # never echoed, not even cut
    assert "kontakt.csv" in message and "nothing was imported" in message
    assert stored_survey(config) == before
    with open_store(config.db_path) as store:
        groups = {
            r["grupp"] for r in store.rows("select distinct grupp from ind_survey where dimension in ('kon', 'alder')")
        }
    assert groups == {"Kvinna", "Man", "Annat/vill inte uppge", "16–24", "25–44", "45–64", "65–84"}


def test_sex_and_age_answers_that_are_no_group_are_stored_but_never_published(make_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from lagesbild_cli.settings.survey_mapping import GroupColumn

    config = make_config()
    header, rows = original_rows()
    sex, age = header.index("Kön"), header.index("Ålder")
    for r in rows[:50]:
        r[sex], r[age] = "vill ej uppge", "Vill ej uppge"
    for r in rows[50:100]:
        r[age] = "85 år och äldre"  # an age band, accepted without a list
    mapping = replace(
        config.survey,
        sex=GroupColumn(("Kvinna", "Man"), ("Annat/vill inte uppge", "Vill ej uppge")),
        age=GroupColumn((), ("Vill ej uppge",), bands=True),
    )
    export = write_rows(tmp_path / "enkat.csv", header, rows)
    imported, _ = pipeline.import_survey(replace(config, survey=mapping), export)
    assert imported.respondents == 2800
    with open_store(config.db_path) as store:
        sexes = {r["grupp"] for r in store.rows("select distinct grupp from ind_survey where dimension = 'kon'")}
        ages = {r["grupp"] for r in store.rows("select distinct grupp from ind_survey where dimension = 'alder'")}
        total = store.rows("select count(distinct id || '-' || ar) as n from raw_survey_svar")[0]["n"]
    assert sexes == {"Kvinna", "Man"} and total == 2800  # the unplaced still count for the kommun
    assert ages == {"16–24", "25–44", "45–64", "65–84", "85 år och äldre"}
    listed = replace(mapping, age=GroupColumn(("16–24", "25–44", "45–64", "65–84"), ("Vill ej uppge",)))
    with pytest.raises(ValidationError, match=r"  - '85 år och äldre': 50 rows \(first at line 52, 53, 54\)"):
        pipeline.import_survey(replace(config, survey=listed), export)


def test_a_label_that_slipped_into_the_database_is_published_cut(config: Config) -> None:
    import duckdb

    from lagesbild_cli.context.survey import survey_section

    pipeline.import_survey(config, SURVEY)
    with duckdb.connect(str(config.db_path)) as con:  # as if an older version had let it in
        con.execute("update ind_survey set grupp = $g where dimension = 'kon' and grupp = 'Man'", {"g": CONTACT * 9})
    with open_store(config.db_path) as store:
        section = survey_section(store, config.kommun, 2024)
    assert section is not None
    labels = [*section.sex_groups, *[c.group for i in section.indicators for c in (*i.by_sex, *i.areas)]]
    assert max(map(len, labels)) == 40 and (CONTACT * 2)[:39] + "…" in section.sex_groups


@pytest.mark.parametrize(
    "case", ["second area", "second sex", "unclosed quote", "quote closed a line later", "utf-16", "stray byte"]
)
def test_a_malformed_export_is_refused_by_name_and_the_earlier_rounds_stay(
    case: str, config: Config, tmp_path: Path
) -> None:
    pipeline.import_survey(config, SURVEY)
    before = stored_survey(config)
    database = config.db_path.read_bytes()
    bad, expected = hostile_exports(tmp_path)[case]
    with pytest.raises((ValidationError, ParseError)) as err:
        pipeline.import_survey(config, bad)
    assert expected in str(err.value), str(err.value)
    assert stored_survey(config) == before and config.db_path.read_bytes() == database
    header, rows = original_rows()
    private = {r[header.index(c)] for r in rows for c in (FREE_TEXT, EMAIL)} - {""}
    assert not [p for p in private if p in str(err.value)]


def test_a_long_free_text_answer_is_read_past_and_changes_nothing(config: Config, tmp_path: Path) -> None:
    header, rows = original_rows()
    rows[3][header.index(FREE_TEXT)] = "Jag har mycket att säga. " * 8_000  # 200 000 characters, never read
    imported, _ = pipeline.import_survey(config, write_rows(tmp_path / "lang.csv", header, rows))
    assert imported.respondents == 2800
    assert respondents_per_round(config) == {2022: (1400, 1400), 2024: (1400, 1400)}


def test_a_survey_of_a_million_rows_is_refused_quickly_in_little_memory(config: Config, tmp_path: Path) -> None:
    """Refused at the 100 001st respondent, read as a stream: the time and memory are bounds, not timings."""
    import subprocess
    import sys
    import time

    header = SURVEY.read_bytes().split(b"\r\n", 1)[0]
    row = b"1;2022;Djur\xe5s;Kvinna;25\x9644;1,7" + b";" * 14 + b"\r\n"
    big = tmp_path / "miljon.csv"
    big.write_bytes(header + b"\r\n" + row * 1_000_000)
    script = (
        "import sys\nfrom pathlib import Path\nfrom lagesbild_cli import pipeline\n"
        "from lagesbild_cli.settings.config import load_config\nfrom lagesbild_cli.errors import ValidationError\n"
        "try:\n    pipeline.import_survey(load_config(Path(sys.argv[1])), Path(sys.argv[2]))\n"
        "except ValidationError as exc:\n    print(exc)\n"
        # the process's own peak (kB): VmHWM starts anew at exec, where ru_maxrss keeps the forking test worker's
        "print('peak', next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script, str(config.path), str(big)], capture_output=True, text=True, timeout=120
    )  # today: minutes and gigabytes
    assert done.returncode == 0, done.stderr
    assert "miljon.csv has more than 100 000 respondents (line 100002)" in done.stdout, done.stdout
    assert time.monotonic() - started < 60
    assert int(done.stdout.rsplit("peak ", 1)[1]) < 500_000  # kB
    assert not (config.raw_dir / "survey").exists()


def _with_survey_keys(config: Config, extra: str, areas: str = "") -> Path:
    text = config.path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^sex_values = .*$", extra, text, count=1)
    text = text.replace('[survey.areas."Djurås"]', f'{areas}[survey.areas."Djurås"]', 1)
    config.path.write_text(text, encoding="utf-8")
    return config.path


@pytest.mark.parametrize(
    ("extra", "areas", "message"),
    [
        (
            "",
            "".join(f'[survey.areas."Område {n}"]\nanswers = ["Område {n}"]\n' for n in range(200)),
            r"\[survey.areas\] has 207 areas; at most 200 fit in a report",
        ),
        (
            "",
            f'[survey.areas."{"Ö" * 41}"]\nanswers = ["Ö"]\n',
            "an area in .survey.areas. has a name of 41 characters",
        ),
        (
            f'age_values = ["{"1" * 41}"]',
            "",
            r"key 'survey.age_values' holds '1111111111111111111111111111111111111111'…",
        ),
        ("sex_values = []", "", "key 'survey.sex_values' is empty"),
    ],
)
def test_a_mapping_that_would_publish_too_much_is_a_config_error(
    extra: str, areas: str, message: str, config: Config
) -> None:
    from lagesbild_cli.errors import ConfigError
    from lagesbild_cli.settings.config import load_config

    with pytest.raises(ConfigError, match=message):
        load_config(_with_survey_keys(config, extra, areas))


def test_a_disk_full_while_storing_the_rounds_keeps_every_earlier_round(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second round's file cannot be written: the first round of the new export is not stored either."""
    import errno
    import os

    pipeline.import_survey(config, SURVEY)
    before = stored_survey(config)
    new_export = write_rounds_export(tmp_path / "enkat_2024_2026.csv", dropped=10)
    real_fsync, calls = os.fsync, []

    def full_at_the_second(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_at_the_second)
    with pytest.raises(OSError, match="No space left"):
        pipeline.import_survey(config, new_export)
    monkeypatch.undo()
    assert stored_survey(config) == before
    assert not [p.name for p in (config.raw_dir / "survey").rglob("*") if p.name.startswith(".")]  # no temp files
    assert respondents_per_round(config) == {2022: (1400, 1400), 2024: (1400, 1400)}


def test_an_interrupt_while_the_database_is_rebuilt_says_the_survey_was_stored(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    from lagesbild_cli import interrupts
    from lagesbild_cli.database import loader
    from lagesbild_cli.interrupts import Interrupted

    def interrupted(config: Config) -> None:
        raise Interrupted(signal.SIGTERM)

    monkeypatch.setattr(loader, "load", interrupted)
    interrupts.forget()
    with pytest.raises(Interrupted):
        pipeline.import_survey(config, SURVEY)
    assert interrupts.notes()[-1] == (
        f"the survey's rounds 2022, 2024 from {SURVEY.name} were stored in data/raw/ "
        "(the next 'lagesbild build' or 'lagesbild load' rebuilds the database from them)"
    )
    assert sorted(p.name for p in (config.raw_dir / "survey" / "2026").iterdir()) == ["2022.csv", "2024.csv"]


def test_running_out_of_memory_while_reading_names_the_file(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    import polars as pl

    def no_memory(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(pl, "concat", no_memory)  # where the rows read become one table
    with pytest.raises(ValidationError, match=f"{SURVEY.name} could not be read in the memory available"):
        pipeline.import_survey(config, SURVEY)
    assert not (config.raw_dir / "survey").exists()


def test_no_hostile_export_ends_as_a_bug_through_the_cli(config: Config, tmp_path: Path) -> None:
    """Each refused export: exit 1, the file named, no traceback, no 'bug', nothing private; the rounds stay."""
    from typer.testing import CliRunner

    from lagesbild_cli.cli import app

    pipeline.import_survey(config, SURVEY)
    before = stored_survey(config)
    header, rows = original_rows()
    private = {r[header.index(c)] for r in rows for c in (FREE_TEXT, EMAIL)} - {""}
    huge = tmp_path / "stor.csv"
    with huge.open("wb") as handle:  # sparse: over the limit without writing 200 MB
        handle.truncate(200_000_001)
    cases = {**hostile_exports(tmp_path), "too large": (huge, "stor.csv is larger than 200 MB")}
    for case, (path, expected) in cases.items():
        result = CliRunner().invoke(app, ["import", "survey", str(path), "--config", str(config.path)])
        output = result.stdout + result.stderr
        assert result.exit_code == 1, (case, output)
        assert expected in output and "Traceback" not in output and "bug" not in output, (case, output)
        assert str(tmp_path) not in output and not [p for p in private if p in output]
        assert stored_survey(config) == before


def test_a_stored_round_with_an_unlisted_group_is_not_loaded(config: Config) -> None:
    """A round stored by an earlier version, before sex was a closed list: the load refuses it by name."""
    from lagesbild_cli.database import loader

    pipeline.import_survey(config, SURVEY)
    stored = config.raw_dir / "survey" / "2026" / "2024.csv"
    earlier = stored.read_text(encoding="utf-8").replace(",Man,", f",{CONTACT},", 1)
    store_raw(config, "survey/2026/2024.csv", earlier.encode("utf-8"))  # as an earlier version stored it
    database = config.db_path.read_bytes()
    with pytest.raises(ValidationError) as err:
        loader.load(config)
    message = str(err.value)
    assert message.startswith("survey/2026/2024.csv (in data/raw/): the survey does not match [survey]")
    assert "  - 'Anna Svensson <e-postadress>': 1 row" in message and "import the survey export again" in message
    assert str(config.raw_dir) not in message and config.db_path.read_bytes() == database
