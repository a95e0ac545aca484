from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest

import odp.artifacts.store as store_module
from odp.artifacts import ArtifactStore, DatasetRef
from odp.errors import ArtifactNotFoundError


def test_write_is_content_addressed(store: ArtifactStore) -> None:
    frame = pl.DataFrame({"id": [1, 2, 3], "text": ["a", "b", "c"]})
    first = store.write(frame)
    again = store.write(frame.lazy())
    assert first == again
    assert first.rows == 3
    assert [(c.name, c.type) for c in first.columns] == [("id", "Int64"), ("text", "String")]
    assert Path(first.uri).exists()
    assert first.uri.endswith(f"{first.sha256}.parquet")
    assert store.owns(first.uri)
    assert store.read(first).equals(frame)
    assert first.short().startswith("3 rows")


def test_arrow_inputs_and_empty_frames(store: ArtifactStore) -> None:
    table = pa.table({"x": [1.5, 2.5]})
    ref = store.write(table)
    assert ref.rows == 2
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
    assert store.write(reader).rows == 2
    empty = store.write(pl.DataFrame({"x": []}, schema={"x": pl.Int64}))
    assert empty.rows == 0
    assert empty.preview == []
    assert store.arrow_dataset(ref).count_rows() == 2


def test_preview_is_small_and_json_safe(store: ArtifactStore) -> None:
    frame = pl.DataFrame(
        {
            "long": ["x" * 500],
            "when": [dt.datetime(2026, 1, 2, 3, 4)],
            "day": [dt.date(2026, 1, 2)],
            "items": [list(range(20))],
            "money": [decimal.Decimal("1.50")],
            "blob": [b"abc"],
            "nested": [{"a": 1}],
        }
    )
    ref = store.write(frame)
    row = ref.preview[0]
    assert len(row["long"]) == 120
    assert row["when"] == "2026-01-02T03:04:00"
    assert row["day"] == "2026-01-02"
    assert row["items"][-1] == "…"
    assert row["money"] == 1.5
    assert row["blob"] == "<3 bytes>"
    assert row["nested"] == {"a": 1}
    DatasetRef.model_validate_json(ref.model_dump_json())


def test_missing_files_are_reported(store: ArtifactStore) -> None:
    ref = store.write(pl.DataFrame({"a": [1]}))
    Path(ref.uri).unlink()
    assert not store.exists(ref)
    with pytest.raises(ArtifactNotFoundError):
        store.scan(ref)


def test_fsspec_memory_store() -> None:
    store = ArtifactStore("memory://odp-test", workspace="team")
    ref = store.write(pl.DataFrame({"a": [1, 2]}))
    assert ref.uri.startswith("memory://")
    assert "/team/" in ref.uri
    assert store.read(ref)["a"].to_list() == [1, 2]
    uri = store.write_bytes("report.html", b"<html/>")
    assert store.read_bytes(uri) == b"<html/>"
    store.delete_workspace()
    assert not store.exists(ref)


def test_bytes_artifacts_locally(store: ArtifactStore) -> None:
    uri = store.write_bytes("a report?.html", b"hi")
    assert uri.endswith("a_report_.html")
    assert store.read_bytes(uri) == b"hi"
    with pytest.raises(ArtifactNotFoundError):
        store.read_bytes(uri + "x")
    store.delete_workspace()
    assert not Path(uri).exists()


def test_workspaces_are_apart(tmp_path: Path) -> None:
    a = ArtifactStore(tmp_path, workspace="a")
    b = ArtifactStore(tmp_path, workspace="b")
    ref = a.write(pl.DataFrame({"x": [1]}))
    assert a.owns(ref.uri)
    assert not b.owns(ref.uri)


