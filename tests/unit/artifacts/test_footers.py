"""Views of whole Parquet files described from their footers: the same references as DuckDB's."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from odp.artifacts import ArtifactStore, relations
from odp.artifacts.footers import describe_files
from odp.artifacts.store import SMALL_VIEW_ROWS

ROWS = SMALL_VIEW_ROWS + 200  # a view, not stored rows


def _arrow_table(rows: int) -> pa.Table:
    i = [int(k) for k in range(rows)]
    when = [dt.datetime(2026, 1, 2, 3, 4, 5, 678901) + dt.timedelta(hours=k) for k in i]
    return pa.table(
        {
            "i8": pa.array([k % 100 for k in i], pa.int8()),
            "i16": pa.array(i, pa.int16()),
            "i32": pa.array(i, pa.int32()),
            "i64": pa.array(i, pa.int64()),
            "u8": pa.array([k % 200 for k in i], pa.uint8()),
            "u16": pa.array(i, pa.uint16()),
            "u32": pa.array(i, pa.uint32()),
            "u64": pa.array(i, pa.uint64()),
            "f32": pa.array([k / 3 for k in i], pa.float32()),
            "f64": pa.array([None if k % 7 == 0 else k / 3 for k in i], pa.float64()),
            "ok": pa.array([k % 2 == 0 for k in i]),
            "text": pa.array([f"row {k} " + "x" * (k % 300) for k in i]),
            "large_text": pa.array(["é" * 200] * rows, pa.large_string()),
            "category": pa.array([f"c{k % 5}" for k in i]).dictionary_encode(),
            "blob": pa.array([b"ab"] * rows),
            "fixed_blob": pa.array([b"ab"] * rows, pa.binary(2)),
            "day": pa.array([w.date() for w in when], pa.date32()),
            "ts_s": pa.array(when, pa.timestamp("s")),
            "ts_ms": pa.array(when, pa.timestamp("ms")),
            "ts_us": pa.array(when, pa.timestamp("us")),
            "ts_ns": pa.array(when, pa.timestamp("ns")),
            "t_ms": pa.array([w.time().replace(microsecond=0) for w in when], pa.time32("ms")),
            "t_us": pa.array([w.time() for w in when], pa.time64("us")),
            "t_ns": pa.array([w.time() for w in when], pa.time64("ns")),
            "took": pa.array([dt.timedelta(seconds=k) for k in i], pa.duration("us")),
            "money": pa.array([decimal.Decimal(k) / 100 for k in i], pa.decimal128(12, 2)),
            "wide_money": pa.array([decimal.Decimal(k) / 100 for k in i], pa.decimal128(38, 4)),
            "nothing": pa.nulls(rows),
            "maybe": pa.array([None] * rows, pa.int64()),
        }
    )


def _polars_frame(rows: int) -> pl.DataFrame:
    when = pl.datetime_range(
        dt.datetime(2026, 1, 1),
        dt.datetime(2026, 1, 1) + dt.timedelta(minutes=rows - 1),
        "1m",
        eager=True,
    )
    return pl.DataFrame(
        {
            "i8": pl.Series([k % 100 for k in range(rows)], dtype=pl.Int8),
            "u32": pl.Series(range(rows), dtype=pl.UInt32),
            "i64": range(rows),
            "f32": pl.Series([k / 3 for k in range(rows)], dtype=pl.Float32),
            "f64": [None if k % 3 else k / 7 for k in range(rows)],
            "ok": [k % 2 == 0 for k in range(rows)],
            "text": ["long " * 60 if k % 2 else None for k in range(rows)],
            "cat": pl.Series([f"c{k % 3}" for k in range(rows)], dtype=pl.Categorical),
            "enum": pl.Series(["a", "b"] * (rows // 2), dtype=pl.Enum(["a", "b"])),
            "blob": [b"\x00\x01"] * rows,
            "day": when.dt.date(),
            "ms": when.cast(pl.Datetime("ms")),
            "us": when,
            "ns": when.cast(pl.Datetime("ns")),
            "time": when.dt.time(),
            "took": pl.Series([dt.timedelta(minutes=k) for k in range(rows)]),
            "money": pl.Series([decimal.Decimal("1.25")] * rows, dtype=pl.Decimal(9, 2)),
            "big_money": pl.Series([decimal.Decimal("1.25")] * rows, dtype=pl.Decimal(38, 2)),
            "nothing": pl.Series([None] * rows, dtype=pl.Null),
        }
    )


_DUCKDB_SELECT = """
    SELECT (i % 100)::TINYINT AS tiny, i::INTEGER AS int, i AS big, i::UBIGINT AS ubig, i::UINTEGER AS uint,
        i::FLOAT AS f, i / 3 AS d, i % 2 = 0 AS ok, 'text ' || i AS s, 'ab'::BLOB AS b,
        DATE '2026-01-01' + i::INTEGER AS day, TIMESTAMP '2026-01-01' + to_seconds(i) AS ts,
        (TIMESTAMP '2026-01-01' + to_seconds(i))::TIMESTAMP_MS AS ts_ms,
        (TIMESTAMP '2026-01-01' + to_seconds(i))::TIMESTAMP_NS AS ts_ns,
        (TIMESTAMP '2026-01-01' + to_seconds(i))::TIMESTAMP_S AS ts_s,
        TIME '01:02:03' AS t, (i / 100)::DECIMAL(9, 2) AS dec, NULL::VARCHAR AS nothing
    FROM range({rows}) AS r(i)
