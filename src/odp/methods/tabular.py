"""What row-handling methods share: output models, the DuckDB sandbox, column checks."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar

import duckdb
import polars as pl
from pydantic import Field

from odp.artifacts import ArtifactStore, DatasetRef, TabularData, relations
from odp.catalog import MethodContext, MethodOutput
from odp.errors import ArtifactNotFoundError, MethodError

__all__ = [
    "RowsOutput",
    "WriteOutput",
    "as_list",
    "can_view",
    "check_columns",
    "frame_errors",
    "in_thread",
    "parquet_view_output",
    "rows_output",
    "run_select",
    "sandbox",
    "scan_data",
    "select_output",
    "view_output",
]

T = TypeVar("T")

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class RowsOutput(MethodOutput):
    """Rows written to the artifact store."""

    data: DatasetRef = Field(description="The rows, as a dataset in the artifact store.")
    count: int = Field(ge=0, description="How many rows there are.")


class WriteOutput(MethodOutput):
    """Where a sink wrote, and how much."""

    path: str = Field(description="Where the rows were written.")
    rows_written: int = Field(ge=0, description="How many rows were written.")


async def in_thread(fn: Callable[[], T]) -> T:
    """Run blocking work (polars, DuckDB, file I/O) off the event loop.

    The worker's event loop keeps heartbeating and serving other steps meanwhile.
    """
    return await asyncio.to_thread(fn)


def rows_output(store: ArtifactStore, data: TabularData) -> RowsOutput:
    """Write rows and describe them."""
    ref = store.write(data)
    return RowsOutput(data=ref, count=ref.rows)


def as_list(value: str | list[str] | None) -> list[str]:
    """A param that takes one column name or a list of them, as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def scan_data(store: ArtifactStore, ref: DatasetRef, *, field: str = "data") -> pl.LazyFrame:
    """A lazy frame over a dataset param.

    Raises:
        MethodError: when the dataset is gone from the artifact store (not retryable).
    """
    try:
        return store.scan(ref)
    except ArtifactNotFoundError as e:
        raise MethodError(f"{field}: {e.message}", hint=e.hint, field=field) from e


@contextlib.contextmanager
def frame_errors(what: str, *, field: str | None = None) -> Iterator[None]:
    """Turn a polars error raised while computing ``what`` into a :class:`MethodError`.

    Polars errors here come from the data (types that do not fit, a name clash), so
    a retry cannot help.
    """
    try:
        yield
    except pl.exceptions.PolarsError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise MethodError(f"could not {what}: {first}", field=field) from e


def check_columns(ref: DatasetRef, columns: Iterable[str], *, field: str) -> None:
    """Fail clearly when a dataset lacks columns a param names.

    Raises:
        MethodError: naming the missing columns and those that exist (not retryable).
    """
    have = ref.column_names
    missing = [c for c in columns if c not in have]
    if missing:
        plural = "columns" if len(missing) > 1 else "column"
        raise MethodError(
            f"{field}: no {plural} {', '.join(repr(m) for m in missing)} in the data",
            hint="the data has: " + ", ".join(have),
            field=field,
        )


