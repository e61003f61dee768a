"""A report set is replaced as a whole or not at all, also through a symbolic link; a killed swap is undone by
the next run, which removes only what lagesbild itself left; raw files stored together arrive together."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lagesbild_cli import interrupts
from lagesbild_cli.storage import runlock, staging
from lagesbild_cli.storage.raw import Manifest, atomic_write_bytes


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def old_set(tmp_path: Path) -> Path:
    final = tmp_path / "reports" / "2026" / "2023"
    (final / "csv").mkdir(parents=True)
    (final / "lagesbild.pdf").write_bytes(b"old pdf")
    (final / "csv" / "survey.csv").write_bytes(b"old survey")
    (final / "anteckningar.txt").write_bytes(b"the coordinator's own notes")
    return final


def test_the_new_set_replaces_the_old_one_and_keeps_the_users_own_files(old_set: Path) -> None:
    with staging.replaced_folder(old_set, old_set.parents[2]) as new:
        assert new.parent == old_set.parent and new.name.startswith(f".2023.lagesbild-new-{os.getpid()}-")
        (new / "csv").mkdir()
        (new / "lagesbild.pdf").write_bytes(b"new pdf")
        (new / "csv" / "indikatorer.csv").write_bytes(b"new csv")
    assert files(old_set) == {
        "anteckningar.txt": b"the coordinator's own notes",
        "csv/indikatorer.csv": b"new csv",
        "lagesbild.pdf": b"new pdf",
    }  # the old survey.csv belonged to the old set and went with it
    assert [p.name for p in old_set.parent.iterdir()] == ["2023"]  # no staging record left either


def test_a_failure_while_writing_leaves_the_old_set_as_it_was(old_set: Path) -> None:
    before = files(old_set)
    with pytest.raises(OSError), staging.replaced_folder(old_set, old_set.parents[2]) as new:
        (new / "lagesbild.pdf").write_bytes(b"new pdf")
        raise OSError(28, "No space left on device")
    assert files(old_set) == before and [p.name for p in old_set.parent.iterdir()] == ["2023"]


def test_a_failed_swap_puts_the_old_set_back(old_set: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = files(old_set)
    real = os.rename

    def fail_on_new(src: Path, dst: Path) -> None:
        if Path(src).name.startswith(".2023.lagesbild-new-"):
            raise OSError(28, "No space left on device", str(src))
        real(src, dst)

    monkeypatch.setattr(staging.os, "rename", fail_on_new)
    with pytest.raises(OSError), staging.replaced_folder(old_set, old_set.parents[2]) as new:
        (new / "lagesbild.pdf").write_bytes(b"new pdf")
    assert files(old_set) == before and [p.name for p in old_set.parent.iterdir()] == ["2023"]


def test_the_first_set_needs_no_old_one(tmp_path: Path) -> None:
    with staging.replaced_folder(tmp_path / "lan-20" / "2023", tmp_path / "data") as new:
        (new / "lansoversikt.pdf").write_bytes(b"pdf")
    assert files(tmp_path) == {"lan-20/2023/lansoversikt.pdf": b"pdf"}
    assert not list((tmp_path / "data" / staging.RECORDS).iterdir())


def killed_run(data_dir: Path, final: Path, token: str, *, moved_aside: bool) -> tuple[Path, Path]:
    """What a run killed while replacing ``final`` leaves: its record, and the new set it was writing or the old
    set it had moved aside (as replaced_folder names them)."""
    new = final.with_name(f".{final.name}.lagesbild-new-{token}")
    old = final.with_name(f".{final.name}.lagesbild-old-{token}")
    record = {"final": str(final), "new": str(new), "old": str(old)}
    atomic_write_bytes(data_dir / staging.RECORDS / f"{token}.json", json.dumps(record).encode())
    if moved_aside:
        os.rename(final, old)
    new.mkdir(parents=True)
    (new / "lagesbild.pdf").write_bytes(b"half")
    return new, old


def test_recover_undoes_what_a_killed_run_left(tmp_path: Path) -> None:
    reports = tmp_path / "processed" / "reports"
    for kommun in ("2026", "2062"):
        (reports / kommun / "2023").mkdir(parents=True)
        (reports / kommun / "2023" / "lagesbild.pdf").write_bytes(b"previous")
    killed_run(tmp_path, reports / "2026" / "2023", "4242-00c0ffee", moved_aside=True)  # between the two renames
    killed_run(tmp_path, reports / "2062" / "2023", "17-0badf00d", moved_aside=False)  # while writing
    assert len(staging.recover(tmp_path)) == 3
    assert files(reports) == {"2026/2023/lagesbild.pdf": b"previous", "2062/2023/lagesbild.pdf": b"previous"}
    assert sorted(p.name for p in (reports / "2026").iterdir()) == ["2023"]
    assert not list((tmp_path / staging.RECORDS).iterdir())


def test_the_next_run_removes_only_what_lagesbild_left(tmp_path: Path) -> None:
    """Files and folders a user named like leftovers are theirs: only marked temp files and recorded staging
    folders go (the base code deleted all of these, the folders with everything in them)."""
    data = tmp_path / "data"
    own = {
        "raw/.survey.old-2024/2024.csv": b"a round kept by hand",
        "raw/.utkast.tmp.txt": b"a draft",
        "processed/reports/2026/.2024.new-123/lagesbild.pdf": b"a copy kept by hand",
        "processed/reports/2026/.2024.old-77/lagesbild.pdf": b"another",
        "raw/.manifest.json.x1y2z3.tmp": b"an old-style temp name, but not ours to judge",
    }
    for name, content in own.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_bytes(content)
    marked = data / "raw" / ".manifest.json.lagesbild-k2j4h5g6.tmp"  # a killed run's temp file
    marked.write_bytes(b"{")
    database_temp = data / "processed" / ".lagesbild.duckdb.lagesbild-4242.tmp.wal"
    database_temp.write_bytes(b"wal")
    with runlock.exclusive(data):
        pass
    assert {k: v for k, v in files(data).items() if k != ".lagesbild.lock"} == own
    assert staging.old_style_leftovers(data) == [
        data / "processed/reports/2026/.2024.new-123",
        data / "processed/reports/2026/.2024.old-77",
        data / "raw/.survey.old-2024",
    ]


@pytest.fixture
def web_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A report folder that is a symbolic link to a kommun's web folder holding last year's set."""
    web = tmp_path / "www" / "lagesbild"
    web.mkdir(parents=True)
    (web / "lagesbild.pdf").write_bytes(b"old pdf")
    (web / ".htaccess").write_bytes(b"Options -Indexes")
    link = tmp_path / "data" / "processed" / "reports" / "2026" / "2024"
    link.parent.mkdir(parents=True)
    link.symlink_to(web)
    return link, web


