"""Recording training and evaluation runs in MLflow, and registering trained models."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from odp.artifacts import DatasetRef
from odp.errors import ModelError, RegistryUnavailableError
from odp.ml.features import FeatureSchema
from odp.ml.registry import METRIC_TAG, ModelRegistry, ModelVersionInfo
from odp.ml.tracking import TrackingConfig, ensure_experiment, mlflow_client, mlflow_session
from odp.ml.training import TrainedModel, TrainingSpec

__all__ = [
    "IDEMPOTENCY_TAG",
    "EvaluationRecord",
    "TrainingRecord",
    "record_evaluation",
    "record_training",
]

IDEMPOTENCY_TAG = "odp.idempotency_key"
_PARAM_TEXT = 500  # MLflow caps param values; long feature lists are cut in the param


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    """Where a trained model went: its run, its registered version."""

    run_id: str
    experiment_id: str
    model_name: str
    version: int
    reused: bool = False  # True when a retried step found its own earlier registration


@dataclass(frozen=True, slots=True)
class EvaluationRecord:
    """The MLflow run an evaluation was logged to."""

    run_id: str
    experiment_id: str


def record_training(
    config: TrackingConfig,
    trained: TrainedModel,
    spec: TrainingSpec,
    *,
    model_name: str,
    dataset: DatasetRef,
    idempotency_key: str,
    experiment: str | None = None,
    tags: dict[str, str] | None = None,
) -> TrainingRecord:
    """Log a trained model's run (params, metrics, dataset hash, model) and register it.

    A retry of the same step (same ``idempotency_key``) finds the version it already
    registered instead of registering a second one.
    """
    client = mlflow_client(config)
    registry = ModelRegistry(config, client)
    earlier = registry.find_version(model_name, IDEMPOTENCY_TAG, idempotency_key)
    if earlier is not None and earlier.run_id:
        run = client.get_run(earlier.run_id)
        return TrainingRecord(
            run_id=earlier.run_id,
            experiment_id=str(run.info.experiment_id),
            model_name=model_name,
            version=earlier.version,
            reused=True,
        )
    experiment_id = ensure_experiment(client, config, experiment)
    run_tags = {
        "odp.model_name": model_name,
        "odp.dataset_sha256": dataset.sha256,
        "odp.dataset_uri": dataset.uri,
        IDEMPOTENCY_TAG: idempotency_key,
        **(tags or {}),
    }
    signature = _signature(trained.schema, spec, trained.classes)
    with mlflow_session(config) as mlflow:
        import mlflow.sklearn

        try:
            with mlflow.start_run(
                experiment_id=experiment_id, run_name=f"train-{model_name}", tags=run_tags
            ) as run:
                mlflow.log_params(_training_params(trained, spec, dataset))
                mlflow.log_metrics(trained.metrics)
                logged = mlflow.sklearn.log_model(
                    trained.pipeline,
                    name="model",
                    signature=signature,
                    input_example=trained.example,
                    pip_requirements=_requirements(),
                    skops_trusted_types=_trusted_types(trained.pipeline),
                )
                run_id = str(run.info.run_id)
        except Exception as e:
            raise ModelError(
                f"could not record the training run in MLflow ({config.tracking_uri}): "
                f"{_reason(e)}",
                hint="check that the tracking store is reachable and writable",
            ) from e
    version_tags = {
        "odp.task": spec.task,
        "odp.target": spec.target,
        "odp.estimator": spec.estimator,
        "odp.dataset_sha256": dataset.sha256,
        "odp.classes": json.dumps(trained.classes, default=str)[:5000],
        IDEMPOTENCY_TAG: idempotency_key,
        **{f"{METRIC_TAG}{k}": repr(v) for k, v in trained.metrics.items()},
    }
    number = registry.register(
        model_name,
        source=str(logged.model_uri),
        run_id=run_id,
        tags=version_tags,
        model_id=getattr(logged, "model_id", None),
    )
    return TrainingRecord(
        run_id=run_id, experiment_id=experiment_id, model_name=model_name, version=number
    )


def record_evaluation(
    config: TrackingConfig,
    model: ModelVersionInfo,
    *,
    metrics: dict[str, float],
    dataset: DatasetRef,
    labels: list[Any] | None = None,
    confusion: list[list[int]] | None = None,
    experiment: str | None = None,
    tags: dict[str, str] | None = None,
) -> EvaluationRecord:
    """Log an evaluation of a registered version as its own MLflow run."""
    from mlflow.entities import Metric, Param, RunTag

    client = mlflow_client(config)
    try:
        experiment_id = ensure_experiment(client, config, experiment)
        run = client.create_run(
            experiment_id,
            run_name=f"evaluate-{model.name}-v{model.version}",
            tags={
                "odp.kind": "evaluation",
                "odp.model_name": model.name,
                "odp.model_version": str(model.version),
                "odp.dataset_sha256": dataset.sha256,
                **(tags or {}),
            },
        )
        run_id = run.info.run_id
        now = int(time.time() * 1000)
        client.log_batch(
            run_id,
            metrics=[Metric(k, v, now, 0) for k, v in metrics.items()],
            params=[
                Param("model_uri", f"models:/{model.name}/{model.version}"),
                Param("dataset_sha256", dataset.sha256),
                Param("rows", str(dataset.rows)),
            ],
            tags=[RunTag("mlflow.source.name", "odp")],
        )
        if confusion is not None and labels is not None:
            client.log_dict(
                run_id,
                {"labels": [str(x) for x in labels], "matrix": confusion},
                "confusion_matrix.json",
            )
        client.set_terminated(run_id)
    except RegistryUnavailableError:
        raise
    except Exception as e:
        raise RegistryUnavailableError(config.tracking_uri, _reason(e)) from e
    return EvaluationRecord(run_id=run_id, experiment_id=experiment_id)


def _training_params(
    trained: TrainedModel, spec: TrainingSpec, dataset: DatasetRef
) -> dict[str, Any]:
    features = ",".join(spec.features)
    params: dict[str, Any] = {
        "target": spec.target,
        "task": spec.task,
        "estimator": spec.estimator,
        "features": features if len(features) <= _PARAM_TEXT else features[:_PARAM_TEXT] + "…",
        "n_features": len(spec.features),
        "test_size": spec.test_size,
        "seed": spec.seed,
        "stratified": trained.stratified,
        "train_rows": trained.train_rows,
        "test_rows": trained.test_rows,
        "dropped_rows": trained.dropped_rows,
        "dataset_sha256": dataset.sha256,
    }
    params.update({f"hp.{k}": v for k, v in spec.hyperparams.items()})
    return params


def _signature(schema: FeatureSchema, spec: TrainingSpec, classes: list[Any]) -> Any:
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    inputs = Schema(
        [ColSpec("double" if c in schema.numeric else "string", c) for c in schema.columns]
    )
    if spec.task == "regression":
        output = "double"
    elif classes and all(isinstance(c, bool) for c in classes):
        output = "boolean"
    elif classes and all(isinstance(c, int) for c in classes):
        output = "long"
    elif classes and all(isinstance(c, int | float) for c in classes):
        output = "double"
    else:
        output = "string"
    return ModelSignature(inputs=inputs, outputs=Schema([ColSpec(output, "prediction")]))


def _trusted_types(pipeline: Any) -> list[str]:
    """The types skops must be told to trust to load the pipeline again.

    ODP builds the pipeline itself from an allowlist of scikit-learn estimators, so the
    types inside it (trees, loss functions, numpy dtypes) are scikit-learn's and numpy's.
    """
    import skops.io

    found = skops.io.get_untrusted_types(data=skops.io.dumps(pipeline))
    return [t for t in found if t.split(".", 1)[0] in ("sklearn", "numpy", "scipy")]


def _requirements() -> list[str]:
    wanted = ["scikit-learn", "skops", "numpy", "pandas"]
    out = []
    for name in wanted:
        try:
            out.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            continue
    return out


def _reason(e: BaseException) -> str:
    message = getattr(e, "message", None) or str(e) or type(e).__name__
    return str(message).splitlines()[0][:300]
