"""A registered model loaded for prediction, with its signature and classes.

Batch prediction, evaluation and serving share :class:`LoadedModel`: it knows the
model's input columns (from its MLflow signature), checks rows against them, and
returns predictions and, for classifiers, class probabilities.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from odp.errors import ModelError
from odp.ml.features import FeatureSchema, schema_from_signature
from odp.ml.refs import ModelRef
from odp.ml.registry import ModelRegistry, ModelVersionInfo
from odp.ml.tracking import TrackingConfig, mlflow_session

__all__ = ["LoadedModel", "Predictions", "load_model"]


@dataclass(frozen=True, slots=True)
class Predictions:
    """What a model said about some rows.

    Attributes:
        labels: one prediction per row.
        probabilities: for classifiers, one row of class probabilities per input row
            (columns in :attr:`LoadedModel.classes` order); None otherwise.
    """

    labels: np.ndarray
    probabilities: np.ndarray | None = None


@dataclass(slots=True)
class LoadedModel:
    """A registered model version in memory.

    Attributes:
        info: the registry's record of the version.
        ref: how it was asked for (an alias is kept, to know when it moves).
        pyfunc: MLflow's generic model.
        estimator: the scikit-learn model inside, when there is one.
        schema: the input columns from the signature (None without a signature).
        signature: the signature as JSON-friendly data.
        classes: the classes of a classifier, in probability-column order.
    """

    info: ModelVersionInfo
    ref: ModelRef
    pyfunc: Any
    estimator: Any | None
    schema: FeatureSchema | None
    signature: dict[str, Any]
    classes: list[Any]

    @property
    def name(self) -> str:
        """The registered model's name."""
        return self.info.name

    @property
    def version(self) -> int:
        """The loaded version."""
        return self.info.version

    @property
    def is_classifier(self) -> bool:
        """Whether it gives class probabilities."""
        return bool(self.classes) and self.estimator is not None

    def missing_columns(self, columns: Sequence[str]) -> list[str]:
        """The model's input columns that ``columns`` lacks."""
        if self.schema is None:
            return []
        have = set(columns)
        return [c for c in self.schema.columns if c not in have]

    def predict(self, frame: Any, *, probabilities: bool = True) -> Predictions:
        """Predict for a pandas frame holding the input columns (in any order).

        For a classifier with ``probabilities``, the model runs once: the label is the
        most probable class (the rule scikit-learn's classifiers apply themselves).

        Raises:
            ModelError: when the model refuses the rows.
        """
        if self.schema is not None and list(frame.columns) != list(self.schema.columns):
            frame = frame[list(self.schema.columns)]
        try:
            if self.estimator is not None and probabilities and self.is_classifier:
                proba = np.asarray(self.estimator.predict_proba(frame))
                labels = np.asarray(self.classes, dtype=object)[proba.argmax(axis=1)]
                if all(not isinstance(c, str) for c in self.classes):
                    labels = labels.astype(np.asarray(self.classes).dtype)
                return Predictions(labels, proba)
            if self.estimator is not None:
                return Predictions(np.asarray(self.estimator.predict(frame)))
            out = self.pyfunc.predict(frame)
        except Exception as e:
            raise ModelError(
                f"model {self.name} version {self.version} could not predict: "
                f"{str(e).splitlines()[0][:300] if str(e) else type(e).__name__}"
            ) from e
        values = out.iloc[:, 0].to_numpy() if hasattr(out, "iloc") and out.ndim == 2 else out
        return Predictions(np.asarray(values))


def load_model(
    config: TrackingConfig, ref: ModelRef, registry: ModelRegistry | None = None
) -> LoadedModel:
    """Resolve a reference in the registry and load that version.

    Raises:
        ModelNotFoundError: for a model, version or alias that does not exist.
        ModelError: when the model's files cannot be loaded.
    """
    registry = registry or ModelRegistry(config)
    info = registry.resolve(ref)
    with mlflow_session(config) as mlflow:
        import mlflow.pyfunc

        try:
            pyfunc = mlflow.pyfunc.load_model(f"models:/{info.name}/{info.version}")
        except Exception as e:
            raise ModelError(
                f"could not load model {info.name} version {info.version}: "
                f"{str(e).splitlines()[0][:300] if str(e) else type(e).__name__}",
                hint="the model's files may be missing from the artifact store",
            ) from e
    estimator = _estimator(pyfunc)
    signature = pyfunc.metadata.signature
    classes = (
        [_plain(c) for c in getattr(estimator, "classes_", [])] if estimator is not None else []
    )
    return LoadedModel(
        info=info,
        ref=ref,
        pyfunc=pyfunc,
        estimator=estimator,
        schema=schema_from_signature(signature),
        signature=_signature_json(signature),
        classes=classes,
    )


def _estimator(pyfunc: Any) -> Any | None:
    """The scikit-learn model inside a pyfunc, or None for other flavors."""
    try:
        raw = pyfunc.get_raw_model()
    except Exception:  # not every flavor exposes its raw model
        return None
    return raw if hasattr(raw, "predict") and hasattr(raw, "get_params") else None


def _signature_json(signature: Any) -> dict[str, Any]:
    if signature is None:
        return {}
    out: dict[str, Any] = {}
    for side in ("inputs", "outputs"):
        schema = getattr(signature, side, None)
        out[side] = json.loads(schema.to_json()) if schema is not None else None
    return out


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
