"""Fixtures of the model tests: one MLflow store for the session, datasets, contexts.

MLflow's SQLite migrations take seconds, so the tests share one tracking store and
registry; each test names its models uniquely so that they do not meet.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from odp.artifacts import ArtifactStore, DatasetRef
from odp.catalog import MethodContext
from odp.config import Settings
from tests.unit.ml.datasets import churn_frame, price_frame


@pytest.fixture(scope="session")
def mlflow_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's MLflow folder (tracking database, registry, artifacts)."""
    return tmp_path_factory.mktemp("mlflow")


@pytest.fixture(autouse=True)
def _shared_registry(mlflow_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ODP_MLFLOW_TRACKING_URI", f"sqlite:///{mlflow_dir / 'mlflow.db'}")
    monkeypatch.setenv("ODP_MLFLOW_ARTIFACTS_URI", str(mlflow_dir / "artifacts"))
    yield


@pytest.fixture
def model_name() -> str:
    """A registered model name no other test uses."""
    return f"m-{uuid.uuid4().hex[:10]}"


def make_ctx(store: ArtifactStore, settings: Settings, step: str = "step") -> MethodContext:
    """A context with a run id of its own (the idempotency key differs per call)."""
    return MethodContext.for_testing(
        store, settings=settings, step=step, run_id=f"run-{uuid.uuid4().hex[:8]}"
    )


@pytest.fixture
def churn(store: ArtifactStore) -> DatasetRef:
    """400 labelled customers."""
    return store.write(churn_frame())


@pytest.fixture
def prices(store: ArtifactStore) -> DatasetRef:
    """300 houses with prices."""
    return store.write(price_frame())
