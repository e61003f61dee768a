"""The survey section in the built report, and a privacy sweep over everything the tool writes."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPORT, Demo, ReportFiles, exported_csv, write_config
from lagesbild_cli import pipeline
from lagesbild_cli.cli import app
from lagesbild_cli.context import formatting
from lagesbild_cli.database.store import open_store
from lagesbild_cli.settings.config import Config, load_config
from reading import parse_html, pdf_text
from sources.test_survey import EMAIL, FREE_TEXT, SURVEY, original_rows, write_rounds_export


@dataclass(frozen=True)
class SurveyProject:
    config: Config
    report: ReportFiles  # the 2024 report
    logs: str  # everything the CLI printed for the project


@pytest.fixture(scope="module")
def survey_project(built: Demo, tmp_path_factory: pytest.TempPathFactory) -> SurveyProject:
    """The demo in a copy: Gagnef with the fictitious survey, imported through the CLI as ``lagesbild demo``
    does, and its 2024 report (rendered once per run, for the demo's own tests too). A preview of 2023, the
    2022 round, is made here through the CLI: its web page is enough. The CLI's output is swept too."""
    folder = tmp_path_factory.mktemp("survey") / "project"
    shutil.copytree(built.folder, folder)
    config = load_config(folder / "lagesbild.toml")
    result = CliRunner().invoke(app, ["build", "--year", "2023", "--preview", "--config", str(config.path)])
    assert result.exit_code == 0, result.output
    report = folder / REPORT
    return SurveyProject(
        config, ReportFiles(report / "lagesbild.html", report / "lagesbild.pdf"), built.output + result.output
    )


def test_the_section_shows_shares_intervals_and_n(survey_project: SurveyProject) -> None:
    config = survey_project.config
    html = survey_project.report.html.read_text(encoding="utf-8")
    text = " ".join(" ".join(parse_html(html).text).split())
    assert "Trygghet och utsatthet per område" in text
    with open_store(config.db_path) as store:
        row = store.rows(
            "select n, andel, ki_undre, ki_ovre from ind_survey where indikator = 'otrygg_kvall' "
            "and ar = 2024 and dimension = 'omrade' and grupp = 'Djurås'"
        )[0]
    from lagesbild_cli.context.formatting import interval, percent

    expected = [
        "Djurås",
        str(row["n"]),
        percent(row["andel"] * 100).replace("\u00a0", " "),
        interval(row["ki_undre"] * 100, row["ki_ovre"] * 100),
    ]
    rows = [r for r in parse_html(html).rows if r and r[0] == "Djurås" and len(r) == 5]
    assert rows[0][:4] == expected  # the first per-area table is "otrygg ute sent en kväll"
    assert "24 % (n = 402)" in html.replace("\u00a0", " ")  # the dot plot's direct label


def test_small_areas_show_no_share(survey_project: SurveyProject) -> None:
    config = survey_project.config
    html_2024 = survey_project.report.html.read_text(encoding="utf-8")
    nordaker = [r for r in parse_html(html_2024).rows if r and r[0] == "Nordåker"]
    assert nordaker and all("%" not in " ".join(r) for r in nordaker)
    html_2022 = (config.processed_dir / "preview/2026/2023/lagesbild.html").read_text(encoding="utf-8")
    bjorbo = [r for r in parse_html(html_2022).rows if r and r[0] == "Björbo" and len(r) == 3 and r[1].isdigit()]
    assert bjorbo and all(r[2] == "för få svar" for r in bjorbo)
    assert "Kommunens egen trygghetsundersökning 2022" in " ".join(" ".join(parse_html(html_2022).text).split())


def test_own_survey_beside_ntu(survey_project: SurveyProject) -> None:
    html = survey_project.report.html.read_text(encoding="utf-8")
    row = next(
        r
        for r in parse_html(html).rows
        if r and r[0] == "Otrygg ute ensam sent en kväll i bostadsområdet" and len(r) == 7
    )
    assert row[5] == "10 % (2024)" and row[6] == "19,1 %"  # NTU 2024: Gagnef 10 %, Dalarnas län 19,1 %


def test_the_pdf_has_the_section(survey_project: SurveyProject) -> None:
    text = pdf_text(survey_project.report.pdf.read_bytes())
    assert "Trygghet och utsatthet per område" in text and "för få svar" in text


def private_markers() -> list[str]:
    """What must never leave the survey's file: its free texts, its e-mail addresses (sought by their domain:
    an address never leaks without it, and one search stands for all 835) and the phone number in a free text."""
    header, rows = original_rows()
    free_texts = {r[header.index(FREE_TEXT)] for r in rows} - {""}
    emails = {r[header.index(EMAIL)] for r in rows} - {""}
    domains = {e.rsplit("@", 1)[1] for e in emails}
    assert len(free_texts) >= 5 and len(emails) > 100 and domains == {"example.se"}
    return [t for t in free_texts if len(t) >= 8] + [f"@{d}" for d in domains] + ["070-123 45 67"]


def test_privacy_sweep(survey_project: SurveyProject, tmp_path: Path) -> None:
    """No free text or e-mail from the survey reaches the database, raw files, reports or logs (the messages
    of ``import survey`` itself: see the test of an overlapping export)."""
    config, logs = survey_project.config, survey_project.logs
    markers = private_markers()
    files = [p for p in config.data_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".duckdb" for p in files) and any(p.suffix == ".pdf" for p in files)
    texts = {str(p): p.read_bytes().decode("utf-8", "replace") for p in files}
    for p in files:
        if p.suffix == ".pdf":
            texts[f"{p} (text)"] = pdf_text(p.read_bytes())
    texts["CLI output"] = logs
    with open_store(config.db_path) as store:  # DuckDB may compress strings: ask it, too
        columns = store.rows(
            "select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
        )
        texts["database strings"] = "\n".join(
            str(store.rows(f'select distinct "{c["column_name"]}" as v from "{c["table_name"]}"')) for c in columns
        )
    for where, text in texts.items():
        leaked = [m for m in markers if m in text]
        assert not leaked, f"{where} contains survey free text or contact details: {leaked[:3]}"


def test_without_an_imported_survey_the_report_says_how(loaded_config: Config) -> None:
    html = pipeline.preview(loaded_config, 2023).html.read_text(encoding="utf-8")
    text = " ".join(" ".join(parse_html(html).text).split())
    assert "Ingen egen trygghetsundersökning för Gagnef för 2023 finns i den här rapporten." in text
    assert "Arbetsanteckning – visas inte i slutversionen. Enkätverktygets export läses in för hand" in text
    assert "lagesbild import" not in text and "[survey]" not in text  # no command or config key (issue 29)


def test_import_survey_without_a_mapping_is_a_clear_error(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("# ── The municipality's own citizen survey")], encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "survey", str(SURVEY), "--config", str(path)])
    assert result.exit_code == 1 and "has no [survey] section" in result.stderr
    shutil.rmtree(tmp_path / "data", ignore_errors=True)


