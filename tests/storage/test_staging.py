"""A report set is replaced as a whole or not at all, and a killed swap is undone by the next run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lagesbild_cli.storage import staging


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def old_set(tmp_path: Path) -> Path:
    final = tmp_path / "2026" / "2023"
    (final / "csv").mkdir(parents=True)
    (final / "lagesbild.pdf").write_bytes(b"old pdf")
    (final / "csv" / "survey.csv").write_bytes(b"old survey")
    (final / "anteckningar.txt").write_bytes(b"the coordinator's own notes")
    return final


def test_the_new_set_replaces_the_old_one_and_keeps_the_users_own_files(old_set: Path) -> None:
    with staging.replaced_folder(old_set) as new:
        assert new.parent == old_set.parent and new.name == f".2023.new-{os.getpid()}"
        (new / "csv").mkdir()
        (new / "lagesbild.pdf").write_bytes(b"new pdf")
        (new / "csv" / "indikatorer.csv").write_bytes(b"new csv")
    assert files(old_set) == {
        "anteckningar.txt": b"the coordinator's own notes",
        "csv/indikatorer.csv": b"new csv",
        "lagesbild.pdf": b"new pdf",
    }  # the old survey.csv belonged to the old set and went with it
    assert [p.name for p in old_set.parent.iterdir()] == ["2023"]


def test_a_failure_while_writing_leaves_the_old_set_as_it_was(old_set: Path) -> None:
    before = files(old_set)
    with pytest.raises(OSError), staging.replaced_folder(old_set) as new:
        (new / "lagesbild.pdf").write_bytes(b"new pdf")
        raise OSError(28, "No space left on device")
    assert files(old_set) == before and [p.name for p in old_set.parent.iterdir()] == ["2023"]


def test_a_failed_swap_puts_the_old_set_back(old_set: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = files(old_set)
    real = os.rename

    def fail_on_new(src: Path, dst: Path) -> None:
        if Path(src).name.startswith(".2023.new-"):
            raise OSError(28, "No space left on device", str(src))
        real(src, dst)

    monkeypatch.setattr(staging.os, "rename", fail_on_new)
    with pytest.raises(OSError), staging.replaced_folder(old_set) as new:
        (new / "lagesbild.pdf").write_bytes(b"new pdf")
    assert files(old_set) == before and [p.name for p in old_set.parent.iterdir()] == ["2023"]


def test_the_first_set_needs_no_old_one(tmp_path: Path) -> None:
    with staging.replaced_folder(tmp_path / "lan-20" / "2023") as new:
        (new / "lansoversikt.pdf").write_bytes(b"pdf")
    assert files(tmp_path) == {"lan-20/2023/lansoversikt.pdf": b"pdf"}


def test_recover_undoes_what_a_killed_run_left(tmp_path: Path) -> None:
    moved_aside = tmp_path / "reports" / "2026" / ".2023.old-4242"  # killed between the two renames
    moved_aside.mkdir(parents=True)
    (moved_aside / "lagesbild.pdf").write_bytes(b"previous")
    unfinished = tmp_path / "reports" / "2026" / ".2024.new-4242"
    unfinished.mkdir()
    (unfinished / "lagesbild.pdf").write_bytes(b"half")
    replaced = tmp_path / "reports" / "2062" / ".2023.old-17"  # killed before removing the old set
    replaced.mkdir(parents=True)
    (tmp_path / "reports" / "2062" / "2023").mkdir()
    assert len(staging.recover(tmp_path)) == 3
    assert files(tmp_path) == {"reports/2026/2023/lagesbild.pdf": b"previous"}
    assert sorted(p.name for p in (tmp_path / "reports" / "2062").iterdir()) == ["2023"]
