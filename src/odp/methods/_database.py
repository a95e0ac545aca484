"""Connections to SQL databases for the sql methods: URLs, engines, names, errors, types.

Passwords never leave this module in clear: every URL shown to a user is rendered with
``***`` instead of the password, and database errors are scrubbed of it too.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

from odp.catalog import MethodContext
from odp.errors import MethodError
from odp.methods.files import local_path

__all__ = [
    "TableName",
    "column_type",
    "concat_parts",
    "connect",
    "db_error",
    "frame_from_rows",
    "masked",
    "parse_table",
    "parse_url",
    "unique_names",
]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_RETRYABLE_HINTS = (
    "locked",
    "timeout",
    "timed out",
    "could not connect",
    "connection refused",
    "connection reset",
    "server closed",
    "terminating connection",
    "too many connections",
    "deadlock",
    "could not serialize",
)


@dataclass(frozen=True, slots=True)
class TableName:
    """A table's name, optionally in a schema; both parts are plain identifiers."""

    name: str
    schema: str | None = None

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


def parse_table(text: str) -> TableName:
    """Read ``table`` or ``schema.table``.

    Raises:
        ValueError: when a part is not an identifier (letters, digits, ``_``; 63 at most).
    """
    parts = text.split(".")
    if len(parts) > 2 or not all(_IDENT.match(p) for p in parts):
        raise ValueError(
            f"{text!r} is not a table name: use name or schema.name, with letters, digits "
            "and '_' (starting with a letter or '_', at most 63 characters each)"
        )
    return TableName(parts[-1], parts[0] if len(parts) == 2 else None)


def parse_url(text: str) -> URL:
    """Read a SQLAlchemy URL; ``postgres://`` and ``postgresql://`` use psycopg 3 when installed.

    Raises:
        ValueError: when the text is not a database URL.
    """
    try:
        url = make_url(text)
    except (exc.ArgumentError, ValueError) as e:
        raise ValueError(
            "not a database URL; write e.g. sqlite:///data/app.db or "
            "postgresql+psycopg://user:password@host:5432/dbname"
        ) from e
    if url.drivername in ("postgres", "postgresql") and (
        importlib.util.find_spec("psycopg2") is None and importlib.util.find_spec("psycopg")
    ):
        url = url.set(drivername="postgresql+psycopg")
    return url


def masked(url: URL) -> str:
    """The URL as text with its password replaced by ``***``."""
    return url.render_as_string(hide_password=True)


def _scrub(text: str, url: URL) -> str:
    password = url.password
    if password:
        text = text.replace(str(password), "***")
    return text.replace(url.render_as_string(hide_password=False), masked(url))


def connect(url: URL, ctx: MethodContext, *, write: bool) -> Engine:
    """An engine for one method call (no pool outlives it: dispose it when done).

    SQLite gets real transactions around DDL too, so that a replace swaps tables
    atomically; writers take the write lock up front (``BEGIN IMMEDIATE``).

    Raises:
        MethodError: for a missing driver, or a SQLite file outside ``ODP_FILES_ROOT``.
    """
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        assert url.database is not None
        path = local_path(ctx, url.database, field="url")
        if not write and not os.path.exists(path):
            # connecting would create an empty database and then fail on every table
            raise MethodError(
                f"url: no SQLite database at {path}",
                hint="check the path: sqlite:///relative/path.db or sqlite:////absolute/path.db",
                field="url",
            )
        url = url.set(database=path)
    try:
        engine = sa.create_engine(url, poolclass=NullPool)
    except (exc.NoSuchModuleError, ImportError) as e:
        raise MethodError(
            f"url: no database driver for {url.drivername!r} ({e})",
            hint="for PostgreSQL use postgresql+psycopg://... with pip install 'odp[postgres]'; "
            "SQLite needs nothing",
            field="url",
        ) from None
    if engine.dialect.name == "sqlite":
        begin = "BEGIN IMMEDIATE" if write else "BEGIN"

        @event.listens_for(engine, "connect")
        def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # SQLAlchemy issues BEGIN itself

        @event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql(begin)

    return engine


