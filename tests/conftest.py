"""Shared fixtures. Real public data (and the fictitious survey) is in tests/data and, for the files the demo
needs too, in the package's data/demo; each folder with its provenance. Tests read it and write to tmp only."""

from __future__ import annotations

import os

# The tests read the messages in English, the fallback (LANG=en); tests/test_i18n.py reads them in Swedish,
# the default. Set before the package is imported: the command's help texts are translated on import.
os.environ["LANGUAGE"] = "en"
# Suggested commands read `lagesbild …` as on a PATH with lagesbild installed, also under `uv run pytest` (which
# would make them `uv run lagesbild …`); tests/test_i18n.py simulates both.
os.environ.pop("UV", None)

import csv
import gc
import html
import re
import shutil
import socket
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock
from typer.testing import CliRunner

from lagesbild_cli import demo, pipeline
from lagesbild_cli.cli import app
from lagesbild_cli.context import report_sheets
from lagesbild_cli.database.store import open_store
from lagesbild_cli.render import exports, pdf_cache
from lagesbild_cli.render.report import Preview
from lagesbild_cli.settings.config import Config, load_config
from lagesbild_cli.storage.raw import Manifest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "tests" / "data"
DEMO = demo.DATA  # files the tests share with `lagesbild demo`, kept once in the package
BRA_XLSX = DEMO / "bra"
POLISEN_ARCHIVE = DEMO / "polisen" / "events_dalarna_2023-2026.json"
GEOJSON = DEMO / "geo" / "okfse_swedish_municipalities.geojson"
SURVEY_CSV = DEMO / "survey" / "medborgarundersokning_gagnef_fiktiv.csv"
RADDNING_EXPORTS = demo.RADDNING  # the 2018 and 2019 exports
BRA_LONG_CSV = SAMPLES / "bra" / "bra_kommunindikatorer_dalarna_long.csv"
P = TypeVar("P")

SURVEY_SECTION = "# ── The municipality's own citizen survey"


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole test run, shared by xdist's workers (each has its own below it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if base.name.startswith("popen-gw") else base


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """The folder ``name``, filled by ``make`` once per test run: the first xdist worker to ask makes it
    while the others wait for it (a file lock, as pytest-xdist documents), then all read the same files.
    Tests only read such a folder; one that changes it works on a copy."""
    root = run_folder(tmp_path_factory) / "made-once"
    root.mkdir(exist_ok=True)
    folder, done = root / name, root / f"{name}.done"
    with FileLock(root / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # left by a worker whose make failed
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


# The test files that take longest, longest first. xdist hands each worker a whole file at a time
# (--dist loadfile, --no-loadscope-reorder) in this order, so the long files start at once and the short
# ones fill the end (by file name: test file names are unique). Only a hint for speed: files not named here
# follow, in their usual order.
LONGEST_FIRST = (
    "test_workflow.py",
    "test_crash.py",
    "test_accessibility.py",
    "test_report_statutory.py",
    "test_batch.py",
    "test_bra_browser.py",
    "test_cli.py",
    "test_survey.py",
    "test_polisen.py",
    "test_check_sources.py",
    "test_report_survey.py",
    "test_report_sources.py",
    "test_lint.py",  # mypy without its cache, as on a fresh clone: about 10 CPU-seconds
    "test_mcf.py",
    "test_hostile_text.py",
    "test_bra_parse.py",
    "test_bra_fetch.py",
    "test_bra_search.py",
    "test_properties.py",
    "test_kolada.py",
    "test_report_raddning.py",
    "test_answers.py",
)


def pytest_configure() -> None:
    """Python's bytecode cache (``__pycache__``, ignored by git) on for this run, even where the environment
    turns it off (PYTHONDONTWRITEBYTECODE, as many containers do). The suite starts many Pythons (xdist's
    workers, the CLI in subprocesses, the batch's spawned workers), and without the cache each compiles
    polars, DuckDB, WeasyPrint and lagesbild from source again: about 2.5 CPU-s a process (test_crash.py
    alone: 53 CPU-s without, 27 with). Runs in the controlling process before xdist starts its workers,
    which inherit it, as do the processes they start."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


def pytest_collection_finish() -> None:
    """Python's cycle collector leaves alone what exists once the tests are collected (the imported libraries,
    the test items): it runs often while the tests make objects, and each full collection scanned all of that
    again, about a twentieth of the suite's CPU time. Each xdist worker collects, so each freezes its own."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish() -> None:
    """Everything back under the collector before the session's summary: a library's check there asks the
    collector who refers to an object (hypothesis, through trio's plugin), and it cannot see frozen objects."""
    gc.unfreeze()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than there are cores. A worker often waits (for a CLI run in a subprocess,
    a browser, a loopback server's rate limit): on 2 cores the third keeps them busy (3 min 30 s instead of
    3 min 45 s)."""
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session", autouse=True)
def shared_pdf_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One PDF cache for the whole session, shared by xdist's workers (and the CLI runs they start): a report
    whose HTML another test has rendered already is not rendered again. Tests of rendering itself turn it off."""
    folder = run_folder(tmp_path_factory) / "pdf-cache"
    before = os.environ.get(pdf_cache.ENV)
    os.environ[pdf_cache.ENV] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(pdf_cache.ENV, None)
    else:
        os.environ[pdf_cache.ENV] = before


