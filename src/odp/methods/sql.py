"""SQL databases through SQLAlchemy URLs: read a query into a dataset, write a dataset to a table.

Reading streams the result in chunks to the artifact store inside a read-only
transaction. Writing is idempotent under retry: the step's idempotency key is recorded
in a bookkeeping table ``odp_writes`` in the same transaction as the rows, so an attempt
that finds its key there writes nothing again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Self

import polars as pl
import sqlalchemy as sa
from pydantic import Field, model_validator
from sqlalchemy import exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext, MethodKind, MethodParams, ParamIssue, method
from odp.errors import MethodError
from odp.methods._database import (
    TableName,
    column_type,
    concat_parts,
    connect,
    db_error,
    frame_from_rows,
    masked,
    parse_table,
    parse_url,
    unique_names,
)
from odp.methods.tabular import (
    RowsOutput,
    WriteOutput,
    check_columns,
    in_thread,
    rows_output,
    scan_data,
)

__all__ = ["TableWriteOutput", "read_query", "write_table"]

LEDGER = "odp_writes"
BindValue = str | int | float | bool | None | list[str | int | float | bool | None]

_URL_HELP = (
    "A SQLAlchemy URL: sqlite:///data/app.db, or "
    "postgresql+psycopg://user:password@host:5432/db (use {{ secrets.DB_URL }} for passwords)."
)


def _url_issues(params: Mapping[str, Any]) -> list[ParamIssue]:
    url = params.get("url")
    if isinstance(url, str) and "{{" not in url:
        try:
            parse_url(url)
        except ValueError as e:
            return [ParamIssue("url", str(e))]
    return []


def _url(text: str) -> URL:
    try:
        return parse_url(text)
    except ValueError as e:
        raise MethodError(f"url: {e}", field="url") from None


# ---------------------------------------------------------------------- read
class SqlReadParams(MethodParams):
    """The database and the query."""

    url: str = Field(min_length=1, description=_URL_HELP)
    query: str = Field(
        min_length=1,
        description="The SQL to run, in the database's dialect; :name marks a bound parameter.",
    )
    params: dict[str, BindValue] = Field(
        default_factory=dict,
        description="Values of the query's :name parameters, bound by the driver (never "
        "pasted into the SQL). A list binds as IN (...).",
    )
    chunk_size: int = Field(
        default=10_000, ge=1, le=1_000_000, description="Rows fetched per round trip."
    )


def _statement(params: SqlReadParams) -> sa.TextClause:
    statement = sa.text(params.query)
    wanted = set(statement.compile().params)
    unknown = sorted(set(params.params) - wanted)
    if unknown:
        raise MethodError(
            f"params: the query has no :{unknown[0]}",
            hint=f"write :{unknown[0]} in the query where the value goes"
            + (f" (it has: {', '.join(':' + n for n in sorted(wanted))})" if wanted else ""),
            field="params",
        )
    missing = sorted(wanted - set(params.params))
    if missing:
        raise MethodError(
            f"query: no value for :{missing[0]}",
            hint=f"add {missing[0]} under params; a literal ':' in the query is written '\\:'",
            field="params",
        )
    lists = [n for n, v in params.params.items() if isinstance(v, list)]
    if lists:
        statement = statement.bindparams(*(sa.bindparam(n, expanding=True) for n in lists))
    return statement


def _read_only(conn: sa.Connection) -> None:
    """Make the transaction read-only where the database can enforce it."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA query_only = ON")


def _read(ctx: MethodContext, params: SqlReadParams) -> RowsOutput:
    url = _url(params.url)
    engine = connect(url, ctx, write=False)
    try:
        try:
            conn = engine.connect()
        except exc.SQLAlchemyError as e:
            raise db_error(e, url, doing=f"connect to {masked(url)}", field="url") from e
        with conn, tempfile.TemporaryDirectory(prefix="odp-sql-") as tmp:
            try:
                _read_only(conn)
                streaming = conn.execution_options(stream_results=True, yield_per=params.chunk_size)
                if params.params:
                    result = streaming.execute(_statement(params), params.params)
                else:
                    # no binding at all: ':' and '%' in the SQL stay as they are
                    result = streaming.execution_options(no_parameters=True).exec_driver_sql(
                        params.query
                    )
                if not result.returns_rows:
                    raise MethodError(
                        "query: the statement returns no rows",
                        hint="write a query that returns rows (SELECT ...)",
                        field="query",
                    )
                columns = unique_names(list(result.keys()))
                parts: list[Path] = []
                for i, chunk in enumerate(result.partitions(params.chunk_size)):
                    parts.append(Path(tmp) / f"{i:06d}.parquet")
                    frame_from_rows(columns, chunk).write_parquet(parts[-1])
            except exc.SQLAlchemyError as e:
                error = db_error(e, url, doing="run the query", field="query")
                if error.hint is None and (
                    "syntax error" in error.message or "multiple commands" in error.message
                ):
                    error.hint = "write one query that returns rows (SELECT, WITH ... SELECT)"
                raise error from e
            if not parts:
                empty = pl.DataFrame([pl.Series(c, [], dtype=pl.Null) for c in columns])
                return rows_output(ctx.store, empty)
            return rows_output(ctx.store, concat_parts(parts))
    finally:
        engine.dispose()