def test_a_big_view_is_counted_and_a_small_one_stored(store: ArtifactStore) -> None:
    from odp.artifacts.store import SMALL_VIEW_ROWS
    from odp.cli.live import dataset_head
    from odp.config import Settings

    base = store.write(pl.DataFrame({"i": range(SMALL_VIEW_ROWS + 500), "text": "t"}))
    source = f"SELECT * FROM read_parquet('{base.uri}')"
    big = store.view(f"{source} WHERE i >= 10", [base.uri])
    assert big.is_view and big.rows == SMALL_VIEW_ROWS + 490
    assert [(c.name, c.type) for c in big.columns] == [("i", "Int64"), ("text", "String")]
    assert big.preview == []  # the first rows would cost a read of every column
    # a small one is run once and kept as rows, so that its readers need not run it again
    small = store.view(f"{source} WHERE i < 3 ORDER BY i DESC", [base.uri])
    assert not small.is_view and small.rows == 3 and small.size_bytes
    assert small.preview == [{"i": i, "text": "t"} for i in (2, 1, 0)]
    assert [(c.name, c.type) for c in small.columns] == [("i", "Int64"), ("text", "String")]
    assert store.read(small)["i"].to_list() == [2, 1, 0]
    empty = store.view(f"{source} WHERE i < 0", [base.uri])
    assert not empty.is_view and empty.rows == 0 and empty.preview == []
    assert [c.name for c in empty.columns] == ["i", "text"]
    at_the_limit = store.view(f"{source} WHERE i < {SMALL_VIEW_ROWS}", [base.uri])
    assert not at_the_limit.is_view and at_the_limit.rows == SMALL_VIEW_ROWS
    assert store.read(big)["i"].to_list()[:2] == [10, 11]

    # where the store is at hand, the first rows of a big view are read from it
    settings = Settings(artifacts_uri=store.root)
    data = big.model_dump(mode="json")
    assert dataset_head(settings, data, 2, store.workspace) == [
        {"i": 10, "text": "t"},
        {"i": 11, "text": "t"},
    ]
    assert dataset_head(settings, data, 0, store.workspace) == []
    # elsewhere (another machine's files), the recorded preview stands in
    gone = {**small.model_dump(mode="json"), "bases": ["/nowhere/x.parquet"]}
    assert dataset_head(settings, gone, 2, store.workspace) == small.preview[:2]


# ---------------------------------------------------------------------- described from memory
_LONG = "long text " * 40


def _cases() -> dict[str, pa.Table]:
    n = 8
    when = [dt.datetime(2026, 1, 2, 3, 4, 5, 678901) + dt.timedelta(days=k) for k in range(n)]
    return {
        "ints": pa.table(
            {
                "i8": pa.array(range(n), pa.int8()),
                "i32": pa.array(range(n), pa.int32()),
                "i64": pa.array(range(n), pa.int64()),
                "u16": pa.array(range(n), pa.uint16()),
                "u64": pa.array(range(n), pa.uint64()),
                "ok": [k % 2 == 0 for k in range(n)],
            }
        ),
        "floats": pa.table(
            {
                "f32": pa.array([k / 3 for k in range(n)], pa.float32()),
                "f64": [float("inf"), -0.0, 1e300, None, 2.5, -1.5, 1 / 3, 0.1],
                "money": pa.array([decimal.Decimal(k) / 8 for k in range(n)], pa.decimal128(10, 3)),
            }
        ),
        "strings": pa.table(
            {
                "s": ["a", _LONG, "é" * 130, "", None, "b", "c", "d"],
                "large": pa.array([_LONG] * n, pa.large_string()),
                "view": pa.array(["v"] * n, pa.string_view()),
                "blob": pa.array([b"x" * k for k in range(n)]),
                "fixed": pa.array([b"ab"] * n, pa.binary(2)),
            }
        ),
        "times": pa.table(
            {
                "s": pa.array(when, pa.timestamp("s")),
                "ms": pa.array(when, pa.timestamp("ms")),
                "us": pa.array(when, pa.timestamp("us")),
                "ns": pa.array(when, pa.timestamp("ns")),
                "utc": pa.array(when, pa.timestamp("us", "UTC")),
                "berlin": pa.array(when, pa.timestamp("ms", "Europe/Berlin")),
                "offset": pa.array(when, pa.timestamp("ns", "+01:00")),
                "day": pa.array([w.date() for w in when], pa.date32()),
                "time": pa.array([w.time() for w in when], pa.time64("us")),
                "took": pa.array([dt.timedelta(seconds=k) for k in range(n)], pa.duration("ms")),
            }
        ),
        "nulls": pa.table(
            {
                "nothing": pa.nulls(n),
                "no_int": pa.array([None] * n, pa.int64()),
                "no_text": pa.array([None] * n, pa.string()),
            }
        ),
        "nested": pa.table(
            {
                "ints": [list(range(k * 3)) for k in range(n)],
                "texts": pa.array([[_LONG, None]] * n, pa.large_list(pa.string())),
                "pairs": pa.array([[k, k] for k in range(n)], pa.list_(pa.int64(), 2)),
                "record": [{"a": k, "b": [_LONG], "c": None} for k in range(n)],
                "no_list": pa.array([None] * n, pa.list_(pa.float64())),
            }
        ),
        "empty": pa.table(
            {
                "i": pa.array([], pa.int64()),
                "s": pa.array([], pa.string()),
                "at": pa.array([], pa.timestamp("us")),
                "xs": pa.array([], pa.list_(pa.int64())),
            }
        ),
    }


