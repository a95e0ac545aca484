"""sql.query.read and sql.table.write against real SQLite files."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from pathlib import Path

import polars as pl
import pytest
from pydantic import ValidationError

from odp.artifacts import DatasetRef
from odp.catalog import Catalog, MethodContext
from odp.config import Settings
from odp.errors import MethodError
from odp.methods import sql
from odp.spec import validate_text


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "app.db"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE posts (id INTEGER PRIMARY KEY, author TEXT, likes INTEGER, score REAL,
                            created_at TEXT);
        INSERT INTO posts VALUES (1, 'ann', NULL, 0.5, '2024-01-01 10:00:00'),
                                 (2, 'bob', NULL, -0.2, '2024-02-01 11:30:00'),
                                 (3, 'ann', 7, 0.9, '2024-03-01 12:00:00'),
                                 (4, 'cid', 12, NULL, '2024-04-01 09:15:00'),
                                 (5, 'bob', 3, 0.1, '2024-05-01 18:45:00');
        CREATE TABLE authors (id INTEGER, name TEXT);
        INSERT INTO authors VALUES (1, 'ann');
        """
    )
    con.commit()
    con.close()
    return path


def url(path: Path) -> str:
    return f"sqlite:///{path}"


def table_rows(path: Path, query: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def read(path: Path, query: str, **kw: object) -> sql.SqlReadParams:
    return sql.SqlReadParams.model_validate({"url": url(path), "query": query, **kw})


def write(path: Path, data: DatasetRef, table: str, **kw: object) -> sql.SqlWriteParams:
    return sql.SqlWriteParams.model_validate({"url": url(path), "data": data, "table": table, **kw})


# ---------------------------------------------------------------------- read
async def test_read_in_chunks_with_bound_params(ctx: MethodContext, db: Path) -> None:
    out = await sql.read_query(
        read(
            db,
            "SELECT id, author, likes, score FROM posts WHERE id >= :first AND author IN :who "
            "ORDER BY id",
            params={"first": 2, "who": ["bob", "cid"]},
            chunk_size=1,  # the first chunk's likes is all null; later chunks are integers
        ),
        ctx,
    )
    assert out.count == 3
    frame = ctx.store.read(out.data)
    assert frame.to_dicts() == [
        {"id": 2, "author": "bob", "likes": None, "score": -0.2},
        {"id": 4, "author": "cid", "likes": 12, "score": None},
        {"id": 5, "author": "bob", "likes": 3, "score": 0.1},
    ]
    assert frame.schema["likes"] == pl.Int64


async def test_read_without_params_keeps_colons_and_percents(ctx: MethodContext, db: Path) -> None:
    out = await sql.read_query(
        read(
            db,
            "SELECT '{\"a\":1}' AS j, '12:00' AS t, '100%' AS p, a.id, b.id FROM posts a "
            "JOIN authors b ON a.id = b.id",
        ),
        ctx,
    )
    assert ctx.store.read(out.data).to_dicts() == [
        {"j": '{"a":1}', "t": "12:00", "p": "100%", "id": 1, "id_2": 1}
    ]


async def test_read_empty_result_keeps_columns(ctx: MethodContext, db: Path) -> None:
    out = await sql.read_query(read(db, "SELECT id, author FROM posts WHERE id > 100"), ctx)
    assert out.count == 0
    assert out.data.column_names == ["id", "author"]


async def test_read_is_read_only(ctx: MethodContext, db: Path) -> None:
    with pytest.raises(MethodError, match="readonly") as err:
        await sql.read_query(read(db, "DELETE FROM posts"), ctx)
    assert not err.value.retryable
    assert err.value.hint == "sql.query.read only reads; change data with sql.table.write"
    assert table_rows(db, "SELECT count(*) FROM posts") == [(5,)]


@pytest.mark.parametrize(
    ("query", "params", "message", "field"),
    [
        ("SELECT * FROM post", {}, "no such table: post", "query"),
        ("SELEC 1", {}, "syntax error", "query"),
        ("SELECT * FROM posts WHERE id = :id", {"ids": 1}, "the query has no :ids", "params"),
        (
            "SELECT * FROM posts WHERE id = :id AND likes > :min",
            {"id": 1},
            "no value for :min",
            "params",
        ),
        ("PRAGMA foreign_keys = ON", {}, "returns no rows", "query"),
    ],
)
async def test_read_errors(
    ctx: MethodContext, db: Path, query: str, params: dict[str, object], message: str, field: str
) -> None:
    with pytest.raises(MethodError, match=message) as err:
        await sql.read_query(read(db, query, params=params), ctx)
    assert err.value.field == field
    assert not err.value.retryable


async def test_read_missing_file_and_bad_url(ctx: MethodContext, tmp_path: Path) -> None:
    with pytest.raises(MethodError, match="no SQLite database at") as err:
        await sql.read_query(read(tmp_path / "nope.db", "SELECT 1"), ctx)
    assert not (tmp_path / "nope.db").exists()
    with pytest.raises(MethodError, match="not a database URL"):
        await sql.read_query(sql.SqlReadParams(url="not a url", query="SELECT 1"), ctx)
    with pytest.raises(MethodError, match="no database driver") as err:
        await sql.read_query(sql.SqlReadParams(url="oracle+nodriver://h/db", query="SELECT 1"), ctx)
    assert err.value.field == "url"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_password_never_in_errors_and_unreachable_is_retryable(
    ctx: MethodContext,
) -> None:
    secret = "s3cr3t-pw"
    params = sql.SqlReadParams(
        url=f"postgresql+psycopg://odp:{secret}@127.0.0.1:{free_port()}/db?connect_timeout=3",
        query="SELECT 1",
    )
    with pytest.raises(MethodError) as err:
        await sql.read_query(params, ctx)
    assert err.value.retryable
    assert err.value.field == "url"
    assert secret not in str(err.value)
    assert "odp:***@127.0.0.1" in str(err.value)


async def test_sqlite_confined_to_files_root(store: object, tmp_path: Path, db: Path) -> None:
    from odp.artifacts import ArtifactStore

    assert isinstance(store, ArtifactStore)
    root = tmp_path / "root"
    root.mkdir()
    confined = MethodContext.for_testing(store, settings=Settings(files_root=root))
    with pytest.raises(MethodError, match="outside the folder"):
        await sql.read_query(read(db, "SELECT 1"), confined)


# ---------------------------------------------------------------------- write
@pytest.fixture
def scored(ctx: MethodContext) -> DatasetRef:
    return ctx.store.write(
        pl.DataFrame(
            {
                "id": [1, 2, 3],
                "text": ["good", "bad", "meh"],
                "sentiment": [0.4, -0.5, 0.0],
                "tags": [["a", "b"], [], None],
                "seen": [True, False, True],
            }
        )
    )


def another_run(ctx: MethodContext, run_id: str) -> MethodContext:
    return MethodContext.for_testing(ctx.store, settings=ctx.settings, run_id=run_id)


async def test_append_creates_the_table_and_is_idempotent_under_retry(
    ctx: MethodContext, tmp_path: Path, scored: DatasetRef
) -> None:
    target = tmp_path / "out.db"
    first = await sql.write_table(write(target, scored, "posts"), ctx)
    assert (first.rows_written, first.skipped, first.table) == (3, False, "posts")
    assert first.path == url(target)
    # the same step of the same run, retried: nothing is written again
    again = await sql.write_table(write(target, scored, "posts", batch_size=1), ctx)
    assert (again.rows_written, again.skipped) == (3, True)
    assert table_rows(target, "SELECT count(*) FROM posts") == [(3,)]
    # another run appends
    await sql.write_table(write(target, scored, "posts"), another_run(ctx, "run-2"))
    assert table_rows(target, "SELECT count(*) FROM posts") == [(6,)]
    assert table_rows(
        target, "SELECT key, table_name, rows, mode FROM odp_writes ORDER BY key"
    ) == [
        ("run-2:step", "posts", 3, "append"),
        ("run-test:step", "posts", 3, "append"),
    ]
    # types and JSON round trip through sql.query.read
    back = await sql.read_query(read(target, "SELECT * FROM posts ORDER BY rowid LIMIT 3"), ctx)
    rows = ctx.store.read(back.data).to_dicts()
    assert rows[0] == {"id": 1, "text": "good", "sentiment": 0.4, "tags": '["a", "b"]', "seen": 1}
    assert rows[2]["tags"] is None


async def test_concurrent_attempts_write_once(
    ctx: MethodContext, tmp_path: Path, scored: DatasetRef
) -> None:
    target = tmp_path / "out.db"
    results = await asyncio.gather(
        *(sql.write_table(write(target, scored, "posts"), ctx) for _ in range(3))
    )
    assert sorted(r.skipped for r in results) == [False, True, True]
    assert table_rows(target, "SELECT count(*) FROM posts") == [(3,)]


async def test_append_to_an_existing_table(
    ctx: MethodContext, db: Path, scored: DatasetRef
) -> None:
    with pytest.raises(MethodError, match="table posts has no column 'text'") as err:
        await sql.write_table(write(db, scored, "posts"), ctx)
    assert err.value.hint is not None and "id, author, likes, score, created_at" in err.value.hint
    fits = ctx.store.write(pl.DataFrame({"id": [10], "author": ["dan"]}))
    out = await sql.write_table(write(db, fits, "posts"), ctx)
    assert out.rows_written == 1
    assert table_rows(db, "SELECT author, likes FROM posts WHERE id = 10") == [("dan", None)]
    with pytest.raises(MethodError, match="UNIQUE constraint failed") as err:
        await sql.write_table(write(db, fits, "posts"), another_run(ctx, "run-2"))
    assert not err.value.retryable
    assert table_rows(db, "SELECT count(*) FROM odp_writes") == [(1,)]  # rolled back with it


async def test_replace_swaps_the_content(ctx: MethodContext, db: Path, scored: DatasetRef) -> None:
    out = await sql.write_table(write(db, scored, "posts", mode="replace", key=["id"]), ctx)
    assert out.rows_written == 3
    assert table_rows(db, "SELECT id, text FROM posts ORDER BY id") == [
        (1, "good"),
        (2, "bad"),
        (3, "meh"),
    ]
    tables = {r[0] for r in table_rows(db, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"posts", "authors", "odp_writes"}  # no staging table left
    again = await sql.write_table(write(db, scored, "posts", mode="replace"), ctx)
    assert again.skipped
    # the key became the primary key: upserts work on the replaced table
    changed = ctx.store.write(pl.DataFrame({"id": [3], "text": ["great"]}))
    await sql.write_table(
        write(db, changed, "posts", mode="upsert", key=["id"]), another_run(ctx, "run-2")
    )
    assert table_rows(db, "SELECT text FROM posts WHERE id = 3") == [("great",)]


async def test_failed_replace_leaves_the_old_table(ctx: MethodContext, db: Path) -> None:
    clash = ctx.store.write(pl.DataFrame({"id": [1, 1], "x": ["a", "b"]}))
    with pytest.raises(MethodError, match="UNIQUE constraint failed"):
        await sql.write_table(write(db, clash, "posts", mode="replace", key=["id"]), ctx)
    assert table_rows(db, "SELECT count(*) FROM posts") == [(5,)]
    tables = {r[0] for r in table_rows(db, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert not any(t.startswith("_odp_stage_") for t in tables)


async def test_upsert_inserts_and_updates(ctx: MethodContext, tmp_path: Path) -> None:
    target = tmp_path / "out.db"
    first = ctx.store.write(pl.DataFrame({"id": [1, 2], "n": [10, 20], "s": ["a", "b"]}))
    await sql.write_table(write(target, first, "t", mode="upsert", key=["id"]), ctx)
    second = ctx.store.write(
        pl.DataFrame({"id": [2, 3, 3], "n": [21, 30, 31], "s": ["b2", "c", "c2"]})
    )
    out = await sql.write_table(
        write(target, second, "t", mode="upsert", key=["id"]), another_run(ctx, "run-2")
    )
    assert out.rows_written == 2  # one row per key: the last of the two id=3 rows wins
    assert table_rows(target, "SELECT id, n, s FROM t ORDER BY id") == [
        (1, 10, "a"),
        (2, 21, "b2"),
        (3, 31, "c2"),
    ]
    keywords = ctx.store.write(pl.DataFrame({"nothing": [1, 1], "order": ["a", "b"]}))
    await sql.write_table(write(target, keywords, "select", mode="upsert", key=["nothing"]), ctx)
    assert table_rows(target, 'SELECT * FROM "select"') == [(1, "b")]
    keys_only = ctx.store.write(pl.DataFrame({"id": [3, 4]}))
    await sql.write_table(
        write(target, keys_only, "t", mode="upsert", key=["id"]), another_run(ctx, "run-3")
    )
    assert table_rows(target, "SELECT id, n FROM t WHERE id >= 3 ORDER BY id") == [
        (3, 31),
        (4, None),
    ]


async def test_upsert_errors(ctx: MethodContext, db: Path) -> None:
    nulls = ctx.store.write(pl.DataFrame({"id": [1, None], "author": ["x", "y"]}))
    with pytest.raises(MethodError, match="'id' is null in 1 rows") as err:
        await sql.write_table(write(db, nulls, "posts", mode="upsert", key=["id"]), ctx)
    assert err.value.field == "key"
    rows = ctx.store.write(pl.DataFrame({"id": [1], "name": ["x"]}))
    with pytest.raises(MethodError) as err:
        await sql.write_table(write(db, rows, "authors", mode="upsert", key=["id"]), ctx)
    assert err.value.hint == "upsert needs a primary key or unique index on the key columns"
    with pytest.raises(MethodError, match="'uid'") as err:
        await sql.write_table(write(db, rows, "authors", mode="upsert", key=["uid"]), ctx)
    assert err.value.field == "key"


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"table": "posts; DROP TABLE x"}, "is not a table name"),
        ({"table": "a.b.c"}, "is not a table name"),
        ({"table": "1posts"}, "is not a table name"),
        ({"mode": "upsert"}, "upsert needs the key columns"),
        ({"url": "nonsense"}, "not a database URL"),
    ],
)
def test_write_params_checks(scored: DatasetRef, kw: dict[str, object], message: str) -> None:
    params = {"url": "sqlite:///x.db", "data": scored, "table": "posts", **kw}
    with pytest.raises(ValidationError, match=message):
        sql.SqlWriteParams.model_validate(params)


