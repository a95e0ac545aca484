"""Models as pipeline steps: train and register, evaluate, predict in batch.

Training logs to MLflow (params, metrics, the dataset's hash, the model with its
signature) and registers a new version; the same data, params and seed give the same
metrics. Prediction and evaluation name a registered model by version or alias.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext, MethodKind, MethodOutput, MethodParams, ParamIssue, method
from odp.errors import MethodError
from odp.methods.ml_predict import predict_frame
from odp.methods.ml_refs import MLFLOW_HINT, ModelParams, model_errors, model_ref, registry_check
from odp.methods.tabular import check_columns, in_thread
from odp.ml import (
    MODEL_NAME_PATTERN,
    EstimatorName,
    Task,
    TrainingSpec,
    check_hyperparams,
    classification_metrics,
    confusion,
    infer_task,
    load_model,
    record_evaluation,
    record_training,
    regression_metrics,
    target_values,
    tracking_config,
    train_model,
)

__all__ = ["evaluate_model", "train"]

HyperValue = int | float | str | bool | None


class TrainParams(MethodParams):
    """What to train on, and how."""

    data: DatasetRef = Field(description="The training rows, with the target column.")
    target: str = Field(min_length=1, description="The column to predict.")
    features: list[str] | None = Field(
        default=None,
        min_length=1,
        description="The input columns (default: every column but the target and exclude).",
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Columns to leave out of the default features, e.g. ids.",
    )
    task: Task | None = Field(
        default=None,
        description="classification or regression (default: regression for a float target, "
        "classification for text, booleans and integers with at most 20 values).",
    )
    estimator: EstimatorName = Field(
        default="random_forest",
        description="logistic_regression, random_forest, gradient_boosting (classification); "
        "random_forest, gradient_boosting, linear_regression, ridge (regression).",
    )
    hyperparams: dict[str, HyperValue] = Field(
        default_factory=dict,
        description="The estimator's constructor arguments, e.g. {n_estimators: 200, max_depth: 8}.",
    )
    test_size: float = Field(
        default=0.2, gt=0, lt=1, description="The share of rows held out for evaluation."
    )
    seed: int = Field(default=42, ge=0, description="Seeds the split and the estimator.")
    model_name: str = Field(
        pattern=MODEL_NAME_PATTERN,
        description="The registered model that gets a new version, e.g. churn.",
    )
    experiment: str | None = Field(
        default=None, min_length=1, description="The MLflow experiment (default: ODP's)."
    )


class TrainOutput(MethodOutput):
    """The registered version and how it did on the held-out rows."""

    model_name: str = Field(description="The registered model.")
    version: int = Field(description="The new version.")
    model_uri: str = Field(description="models:/NAME/VERSION, for later steps.")
    run_id: str = Field(description="The MLflow run that logged it.")
    experiment_id: str = Field(description="The MLflow experiment of the run.")
    metrics: dict[str, float] = Field(description="Held-out metrics.")
    task: Task = Field(description="classification or regression.")
    estimator: str = Field(description="The estimator trained.")
    features: list[str] = Field(description="The input columns.")
    train_rows: int = Field(description="Rows trained on.")
    test_rows: int = Field(description="Rows held out.")


def _check_train(params: dict[str, Any]) -> list[ParamIssue]:
    """Estimator, task and hyperparameter names, checked before the run.

    Only a literal estimator is checked: a missing one may be a template.
    """
    estimator = params.get("estimator")
    task = params.get("task")
    hyperparams = params.get("hyperparams", {})
    if not isinstance(estimator, str) or not isinstance(hyperparams, dict):
        return []
    tasks: list[Task] = [task] if task in ("classification", "regression") else []
    if not tasks:  # unknown yet: fine if either task accepts it
        tasks = ["classification", "regression"]
    problems: list[MethodError] = []
    for candidate in tasks:
        try:
            check_hyperparams(estimator, candidate, hyperparams)
            return []
        except MethodError as e:
            problems.append(e)
    first = problems[0]
    return [ParamIssue(first.field or "params", first.message, first.hint)]


@method(
    "ml.model.train",
    kind=MethodKind.TRANSFORM,
    summary="Train a scikit-learn model, log it to MLflow and register a new version",
    tags=("train", "fit", "model", "machine learning", "classifier", "regression", "mlflow"),
    requires=("mlflow",),
    install_hint=MLFLOW_HINT,
    timeout=3600,
    checks=(_check_train,),
    examples=[
        {
            "description": "Train a churn classifier and register it as 'churn'",
            "params": {
                "data": "{{ customers.data }}",
                "target": "churned",
                "estimator": "gradient_boosting",
                "hyperparams": {"n_estimators": 200, "max_depth": 3},
                "model_name": "churn",
            },
        }
    ],
)
async def train(params: TrainParams, ctx: MethodContext) -> TrainOutput:
    """Train a model on `data` to predict `target`, evaluate it on held-out rows, register it.

    Numeric columns are imputed (median) and scaled; text columns imputed (most frequent)
    and one-hot encoded. The split is reproducible (`seed`) and stratified for
    classification. The run logs params, metrics, the dataset's SHA-256 and the model
    with its signature; the model is registered as a new version of `model_name`.
    Set `cache: false` on the step to train a new version on every run.
    """
    check_columns(params.data, [params.target], field="target")
    features = params.features or [
        c for c in params.data.column_names if c != params.target and c not in params.exclude
    ]
    check_columns(params.data, features, field="features")
    if params.target in features:
        raise MethodError(
            f"features: the target {params.target!r} cannot also be a feature", field="features"
        )
    if not features:
        raise MethodError("features: the data has no column besides the target", field="features")

    def work() -> TrainOutput:
        frame = ctx.store.read(params.data)
        column = frame.get_column(params.target)
        task = params.task or infer_task(column.dtype, column.n_unique())
        spec = TrainingSpec(
            target=params.target,
            features=features,
            task=task,
            estimator=params.estimator,
            hyperparams=dict(params.hyperparams),
            test_size=params.test_size,
            seed=params.seed,
        )
        trained = train_model(frame, spec)
        with model_errors():
            record = record_training(
                tracking_config(ctx.settings),
                trained,
                spec,
                model_name=params.model_name,
                dataset=params.data,
                idempotency_key=ctx.idempotency_key,
                experiment=params.experiment,
                tags={"odp.run_id": ctx.run_id, "odp.step": ctx.step},
            )
        ctx.log.info(
            "model_trained", model=params.model_name, version=record.version, **trained.metrics
        )
        return TrainOutput(
            model_name=params.model_name,
            version=record.version,
            model_uri=f"models:/{params.model_name}/{record.version}",
            run_id=record.run_id,
            experiment_id=record.experiment_id,
            metrics=trained.metrics,
            task=task,
            estimator=params.estimator,
            features=features,
            train_rows=trained.train_rows,
            test_rows=trained.test_rows,
        )

    return await in_thread(work)


class EvaluateParams(ModelParams):
    """The model and the labelled rows to evaluate it on."""

    data: DatasetRef = Field(description="Rows with the model's input columns and the labels.")
    target: str | None = Field(
        default=None,
        min_length=1,
        description="The label column (default: the column the model was trained to predict).",
    )
    experiment: str | None = Field(
        default=None, min_length=1, description="The MLflow experiment (default: ODP's)."
    )


class EvaluateOutput(MethodOutput):
    """How the model did."""

    model_name: str = Field(description="The registered model.")
    version: int = Field(description="The version evaluated.")
    metrics: dict[str, float] = Field(description="The metrics of its task.")
    labels: list[str] | None = Field(
        default=None, description="Classes, in confusion matrix order (classification)."
    )
    confusion_matrix: list[list[int]] | None = Field(
        default=None,
        description="Rows: true class, columns: predicted class, in labels order (classification).",
    )
    rows: int = Field(description="Rows evaluated (rows without a label are left out).")
    run_id: str = Field(description="The MLflow run the evaluation was logged to.")


@method(
    "ml.model.evaluate",
    kind=MethodKind.TRANSFORM,
    cacheable=False,  # a model alias may point at another version next time
    summary="Evaluate a registered model on labelled rows and log the metrics to MLflow",
    tags=("evaluate", "metrics", "accuracy", "f1", "rmse", "confusion matrix", "model", "mlflow"),
    requires=("mlflow",),
    install_hint=MLFLOW_HINT,
    checks=(registry_check(),),
    examples=[
        {
            "description": "Evaluate the champion churn model on last month's customers",
            "params": {"model": "churn@champion", "data": "{{ last_month.data }}"},
        }
    ],
)
async def evaluate_model(params: EvaluateParams, ctx: MethodContext) -> EvaluateOutput:
    """Evaluate a registered model (by version or alias) on `data`, which holds the labels.

    Classification gives accuracy, macro precision/recall/f1, roc_auc (two classes) and
    a confusion matrix; regression gives rmse, mae and r2. The evaluation is logged to
    MLflow as its own run.
    """
    ref = model_ref(params.model, params.version, params.alias)
    config = tracking_config(ctx.settings)

    def work() -> EvaluateOutput:
        import polars as pl

        with model_errors():
            loaded = load_model(config, ref)
        target = params.target or loaded.info.target
        if target is None:
            raise MethodError(
                f"target: model {loaded.name} does not record its target column; name it",
                field="target",
            )
        check_columns(params.data, [target], field="target")
        frame = ctx.store.read(params.data).filter(pl.col(target).is_not_null())
        if frame.height == 0:
            raise MethodError(f"data: no row has a {target!r} value", field="data")
        out = predict_frame(loaded, frame, params.data, field="data")
        recorded = loaded.info.task or ("classification" if loaded.classes else "regression")
        task: Task = "classification" if recorded == "classification" else "regression"
        truth = frame.get_column(target)
        labels: list[Any] | None = None
        matrix: list[list[int]] | None = None
        y_true = target_values(truth, task, field="target")
        if task == "classification":
            metrics = classification_metrics(
                y_true, out.labels, out.probabilities, loaded.classes or None
            )
            labels = loaded.classes or sorted({*y_true.tolist(), *out.labels.tolist()}, key=str)
            matrix = confusion(y_true, out.labels, labels)
        else:
            metrics = regression_metrics(y_true, out.labels)
        with model_errors():
            record = record_evaluation(
                config,
                loaded.info,
                metrics=metrics,
                dataset=params.data,
                labels=labels,
                confusion=matrix,
                experiment=params.experiment,
                tags={"odp.run_id": ctx.run_id, "odp.step": ctx.step},
            )
        return EvaluateOutput(
            model_name=loaded.name,
            version=loaded.version,
            metrics=metrics,
            labels=[str(x) for x in labels] if labels is not None else None,
            confusion_matrix=matrix,
            rows=frame.height,
            run_id=record.run_id,
        )

    return await in_thread(work)
