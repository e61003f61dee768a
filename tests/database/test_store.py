"""The database: rebuilt whole or not at all, and opened on one thread (its tables are small)."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from lagesbild_cli.database.store import open_store, rebuild
from lagesbild_cli.errors import DatabaseDamagedError


def test_the_database_is_built_and_read_on_one_thread(tmp_path: Path) -> None:
    path = tmp_path / "lagesbild.duckdb"
    with rebuild(path) as store:
        store.write_table("t", pl.DataFrame({"x": [1, 2]}))
        assert store.rows("select current_setting('threads') as n")[0]["n"] == 1
    with open_store(path) as store:
        assert store.rows("select current_setting('threads') as n")[0]["n"] == 1
        assert store.rows("select sum(x) as s from t")[0]["s"] == 3


def _database(tmp_path: Path) -> Path:
    path = tmp_path / "processed" / "lagesbild.duckdb"
    with rebuild(path) as store:
        store.write_table("t", pl.DataFrame({"x": list(range(200_000)), "y": ["text"] * 200_000}))
    return path


def test_a_truncated_database_is_damaged_not_a_disk_problem(tmp_path: Path) -> None:
    path = _database(tmp_path)
    os.truncate(path, path.stat().st_size // 3)
    with pytest.raises(DatabaseDamagedError, match=r"processed/lagesbild.duckdb is damaged") as caught:
        with open_store(path) as store:
            store.rows("select sum(x) from t")
    assert "lagesbild load" in str(caught.value) and str(tmp_path) not in str(caught.value)


def test_a_database_overwritten_mid_file_is_damaged_not_a_bug(tmp_path: Path) -> None:
    path = _database(tmp_path)
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 8)
        handle.write(b"\xa5" * (size * 3 // 4))
    with pytest.raises(DatabaseDamagedError, match="lagesbild load"):
        with open_store(path) as store:
            store.rows("select sum(x) as s, max(y) as m from t")


def test_a_damaged_or_missing_database_reads_in_swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lagesbild_cli.errors import DataMissingError

    monkeypatch.setenv("LANGUAGE", "sv")
    path = _database(tmp_path)
    os.truncate(path, path.stat().st_size // 3)
    with pytest.raises(DatabaseDamagedError, match=r"Databasen processed/lagesbild.duckdb är skadad") as caught:
        with open_store(path) as store:
            store.rows("select sum(x) from t")
    assert "kör 'lagesbild load' för att bygga om den" in str(caught.value)
    with pytest.raises(DataMissingError, match=r"Det finns ingen databas i .*\n  → Kör 'lagesbild fetch'"):
        with open_store(tmp_path / "saknas.duckdb"):
            pass
