from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import fsspec
import polars as pl
import pytest

from odp.artifacts import ArtifactStore, DatasetRef
from odp.catalog import MethodContext
from odp.config import Settings
from odp.errors import MethodError
from odp.methods import data, files
from odp.methods.tabular import WriteOutput


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


# ---------------------------------------------------------------------- Parquet sink copies
@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stored files the sinks copied."""
    done: list[str] = []
    real = shutil.copyfile

    def spy(source: str, target: str) -> Any:
        done.append(source)
        return real(source, target)

    monkeypatch.setattr(files.shutil, "copyfile", spy)
    return done


def _frame(rows: int = 50) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": range(rows),
            "text": ["long text " * 30] * rows,
            "at": [dt.datetime(2026, 1, 1) + dt.timedelta(hours=i) for i in range(rows)],
            "score": [i / 7 if i % 5 else None for i in range(rows)],
        }
    )


async def test_a_stored_dataset_is_written_out_as_a_copy(
    ctx: MethodContext, tmp_path: Path, copies: list[str]
) -> None:
    ref = ctx.store.write(_frame())
    out = tmp_path / "out" / "copy.parquet"
    written = await files.write_parquet(files.WriteParams(data=ref, path=str(out)), ctx)
    assert written == WriteOutput(path=str(out), rows_written=50)
    assert copies == [ref.uri]
    assert out.read_bytes() == Path(ref.uri).read_bytes()
    # the same rows, in the same types, as the normal way writes them
    normal = tmp_path / "normal.parquet"
    ctx.store.scan(ref).sink_parquet(normal, compression="zstd")
    assert pl.read_parquet(out).equals(pl.read_parquet(normal))
    assert pl.read_parquet_schema(out) == pl.read_parquet_schema(normal)
    # a retry writes the same file again: one file, same content, no leftovers
    out.write_bytes(b"an older file")
    await files.write_parquet(files.WriteParams(data=ref, path=str(out)), ctx)
    assert out.read_bytes() == Path(ref.uri).read_bytes()
    assert sorted(p.name for p in out.parent.iterdir()) == ["copy.parquet"]


async def test_a_copy_that_fails_midway_leaves_the_old_file_whole(
    ctx: MethodContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = ctx.store.write(_frame())
    out = tmp_path / "out.parquet"
    out.write_bytes(b"the previous run's file")

    def disk_full(source: str, target: str) -> None:
        Path(target).write_bytes(Path(source).read_bytes()[:10])
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(files.shutil, "copyfile", disk_full)
        with pytest.raises(MethodError, match="No space") as info:
            await files.write_parquet(files.WriteParams(data=ref, path=str(out)), ctx)
    assert info.value.retryable
    assert out.read_bytes() == b"the previous run's file"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []
    await files.write_parquet(files.WriteParams(data=ref, path=str(out)), ctx)  # the retry
    assert out.read_bytes() == Path(ref.uri).read_bytes()


class _CompressedWriteParams(files.WriteParams):
    """A Parquet sink with an option that changes the file."""

    compression: str = "snappy"


async def test_views_other_formats_and_options_take_the_normal_way(
    ctx: MethodContext, tmp_path: Path, copies: list[str]
) -> None:
    base = ctx.store.write(pl.DataFrame({"i": range(2000)}))
    view = ctx.store.view(f"SELECT i FROM read_parquet('{base.uri}') WHERE i >= 10", [base.uri])
    assert view.is_view
    out = tmp_path / "view.parquet"
    await files.write_parquet(files.WriteParams(data=view, path=str(out)), ctx)
    assert pl.read_parquet(out)["i"].to_list() == list(range(10, 2000))
    await files.write_csv(files.CsvWriteParams(data=base, path=str(tmp_path / "a.csv")), ctx)
    await files.write_jsonl(files.WriteParams(data=base, path=str(tmp_path / "a.jsonl")), ctx)
    assert (tmp_path / "a.csv").read_text().splitlines()[:2] == ["i", "0"]
    options = _CompressedWriteParams(data=base, path=str(tmp_path / "options.parquet"))
    await files._write(ctx, options, "parquet")
    assert pl.read_parquet(tmp_path / "options.parquet")["i"].to_list() == list(range(2000))
    # a Parquet file that the store did not write is read and written anew
    outside = tmp_path / "outside.parquet"
    pl.DataFrame({"i": [1, 2]}).write_parquet(outside, compression="uncompressed")
    foreign = DatasetRef(uri=str(outside), rows=2, sha256="0" * 64)
    await files.write_parquet(
        files.WriteParams(data=foreign, path=str(tmp_path / "f.parquet")), ctx
    )
    assert pl.read_parquet(tmp_path / "f.parquet")["i"].to_list() == [1, 2]
    assert copies == []


async def test_copies_to_remote_paths_and_from_remote_stores(
    ctx: MethodContext, settings: Settings, tmp_path: Path, copies: list[str]
) -> None:
    ref = ctx.store.write(_frame(10))
    await files.write_parquet(files.WriteParams(data=ref, path="memory://sink/a.parquet"), ctx)
    assert copies == [ref.uri]
    fs = fsspec.filesystem("memory")
    assert fs.cat_file("/sink/a.parquet") == Path(ref.uri).read_bytes()
    remote = MethodContext.for_testing(ArtifactStore("memory://odp-sink-test"), settings=settings)
    try:
        stored = remote.store.write(_frame(10))
        out = tmp_path / "from-remote.parquet"
        await files.write_parquet(files.WriteParams(data=stored, path=str(out)), remote)
        assert copies == [ref.uri]  # a remote store's file is read, not copied
        assert pl.read_parquet(out).equals(_frame(10))
    finally:
        remote.store.delete_workspace()
        fs.rm("/sink", recursive=True)


async def test_a_missing_stored_file_is_reported_on_the_data(
    ctx: MethodContext, tmp_path: Path
) -> None:
    ref = ctx.store.write(_frame(3))
    Path(ref.uri).unlink()
    with pytest.raises(MethodError, match="does not exist") as info:
        await files.write_parquet(
            files.WriteParams(data=ref, path=str(tmp_path / "x.parquet")), ctx
        )
    assert info.value.field == "data" and not info.value.retryable


async def test_a_parquet_read_is_a_view_described_by_the_footer(
    ctx: MethodContext, tmp_path: Path
) -> None:
    ctx.materialize = False  # the rows feed one next step
    path = tmp_path / "big.parquet"
    pl.DataFrame({"a": range(1500), "b": ["x"] * 1500}).write_parquet(path)
    read = await files.read_parquet(files.ReadParams(path=str(path), columns=["b"]), ctx)
    assert read.data.is_view and read.count == 1500
    # the reference DuckDB's count and schema gave before
    assert read.data == ctx.store.view(f"SELECT \"b\" FROM read_parquet('{path}')", [str(path)])
    with pytest.raises(MethodError, match="could not read") as info:
        await files.read_parquet(files.ReadParams(path=str(path), columns=["nope"]), ctx)
    assert info.value.field == "columns"
