from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

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
