"""Model metrics per task, and which way is better for each."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

__all__ = [
    "CLASSIFICATION_METRICS",
    "LOWER_IS_BETTER",
    "REGRESSION_METRICS",
    "Task",
    "classification_metrics",
    "confusion",
    "improvement",
    "metric_names",
    "regression_metrics",
]

Task = Literal["classification", "regression"]

CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc")
"""Precision, recall and f1 are macro averages; roc_auc only for two classes."""

REGRESSION_METRICS = ("rmse", "mae", "r2")
LOWER_IS_BETTER = frozenset({"rmse", "mae"})


def metric_names(task: Task) -> tuple[str, ...]:
    """The metrics ODP computes for a task."""
    return CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS


def improvement(metric: str, candidate: float, incumbent: float) -> float:
    """How much better ``candidate`` is than ``incumbent`` (negative when worse)."""
    return incumbent - candidate if metric in LOWER_IS_BETTER else candidate - incumbent


def classification_metrics(
    y_true: Sequence[Any] | np.ndarray,
    y_pred: Sequence[Any] | np.ndarray,
    scores: np.ndarray | None = None,
    classes: Sequence[Any] | None = None,
) -> dict[str, float]:
    """Accuracy, macro precision/recall/f1, and roc_auc when there are two classes.

    Args:
        y_true: the labels.
        y_pred: the predicted labels.
        scores: class probabilities (one column per class, in ``classes`` order).
        classes: the classes in the order of the ``scores`` columns.
    """
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support, roc_auc_score

    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, average="macro", zero_division=0
    )
    out = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
    }
    present = set(np.asarray(y_true).tolist())
    if scores is not None and classes is not None and len(classes) == 2 and len(present) == 2:
        positive = np.asarray(y_true) == classes[1]
        out["roc_auc"] = float(roc_auc_score(positive, scores[:, 1]))
    return {k: _finite(v) for k, v in out.items()}


def regression_metrics(
    y_true: Sequence[Any] | np.ndarray, y_pred: Sequence[Any] | np.ndarray
) -> dict[str, float]:
    """Root mean squared error, mean absolute error and R²."""
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    truth = np.asarray(y_true, dtype=float)
    pred = np.asarray(y_pred, dtype=float)
    out = {
        "rmse": math.sqrt(float(mean_squared_error(truth, pred))),
        "mae": float(mean_absolute_error(truth, pred)),
        # R² is undefined for fewer than two rows; report 0 rather than NaN
        "r2": float(r2_score(truth, pred)) if len(truth) > 1 else 0.0,
    }
    return {k: _finite(v) for k, v in out.items()}


def confusion(
    y_true: Sequence[Any] | np.ndarray, y_pred: Sequence[Any] | np.ndarray, labels: Sequence[Any]
) -> list[list[int]]:
    """The confusion matrix: rows are true labels, columns predicted, both in ``labels`` order."""
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(y_true, y_pred, labels=list(labels))
    return [[int(x) for x in row] for row in matrix]


def _finite(value: float) -> float:
    return value if math.isfinite(value) else 0.0
