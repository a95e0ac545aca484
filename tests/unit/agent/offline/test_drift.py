"""Drift: asked before its datasets are read, and which of the two is the reference."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from tests.unit.agent.offline.conftest import methods, step


@pytest.mark.parametrize(
    "request_",
    [
        "Has our input data drifted? reference = data/old.parquet, current = data/new.parquet",
        "did the distributions shift? data/new.parquet against data/old.parquet as the baseline",
        "compare data/new.parquet and data/old.parquet for drift, old is the reference",
        "check drift: data/old.parquet is the reference, data/new.parquet",
    ],
)
def test_the_reference_said_in_words(planner: OfflinePlanner, request_: str) -> None:
    draft = planner.plan(request_)
    assert methods(draft) == ["file.parquet.read", "file.parquet.read", "ml.data.drift"]
    assert step(draft, "ml.data.drift") == {
        "current": "{{ new.data }}",
        "reference": "{{ old.data }}",
    }


def test_drift_with_one_dataset_drafts_nothing(planner: OfflinePlanner) -> None:
    assert methods(planner.plan("has data/new.parquet drifted?")) == ["file.parquet.read"]


def test_drift_with_no_dataset_asks_for_one(planner: OfflinePlanner) -> None:
    draft = planner.plan("has it drifted?")
    assert [q.slot for q in draft.questions] == ["source.path"]
    assert methods(planner.plan("has it drifted?", {"source.path": "data/a.csv"})) == [
        "file.csv.read"
    ]
