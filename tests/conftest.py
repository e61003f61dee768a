"""Shared fixtures. Real public data (and the fictitious survey) is in tests/data, each folder with its
provenance; tests read it and write to tmp only."""

from __future__ import annotations

import csv
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from lagesbild_cli import pipeline
from lagesbild_cli.config import Config, load_config
from lagesbild_cli.report import BuiltReport

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "tests" / "data"
BRA_XLSX = SAMPLES / "bra" / "kommunindikatorer_xlsx"
BRA_LONG_CSV = SAMPLES / "bra" / "bra_kommunindikatorer_dalarna_long.csv"
SURVEY_SECTION = "# ── The municipality's own citizen survey"


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
    """A project folder with all 15 Dalarna workbooks imported and loaded (built once per session)."""
    folder = tmp_path_factory.mktemp("loaded")
    pipeline.import_bra(load_config(write_config(folder)), [BRA_XLSX])
    return folder


@pytest.fixture
def loaded_config(loaded_dir: Path, tmp_path: Path) -> Config:
    """A private copy of the loaded project, so a test may change it."""
    folder = tmp_path / "project"
    shutil.copytree(loaded_dir, folder)
    return load_config(folder / "lagesbild.toml")


@pytest.fixture(scope="session")
def gagnef_2023(loaded_dir: Path) -> BuiltReport:
    return pipeline.build(load_config(loaded_dir / "lagesbild.toml"), 2023)