def test_static_checks_in_a_pipeline(catalog: Catalog) -> None:
    text = """
name: to-db
sources:
  - name: posts
    method: sql.query.read
    params: {url: "mysql is not a url", query: SELECT 1}
sinks:
  - name: save
    method: sql.table.write
    params:
      data: "{{ posts.data }}"
      url: "{{ secrets.DB_URL }}"
      table: "bad name"
      mode: upsert
"""
    result = validate_text(text, catalog)
    messages = [d.message for d in result.diagnostics]
    assert any("not a database URL" in m for m in messages), messages
    assert any("is not a table name" in m for m in messages), messages
    assert any("upsert needs the key columns" in m for m in messages), messages


# ---------------------------------------------------------------------- types and names
def many_types() -> pl.DataFrame:
    import datetime as dt
    from decimal import Decimal

    return pl.DataFrame(
        {
            "i8": pl.Series([1, None], dtype=pl.Int8),
            "u64": pl.Series([2**40, 3], dtype=pl.UInt64),
            "f32": pl.Series([0.5, None], dtype=pl.Float32),
            "dec": pl.Series([Decimal("1.25"), Decimal("2.50")], dtype=pl.Decimal(10, 2)),
            "day": [dt.date(2024, 1, 2), None],
            "clock": [dt.time(12, 30), dt.time(0, 0)],
            "span": [dt.timedelta(hours=1), None],
            "blob": [b"\x00\x01", None],
            "naive": [dt.datetime(2024, 1, 1, 8, 0), None],
            "nested": [{"a": 1, "b": "x"}, None],
            "nothing": pl.Series([None, None], dtype=pl.Null),
        }
    )


