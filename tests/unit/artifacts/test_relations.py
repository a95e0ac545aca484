"""The DuckDB sandbox: pooled locked databases, one cursor per use."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from odp.artifacts import ArtifactStore, relations


def _parquet(path: Path, value: int) -> str:
    duckdb.sql(f"COPY (SELECT {value} AS x) TO '{path}' (FORMAT parquet)")
    return str(path)


def test_a_connection_reads_only_its_paths_and_cannot_unlock(tmp_path: Path) -> None:
    a, b = _parquet(tmp_path / "a.parquet", 1), _parquet(tmp_path / "b.parquet", 2)
    with relations.connect([a]) as con:
        assert con.sql(f"SELECT x FROM read_parquet('{a}')").fetchall() == [(1,)]
        with pytest.raises(duckdb.PermissionException):
            con.sql(f"SELECT x FROM read_parquet('{b}')").fetchall()
        with pytest.raises(duckdb.InvalidInputException):
            con.execute("SET enable_external_access = true")


def test_uses_of_the_same_paths_share_a_database_but_not_their_views(tmp_path: Path) -> None:
    store = ArtifactStore(str(tmp_path / "store"))
    one = store.write(duckdb.sql("SELECT 1 AS x").arrow())
    two = store.write(duckdb.sql("SELECT 2 AS x").arrow())
    with relations.sandbox({"t": one}) as first, relations.sandbox({"t": one}) as second:
        second.execute("DROP VIEW t")  # a temporary view belongs to its cursor
        assert first.sql("SELECT x FROM t").fetchall() == [(1,)]
    with relations.sandbox({"t": two}) as con:
        assert con.sql("SELECT x FROM t").fetchall() == [(2,)]
    with relations.sandbox({"t": one}) as again:  # the view died with its cursor
        assert again.sql("SELECT x FROM t").fetchall() == [(1,)]


def test_the_pool_stays_bounded_and_never_closes_a_database_in_use(tmp_path: Path) -> None:
    paths = [_parquet(tmp_path / f"{i}.parquet", i) for i in range(relations._POOL_SIZE + 4)]
    with relations.connect([paths[0]]) as held:
        for path in paths[1:]:
            with relations.connect([path]) as con:
                assert con.sql(f"SELECT x FROM read_parquet('{path}')").fetchall()
        assert len(relations._pool) <= relations._POOL_SIZE + 1
        # the held database was not closed under it
        assert held.sql(f"SELECT x FROM read_parquet('{paths[0]}')").fetchall() == [(0,)]


def test_threads_can_use_the_pool_at_once(tmp_path: Path) -> None:
    path = _parquet(tmp_path / "a.parquet", 7)
    seen: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                with relations.connect([path]) as con:
                    row = con.execute(f"SELECT x FROM read_parquet('{path}')").fetchone()
                    assert row is not None
                    seen.append(int(row[0]))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert seen == [7] * 80