"""

Writer = Callable[[Path, int], None]


def _by_pyarrow(path: Path, rows: int) -> None:
    pq.write_table(_arrow_table(rows), path)


def _by_pyarrow_small_row_groups(path: Path, rows: int) -> None:
    pq.write_table(_arrow_table(rows), path, row_group_size=100, store_decimal_as_integer=True)


def _by_polars(path: Path, rows: int) -> None:
    _polars_frame(rows).write_parquet(path)


def _by_duckdb(path: Path, rows: int) -> None:
    duckdb.sql(f"COPY ({_DUCKDB_SELECT.format(rows=rows)}) TO '{path}' (FORMAT parquet)")


WRITERS: dict[str, Writer] = {
    "pyarrow": _by_pyarrow,
    "pyarrow-row-groups": _by_pyarrow_small_row_groups,
    "polars": _by_polars,
    "duckdb": _by_duckdb,
}


def _same_view(store: ArtifactStore, paths: list[str], columns: list[str] | None = None) -> None:
    """The footers' reference is the one DuckDB's count and schema give."""
    by_duckdb = store.view(relations.parquet_sql(paths, columns), paths)
    assert store.parquet_view(paths, columns) == by_duckdb


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_whole_files_are_described_by_their_footers(
    store: ArtifactStore, tmp_path: Path, writer: str
) -> None:
    path = str(tmp_path / f"{writer}.parquet")
    WRITERS[writer](Path(path), ROWS)
    described = describe_files([path])
    assert described is not None  # the footers told it: no query ran
    rows, columns = described
    assert rows == ROWS
    _same_view(store, [path])
    ref = store.parquet_view([path])
    assert ref.is_view and ref.rows == ROWS and ref.columns == columns
    assert ref.sql == f"SELECT * FROM read_parquet({relations.quote_literal(path)})"
    assert store.read(ref).height == ROWS


def test_types_are_duckdbs_not_the_files(store: ArtifactStore, tmp_path: Path) -> None:
    path = str(tmp_path / "a.parquet")
    _by_pyarrow(Path(path), ROWS)
    types = {c.name: c.type for c in store.parquet_view([path]).columns}
    assert types["ts_ms"] == "Datetime(time_unit='us', time_zone=None)"  # as DuckDB reads it
    assert types["ts_ns"] == "Datetime(time_unit='ns', time_zone=None)"
    assert types["took"] == "Int64"  # a duration is an integer to DuckDB
    assert types["category"] == "String"
    assert types["money"] == "Decimal(precision=12, scale=2)"


def test_selected_columns_and_several_files(store: ArtifactStore, tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.parquet"), str(tmp_path / "b.parquet")
    _by_polars(Path(a), ROWS)
    _by_polars(Path(b), 600)
    assert describe_files([a, b], ["us", "text"]) is not None
    _same_view(store, [a], ["text", "i64", "ms"])
    _same_view(store, [a, b])
    _same_view(store, [a, b], ["us", "text"])
    both = store.parquet_view([a, b], ["us"])
    assert both.rows == ROWS + 600
    assert both.sql == relations.parquet_sql([a, b], ["us"])
    assert store.read(both).columns == ["us"]


def test_a_small_read_is_stored_as_rows(store: ArtifactStore, tmp_path: Path) -> None:
    path = str(tmp_path / "small.parquet")
    _by_pyarrow(Path(path), 12)
    ref = store.parquet_view([path], ["i64", "text", "ts_ms"])
    assert not ref.is_view and ref.rows == 12 and len(ref.preview) == 5
    _same_view(store, [path], ["i64", "text", "ts_ms"])
    _same_view(store, [path])
    empty = str(tmp_path / "empty.parquet")
    _by_polars(Path(empty), 0)
    assert store.parquet_view([empty]).rows == 0
    _same_view(store, [empty])


def _nested(path: Path) -> None:
    pq.write_table(pa.table({"xs": [[1, 2]] * ROWS, "s": [{"a": 1}] * ROWS}), path)


def _zoned(path: Path) -> None:
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    pq.write_table(
        pa.table({"at": pa.array([when] * ROWS, pa.timestamp("ms", "Europe/Berlin"))}), path
    )


def _half_floats(path: Path) -> None:
    pq.write_table(pa.table({"h": pa.array(np.ones(ROWS, dtype=np.float16))}), path)


def _uuids(path: Path) -> None:
    duckdb.sql(f"COPY (SELECT uuid() AS u FROM range({ROWS})) TO '{path}' (FORMAT parquet)")


def _names_equal_but_for_case(path: Path) -> None:
    pq.write_table(pa.table({"a": [1] * ROWS, "A": [2] * ROWS}), path)


def _empty_name(path: Path) -> None:
    pq.write_table(pa.table({"": [1] * ROWS, "b": [2] * ROWS}), path)


@pytest.mark.parametrize(
    "write",
    [_nested, _zoned, _half_floats, _uuids, _names_equal_but_for_case, _empty_name],
    ids=lambda f: f.__name__.strip("_"),
)
def test_what_footers_cannot_tell_is_left_to_duckdb(
    store: ArtifactStore, tmp_path: Path, write: Callable[[Path], None]
) -> None:
    path = str(tmp_path / "x.parquet")
    write(Path(path))
    assert describe_files([path]) is None
    _same_view(store, [path])


def test_selections_duckdb_would_rename_or_refuse_are_left_to_it(
    store: ArtifactStore, tmp_path: Path
) -> None:
    path = str(tmp_path / "x.parquet")
    pq.write_table(pa.table({"b": [1] * ROWS, "c": ["x"] * ROWS}), path)
    assert describe_files([path], ["B"]) is None  # DuckDB names it b
    _same_view(store, [path], ["B"])
    assert describe_files([path], ["b", "b"]) is None
    assert describe_files([path], ["nope"]) is None
    with pytest.raises(duckdb.BinderException, match="nope"):
        store.parquet_view([path], ["nope"])


def test_files_that_differ_or_are_not_parquet_are_left_to_duckdb(
    store: ArtifactStore, tmp_path: Path
) -> None:
    a, b = str(tmp_path / "a.parquet"), str(tmp_path / "b.parquet")
    pq.write_table(pa.table({"x": range(ROWS)}), a)
    pq.write_table(pa.table({"x": [str(i) for i in range(ROWS)]}), b)
    assert describe_files([a, b]) is None
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    assert describe_files([str(bad)]) is None
    with pytest.raises(duckdb.Error) as by_footers:
        store.parquet_view([str(bad)])
    with pytest.raises(duckdb.Error) as by_duckdb:
        store.view(relations.parquet_sql([str(bad)]), [str(bad)])
    assert str(by_footers.value) == str(by_duckdb.value)
    no_columns = str(tmp_path / "none.parquet")
    pq.write_table(pa.table({}), no_columns)
    assert describe_files([no_columns]) is None