async def test_many_types_round_trip_sqlite(ctx: MethodContext, tmp_path: Path) -> None:
    target = tmp_path / "types.db"
    ref = ctx.store.write(many_types())
    out = await sql.write_table(write(target, ref, "t"), ctx)
    assert out.rows_written == 2
    declared = {r[1]: r[2] for r in table_rows(target, "PRAGMA table_info(t)")}
    assert declared == {
        "i8": "INTEGER",
        "u64": "BIGINT",
        "f32": "REAL",
        "dec": "NUMERIC(10, 2)",
        "day": "DATE",
        "clock": "TIME",
        "span": "DATETIME",
        "blob": "BLOB",
        "naive": "DATETIME",
        "nested": "JSON",
        "nothing": "TEXT",
    }
    back = await sql.read_query(read(target, "SELECT * FROM t"), ctx)
    first = ctx.store.read(back.data).row(0, named=True)
    assert first["i8"] == 1 and first["u64"] == 2**40 and first["f32"] == 0.5
    assert first["day"] == "2024-01-02"  # SQLite keeps dates as text
    assert first["blob"] == b"\x00\x01"
    assert first["nested"] == '{"a": 1, "b": "x"}'


def test_chunks_with_different_types_become_text(tmp_path: Path) -> None:
    from odp.methods._database import concat_parts, frame_from_rows, unique_names

    parts = [tmp_path / "0.parquet", tmp_path / "1.parquet", tmp_path / "2.parquet"]
    frame_from_rows(["a", "b"], [([1, 2], 1)]).write_parquet(parts[0])
    frame_from_rows(["a", "b"], [("x", 2.5)]).write_parquet(parts[1])
    frame_from_rows(["a", "b"], [(None, None)]).write_parquet(parts[2])
    combined = concat_parts(parts).collect()
    assert combined.to_dicts() == [
        {"a": "[1, 2]", "b": 1.0},
        {"a": "x", "b": 2.5},
        {"a": None, "b": None},
    ]
    mixed = frame_from_rows(["n", "t"], [(1, 1), (2.5, "x"), (None, b"\x00")])
    assert mixed.schema == pl.Schema({"n": pl.Float64, "t": pl.String})
    assert mixed["t"].to_list() == ["1", "x", "00"]
    assert unique_names(["id", "id", "id_2", "", "id"]) == [
        "id",
        "id_2",
        "id_2_2",
        "column",
        "id_3",
    ]
