"""The user's own situations never end as "a bug": each hostile situation of publishing, leftovers, interrupts
and batches, run through the real CLI in a subprocess, gets its exit code and a message, never a traceback."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import BRA_XLSX
from test_crash import cli, start

REPORT = Path("data/processed/reports/2026/2023")


def link_the_report_to_a_web_folder(project: Path) -> None:
    web = project.parent / "www" / "lagesbild"
    web.parent.mkdir()
    shutil.move(project / REPORT, web)
    (project / REPORT).symlink_to(web)


def leave_an_old_style_leftover_link(project: Path) -> None:
    """What older versions left after building through a link (a link to the web folder, moved aside): every
    later run failed on it with "Cannot call rmtree on a symbolic link"."""
    web = project.parent / "www" / "lagesbild"
    web.mkdir(parents=True)
    (web / "lagesbild.pdf").write_bytes(b"the web folder's report")
    (project / REPORT.parent / ".2023.old-4242").symlink_to(web)


USER_FILES = {
    "data/raw/.survey.old-2024/2024.csv": b"a round kept by hand",
    "data/raw/.utkast.tmp.txt": b"a draft",
    "data/processed/reports/2026/.2023.new-123/lagesbild.pdf": b"a copy kept by hand",
}


def name_user_files_like_leftovers(project: Path) -> None:
    for name, content in USER_FILES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_bytes(content)


def link_the_report_to_the_data_folder(project: Path) -> None:
    shutil.rmtree(project / REPORT)
    (project / REPORT).symlink_to(project / "data")


def nothing(project: Path) -> None:
    pass


@dataclass(frozen=True)
class Case:
    name: str
    prepare: Callable[[Path], None]
    commands: tuple[tuple[str, ...], ...]  # run one after the other; each must end with ``code``
    code: int
    says: str = ""  # in the last command's stderr
    signal_at: str = ""  # a checkpoint where the last command is stopped by ``signum``
    signum: int = signal.SIGTERM


CASES = [
    Case(
        "a report folder linked to a web folder, built twice, then load, fetch and build",
        link_the_report_to_a_web_folder,
        (
            ("build", "--year", "2023", "--date", "2030-01-01"),
            ("build", "--year", "2023", "--date", "2030-01-02"),
            ("load",),
            ("fetch", "--offline"),
            ("build", "--year", "2023"),
        ),
        0,
    ),
    Case("an old version's leftover link", leave_an_old_style_leftover_link, (("build", "--year", "2023"),), 0),
    Case(
        "user files named like leftovers", name_user_files_like_leftovers, (("load",), ("build", "--year", "2023")), 0
    ),
    Case(
        "a report folder linked to the data folder",
        link_the_report_to_the_data_folder,
        (("build", "--year", "2023"),),
        1,
        "which holds the report folder itself",
    ),
    Case(
        "a län without Brå data",
        nothing,
        (("build", "--lan", "14"),),
        1,
        "No Brå data for the 49 kommuner of Västra Götalands län; nothing was written.",
    ),
    Case("Ctrl-C while rendering", nothing, (("build", "--year", "2023"),), 130, "Interrupted by Ctrl-C", "render", 2),
    Case("SIGTERM while writing the exports", nothing, (("build", "--year", "2023"),), 143, "SIGTERM", "exports"),
    Case(
        "SIGTERM while loading after import bra",
        nothing,
        (("import", "bra", str(BRA_XLSX / "Mora.xlsx")),),
        143,
        "1 Brå workbook was stored in data/raw/bra/",
        "load",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_never_a_bug(case: Case, built_once: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(built_once, project, symlinks=True)
    config = project / "lagesbild.toml"
    case.prepare(project)
    for n, command in enumerate(case.commands, start=1):
        if case.signal_at and n == len(case.commands):
            process, _ = start(config, case.signal_at, *command)
            process.send_signal(case.signum)
            _, err_bytes = process.communicate(timeout=120)
            code, err = process.returncode, err_bytes.decode("utf-8")
        else:
            result = cli(config, *command)
            code, err = result.returncode, result.stderr
        err = err.replace(str(tmp_path), "TMP")  # the test's folder is named after it
        assert "Traceback" not in err and "bug" not in err and "Internal error" not in err, err
        expected = case.code if n == len(case.commands) else 0
        assert code == expected, f"{' '.join(command)}: {err}"
    assert case.says in err
    if case.prepare is link_the_report_to_a_web_folder:
        web = project.parent / "www" / "lagesbild"
        assert (project / REPORT).is_symlink() and (project / REPORT).resolve() == web
        assert sorted(p.name for p in web.parent.iterdir()) == ["lagesbild"]
        assert sorted(p.name for p in (project / REPORT.parent).iterdir()) == ["2023"]
        assert "2 januari 2030" not in (web / "lagesbild.html").read_text(encoding="utf-8")  # the last build's date
    if case.prepare is leave_an_old_style_leftover_link:  # left alone: doctor names it
        assert (project / REPORT.parent / ".2023.old-4242").is_symlink()
        assert (project.parent / "www" / "lagesbild" / "lagesbild.pdf").read_bytes() == b"the web folder's report"
    if case.prepare is name_user_files_like_leftovers:
        assert {name: (project / name).read_bytes() for name in USER_FILES} == USER_FILES
