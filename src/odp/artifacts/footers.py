"""What Parquet footers tell about the rows DuckDB reads from whole files.

A view that reads whole Parquet files (``SELECT * FROM read_parquet(...)``) gets its row
count and its column types from the files' footers, with no query: DuckDB would read the
same footers to answer. The types are the ones DuckDB gives such a read, as polars names
them (``Column.type``), which are not always those of the file's Arrow schema: DuckDB
reads millisecond timestamps as microseconds, durations as integers, dictionaries as
strings. Only flat columns of the types below are described; anything else (nested
columns, time zones, which follow the DuckDB session, unusual logical types) is left to
DuckDB. The unit tests hold every type here against DuckDB's own answer, files written by
pyarrow, polars and DuckDB, so that a DuckDB that reads a type otherwise is noticed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from odp.artifacts.ref import Column

__all__ = ["describe_files"]

_PLAIN: dict[str, pl.DataType] = {
    "BOOLEAN": pl.Boolean(),
    "INT32": pl.Int32(),
    "INT64": pl.Int64(),
    "FLOAT": pl.Float32(),
    "DOUBLE": pl.Float64(),
    "BYTE_ARRAY": pl.Binary(),
    "FIXED_LEN_BYTE_ARRAY": pl.Binary(),
}
"""Columns with no logical type, by physical type."""

_INTEGERS: dict[tuple[str, int, bool], pl.DataType] = {
    ("INT32", 8, True): pl.Int8(),
    ("INT32", 16, True): pl.Int16(),
    ("INT32", 32, True): pl.Int32(),
    ("INT64", 64, True): pl.Int64(),
    ("INT32", 8, False): pl.UInt8(),
    ("INT32", 16, False): pl.UInt16(),
    ("INT32", 32, False): pl.UInt32(),
    ("INT64", 64, False): pl.UInt64(),
}
_TIMESTAMP_UNITS: dict[str, Literal["us", "ns"]] = {
    "milliseconds": "us",  # DuckDB reads them as microseconds
    "microseconds": "us",
    "nanoseconds": "ns",
}
_DECIMAL_DIGITS = {"INT32": 9, "INT64": 18, "FIXED_LEN_BYTE_ARRAY": 38}
"""The most digits a decimal of each physical type holds (DuckDB's widest decimal: 38)."""


def _column_type(column: pq.ColumnSchema) -> pl.DataType | None:
    """The type DuckDB reads a flat column as, or None when it is not one of the known ones."""
    physical: str = column.physical_type
    logical: dict[str, Any] = json.loads(column.logical_type.to_json())
    kind = logical.get("Type")
    if kind == "None":
        return _PLAIN.get(physical) if column.converted_type == "NONE" else None
    if kind == "Int":
        return _INTEGERS.get((physical, logical.get("bitWidth", 0), bool(logical.get("isSigned"))))
    if kind == "String" and physical == "BYTE_ARRAY":
        return pl.String()
    if kind == "Date" and physical == "INT32":
        return pl.Date()
    if kind == "Timestamp" and physical == "INT64" and logical.get("isAdjustedToUTC") is False:
        unit = _TIMESTAMP_UNITS.get(logical.get("timeUnit", ""))
        return pl.Datetime(unit) if unit else None
    if kind == "Time" and logical.get("isAdjustedToUTC") is False:
        return pl.Time()
    if kind == "Decimal":
        precision, scale = logical.get("precision", 0), logical.get("scale", -1)
        if 0 < precision <= _DECIMAL_DIGITS.get(physical, 0) and 0 <= scale <= precision:
            return pl.Decimal(precision, scale)
    if kind == "Null":
        return pl.Null()
    return None


def _file_columns(schema: pq.ParquetSchema) -> list[Column] | None:
    """The columns of a file whose columns are all flat and of known types."""
    columns: list[Column] = []
    for i in range(len(schema)):
        column = schema.column(i)
        # a top-level column is its own path; a nested one's path names its parents
        if column.max_repetition_level or column.path != column.name:
            return None
        dtype = _column_type(column)
        if dtype is None:
            return None
        columns.append(Column(name=column.name, type=str(dtype)))
    return columns


def describe_files(
    paths: Sequence[str], columns: Sequence[str] | None = None
) -> tuple[int, list[Column]] | None:
    """Rows and columns of ``SELECT <columns> FROM read_parquet(<paths>)``, from footers.

    Args:
        paths: the Parquet files, read whole.
        columns: the columns selected (default: all).

    Returns:
        how many rows and which columns DuckDB would give, or None when the footers
        cannot say it exactly: a file that is not Parquet, files whose columns differ, a
        column of a type not described here, names DuckDB would change (duplicates,
        names equal but for case, empty names) or selected names that are not exactly
        a column's.
    """
    rows = 0
    found: list[Column] | None = None
    for path in paths:
        try:
            metadata = pq.read_metadata(path)
        except (OSError, pa.ArrowException):
            return None  # DuckDB says what is wrong with the file
        file_columns = _file_columns(metadata.schema)
        if file_columns is None or (found is not None and file_columns != found):
            return None
        found = file_columns
        rows += metadata.num_rows
    if not found:
        return None
    names = [c.name for c in found]
    folded = {n.casefold() for n in names}
    if "" in names or len(folded) != len(names):
        return None
    if columns is None:
        return rows, found
    by_name = {c.name: c for c in found}
    if len(set(columns)) != len(columns) or not all(c in by_name for c in columns):
        return None
    return rows, [by_name[c] for c in columns]