@pytest.fixture
def no_pdf_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every PDF is rendered anew: for tests of the rendering itself."""
    monkeypatch.setenv(pdf_cache.ENV, "off")


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to loopback servers only: any other host fails at once instead of hanging."""
    real = socket.getaddrinfo

    def guarded(host: object, *args: object, **kwargs: object) -> object:
        if host not in ("localhost", "127.0.0.1", "::1", None):
            raise OSError(f"a test tried to reach {host!r}; tests may only use loopback servers")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


def no_sleep(seconds: float) -> None:
    """Retries and rate limits wait through this in tests, so they run instantly."""


def write_config(folder: Path, *, kommun: str = "2026", extra: str = "") -> Path:
    """A config like the shipped one, with its data folder inside ``folder``, quick retries, and
    ``extra`` lines (Brå URLs) under [sources.bra.urls]. For a kommun other than Gagnef the [survey]
    section is left out: its areas are Gagnef's DeSO, which no other kommun's config may name."""
    text = (REPO / "lagesbild.toml").read_text(encoding="utf-8")
    if kommun != "2026":
        text = text[: text.index(SURVEY_SECTION)]
    text = text.replace('kod = "2026"', f'kod = "{kommun}"').replace('namn = "Gagnef"', "# namn")
    text = text.replace('lan = "20"', "# lan")
    text = text.replace("retries = 3 ", "retries = 1 ").replace("backoff_seconds = 2 ", "backoff_seconds = 0 ")
    path = folder / "lagesbild.toml"
    text = text.replace("[sources.bra.urls]\n", "[sources.bra.urls]\n" + extra)
    path.write_text(text, encoding="utf-8")
    return path


def store_raw(config: Config, relative: str, data: bytes) -> None:
    """Put ``data`` into data/raw/ as lagesbild stores a file, with its manifest entry (raw files are verified
    against the manifest at load): for tests of what the loader makes of a file it stored."""
    source = relative.split("/", 1)[0]
    Manifest(config.raw_dir).store(relative, data, source=source, origin=Path(relative).name, status=None)


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    def make(kommun: str = "2026", extra: str = "") -> Config:
        return load_config(write_config(tmp_path, kommun=kommun, extra=extra))

    return make


@pytest.fixture
def config(make_config: Callable[..., Config]) -> Config:
    return make_config()


