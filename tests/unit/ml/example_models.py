"""The registered models the example pipelines name, trained for real into a given folder.

``examples/score_breast_cancer.yaml`` predicts with ``breast-cancer@champion``; its
validation looks that model up in the registry, so the example tests train it first.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import polars as pl

from odp.artifacts import ArtifactStore
from odp.ml import ModelRegistry, TrackingConfig, TrainingSpec, record_training, train_model

ROOT = Path(__file__).resolve().parents[3]


def register_example_models(folder: Path) -> str:
    """Train ``breast-cancer`` on the example data, make it champion; return the tracking URI."""
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    config = TrackingConfig(uri, uri, str(folder / "artifacts"), "examples")
    frame = pl.read_csv(ROOT / "examples" / "data" / "breast_cancer.csv")
    features = [c for c in frame.columns if c not in ("patient_id", "diagnosis")]
    spec = TrainingSpec(
        target="diagnosis",
        features=features,
        task="classification",
        estimator="logistic_regression",
    )
    dataset = ArtifactStore(folder / "datasets").write(frame)
    record = record_training(
        config,
        train_model(frame, spec),
        spec,
        model_name="breast-cancer",
        dataset=dataset,
        idempotency_key=uuid.uuid4().hex,
    )
    ModelRegistry(config).set_alias("breast-cancer", "champion", record.version)
    return uri
