"""Drift: asked before its datasets are read, and which of the two is the reference."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


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


@pytest.mark.parametrize(
    ("request_", "current", "reference", "exclude"),
    [
        (
            "drift check: current batch data/now.parquet vs the training data "
            "data/train.parquet; ignore customer_id and the churned label",
            "now",
            "train",
            ["customer_id", "churned"],
        ),
        (
            "has anything drifted between the training set data/fit.csv and data/live.csv? "
            "skip the user_id column",
            "live",
            "fit",
            ["user_id"],
        ),
    ],
)
def test_the_training_data_is_a_drift_reference_not_a_training(
    planner: OfflinePlanner,
    catalog: Catalog,
    request_: str,
    current: str,
    reference: str,
    exclude: list[str],
) -> None:
    draft = planner.plan(request_)
    assert methods(draft)[-1] == "ml.data.drift"
    assert "ml.model.train" not in methods(draft)
    drift = step(draft, "ml.data.drift")
    assert (drift["current"], drift["reference"]) == (
        f"{{{{ {current}.data }}}}",
        f"{{{{ {reference}.data }}}}",
    )
    assert drift["exclude"] == exclude
    assert validate(draft, catalog).ok


def test_training_on_a_train_file_is_still_a_training(planner: OfflinePlanner) -> None:
    draft = planner.plan("train a model on the training data data/train.csv to predict churned")
    assert methods(draft) == ["file.csv.read", "ml.model.train"]