def db_error(e: Exception, url: URL, *, doing: str, field: str | None = None) -> MethodError:
    """A database error as a :class:`MethodError` without the password, marked retryable or not.

    Lost connections, locks, timeouts and serialisation failures are worth a retry; bad
    SQL, missing tables and constraint violations are not.
    """
    orig = getattr(e, "orig", None)
    detail = str(orig if orig is not None else e).strip().splitlines()
    message = _scrub(detail[0] if detail else type(e).__name__, url)
    lowered = message.lower()
    retryable = bool(getattr(e, "connection_invalidated", False)) or (
        isinstance(e, exc.OperationalError | exc.TimeoutError | exc.DisconnectionError)
        and any(h in lowered for h in _RETRYABLE_HINTS)
    )
    hint = f"check that the database at {masked(url)} is up" if retryable else None
    if "on conflict" in lowered:
        hint = "upsert needs a primary key or unique index on the key columns"
    elif "read-only" in lowered or "readonly" in lowered:
        hint = "sql.query.read only reads; change data with sql.table.write"
    return MethodError(f"could not {doing}: {message}", retryable=retryable, hint=hint, field=field)


# ---------------------------------------------------------------------- rows -> frames
def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def _series(name: str, values: list[Any]) -> pl.Series:
    if any(isinstance(v, dict) for v in values):
        # JSON objects vary in keys from row to row: keep them as JSON text
        return pl.Series(name, [_text(v) for v in values], dtype=pl.String)
    try:
        series = pl.Series(name, values, strict=True)
    except (pl.exceptions.PolarsError, TypeError, ValueError, OverflowError):
        numbers = all(
            v is None or (isinstance(v, int | float | Decimal) and not isinstance(v, bool))
            for v in values
        )
        if not numbers:
            return pl.Series(name, [_text(v) for v in values], dtype=pl.String)
        series = pl.Series(name, values, strict=False)
    if series.dtype == pl.Object:
        # types polars cannot hold (UUID, inet) travel as text
        return pl.Series(name, [_text(v) for v in values], dtype=pl.String)
    return series


def unique_names(names: Sequence[str]) -> list[str]:
    """Column names made unique (``id``, ``id_2``) for results of joins such as ``a.id, b.id``."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        name = name or "column"
        if name in seen:
            seen[name] += 1
            candidate = f"{name}_{seen[name]}"
            while candidate in seen:
                seen[name] += 1
                candidate = f"{name}_{seen[name]}"
            name = candidate
        seen.setdefault(name, 1)
        out.append(name)
    return out


def concat_parts(paths: Sequence[Path]) -> pl.LazyFrame:
    """The chunks of one result as one lazy frame.

    Chunks are typed one at a time, so a column can come out as integers in one chunk and
    floats in another (widened here), or as lists in one and text in another: such
    columns become text in every chunk.
    """
    schemas = [pl.read_parquet_schema(p) for p in paths]
    clash: list[str] = []
    for name in schemas[0]:
        kinds = {s[name] for s in schemas if s[name] != pl.Null}
        if len(kinds) > 1 and not all(k.is_numeric() for k in kinds):
            clash.append(name)
    for path in paths if clash else ():
        part = pl.read_parquet(path)
        part.with_columns(
            pl.Series(n, [_text(v) for v in part[n].to_list()], dtype=pl.String) for n in clash
        ).write_parquet(path)
    return pl.concat([pl.scan_parquet(p) for p in paths], how="vertical_relaxed")


def frame_from_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> pl.DataFrame:
    """Rows from a DB-API cursor as a frame, column by column."""
    values: Iterator[Sequence[Any]] = (
        zip(*rows, strict=True) if rows else iter([() for _ in columns])
    )
    return pl.DataFrame([_series(n, list(v)) for n, v in zip(columns, values, strict=True)])


# ---------------------------------------------------------------------- frames -> tables
def column_type(dtype: pl.DataType) -> sa.types.TypeEngine[Any]:
    """The SQL column type that holds a polars type (nested values are stored as JSON)."""
    if dtype in (pl.Int8, pl.Int16, pl.Int32, pl.UInt8, pl.UInt16):
        return sa.Integer()
    if dtype.is_integer():
        return sa.BigInteger()
    if dtype == pl.Float32:
        return sa.REAL()
    if dtype.is_float():
        return sa.Double()
    if dtype == pl.Boolean:
        return sa.Boolean()
    if isinstance(dtype, pl.Decimal):
        return sa.Numeric(dtype.precision, dtype.scale)
    if isinstance(dtype, pl.Datetime):
        return sa.DateTime(timezone=dtype.time_zone is not None)
    if dtype == pl.Date:
        return sa.Date()
    if dtype == pl.Time:
        return sa.Time()
    if isinstance(dtype, pl.Duration):
        return sa.Interval()
    if dtype == pl.Binary:
        return sa.LargeBinary()
    if dtype.is_nested():
        # a missing value is SQL NULL, not the JSON text 'null'
        return sa.JSON(none_as_null=True).with_variant(
            postgresql.JSONB(none_as_null=True), "postgresql"
        )
    return sa.Text()
