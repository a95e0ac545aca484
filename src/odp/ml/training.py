"""Training with scikit-learn: a preprocessing + estimator pipeline from an allowlist.

Numeric columns (booleans included) are imputed with the median and scaled; text and
categorical columns are imputed with the most frequent value and one-hot encoded
(categories unseen at training are ignored at prediction). The split is reproducible
(``seed``) and stratified for classification, so the same data, params and seed give
the same model and the same metrics.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from odp.errors import MethodError
from odp.ml.features import FeatureSchema, feature_schema, model_frame
from odp.ml.metrics import Task, classification_metrics, regression_metrics

__all__ = [
    "ESTIMATORS",
    "EstimatorName",
    "TrainedModel",
    "TrainingSpec",
    "check_hyperparams",
    "estimator_class",
    "infer_task",
    "target_values",
    "train_model",
]

EstimatorName = Literal[
    "logistic_regression", "random_forest", "gradient_boosting", "linear_regression", "ridge"
]

# (module, classifier class, regressor class): imported only when used
ESTIMATORS: dict[str, tuple[str, str | None, str | None]] = {
    "logistic_regression": ("sklearn.linear_model", "LogisticRegression", None),
    "random_forest": ("sklearn.ensemble", "RandomForestClassifier", "RandomForestRegressor"),
    "gradient_boosting": (
        "sklearn.ensemble",
        "GradientBoostingClassifier",
        "GradientBoostingRegressor",
    ),
    "linear_regression": ("sklearn.linear_model", None, "LinearRegression"),
    "ridge": ("sklearn.linear_model", None, "Ridge"),
}

_MAX_CLASSES = 20  # an integer target with more distinct values is taken as a quantity


@dataclass(frozen=True, slots=True)
class TrainingSpec:
    """What to train: the columns, the task, the estimator and the split."""

    target: str
    features: list[str]
    task: Task
    estimator: str
    hyperparams: dict[str, Any] = field(default_factory=dict)
    test_size: float = 0.2
    seed: int = 42


@dataclass(slots=True)
class TrainedModel:
    """A fitted pipeline and how it did on the held-out rows."""

    pipeline: Any
    schema: FeatureSchema
    metrics: dict[str, float]
    classes: list[Any]
    train_rows: int
    test_rows: int
    stratified: bool
    dropped_rows: int
    example: Any  # a few training rows, as pandas, for MLflow's input example


def estimator_class(estimator: str, task: Task) -> type[Any]:
    """The scikit-learn class for an allowlisted estimator and a task.

    Raises:
        MethodError: for an estimator not in the allowlist or not made for the task.
    """
    if estimator not in ESTIMATORS:
        raise MethodError(
            f"estimator: {estimator!r} is not available",
            hint="choose one of " + ", ".join(ESTIMATORS),
            field="estimator",
        )
    module, classifier, regressor = ESTIMATORS[estimator]
    name = classifier if task == "classification" else regressor
    if name is None:
        fitting = [
            e for e, (_, c, r) in ESTIMATORS.items() if (c if task == "classification" else r)
        ]
        raise MethodError(
            f"estimator: {estimator} does not do {task}",
            hint=f"for {task} choose one of " + ", ".join(fitting),
            field="estimator",
        )
    cls: type[Any] = getattr(importlib.import_module(module), name)
    return cls


def check_hyperparams(estimator: str, task: Task, hyperparams: dict[str, Any]) -> None:
    """Check hyperparameter names against the estimator's constructor.

    Raises:
        MethodError: naming the unknown hyperparameters and the ones that exist.
    """
    cls = estimator_class(estimator, task)
    allowed = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = [k for k in hyperparams if k not in allowed]
    if unknown:
        raise MethodError(
            f"hyperparams: {cls.__name__} has no hyperparameter "
            + ", ".join(repr(u) for u in unknown),
            hint="its hyperparameters: " + ", ".join(allowed),
            field="hyperparams",
        )


def infer_task(dtype: pl.DataType, distinct: int) -> Task:
    """Classification for text, boolean and few-valued integer targets; regression otherwise."""
    if dtype.is_float():
        return "regression"
    if dtype.is_integer():
        return "classification" if distinct <= _MAX_CLASSES else "regression"
    return "classification"


def train_model(frame: pl.DataFrame, spec: TrainingSpec) -> TrainedModel:
    """Split, fit and evaluate on the held-out rows.

    Raises:
        MethodError: for unusable data (too few rows, a single class, bad hyperparams).
    """
    from sklearn.model_selection import train_test_split

    schema = feature_schema(frame, spec.features)
    labelled = frame.filter(pl.col(spec.target).is_not_null())
    dropped = frame.height - labelled.height
    y = target_values(labelled.get_column(spec.target), spec.task, field="target")
    X = model_frame(labelled, schema)
    if labelled.height < 4:
        raise MethodError(
            f"data: only {labelled.height} rows have a {spec.target!r} value; at least 4 are needed",
            field="data",
        )
    stratify = None
    if spec.task == "classification":
        values, counts = np.unique(y, return_counts=True)
        if len(values) < 2:
            raise MethodError(
                f"target: {spec.target!r} has a single class ({values[0]!r}); "
                "a classifier needs at least two",
                hint="check the target column, or use task: regression for a quantity",
                field="target",
            )
        n_test = int(np.ceil(spec.test_size * len(y)))
        # stratify when every class can be on both sides of the split
        if counts.min() >= 2 and n_test >= len(values) and len(y) - n_test >= len(values):
            stratify = y
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=spec.test_size, random_state=spec.seed, stratify=stratify
    )
    pipeline = _pipeline(schema, spec)
    try:
        pipeline.fit(X_train, y_train)
    except (ValueError, TypeError) as e:
        raise MethodError(
            f"training failed: {str(e).splitlines()[0]}",
            hint="check hyperparams against the estimator's documentation",
            field="hyperparams",
        ) from e
    predicted = pipeline.predict(X_test)
    classes: list[Any] = []
    if spec.task == "classification":
        classes = [_plain(c) for c in pipeline.classes_]
        scores = pipeline.predict_proba(X_test) if hasattr(pipeline, "predict_proba") else None
        metrics = classification_metrics(y_test, predicted, scores, classes)
    else:
        metrics = regression_metrics(y_test, predicted)
    return TrainedModel(
        pipeline=pipeline,
        schema=schema,
        metrics=metrics,
        classes=classes,
        train_rows=len(y_train),
        test_rows=len(y_test),
        stratified=stratify is not None,
        dropped_rows=dropped,
        example=X_train.head(5),
    )


def target_values(column: pl.Series, task: Task, *, field: str) -> np.ndarray:
    """Labels (or quantities) as the estimator sees them, at training and at evaluation.

    Raises:
        MethodError: for a regression target that is not numeric.
    """
    if task == "regression":
        if not column.dtype.is_numeric():
            raise MethodError(
                f"{field}: {column.name!r} is {column.dtype}, not a number, so it cannot be "
                "regressed",
                hint="use task: classification for labels",
                field=field,
            )
        return column.cast(pl.Float64).to_numpy()
    if column.dtype == pl.Boolean or column.dtype.is_numeric():
        return column.to_numpy()
    return np.asarray(column.cast(pl.String).to_list(), dtype=object)


def _pipeline(schema: FeatureSchema, spec: TrainingSpec) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    parts: list[tuple[str, Any, list[str]]] = []
    if schema.numeric:
        numeric = Pipeline(
            [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
        )
        parts.append(("numeric", numeric, schema.numeric))
    if schema.categorical:
        categorical = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("onehot", OneHotEncoder(handle_unknown="ignore")),
            ]
        )
        parts.append(("categorical", categorical, schema.categorical))
    cls = estimator_class(spec.estimator, spec.task)
    check_hyperparams(spec.estimator, spec.task, spec.hyperparams)
    params = dict(spec.hyperparams)
    accepted = inspect.signature(cls.__init__).parameters
    if "random_state" in accepted:
        params.setdefault("random_state", spec.seed)
    if spec.estimator == "logistic_regression":
        params.setdefault("max_iter", 1000)  # the default 100 often stops before converging
    return Pipeline([("prepare", ColumnTransformer(parts)), ("estimator", cls(**params))])


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value (for JSON and MLflow tags)."""
    return value.item() if isinstance(value, np.generic) else value