def test_a_linked_report_folder_is_written_through_twice(web_folder: tuple[Path, Path], tmp_path: Path) -> None:
    link, web = web_folder
    for n in (1, 2):
        with staging.replaced_folder(link, tmp_path / "data") as new:
            assert new.parent == web.parent  # beside the link's target: one file system, one rename
            (new / "lagesbild.pdf").write_bytes(f"new pdf {n}".encode())
        assert link.is_symlink() and link.resolve() == web
        assert files(web) == {".htaccess": b"Options -Indexes", "lagesbild.pdf": f"new pdf {n}".encode()}
        assert [p.name for p in web.parent.iterdir()] == ["lagesbild"]
        assert [p.name for p in link.parent.iterdir()] == ["2024"]
        assert not list((tmp_path / "data" / staging.RECORDS).iterdir())
    assert interrupts.notes()[-1] == f"the new report set is in place in {link}"
    interrupts.forget()


def test_a_link_whose_folder_cannot_be_written_is_refused_by_name(
    web_folder: tuple[Path, Path], tmp_path: Path
) -> None:
    link, web = web_folder
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    web.parent.chmod(0o555)
    try:
        with pytest.raises(staging.LinkedFolderError) as raised, staging.replaced_folder(link, tmp_path / "data"):
            pass
    finally:
        web.parent.chmod(0o755)
    assert f"The report folder {link} is a link to {web}" in str(raised.value)
    assert f"cannot write in {web.parent} (Permission denied)" in str(raised.value)
    assert files(web) == {".htaccess": b"Options -Indexes", "lagesbild.pdf": b"old pdf"}


def test_a_link_to_a_folder_holding_the_reports_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "data" / "processed" / "reports" / "2026" / "2024"
    link.parent.mkdir(parents=True)
    link.symlink_to("../..")  # data/processed: replacing it would replace the database and everything
    with pytest.raises(staging.LinkedFolderError, match="which holds the report folder itself"):
        with staging.replaced_folder(link, tmp_path / "data"):
            pass
    assert link.is_symlink() and (tmp_path / "data" / "processed" / "reports").is_dir()


def test_raw_files_stored_together_arrive_together_or_not_at_all(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path)
    manifest.store("bra/2026.xlsx", b"old", source="bra", origin="Gagnef.xlsx", status=None)
    before = files(tmp_path)
    with pytest.raises(interrupts.Interrupted), staging.stored_together(manifest, lambda f: "") as staged:
        staged.store("bra/2026.xlsx", b"new", source="bra", origin="Gagnef.xlsx", status=None)
        staged.store("bra/2062.xlsx", b"new", source="bra", origin="Mora.xlsx", status=None)
        raise interrupts.Interrupted()  # stopped before the second workbook's turn came, or after
    assert files(tmp_path) == before
    with staging.stored_together(manifest, lambda stored: f"stored {', '.join(stored)}") as staged:
        staged.store("bra/2026.xlsx", b"new", source="bra", origin="Gagnef.xlsx", status=None)
        staged.store("bra/2062.xlsx", b"new", source="bra", origin="Mora.xlsx", status=None)
        assert files(tmp_path)["bra/2026.xlsx"] == b"old" and "bra/2062.xlsx" not in files(tmp_path)
    assert interrupts.notes()[-1] == "stored bra/2026.xlsx, bra/2062.xlsx"
    interrupts.forget()
    assert {k: v.bytes for k, v in manifest.entries().items()} == {"bra/2026.xlsx": 3, "bra/2062.xlsx": 3}
    assert files(tmp_path / "bra") == {"2026.xlsx": b"new", "2062.xlsx": b"new"}