def test_an_overlapping_export_counts_each_round_once_in_text_and_tables(loaded_config: Config, tmp_path: Path) -> None:
    second = write_rounds_export(tmp_path / "enkat_2024_2026.csv")  # the 2024 round without 100 respondents
    runner = CliRunner()
    outputs = []
    for export in (SURVEY, second):
        result = runner.invoke(app, ["import", "survey", str(export), "--config", str(loaded_config.path)])
        assert result.exit_code == 0, result.stderr
        outputs.append(result.output)  # stdout and stderr
    assert "Replaced round" not in outputs[0]
    assert "round(s) 2024, 2026" in outputs[1]
    assert f"Replaced round 2024 from the earlier import of {SURVEY.name}." in outputs[1]
    assert str(tmp_path) not in outputs[1].split("Replaced", 1)[1]  # the file's name only
    assert [m for m in private_markers() if m in "\n".join(outputs)] == []  # no free text or contact detail
    preview = pipeline.preview(loaded_config, 2024)  # the web page, and the export below from its figures
    page = parse_html(preview.html.read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.text).split())
    assert "Kommunens egen trygghetsundersökning 2024 (1 300 svarande)" in text
    label = "Avstått från en aktivitet av oro för brott"  # a yes/no question every respondent answered
    overview = next(r for r in page.rows if r and r[0] == label and len(r) == 7)
    assert overview[3] == "1 300"
    whole = [r for r in page.rows if r and r[0] == "Hela kommunen" and len(r) == 5]
    assert whole[2][1] == "1 300"  # the third indicator's per-area table
    header, rows = original_rows()
    round_2024 = [r for r in rows if r[header.index("Enkätår")] == "2024"][100:]
    djuras = sum(1 for r in round_2024 if r[header.index("Område")] == "Djurås")
    areas = [r for r in page.rows if r and r[0] == "Djurås" and len(r) == 5]
    assert areas[2][1] == formatting.number(djuras).replace("\u00a0", " ")
    exported = {
        (r["Indikator"], r["År"], r["Indelning"], r["Grupp"]): r["Antal svarande (n)"]
        for r in csv.DictReader(exported_csv(loaded_config, preview, "survey.csv").splitlines(), delimiter=";")
    }
    assert exported[(label, "2024", "Hela kommunen", "Hela kommunen")] == "1300"
    assert exported[(label, "2022", "Hela kommunen", "Hela kommunen")] == "1400"


