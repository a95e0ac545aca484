"""File paths: object-store URLs, and whether a path is read or written."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.clauses import read_request
from tests.unit.agent.offline.conftest import methods, step


@pytest.mark.parametrize(
    "path",
    [
        "s3://odp-exports/chats/2026-11-30.jsonl",
        "gs://lake/orders/part=1/x.parquet",
        "file:///tmp/a.csv",
    ],
)
def test_object_store_urls_are_paths(path: str) -> None:
    read = read_request(f"read {path} please")
    assert [(lit.kind, lit.value) for lit in read.literals] == [("path", path)]


@pytest.mark.parametrize(
    "request_",
    [
        "load the jsonl dump at s3://b/chats.jsonl",
        "grab the export in s3://b/chats.jsonl",
        "grab a dump of s3://b/chats.jsonl",
    ],
)
def test_a_write_word_used_as_a_noun_writes_nothing(planner: OfflinePlanner, request_: str) -> None:
    draft = planner.plan(request_)
    assert methods(draft) == ["file.jsonl.read"]
    assert step(draft, "file.jsonl.read")["path"] == "s3://b/chats.jsonl"


def test_a_path_after_in_is_read_unless_it_is_an_output_folder(planner: OfflinePlanner) -> None:
    draft = planner.plan("the products in data/catalog.csv, keep price > 10, then in out/p.csv")
    assert methods(draft) == ["file.csv.read", "data.rows.filter", "file.csv.write"]
    assert step(draft, "file.csv.read")["path"] == "data/catalog.csv"
    assert step(draft, "file.csv.write")["path"] == "out/p.csv"


@pytest.mark.parametrize(
    "request_",
    [
        "combine data/a.parquet and data/b.parquet into a single file data/ab.parquet",
        "union data/a.parquet with data/b.parquet into data/ab.parquet",
    ],
)
def test_the_file_two_datasets_are_combined_into_is_written(
    planner: OfflinePlanner, request_: str
) -> None:
    draft = planner.plan(request_)
    assert methods(draft) == [
        "file.parquet.read",
        "file.parquet.read",
        "data.sql.query",
        "file.parquet.write",
    ]
    assert step(draft, "file.parquet.write")["path"] == "data/ab.parquet"
