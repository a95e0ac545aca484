"""Datasets as DuckDB relations, in a sandbox that reads only the files it is given.

Every dataset — a Parquet file or a view over Parquet files — can be named in SQL as a
relation. A sandboxed connection allows exactly the files the relations read: user SQL
(a filter condition, a query) cannot open other files, write files, attach databases,
install extensions or change the configuration.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence

import duckdb

from odp.artifacts.ref import DatasetRef

__all__ = [
    "allowed_paths",
    "connect",
    "parquet_sql",
    "quote_ident",
    "quote_literal",
    "relation_sql",
    "sandbox",
]

_THREADS = max(1, os.cpu_count() or 1)


def quote_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def parquet_sql(paths: Sequence[str], columns: Sequence[str] | None = None) -> str:
    """A SELECT of ``columns`` (default: all) of whole Parquet files."""
    selected = ", ".join(quote_ident(c) for c in columns or []) or "*"
    files = (
        quote_literal(paths[0])
        if len(paths) == 1
        else "[" + ", ".join(quote_literal(p) for p in paths) + "]"
    )
    return f"SELECT {selected} FROM read_parquet({files})"


def relation_sql(ref: DatasetRef) -> str:
    """SQL that names the dataset's rows, to use after FROM."""
    if ref.is_view:
        assert ref.sql is not None
        return f"({ref.sql})"
    return f"read_parquet({quote_literal(ref.uri)})"


def allowed_paths(refs: Iterable[DatasetRef]) -> list[str]:
    """The files the relations of ``refs`` read."""
    paths: list[str] = []
    for ref in refs:
        for path in ref.bases if ref.is_view else [ref.uri]:
            if path not in paths:
                paths.append(path)
    return paths


class _Database:
    """One locked in-memory database for one set of allowed paths.

    Steps use cursors on it: a cursor costs microseconds, a new database tens of
    milliseconds.
    """

    def __init__(self, paths: tuple[str, ...]) -> None:
        self.con = duckdb.connect(":memory:", config={"threads": _THREADS})
        try:
            if paths:
                self.con.execute("SET allowed_paths = ?", [list(paths)])
            self.con.execute("SET enable_external_access = false")
            self.con.execute("SET lock_configuration = true")
        except BaseException:
            self.con.close()
            raise
        self.leases = 0


_POOL_SIZE = 8
_pool: OrderedDict[tuple[str, ...], _Database] = OrderedDict()
_pool_lock = threading.Lock()


@contextlib.contextmanager
def connect(paths: Iterable[str]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection that may read ``paths`` and nothing else, configuration locked.

    The allowed paths are a database-wide setting, so there is one locked database per set
    of paths, kept in a small pool (the most recently used, idle ones past the size are
    closed); each use gets its own cursor, whose temporary views and registrations are its
    own and vanish when it closes.
    """
    key = tuple(sorted(dict.fromkeys(str(p) for p in paths)))
    with _pool_lock:
        db = _pool.get(key)
        if db is not None:
            db.leases += 1
            _pool.move_to_end(key)
    if db is None:
        fresh = _Database(key)  # outside the lock: it takes a while
        with _pool_lock:
            db = _pool.get(key)
            if db is None:
                db = _pool[key] = fresh
            else:
                fresh.con.close()
            db.leases += 1
            _pool.move_to_end(key)
            for old in [k for k, d in _pool.items() if d.leases == 0][: len(_pool) - _POOL_SIZE]:
                _pool.pop(old).con.close()
    cursor = db.con.cursor()
    try:
        yield cursor
    finally:
        cursor.close()
        with _pool_lock:
            db.leases -= 1
            if db.leases == 0 and _pool.get(key) is not db:
                db.con.close()


@contextlib.contextmanager
def sandbox(tables: Mapping[str, DatasetRef]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A sandboxed connection where each dataset is a (temporary) view named by its key."""
    with connect(allowed_paths(tables.values())) as con:
        for name, ref in tables.items():
            con.execute(
                f"CREATE TEMP VIEW {quote_ident(name)} AS SELECT * FROM {relation_sql(ref)}"
            )
        yield con