@method(
    "sql.query.read",
    kind=MethodKind.SOURCE,
    summary="Read the rows of a SQL query from a database",
    tags=("sql", "database", "postgres", "postgresql", "sqlite", "query", "select", "table"),
    checks=(_url_issues,),
    examples=[
        {
            "description": "Recent orders from PostgreSQL",
            "params": {
                "url": "{{ secrets.DB_URL }}",
                "query": "SELECT id, customer, total FROM orders WHERE created_at >= :since",
                "params": {"since": "2024-01-01"},
            },
        },
        {
            "description": "A table from a SQLite file",
            "params": {"url": "sqlite:///data/app.db", "query": "SELECT * FROM posts"},
        },
    ],
)
async def read_query(params: SqlReadParams, ctx: MethodContext) -> RowsOutput:
    r"""Run `query` and store its rows; values in `params` are bound, never spliced into SQL.

    The query runs in a read-only transaction (PostgreSQL, SQLite) and is rolled back, so
    it cannot change the database. Rows are fetched `chunk_size` at a time and streamed to
    the artifact store. Values polars cannot hold (UUIDs, network addresses, mixed JSON)
    become text. With `params`, a literal ':' in the SQL is written '\:'.
    """
    return await in_thread(lambda: _read(ctx, params))


# ---------------------------------------------------------------------- write
class SqlWriteParams(MethodParams):
    """What to write, and where."""

    data: DatasetRef = Field(description="The rows to write.")
    url: str = Field(min_length=1, description=_URL_HELP)
    table: str = Field(min_length=1, description="The table: name, or schema.name.")
    mode: Literal["append", "replace", "upsert"] = Field(
        default="append",
        description="append (add the rows), replace (swap the table's content for the rows, "
        "atomically), upsert (insert, or update rows with the same `key`).",
    )
    key: list[str] = Field(
        default_factory=list,
        description="Key columns: needed for upsert; a table this step creates gets them as "
        "its primary key.",
    )
    batch_size: int = Field(default=5_000, ge=1, le=100_000, description="Rows per INSERT.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        issues = _write_issues(self.model_dump())
        if issues:
            raise ValueError(f"{issues[0].field}: {issues[0].message}")
        return self


def _write_issues(params: Mapping[str, Any]) -> list[ParamIssue]:
    issues = _url_issues(params)
    table = params.get("table")
    if isinstance(table, str) and "{{" not in table:
        try:
            parse_table(table)
        except ValueError as e:
            issues.append(ParamIssue("table", str(e)))
    if params.get("mode") == "upsert" and not params.get("key"):
        issues.append(
            ParamIssue(
                "key",
                "upsert needs the key columns that identify a row",
                hint="e.g. key: [id]",
            )
        )
    return issues


class TableWriteOutput(WriteOutput):
    """Where the rows went."""

    table: str = Field(description="The table written, as schema.name or name.")
    mode: str = Field(description="append, replace or upsert.")
    skipped: bool = Field(
        default=False,
        description="True when an earlier attempt of this step had already written the rows, "
        "so nothing was written again.",
    )


def _ledger(schema: str | None) -> sa.Table:
    return _table(
        LEDGER,
        schema,
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("table_name", sa.String(255), primary_key=True),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
    )


def _ledger_key(ctx: MethodContext) -> str:
    key = ctx.idempotency_key
    return key if len(key) <= 255 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _recorded(conn: sa.Connection, ledger: sa.Table, key: str, table: str) -> int | None:
    row = conn.execute(
        sa.select(ledger.c.rows).where(ledger.c.key == key, ledger.c.table_name == table)
    ).first()
    return None if row is None else int(row[0])


def _create(
    conn: sa.Connection, name: str, schema: str | None, types: pl.Schema, key: list[str]
) -> sa.Table:
    columns = [
        sa.Column(n, column_type(t), primary_key=n in key, nullable=n not in key, quote=True)
        for n, t in types.items()
    ]
    table = _table(name, schema, *columns)
    table.create(conn)
    return table


def _table(name: str, schema: str | None, *columns: sa.Column[Any]) -> sa.Table:
    """A table whose names are always quoted (SQLAlchemy's keyword lists are incomplete)."""
    return sa.Table(name, sa.MetaData(), *columns, schema=schema, quote=True, quote_schema=True)


def _existing(conn: sa.Connection, table: TableName, types: pl.Schema) -> sa.Table | None:
    inspector = sa.inspect(conn)
    if not inspector.has_table(table.name, schema=table.schema):
        return None
    target = _table(
        table.name,
        table.schema,
        *(
            sa.Column(c["name"], c["type"], quote=True)
            for c in inspector.get_columns(table.name, schema=table.schema)
        ),
    )
    missing = [n for n in types if n not in target.c]
    if missing:
        raise MethodError(
            f"table {table} has no column {', '.join(map(repr, missing))}",
            hint=f"its columns: {', '.join(target.c.keys())}; rename or drop columns with "
            "data.rows.select, or use mode: replace",
            field="data",
        )
    return target


def _insert(
    conn: sa.Connection,
    ctx: MethodContext,
    target: sa.Table,
    ref: DatasetRef,
    params: SqlWriteParams,
) -> int:
    names = ref.column_names
    statement: Any = sa.insert(target)
    if params.mode == "upsert":
        dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(conn.dialect.name)
        if dialect is None:
            raise MethodError(
                f"mode: upsert is supported on PostgreSQL and SQLite, not {conn.dialect.name}",
                hint="use append or replace",
                field="mode",
            )
        statement = dialect.insert(target)
        updates = {n: statement.excluded[n] for n in names if n not in params.key}
        keys = [target.c[k] for k in params.key]  # column objects: quoted like the table's
        statement = (
            statement.on_conflict_do_update(index_elements=keys, set_=updates)
            if updates
            else statement.on_conflict_do_nothing(index_elements=keys)
        )
    written = 0
    # polars reads back every type polars wrote (pyarrow trips on null fixed-size arrays)
    batches = scan_data(ctx.store, ref).collect_batches(chunk_size=params.batch_size)
    for batch in batches:
        if batch.height:
            conn.execute(statement, batch.to_dicts())
            written += batch.height
    return written


def _upsert_rows(ctx: MethodContext, params: SqlWriteParams) -> DatasetRef:
    """The rows to upsert: keys present, one row per key (the last one wins)."""
    check_columns(params.data, params.key, field="key")
    frame = scan_data(ctx.store, params.data)
    nulls = frame.select(pl.col(k).null_count() for k in params.key).collect().row(0)
    for name, count in zip(params.key, nulls, strict=True):
        if count:
            raise MethodError(
                f"key: {name!r} is null in {count} rows; upsert needs a value in every key column",
                hint=f"drop those rows first, e.g. data.rows.filter with '{name} IS NOT NULL'",
                field="key",
            )
    return ctx.store.write(frame.unique(subset=params.key, keep="last", maintain_order=True))


def _write(ctx: MethodContext, params: SqlWriteParams) -> TableWriteOutput:
    url = _url(params.url)
    table = parse_table(params.table)
    check_columns(params.data, params.key, field="key")
    bad = [c for c in params.data.column_names if not c or len(c) > 63]
    if bad:
        raise MethodError(
            f"data: column name {bad[0]!r} cannot be a SQL column (1 to 63 characters)",
            hint="rename it with data.rows.select",
            field="data",
        )
    ref = _upsert_rows(ctx, params) if params.mode == "upsert" else params.data
    types = scan_data(ctx.store, ref).collect_schema()
    key, name = _ledger_key(ctx), str(table)
    ledger = _ledger(table.schema)
    output = TableWriteOutput(
        path=masked(url), table=name, mode=params.mode, rows_written=0, skipped=False
    )
    engine = connect(url, ctx, write=True)
    try:
        try:
            conn = engine.connect()
        except exc.SQLAlchemyError as e:
            raise db_error(e, url, doing=f"connect to {masked(url)}", field="url") from e
        with conn:
            try:
                with conn.begin():
                    ledger.create(conn, checkfirst=True)
            except exc.SQLAlchemyError:
                pass  # another writer created it meanwhile; the next statement will tell
            try:
                with conn.begin():
                    done = _recorded(conn, ledger, key, name)
                    if done is not None:
                        ctx.log.info("sql_write_skipped", table=name, rows=done)
                        return output.model_copy(update={"rows_written": done, "skipped": True})
                    # claim the key first: a concurrent attempt of this step waits here
                    # until this transaction ends, then finds the key taken
                    mine = (ledger.c.key == key) & (ledger.c.table_name == name)
                    conn.execute(
                        sa.insert(ledger).values(
                            key=key,
                            table_name=name,
                            rows=0,
                            mode=params.mode,
                            written_at=dt.datetime.now(dt.UTC),
                        )
                    )
                    written = _write_rows(conn, ctx, params, table, ref, types)
                    conn.execute(
                        sa.update(ledger)
                        .where(mine)
                        .values(rows=written, written_at=dt.datetime.now(dt.UTC))
                    )
            except exc.IntegrityError as e:
                # a concurrent attempt of this step committed first: its rows stand
                try:
                    with conn.begin():
                        done = _recorded(conn, ledger, key, name)
                except exc.SQLAlchemyError:
                    done = None
                if done is None:
                    raise db_error(e, url, doing=f"write to {name}", field="data") from e
                return output.model_copy(update={"rows_written": done, "skipped": True})
            except exc.SQLAlchemyError as e:
                raise db_error(e, url, doing=f"write to {name}", field="data") from e
    finally:
        engine.dispose()
    ctx.log.info("sql_write", table=name, rows=written, mode=params.mode, url=masked(url))
    return output.model_copy(update={"rows_written": written})


def _write_rows(
    conn: sa.Connection,
    ctx: MethodContext,
    params: SqlWriteParams,
    table: TableName,
    ref: DatasetRef,
    types: pl.Schema,
) -> int:
    if params.mode != "replace":
        target = _existing(conn, table, types)
        if target is None:
            target = _create(conn, table.name, table.schema, types, params.key)
        return _insert(conn, ctx, target, ref, params)
    # the new content goes to a staging table, which replaces the old one in this transaction
    digest = hashlib.sha256(f"{ctx.idempotency_key}|{table}".encode()).hexdigest()[:16]
    stage_name = f"_odp_stage_{digest}"
    _table(stage_name, table.schema).drop(conn, checkfirst=True)
    stage = _create(conn, stage_name, table.schema, types, params.key)
    written = _insert(conn, ctx, stage, ref, params)
    if sa.inspect(conn).has_table(table.name, schema=table.schema):
        _table(table.name, table.schema).drop(conn)
    quote = conn.dialect.identifier_preparer
    conn.exec_driver_sql(
        f"ALTER TABLE {quote.format_table(stage)} RENAME TO {quote.quote_identifier(table.name)}"
    )
    return written


@method(
    "sql.table.write",
    kind=MethodKind.SINK,
    summary="Write a dataset to a database table (append, replace or upsert)",
    tags=("sql", "database", "postgres", "postgresql", "sqlite", "table", "save", "upsert"),
    checks=(_write_issues,),
    examples=[
        {
            "description": "Append scored posts to a PostgreSQL table",
            "params": {
                "data": "{{ scored.data }}",
                "url": "{{ secrets.DB_URL }}",
                "table": "analytics.posts",
            },
        },
        {
            "description": "Keep one row per post id up to date",
            "params": {
                "data": "{{ scored.data }}",
                "url": "sqlite:///out/posts.db",
                "table": "posts",
                "mode": "upsert",
                "key": ["id"],
            },
        },
    ],
)
async def write_table(params: SqlWriteParams, ctx: MethodContext) -> TableWriteOutput:
    """Write the rows to `table`, creating it from the data's columns when it does not exist.

    append adds the rows; replace builds the new content in a staging table and swaps it
    in within one transaction (other sessions see the old rows or the new ones, never a
    mix; the old table's indexes are not kept); upsert inserts rows and updates those
    whose `key` exists (the table needs a primary key or unique index on `key`; one
    created here gets it). Lists and structs are stored as JSON.

    Retries never duplicate rows: the step's idempotency key is recorded in `odp_writes`
    in the same transaction as the rows, and a later attempt that finds it writes nothing.
    """
    return await in_thread(lambda: _write(ctx, params))
