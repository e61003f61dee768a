"""Batch builds (a whole län, or a list of kommuner) and byte-identical output for the same inputs."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import BRA_XLSX, MISSING_NOTES, OWNED_MARKERS, report_outputs, store_raw
from lagesbild_cli import batch, pipeline
from lagesbild_cli.cli import app
from lagesbild_cli.render import pdf_cache
from lagesbild_cli.settings.config import Config, load_config
from lagesbild_cli.settings.kommuner import kommuner_in_lan
from reading import parse_html, pdf_text
from worker_tasks import dies_in_a_worker, pid


@dataclass(frozen=True)
class Lan:
    config: Config
    output: str  # what the CLI printed


@pytest.fixture(scope="module")
def lan_2024(loaded_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Lan:
    """A preview of Dalarna's 15 reports of 2024 and the overview, through the CLI, as a länsstyrelse looks
    over a whole län: the web pages only. The batch with PDFs, in spawned workers, is ``owned_batch`` below."""
    folder = tmp_path_factory.mktemp("lan") / "project"
    shutil.copytree(loaded_dir, folder)
    config = load_config(folder / "lagesbild.toml")
    args = ["build", "--lan", "Dalarna", "--year", "2024", "--preview", "--config", str(config.path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    return Lan(config, result.stdout)


def test_a_whole_lan_previews_with_an_overview(lan_2024: Lan) -> None:
    preview = lan_2024.config.processed_dir / "preview"
    for kommun in kommuner_in_lan("20"):
        page = preview / kommun.kod / "2024" / "lagesbild.html"
        assert f" – {kommun.fullnamn} 2024</title>" in page.read_text(encoding="utf-8")
        assert f"Wrote {page}" in lan_2024.output
    overview = preview / "lan-20" / "2024" / "lansoversikt.html"
    names = [k.namn for k in kommuner_in_lan("20")]
    rows = {
        r[0]: r for r in parse_html(overview.read_text(encoding="utf-8")).rows if r and r[0] in names and len(r) == 20
    }
    assert len(rows) == 15  # every kommun, once, with its count and rate of all reported crimes
    assert rows["Vansbro"][1:3] == ["284", "4 214 ↓, minskat"] and rows["Gagnef"][1:3] == ["471", "4 526"]
    assert "(previews: the web pages only; no PDF or exports were made)" in lan_2024.output
    made = {p.relative_to(preview).as_posix() for p in preview.rglob("*") if p.is_file()}
    assert made == {f"{k.kod}/2024/lagesbild.html" for k in kommuner_in_lan("20")} | {"lan-20/2024/lansoversikt.html"}
    assert not lan_2024.config.reports_dir.exists()  # no report set was made or touched


def test_one_broken_kommun_fails_alone(loaded_config: Config) -> None:
    """A preview, whose kommuner go through the same steps (and the same catch) as a build's without the PDF."""
    store_raw(loaded_config, "bra/2062.xlsx", b"not a workbook")  # the raw data changed: the store reloads
    args = ["build", "--kommun", "2026,Mora", "--year", "2024", "--preview", "--config", str(loaded_config.path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "Error (left out" not in result.stdout
    assert "Error (Mora 2062): The Brå workbook for Mora (2062) could not be read" in result.stderr
    assert "1 of 2 reports failed; the others were written." in result.stderr
    preview = loaded_config.processed_dir / "preview"
    assert (preview / "2026" / "2024" / "lagesbild.html").exists()
    assert (preview / "lan-20" / "2024" / "lansoversikt.html").exists()  # two kommuner of one län: its overview
    assert not (preview / "2062").exists()


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@dataclass(frozen=True)
class Single:
    config: Config
    digests: dict[str, str]  # of its first build's report folder


VANSBRO = "2021"  # a kommun whose report is the same with or without Gagnef's own inputs (owned_batch)


@pytest.fixture(scope="module")
def single_2024(loaded_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Single:
    """Vansbro's 2024 report built on its own in this process, rendered anew (into an empty PDF cache of its
    own), for the tests below: the same inputs built again, and the batch's Vansbro, must give the same
    bytes."""
    folder = tmp_path_factory.mktemp("single") / "project"
    shutil.copytree(loaded_dir, folder)
    config = load_config(folder / "lagesbild.toml").with_kommun(VANSBRO)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(pdf_cache.ENV, str(folder.parent / "pdf-cache"))
        return Single(config, digests(pipeline.build(config, 2024).pdf.parent))


def test_the_same_inputs_give_byte_identical_files(single_2024: Single, monkeypatch: pytest.MonkeyPatch) -> None:
    """The HTML and every export computed again; the PDF of the same HTML comes from the cache. That two
    renders of one HTML give the same PDF is shown by the batch's Vansbro below, rendered anew in another
    process."""
    config, before = single_2024.config, single_2024.digests
    assert {"lagesbild.html", "lagesbild.pdf", "indikatorer.xlsx", "csv/indikatorer.csv"} <= set(before)
    folder = config.reports_dir / VANSBRO / "2024"
    shutil.rmtree(folder)
    monkeypatch.setenv(pdf_cache.ENV, str(config.path.parent.parent / "pdf-cache"))
    pipeline.build(config, 2024)
    assert digests(folder) == before


def test_a_preview_is_the_reports_web_page_and_leaves_the_report_set_alone(single_2024: Single) -> None:
    config, before = single_2024.config, single_2024.digests
    folder = config.reports_dir / VANSBRO / "2024"
    page = pipeline.preview(config, 2024).html
    assert page == config.processed_dir / "preview" / VANSBRO / "2024" / "lagesbild.html"
    assert page.read_bytes() == (folder / "lagesbild.html").read_bytes()
    dated = pipeline.preview(config, 2024, report_date=date(2027, 1, 15)).html.read_text(encoding="utf-8")
    assert "Utkast skapat 15 januari 2027" in dated
    assert digests(folder) == before


def test_the_batch_matches_single_builds(owned_batch: Owned, single_2024: Single) -> None:
    """A spawned worker of the batch rendered Vansbro's report (see owned_batch), this process the single
    build, each anew: the same bytes (the rendering is reproducible), although the batch's project also
    holds Gagnef's own inputs."""
    reports = owned_batch.config.reports_dir
    assert owned_batch.result.built == (reports / "2021/2024/lagesbild.pdf", reports / "2026/2024/lagesbild.pdf")
    assert not owned_batch.result.failed
    assert digests(reports / VANSBRO / "2024") == single_2024.digests
    assert owned_batch.result.overview == reports / "lan-20" / "2024" / "lansoversikt.pdf"  # one län: its overview
    assert "Länsöversikt: Dalarnas län 2024" in pdf_text(owned_batch.result.overview.read_bytes())
    assert BRA_XLSX.exists()


def test_a_worker_that_dies_fails_only_its_task_and_a_new_one_takes_over(tmp_path: Path) -> None:
    tasks = [partial(dies_in_a_worker, os.getpid(), str(tmp_path / "died"), n) for n in range(8)]
    results = batch._run_shared(tasks, workers=2)
    died = [n for n, r in enumerate(results) if r[0] is False]  # type: ignore[index]
    assert len(died) == 1 and "stopped unexpectedly" in results[died[0]][1]  # type: ignore[index]
    assert [r for n, r in enumerate(results) if n not in died] == [
        (True, f"report {n}") for n in range(8) if n not in died
    ]


def test_no_process_renders_without_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint's libraries keep memory per report, so the parent and each worker take only so many."""
    monkeypatch.setattr(batch, "PARENT_TASKS", 2)
    monkeypatch.setattr(batch, "WORKER_TASKS", 3)
    results = batch._run_shared([partial(pid, n) for n in range(12)], workers=2)
    assert [r[0] for r in results] == list(range(12))  # type: ignore[index]
    per_process = Counter(r[1] for r in results)  # type: ignore[index]
    assert per_process[os.getpid()] <= 2
    assert all(n <= 3 for pid, n in per_process.items() if pid != os.getpid())
    assert len(per_process) >= 1 + 10 // 3


@dataclass(frozen=True)
class Owned:
    config: Config
    result: batch.BatchResult
    outputs: dict[str, str]  # what a reader gets from each kommun's report folder


@pytest.fixture(scope="module")
def owned_batch(owned_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Owned:
    """Gagnef and Vansbro in one batch from Gagnef's config, with Gagnef's own inputs: each report and the
    overview rendered anew (an empty PDF cache of its own) in spawned worker processes (this process renders
    none), so the batch's Vansbro can be compared with a single build's. Its renders then go into the run's
    shared cache, as a build with it would have put them."""
    folder = tmp_path_factory.mktemp("batch") / "project"
    shutil.copytree(owned_dir, folder)
    config = load_config(folder / "lagesbild.toml")
    own_cache = folder.parent / "pdf-cache"
    kommuner = [k for k in kommuner_in_lan("20") if k.kod in ("2021", "2026")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch, "PARENT_TASKS", 0)
        patch.setenv(pdf_cache.ENV, str(own_cache))
        result = pipeline.build_many(config, kommuner, 2024, workers=2)
    assert not result.failed and len(result.built) == 2
    shared = Path(os.environ[pdf_cache.ENV])
    shared.mkdir(parents=True, exist_ok=True)
    for kept in [*own_cache.glob("*.pdf"), *own_cache.glob("*.json")]:  # each PDF with its record
        shutil.copyfile(kept, shared / kept.name)
    outputs = {kod: report_outputs(config.reports_dir / kod / "2024") for kod in ("2026", "2021")}
    return Owned(config, result, outputs)


@pytest.mark.parametrize("owned", sorted(OWNED_MARKERS))
def test_a_batch_shows_a_kommuns_own_inputs_only_in_its_report(owned_batch: Owned, owned: str) -> None:
    outputs = owned_batch.outputs
    assert [m for m in OWNED_MARKERS[owned] if m not in outputs["2026"]] == []
    assert [m for m in OWNED_MARKERS[owned] if m in outputs["2021"]] == []
    assert all(note in outputs["2021"] for note in MISSING_NOTES[owned])


def test_serial_batch_renders_in_bounded_processes_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """With workers = 1 this process hands over after PARENT_TASKS, and one worker at a time goes on."""
    monkeypatch.setattr(batch, "PARENT_TASKS", 2)
    monkeypatch.setattr(batch, "WORKER_TASKS", 3)
    results = batch._run_shared([partial(pid, n) for n in range(8)], workers=1)
    assert [r[0] for r in results] == list(range(8))  # type: ignore[index]
    pids = [r[1] for r in results]  # type: ignore[index]
    assert pids[:2] == [os.getpid()] * 2
    assert pids[2:5] == [pids[2]] * 3 and pids[5:] == [pids[5]] * 3  # serial: one worker after the other
    assert len({os.getpid(), pids[2], pids[5]}) == 3


def test_a_lan_without_bra_data_is_refused_before_anything_is_written(loaded_config: Config) -> None:
    """Only Dalarna's workbooks are loaded: a batch of Västra Götaland wrote its 49 report sets for nearly a minute,
    then failed at the overview without saying they were written. Now it is refused at once."""
    args = ["build", "--lan", "14", "--year", "2024", "--config", str(loaded_config.path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "No Brå data for the 49 kommuner of Västra Götalands län in 2024; nothing was written." in result.stderr
    assert "lagesbild import bra FOLDER" in result.stderr
    assert not loaded_config.reports_dir.exists() and result.stdout == ""


def test_a_failed_lan_overview_lists_the_reports_that_were_written(
    loaded_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_overview(*args: object) -> Path:
        raise batch.DataMissingError("No map for Dalarnas län.", hint="Fetch the geodata.")

    monkeypatch.setattr(batch, "lan_overview", no_overview)
    args = ["build", "--kommun", "2026,2062", "--year", "2024", "--preview", "--config", str(loaded_config.path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    preview = loaded_config.processed_dir / "preview"
    assert f"Wrote {preview / '2026' / '2024' / 'lagesbild.html'}" in result.stdout
    assert f"Wrote {preview / '2062' / '2024' / 'lagesbild.html'}" in result.stdout
    assert "Error (the län overview): No map for Dalarnas län." in result.stderr
    assert "The 2 reports listed above were written; the län overview was not." in result.stderr