@contextlib.contextmanager
def sandbox(
    store: ArtifactStore, tables: Mapping[str, DatasetRef]
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB that sees only ``tables`` and cannot touch other files or the network.

    Local datasets (files and views) are read by DuckDB directly, so chained views run as
    one query; datasets in remote stores are registered through Arrow.

    Raises:
        MethodError: for a table name that is not an identifier, or a missing dataset.
    """
    for name, ref in tables.items():
        if not _IDENT.match(name):
            raise MethodError(
                f"table name {name!r} is not an identifier",
                hint="use letters, digits and '_', starting with a letter",
                field="inputs",
            )
        if not store.exists(ref):
            error = ArtifactNotFoundError(ref.uri)
            raise MethodError(str(error), hint=error.hint)
    if store.local:
        with relations.sandbox(tables) as con:
            yield con
        return
    with relations.connect([]) as con:
        for name, ref in tables.items():
            con.register(name, store.arrow_dataset(ref))
        yield con


def can_view(ctx: MethodContext, *refs: DatasetRef) -> bool:
    """Whether a step may return a lazy view over ``refs`` instead of writing rows."""
    return (
        not ctx.materialize
        and ctx.store.supports_views
        and all(ref.is_view or not ref.uri.count("://") for ref in refs)
    )


def view_output(
    store: ArtifactStore,
    sql: str,
    inputs: list[DatasetRef],
    *,
    field: str,
    bases: list[str] | None = None,
) -> RowsOutput:
    """A lazy view over ``inputs`` (or over the files ``bases``), checked by counting its rows.

    Raises:
        MethodError: for SQL errors, with the inputs' columns in the hint.
    """
    paths = [*relations.allowed_paths(inputs), *(bases or [])]
    return _checked_view(lambda: store.view(sql, paths), inputs, field=field)


def parquet_view_output(
    store: ArtifactStore, paths: list[str], columns: list[str] | None, *, field: str
) -> RowsOutput:
    """A lazy view of ``columns`` (default: all) of whole Parquet files.

    The same as :func:`view_output` of that query, described from the files' footers
    where they tell enough (see :meth:`ArtifactStore.parquet_view`).

    Raises:
        MethodError: for SQL errors (a file that is not Parquet, a missing column).
    """
    return _checked_view(lambda: store.parquet_view(paths, columns), [], field=field)


def _checked_view(
    make: Callable[[], DatasetRef], inputs: list[DatasetRef], *, field: str
) -> RowsOutput:
    try:
        ref = make()
    except duckdb.Error as e:
        raise _sql_error(e, {f"input {i}": r for i, r in enumerate(inputs)}, field) from e
    return RowsOutput(data=ref, count=ref.rows)


def select_output(
    ctx: MethodContext,
    tables: Mapping[str, DatasetRef],
    build: Callable[[Mapping[str, str]], str],
    *,
    field: str,
) -> RowsOutput:
    """Run a SELECT that ``build`` writes over ``tables``: as a lazy view when allowed.

    ``build`` gets, for each table name, the SQL to put after FROM. When the output feeds
    a single next step (see :func:`can_view`), the query becomes a view that the next
    step runs as part of its own; otherwise it runs in the sandbox and its rows are stored.

    Raises:
        MethodError: for SQL errors, with the tables' columns in the hint.
    """
    if can_view(ctx, *tables.values()):
        sql = build({name: relations.relation_sql(ref) for name, ref in tables.items()})
        return view_output(ctx.store, sql, list(tables.values()), field=field)
    sql = build({name: relations.quote_ident(name) for name in tables})
    return run_select(ctx.store, tables, sql, field=field)


def run_select(
    store: ArtifactStore,
    tables: Mapping[str, DatasetRef],
    sql: str,
    *,
    field: str,
) -> RowsOutput:
    """Run one SELECT in the sandbox and store its rows.

    Raises:
        MethodError: for anything but a single SELECT, and for SQL errors, with the
            tables' columns in the hint.
    """
    with sandbox(store, tables) as con:
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as e:
            raise _sql_error(e, tables, field) from e
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            raise MethodError(
                f"{field} must be a single SELECT query",
                hint="write one SELECT (WITH ... SELECT is fine); data changes are done by steps",
                field=field,
            )
        try:
            reader = con.sql(sql).to_arrow_reader()
            return rows_output(store, reader)
        except duckdb.Error as e:
            raise _sql_error(e, tables, field) from e


def _sql_error(e: duckdb.Error, tables: Mapping[str, DatasetRef], field: str) -> MethodError:
    message = str(e).split("\n")[0]
    columns = "; ".join(f"{name}: {', '.join(ref.column_names)}" for name, ref in tables.items())
    return MethodError(f"{field}: {message}", hint=f"columns available — {columns}", field=field)