CASES = _cases()


def _as(kind: str, table: pa.Table) -> Any:
    if kind == "arrow":
        return table
    if kind == "reader":  # as DuckDB streams a query's rows, in small batches
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=3))
    return pl.from_arrow(table)


@pytest.fixture
def file_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files a write read back to describe them."""
    reads: list[Path] = []
    real = store_module._describe_file

    def spy(path: Path) -> Any:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(store_module, "_describe_file", spy)
    return reads


def _by_reading_back(
    store: ArtifactStore, data: Any, monkeypatch: pytest.MonkeyPatch
) -> DatasetRef:
    """The reference as described by reading the written file (what writes did before)."""
    with monkeypatch.context() as m:
        m.setattr(store_module, "_head", lambda data: None)
        return store.write(data)


@pytest.mark.parametrize("kind", ["arrow", "reader", "polars"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_rows_in_memory_are_described_as_their_file_reads(
    store: ArtifactStore,
    monkeypatch: pytest.MonkeyPatch,
    file_reads: list[Path],
    case: str,
    kind: str,
) -> None:
    table = CASES[case]
    ref = store.write(_as(kind, table))
    assert file_reads == []  # described from memory
    assert ref == _by_reading_back(store, _as(kind, table), monkeypatch)  # same sha, same file
    assert ref.rows == table.num_rows
    assert len(ref.preview) == min(table.num_rows, 5)


def test_long_values_are_shortened_in_memory_too(store: ArtifactStore) -> None:
    ref = store.write(CASES["strings"])
    assert len(ref.preview[1]["s"]) == 120 and ref.preview[1]["s"].endswith("…")
    nested = store.write(CASES["nested"])
    assert nested.preview[4]["ints"][-1] == "…" and len(nested.preview[4]["ints"]) == 9
    assert len(nested.preview[0]["record"]["b"][0]) == 120


def test_polars_types_are_described_from_memory(
    store: ArtifactStore, monkeypatch: pytest.MonkeyPatch, file_reads: list[Path]
) -> None:
    frame = pl.DataFrame(
        {
            "cat": pl.Series(["a", "b"], dtype=pl.Categorical),
            "enum": pl.Series(["a", None], dtype=pl.Enum(["a", "b"])),
            "half": pl.Series([1.5, None], dtype=pl.Float16),
            "took": pl.Series([dt.timedelta(days=1)] * 2, dtype=pl.Duration("ns")),
            "arr": pl.Series([[1, 2], [3, 4]], dtype=pl.Array(pl.Int32, 2)),
            "money": pl.Series([decimal.Decimal("1.50")] * 2, dtype=pl.Decimal(20, 4)),
        }
    )
    ref = store.write(frame)
    assert file_reads == []
    assert ref == _by_reading_back(store, frame, monkeypatch)


def test_other_types_are_described_from_the_file(
    store: ArtifactStore, monkeypatch: pytest.MonkeyPatch, file_reads: list[Path]
) -> None:
    table = pa.table(
        {
            "category": pa.array(["a", "b", "a"]).dictionary_encode(),
            "tags": pa.array([[("k", 1)]] * 3, pa.map_(pa.string(), pa.int64())),
        }
    )
    ref = store.write(table)
    assert len(file_reads) == 1
    assert ref == _by_reading_back(store, table, monkeypatch)
    frame = pl.DataFrame({"a": [1, 2]})
    lazy = store.write(frame.lazy())  # streamed: its rows are not in memory
    assert len(file_reads) == 3
    assert lazy.columns == store.write(frame).columns


def test_tables_of_no_columns_or_twice_the_same_name_are_described_from_the_file(
    store: ArtifactStore, monkeypatch: pytest.MonkeyPatch, file_reads: list[Path]
) -> None:
    ref = store.write(pa.table({}))
    assert len(file_reads) == 1
    assert ref.rows == 0 and ref.columns == []
    assert ref == _by_reading_back(store, pa.table({}), monkeypatch)
    twice = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["a", "a"])
    with pytest.raises(pl.exceptions.PolarsError):
        store.write(twice)  # polars refuses to read such a file back, as before
    assert len(file_reads) == 3


def test_what_could_not_be_described_before_still_fails(store: ArtifactStore) -> None:
    # pyarrow cannot read the footer of a file with 128-bit integers: neither path says more
    with pytest.raises(pa.ArrowNotImplementedError):
        store.write(pl.DataFrame({"wide": pl.Series([1], dtype=pl.Int128)}))