@pytest.fixture(scope="session")
def bra_long() -> list[dict[str, str]]:
    with BRA_LONG_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def loaded_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder with all 15 Dalarna workbooks imported and loaded (made once per test run; read only)."""
    return made_once(
        tmp_path_factory, "loaded", lambda folder: pipeline.import_bra(load_config(write_config(folder)), [BRA_XLSX])
    )


@pytest.fixture
def loaded_config(loaded_dir: Path, tmp_path: Path) -> Config:
    """A private copy of the loaded project, so a test may change it."""
    folder = tmp_path / "project"
    shutil.copytree(loaded_dir, folder)
    return load_config(folder / "lagesbild.toml")


@dataclass(frozen=True)
class ReportFiles:
    """A built report's web page and PDF."""

    html: Path
    pdf: Path


@pytest.fixture(scope="session")
def gagnef_2023(loaded_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    """Gagnef's 2023 report from the loaded project, built in a copy once per test run (the loaded folder is
    shared and read only); tests only read it."""

    def make(folder: Path) -> None:
        shutil.copytree(loaded_dir, folder / "project")
        pipeline.build(load_config(folder / "project" / "lagesbild.toml"), 2023)

    report = made_once(tmp_path_factory, "gagnef-2023", make) / "project" / REPORT.parent / "2023"
    return ReportFiles(report / "lagesbild.html", report / "lagesbild.pdf")


def exported_csv(config: Config, preview: Preview, file: str) -> str:
    """The CSV file ``file`` (``survey.csv``) a build writes beside the report whose page ``preview`` is: the
    same sheet from the same figures, as text. For tests of an export that need no PDF rendered."""
    with open_store(config.db_path) as store:
        sheets = report_sheets(store, preview.context)
    return exports.csv_bytes(next(s for s in sheets if s.file == file)).decode("utf-8-sig")


# ── A kommun's own inputs: Gagnef's survey, rescue-service export, problems, measures and texts ──────
OWNED_PLAN = """
[[plan.problems]]
id = "otrygghet-kvall"
title = "Otrygghet på kvällen i Djurås"
indicators = ["survey:otrygg_kvall@Djurås", "bra:totalt_antal_anmalda_brott"]

[[plan.problems]]
title = "Bilbränder i Mockfjärd"
indicators = ["raddning:avsiktliga_brander", "bra:skadegorelsebrott"]

[[plan.measures]]
name = "Medborgarlöfte 2025–2026"
kind = "medborgarlöfte"
partners = ["Gagnefs kommun", "Lokalpolisområde Falun-Borlänge"]
areas = ["Djurås", "Mockfjärd"]
start = 2025
end = 2026
problems = ["otrygghet-kvall"]
follow_up = "Trygghetsvandringar varje höst i lokala BRÅ"
"""
OWNED_TEXTS = {
    "sammanfattning.md": "Samordningsfunktionens sammanfattning: kvällsotryggheten har ökat i två tätorter.",
    "annan-information.md": "Socialtjänsten rapporterar fler orosanmälningar om unga i centralorten.",
    "analys.md": "Analysen pekar på att bilbränderna hänger ihop med en grupp unga vuxna.",
    "atgarder.md": "Åtgärdsplanen bör inriktas på kvällsaktiviteter för unga och bättre belysning.",
}


@pytest.fixture(scope="session")
def owned_dir(loaded_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Dalarna's workbooks plus Gagnef's own inputs: the survey, the rescue-service exports (which hold
    events of every Dalarna kommun), problems, measures and narrative texts (made once per test run; read
    only)."""

    def make(owned: Path) -> None:
        folder = owned / "project"
        shutil.copytree(loaded_dir, folder)
        path = folder / "lagesbild.toml"
        path.write_text(path.read_text(encoding="utf-8") + OWNED_PLAN, encoding="utf-8")
        (folder / "text").mkdir()
        for name, text in OWNED_TEXTS.items():
            (folder / "text" / name).write_text(text + "\n", encoding="utf-8")
        config = load_config(path)
        pipeline.import_survey(config, SURVEY_CSV)
        pipeline.import_raddning(config, RADDNING_EXPORTS)

    return made_once(tmp_path_factory, "owned", make) / "project"


def report_outputs(folder: Path) -> str:
    """Everything a reader gets from one report folder: the HTML's text, every CSV and the xlsx's strings."""
    parts = [re.sub(r"<[^>]+>", "", (folder / "lagesbild.html").read_text(encoding="utf-8"))]
    parts += [p.read_text(encoding="utf-8-sig") for p in sorted((folder / "csv").glob("*.csv"))]
    with zipfile.ZipFile(folder / "indikatorer.xlsx") as book:
        parts += [book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml")]
    return " ".join(html.unescape("\n".join(parts)).replace("\u00a0", " ").split())


# what shows that a report holds Gagnef's own inputs, per input
OWNED_MARKERS = {
    "survey": (
        "Djurås",
        "Mockfjärd",
        "Nordåker",
        "Dala-Floda",
        "Otrygg ute ensam sent en kväll i bostadsområdet",
        "svarande)",
        "survey:otrygg_kvall",
        "kommunens trygghetsundersökning (röjandeskyddad",
        "medborgarundersokning_gagnef_fiktiv",
    ),
    "raddning": (
        "och därav avsiktliga per område enligt räddningstjänstens händelserapporter",
        "raddning:avsiktliga_brander",
        "Räddningstjänstens egna händelserapporter (lokal export)",
        "msb_handelserapport_fordonsbrand",
    ),
    "measures": (
        "Medborgarlöfte 2025–2026",
        "Trygghetsvandringar varje höst",
        "Otrygghet på kvällen i Djurås",
        "Bilbränder i Mockfjärd",
    ),
    "narrative": tuple(OWNED_TEXTS.values()),
}
# what the other kommun's report says instead (Vansbro)
MISSING_NOTES = {
    # another kommun's report says what it lacks, with no working note (its coordinator cannot act on this project)
    "survey": ("Ingen egen trygghetsundersökning för Vansbro för 2024 finns i den här rapporten.",),
    "raddning": ("räddningstjänstens egna händelserapporter, som inte finns i den här rapporten",),
    "measures": ("Inga pågående åtgärder är angivna", "Inga prioriterade problem är angivna"),
    "narrative": ("Samordningsfunktionens text för det här avsnittet finns inte i den här rapporten.",),
}


REPORT = Path("data/processed/reports/2026/2024")


@dataclass(frozen=True)
class Demo:
    folder: Path
    output: str  # what the demo printed, stdout and stderr as a user sees them

    @property
    def report(self) -> Path:
        return self.folder / REPORT

    @property
    def html(self) -> str:
        return (self.report / "lagesbild.html").read_text(encoding="utf-8")

    def section(self, section_id: str) -> str:
        """The words of one section of the report, as a reader sees them."""
        from reading import parse_html  # imported late, when a test runs

        found = re.search(rf'<section id="{section_id}">(.*?)</section>', self.html, re.S)
        assert found is not None, section_id
        return " ".join(" ".join(parse_html(found.group(1)).text).split())


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo as a user runs it, built once per test run (a build takes a while); tests only read it."""

    def make(newcomer: Path) -> None:
        result = CliRunner().invoke(app, ["demo", "--dir", str(newcomer / "lagesbild-demo")])
        assert result.exit_code == 0, result.stderr
        (newcomer / "output.txt").write_text(result.output, encoding="utf-8")  # stdout and stderr, as shown

    newcomer = made_once(tmp_path_factory, "newcomer", make)
    return Demo(newcomer / "lagesbild-demo", (newcomer / "output.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with Gagnef's workbook loaded and its 2023 report, built once; each test works on its own
    copy. One workbook, not the län's 15: each killed or following run loads and builds in a fresh process,
    and what it must keep or restore is the same."""
    folder = tmp_path_factory.mktemp("built") / "project"
    folder.mkdir()
    config = load_config(write_config(folder))
    pipeline.import_bra(config, [BRA_XLSX / "Gagnef.xlsx"])
    pipeline.build(config, 2023)
    return folder


@pytest.fixture
def built_project(built_once: Path, tmp_path: Path) -> Path:
    shutil.copytree(built_once, tmp_path / "project")
    return tmp_path / "project" / "lagesbild.toml"
