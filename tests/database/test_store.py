"""The database: rebuilt whole or not at all, and opened on one thread (its tables are small)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lagesbild_cli.database.store import open_store, rebuild


def test_the_database_is_built_and_read_on_one_thread(tmp_path: Path) -> None:
    path = tmp_path / "lagesbild.duckdb"
    with rebuild(path) as store:
        store.write_table("t", pl.DataFrame({"x": [1, 2]}))
        assert store.rows("select current_setting('threads') as n")[0]["n"] == 1
    with open_store(path) as store:
        assert store.rows("select current_setting('threads') as n")[0]["n"] == 1
        assert store.rows("select sum(x) as s from t")[0]["s"] == 3
