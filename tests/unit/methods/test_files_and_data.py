from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from odp.catalog import MethodContext
from odp.config import Settings
from odp.errors import MethodError
from odp.methods import data, files


@pytest.fixture
def orders_csv(tmp_path: Path) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(
        "id,category,score,status\n1,books,0.9,ok\n2,toys,0.2,ok\n3,books,0.7,returned\n4,toys,0.8,ok\n"
    )
    return path


async def test_read_filter_query_and_write(
    ctx: MethodContext, orders_csv: Path, tmp_path: Path
) -> None:
    read = await files.read_csv(files.CsvReadParams(path=str(orders_csv)), ctx)
    assert read.count == 4
    assert read.data.column_names == ["id", "category", "score", "status"]

    kept = await data.filter_rows(data.FilterParams(data=read.data, where="score > 0.5"), ctx)
    assert kept.count == 3

    totals = await data.sql_query(
        data.SqlQueryParams(
            inputs={"o": kept.data},
            query="SELECT category, count(*) AS n FROM o GROUP BY category ORDER BY category",
        ),
        ctx,
    )
    assert ctx.store.read(totals.data).to_dicts() == [
        {"category": "books", "n": 2},
        {"category": "toys", "n": 1},
    ]

    out = tmp_path / "out" / "totals.csv"
    written = await files.write_csv(files.CsvWriteParams(data=totals.data, path=str(out)), ctx)
    assert written.rows_written == 2
    assert out.read_text().splitlines() == ["category,n", "books,2", "toys,1"]
    # a retry writes the same file again: one file, same content, no leftovers
    await files.write_csv(files.CsvWriteParams(data=totals.data, path=str(out)), ctx)
    assert sorted(p.name for p in out.parent.iterdir()) == ["totals.csv"]


async def test_parquet_and_jsonl_round_trips(ctx: MethodContext, tmp_path: Path) -> None:
    ref = ctx.store.write(pl.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    pq_path = tmp_path / "x.parquet"
    jl_path = tmp_path / "x.jsonl"
    await files.write_parquet(files.WriteParams(data=ref, path=str(pq_path)), ctx)
    await files.write_jsonl(files.WriteParams(data=ref, path=str(jl_path)), ctx)
    assert [json.loads(line) for line in jl_path.read_text().splitlines()] == [
        {"a": 1, "b": "x"},
        {"a": 2, "b": "y"},
    ]
    back = await files.read_parquet(files.ReadParams(path=str(pq_path), columns=["b"]), ctx)
    assert ctx.store.read(back.data).to_dicts() == [{"b": "x"}, {"b": "y"}]
    back = await files.read_jsonl(files.ReadParams(path=str(jl_path)), ctx)
    assert back.count == 2


async def test_fsspec_uris(ctx: MethodContext) -> None:
    ref = ctx.store.write(pl.DataFrame({"a": [1, 2]}))
    await files.write_csv(files.CsvWriteParams(data=ref, path="memory://bucket/dir/a.csv"), ctx)
    back = await files.read_csv(files.CsvReadParams(path="memory://bucket/dir/a.csv"), ctx)
    assert back.count == 2
    await files.write_parquet(files.WriteParams(data=ref, path="memory://bucket/a.parquet"), ctx)
    assert (
        await files.read_parquet(files.ReadParams(path="memory://bucket/a.parquet"), ctx)
    ).count == 2


async def test_read_errors_are_clear(ctx: MethodContext, orders_csv: Path, tmp_path: Path) -> None:
    with pytest.raises(MethodError, match="no such file") as info:
        await files.read_csv(files.CsvReadParams(path=str(tmp_path / "missing.csv")), ctx)
    assert not info.value.retryable
    with pytest.raises(MethodError, match="'nope'") as info:
        await files.read_csv(files.CsvReadParams(path=str(orders_csv), columns=["nope"]), ctx)
    assert "id, category" in (info.value.hint or "")
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    with pytest.raises(MethodError, match="could not read"):
        await files.read_parquet(files.ReadParams(path=str(bad)), ctx)


async def test_filter_errors_name_the_columns(ctx: MethodContext) -> None:
    ref = ctx.store.write(pl.DataFrame({"score": [1.0], "text": ["a"]}))
    with pytest.raises(MethodError) as info:
        await data.filter_rows(data.FilterParams(data=ref, where="nope > 1"), ctx)
    assert "score, text" in (info.value.hint or "")
    assert not info.value.retryable
    with pytest.raises(MethodError, match="';'"):
        await data.filter_rows(data.FilterParams(data=ref, where="1=1; DROP TABLE data"), ctx)


async def test_sql_is_sandboxed(ctx: MethodContext, tmp_path: Path) -> None:
    ref = ctx.store.write(pl.DataFrame({"a": [1]}))
    secret = tmp_path / "secret.csv"
    secret.write_text("x\n1\n")
    for query in (
        f"SELECT * FROM read_csv('{secret}')",
        "SELECT * FROM a; SELECT 1",
        "CREATE TABLE t AS SELECT 1",
    ):
        with pytest.raises(MethodError):
            await data.sql_query(data.SqlQueryParams(inputs={"a": ref}, query=query), ctx)
    with pytest.raises(MethodError, match="identifier"):
        await data.sql_query(data.SqlQueryParams(inputs={"bad name": ref}, query="SELECT 1"), ctx)
    with pytest.raises(MethodError):
        await data.sql_query(data.SqlQueryParams(inputs={"a": ref}, query="SELEC nonsense"), ctx)


async def test_files_root_confines_paths(store_settings_ctx: MethodContext, tmp_path: Path) -> None:
    ctx = store_settings_ctx
    inside = tmp_path / "allowed" / "a.csv"
    inside.parent.mkdir()
    inside.write_text("a\n1\n")
    assert (await files.read_csv(files.CsvReadParams(path="a.csv"), ctx)).count == 1
    with pytest.raises(MethodError, match="outside"):
        await files.read_csv(files.CsvReadParams(path="/etc/passwd"), ctx)
    with pytest.raises(MethodError, match="outside"):
        await files.read_csv(files.CsvReadParams(path="../x.csv"), ctx)


@pytest.fixture
def store_settings_ctx(ctx: MethodContext, tmp_path: Path) -> MethodContext:
    ctx.settings = Settings(state_dir=tmp_path / ".odp", files_root=tmp_path / "allowed")
    return ctx


async def test_write_errors(ctx: MethodContext, tmp_path: Path) -> None:
    ref = ctx.store.write(pl.DataFrame({"a": [1]}))
    with pytest.raises(MethodError, match="folder"):
        await files.write_csv(files.CsvWriteParams(data=ref, path=str(tmp_path)), ctx)
    Path(ref.uri).unlink()
    with pytest.raises(MethodError, match="does not exist"):
        await files.write_csv(files.CsvWriteParams(data=ref, path=str(tmp_path / "x.csv")), ctx)
