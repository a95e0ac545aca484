"""Datasets as DuckDB relations, in a sandbox that reads only the files it is given.

Every dataset — a Parquet file or a view over Parquet files — can be named in SQL as a
relation. A sandboxed connection allows exactly the files the relations read: user SQL
(a filter condition, a query) cannot open other files, write files, attach databases,
install extensions or change the configuration.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

import duckdb

from odp.artifacts.ref import DatasetRef

__all__ = ["allowed_paths", "connect", "quote_ident", "quote_literal", "relation_sql", "sandbox"]

_THREADS = max(1, os.cpu_count() or 1)


def quote_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


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


def connect(paths: Iterable[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that may read ``paths`` and nothing else, configuration locked."""
    con = duckdb.connect(":memory:", config={"threads": _THREADS})
    try:
        listed = [str(p) for p in paths]
        if listed:
            con.execute("SET allowed_paths = ?", [listed])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def sandbox(tables: Mapping[str, DatasetRef]) -> duckdb.DuckDBPyConnection:
    """A sandboxed connection where each dataset is a view named by its key."""
    con = connect(allowed_paths(tables.values()))
    try:
        for name, ref in tables.items():
            con.execute(f"CREATE VIEW {quote_ident(name)} AS SELECT * FROM {relation_sql(ref)}")
    except BaseException:
        con.close()
        raise
    return con