def _export_rows(folder: Path) -> list[dict[str, str]]:
    import csv
    import io

    text = (folder / "csv" / "survey.csv").read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def _number(text: str) -> float | None:
    return float(text.replace(",", ".")) if text else None


def test_a_hidden_group_cannot_be_computed_back_from_the_exports(survey_project: SurveyProject) -> None:
    """The attack: total share × total n minus each published group's share × n leaves the hidden group's
    yes-answers. Granted every group's true n (the exports do not publish it by sex and age) and that
    weighted shares behave like counts, the published values still leave a hidden share anywhere in a
    range at least 20 percentage points wide (within 0–100 %). Before, förtroende 2024 'Annat/vill inte
    uppge' came out as 65,2 % against a true 65,6 %, a range of width 0."""
    import openpyxl

    config = survey_project.config
    folder = survey_project.report.pdf.parent
    rows = _export_rows(folder)
    with open_store(config.db_path) as store:
        ids = {r["etikett"]: r["indikator"] for r in store.rows("select indikator, etikett from survey_indikatorer")}
        true_n = {
            (r["indikator"], r["ar"], r["dim"], r["grupp"]): r["n"]
            for r in store.rows(
                "select indikator, ar, 'kon' as dim, kon as grupp, count(*) as n from raw_survey_svar "
                "where kon is not null group by all union all "
                "select indikator, ar, 'alder', alder, count(*) from raw_survey_svar "
                "where alder is not null group by all"
            )
        }
    totals = {(r["Indikator"], r["År"]): r for r in rows if r["Indelning"] == "Hela kommunen"}
    attempts = 0
    for dimension, label in (("kon", "Kön"), ("alder", "Ålder")):
        tables: dict[tuple[str, str], list[dict[str, str]]] = {}
        for r in rows:
            if r["Indelning"] == label:
                tables.setdefault((r["Indikator"], r["År"]), []).append(r)
        for key, cells in tables.items():
            total = totals[key]
            n_total, share_total = int(total["Antal svarande (n)"]), _number(total["Andel (%)"])
            assert share_total is not None
            n_of = {c["Grupp"]: true_n[(ids[key[0]], int(key[1]), dimension, c["Grupp"])] for c in cells}
            for hidden in (c for c in cells if not c["Andel (%)"]):
                attempts += 1
                # the hidden group's "yes" (in per cent × respondents); the total is published with one decimal
                low, high = (share_total - 0.05) * n_total, (share_total + 0.05) * n_total
                for c in cells:
                    if c is hidden:
                        continue
                    share = _number(c["Andel (%)"])
                    if share is None:  # another hidden group: anything from none to all
                        low -= 100 * n_of[c["Grupp"]]
                        continue
                    rounding = 0.5 if share.is_integer() else 0.0
                    low -= (share + rounding) * n_of[c["Grupp"]]
                    high -= (share - rounding) * n_of[c["Grupp"]]
                n = n_of[hidden["Grupp"]]
                width = min(100.0, high / n) - max(0.0, low / n)
                assert width >= 20, (key, hidden["Grupp"], low / n, high / n)
            for c in cells:  # by sex and age: the share in whole per cent as the report shows it, no n
                assert c["Antal svarande (n)"] == "" and c["95 % KI, undre"] == ""
                assert not c["Andel (%)"] or c["Andel (%)"].isdigit()
    assert attempts >= 20  # 'Annat/vill inte uppge' in every indicator and round
    sheet = openpyxl.load_workbook(folder / "indikatorer.xlsx")["Trygghetsundersökning"]
    in_xlsx = [["" if v is None else v for v in row] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(in_xlsx) == len(rows)
    for x, c in zip(in_xlsx, rows, strict=True):
        if c["Indelning"] in ("Kön", "Ålder"):
            assert x[4] == x[5] == "" and x[6] == (int(c["Andel (%)"]) if c["Andel (%)"] else ""), (x, c)


def test_the_summary_reads_as_its_rules_say(survey_project: SurveyProject) -> None:
    """Each sentence of the 2024 summary, as a politician reads it aloud."""
    html = survey_project.report.html.read_text(encoding="utf-8")
    summary = " ".join(" ".join(parse_html(html.split('id="sammanfattning"')[1].split("</section>")[0]).text).split())
    method = " ".join(" ".join(parse_html(html.split('id="metod"')[1]).text).split())
    assert "Räknat per invånare har Gagnef plats 2 av länets 15 kommuner (plats 1 har lägst antal anmälda brott)." in (
        summary
    )
    # −0,05 % against 2021–2023, inside the Poisson interval: in whole per cent, as the table prints it (±0 %)
    assert (
        "Antalet anmälda brott per invånare 2024 var i stort sett oförändrat (±0 %) jämfört med medelvärdet för "
        "2021–2023. Det är ingen säkerställd förändring: skillnaden kan bero på slumpen." in summary
    )
    assert "0,05" not in summary and "från år till år" not in summary and "ja på" not in summary
    assert "7 av 15 brottsserier har färre än 10 anmälda brott 2024. Små tal varierar mycket av en slump." in summary
    assert (
        "svarade 24 % av dem som tog ställning ”Ganska otrygg”, ”Mycket otrygg” eller ”Går aldrig ut ensam sent på "
        "kvällen på grund av otrygghet” på frågan" in summary
    )
    assert "NTU:s närmaste mått för Gagnef är 10 % (2024). NTU ställer andra frågor till andra svarande" in summary
    assert "oförändrad" not in summary.replace("inte att värdet är oförändrat", "")
    # every rule the summary and its table use is stated in the method section
    for rule in (
        "Kommuner med samma värde delar plats",
        "hela intervallet ligger över respektive under medelvärdet",
        "Varje års standardfel är halva bredden av Brås 95-procentsintervall delad med 1,96",
        "Kishs effektiva antal svarande",
        "signifikansnivå 5 %, tvåsidigt test",
        "Det betyder inte att värdet är oförändrat",
        "Därför blir områdenas antal svarande (n) tillsammans färre än hela kommunens",
        "Per kön och ålder visas bara andelar i hela procent",
        "ska inte jämföras direkt",
    ):
        assert rule in method, rule
    assert "på samma sätt" not in summary + method
