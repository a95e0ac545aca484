"""sql.query.read and sql.table.write against a real PostgreSQL (ODP_TEST_POSTGRES_URL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from collections.abc import Iterator

import polars as pl
import pytest
import sqlalchemy as sa

from odp.catalog import MethodContext
from odp.errors import MethodError
from odp.methods import sql

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

PG_URL = os.environ.get("ODP_TEST_POSTGRES_URL")


@pytest.fixture
def schema() -> Iterator[str]:
    """A schema of its own for each test, dropped afterwards."""
    if not PG_URL:
        pytest.skip("ODP_TEST_POSTGRES_URL is not set")
    name = f"odp_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        yield name
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        engine.dispose()


def run_sql(query: str) -> list[tuple[object, ...]]:
    assert PG_URL
    engine = sa.create_engine(PG_URL)
    try:
        with engine.begin() as conn:
            result = conn.execution_options(no_parameters=True).exec_driver_sql(query)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def another_run(ctx: MethodContext, run_id: str) -> MethodContext:
    return MethodContext.for_testing(ctx.store, settings=ctx.settings, run_id=run_id)


async def test_read_types_params_and_chunks(ctx: MethodContext, schema: str) -> None:
    assert PG_URL
    run_sql(
        f"""
        CREATE TABLE {schema}.events (
            id int PRIMARY KEY, uid uuid, body jsonb, amount numeric(8, 2),
            at timestamptz, ok bool, tags int[], ip inet, note text);
        INSERT INTO {schema}.events VALUES
          (1, '6f1c0c5e-6b0e-4c47-9a3c-0f1e2d3c4b5a', '{{"a": 1}}', 12.50,
           '2024-01-01 10:00:00+00', true, '{{1,2}}', '10.0.0.1', NULL),
          (2, NULL, '[1, "x"]', NULL, NULL, false, NULL, NULL, '50%: done'),
          (3, NULL, NULL, 3.25, '2024-06-01 00:00:00+00', NULL, '{{3}}', NULL, 'x');
        """
    )
    out = await sql.read_query(
        sql.SqlReadParams(
            url=PG_URL,
            query=f"SELECT * FROM {schema}.events WHERE id IN :ids OR note = :note ORDER BY id",
            params={"ids": [1, 2], "note": "x"},
            chunk_size=1,
        ),
        ctx,
    )
    frame = ctx.store.read(out.data)
    assert out.count == 3
    assert frame["uid"].to_list() == ["6f1c0c5e-6b0e-4c47-9a3c-0f1e2d3c4b5a", None, None]
    assert frame["ip"].to_list() == ["10.0.0.1", None, None]
    assert frame["body"].to_list() == ['{"a": 1}', '[1, "x"]', None]  # mixed JSON as text
    assert [float(v) if v is not None else None for v in frame["amount"]] == [12.5, None, 3.25]
    assert frame["tags"].to_list() == [[1, 2], None, [3]]
    assert frame["ok"].to_list() == [True, False, None]
    at = frame.schema["at"]
    assert isinstance(at, pl.Datetime) and at.time_zone in ("UTC", "Etc/UTC")


async def test_read_is_read_only(ctx: MethodContext, schema: str) -> None:
    assert PG_URL
    run_sql(
        f"CREATE TABLE {schema}.t (a int); INSERT INTO {schema}.t VALUES (1); "
        f"CREATE SEQUENCE {schema}.s"
    )
    # a SELECT that would write is stopped by the read-only transaction
    with pytest.raises(MethodError, match="read-only transaction") as err:
        await sql.read_query(
            sql.SqlReadParams(url=PG_URL, query=f"SELECT nextval('{schema}.s')"), ctx
        )
    assert not err.value.retryable
    assert err.value.hint == "sql.query.read only reads; change data with sql.table.write"
    # anything but a query is refused (the rows stream from a server-side cursor)
    for query in (f"DELETE FROM {schema}.t", f"SELECT 1 AS a; DELETE FROM {schema}.t"):
        with pytest.raises(MethodError, match=r"syntax error|multiple commands") as err:
            await sql.read_query(sql.SqlReadParams(url=PG_URL, query=query), ctx)
        assert err.value.hint is not None and "SELECT" in err.value.hint
    assert run_sql(f"SELECT count(*) FROM {schema}.t") == [(1,)]
    with pytest.raises(MethodError, match="does not exist") as err:
        await sql.read_query(sql.SqlReadParams(url=PG_URL, query="SELECT * FROM nope"), ctx)
    assert err.value.field == "query"


async def test_append_is_idempotent_and_concurrent_attempts_write_once(
    ctx: MethodContext, schema: str
) -> None:
    assert PG_URL
    rows = ctx.store.write(
        pl.DataFrame(
            {
                "id": [1, 2, 3],
                "text": ["a", "b", "c"],
                "embedding": pl.Series(
                    [[0.1, 0.2], [0.3, 0.4], None], dtype=pl.Array(pl.Float32, 2)
                ),
                "at": pl.Series(["2024-01-01T00:00:00"] * 3).str.to_datetime(time_zone="UTC"),
            }
        )
    )
    params = sql.SqlWriteParams(url=PG_URL, data=rows, table=f"{schema}.posts")
    results = await asyncio.gather(*(sql.write_table(params, ctx) for _ in range(3)))
    assert sorted(r.skipped for r in results) == [False, True, True]
    assert {r.rows_written for r in results} == {3}
    assert run_sql(f"SELECT count(*) FROM {schema}.posts") == [(3,)]
    again = await sql.write_table(params, ctx)
    assert again.skipped
    await sql.write_table(params, another_run(ctx, "run-2"))
    assert run_sql(f"SELECT count(*) FROM {schema}.posts") == [(6,)]
    assert run_sql(f"SELECT key, rows FROM {schema}.odp_writes ORDER BY key") == [
        ("run-2:step", 3),
        ("run-test:step", 3),
    ]
    types = dict(
        run_sql(
            "SELECT column_name, data_type FROM information_schema.columns "
            f"WHERE table_schema = '{schema}' AND table_name = 'posts'"
        )
    )
    assert types == {
        "id": "bigint",
        "text": "text",
        "embedding": "jsonb",
        "at": "timestamp with time zone",
    }
    assert run_sql(f"SELECT embedding IS NULL FROM {schema}.posts WHERE id = 3 LIMIT 1") == [
        (True,)
    ]


async def test_replace_and_upsert(ctx: MethodContext, schema: str) -> None:
    assert PG_URL
    run_sql(
        f"CREATE TABLE {schema}.scores (id int, score real); INSERT INTO {schema}.scores VALUES (9, 1)"
    )
    first = ctx.store.write(pl.DataFrame({"id": [1, 2], "score": [0.5, -0.5]}))
    out = await sql.write_table(
        sql.SqlWriteParams(
            url=PG_URL, data=first, table=f"{schema}.scores", mode="replace", key=["id"]
        ),
        ctx,
    )
    assert out.rows_written == 2
    assert run_sql(f"SELECT id, score FROM {schema}.scores ORDER BY id") == [(1, 0.5), (2, -0.5)]
    tables = run_sql(
        f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}' "
        "ORDER BY table_name"
    )
    assert tables == [("odp_writes",), ("scores",)]
    update = ctx.store.write(pl.DataFrame({"id": [2, 3], "score": [0.9, 0.1]}))
    await sql.write_table(
        sql.SqlWriteParams(
            url=PG_URL, data=update, table=f"{schema}.scores", mode="upsert", key=["id"]
        ),
        another_run(ctx, "run-2"),
    )
    assert run_sql(f"SELECT id, score FROM {schema}.scores ORDER BY id") == [
        (1, 0.5),
        (2, 0.9),
        (3, 0.1),
    ]
    # a failing replace leaves the table as it was
    clash = ctx.store.write(pl.DataFrame({"id": [5, 5], "score": [0.0, 0.0]}))
    with pytest.raises(MethodError, match="duplicate key"):
        await sql.write_table(
            sql.SqlWriteParams(
                url=PG_URL, data=clash, table=f"{schema}.scores", mode="replace", key=["id"]
            ),
            another_run(ctx, "run-3"),
        )
    assert run_sql(f"SELECT count(*) FROM {schema}.scores") == [(3,)]


async def test_upsert_needs_a_unique_key(ctx: MethodContext, schema: str) -> None:
    assert PG_URL
    run_sql(f"CREATE TABLE {schema}.t (id int, v text)")
    rows = ctx.store.write(pl.DataFrame({"id": [1], "v": ["x"]}))
    with pytest.raises(MethodError) as err:
        await sql.write_table(
            sql.SqlWriteParams(
                url=PG_URL, data=rows, table=f"{schema}.t", mode="upsert", key=["id"]
            ),
            ctx,
        )
    assert err.value.hint == "upsert needs a primary key or unique index on the key columns"
    assert run_sql(f"SELECT count(*) FROM {schema}.odp_writes") == [(0,)]


async def test_many_types_and_keyword_names(ctx: MethodContext, schema: str) -> None:
    from tests.unit.methods.test_sql import many_types

    assert PG_URL
    frame = many_types().with_columns(pl.Series("order", [1, 2]), pl.Series("User", ["a", "b"]))
    ref = ctx.store.write(frame)
    out = await sql.write_table(
        sql.SqlWriteParams(url=PG_URL, data=ref, table=f"{schema}.select"), ctx
    )
    assert out.rows_written == 2
    types = dict(
        run_sql(
            "SELECT column_name, data_type FROM information_schema.columns "
            f"WHERE table_schema = '{schema}' AND table_name = 'select'"
        )
    )
    assert types == {
        "i8": "integer",
        "u64": "bigint",
        "f32": "real",
        "dec": "numeric",
        "day": "date",
        "clock": "time without time zone",
        "span": "interval",
        "blob": "bytea",
        "naive": "timestamp without time zone",
        "nested": "jsonb",
        "nothing": "text",
        "order": "bigint",
        "User": "text",
    }
    back = await sql.read_query(
        sql.SqlReadParams(url=PG_URL, query=f'SELECT * FROM {schema}."select" ORDER BY "order"'),
        ctx,
    )
    rows = ctx.store.read(back.data).to_dicts()
    assert rows[0]["span"] == dt.timedelta(hours=1)
    assert rows[0]["day"] == dt.date(2024, 1, 2)
    assert rows[0]["blob"] == b"\x00\x01"
    assert rows[0]["nested"] == '{"a": 1, "b": "x"}'
    assert rows[1]["User"] == "b"
