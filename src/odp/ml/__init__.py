"""The model lifecycle: training, the MLflow registry, batch prediction, drift, serving.

Importing this package does not import MLflow (which takes seconds); functions that
need it import it when called. The serving app lives in :mod:`odp.ml.serving`.
"""

from odp.ml.drift import ColumnDrift, DriftResult, DriftThresholds, compare, holm, psi
from odp.ml.drift_report import render_drift_report
from odp.ml.features import FeatureSchema, feature_schema, model_frame, schema_from_signature
from odp.ml.loaded import LoadedModel, Predictions, load_model
from odp.ml.lookup import RegistryEntry, check_ref, read_registry
from odp.ml.metrics import (
    LOWER_IS_BETTER,
    Task,
    classification_metrics,
    confusion,
    improvement,
    metric_names,
    regression_metrics,
)
from odp.ml.refs import ALIAS_PATTERN, MODEL_NAME_PATTERN, ModelRef, parse_model_ref
from odp.ml.registry import ModelRegistry, ModelVersionInfo, RegisteredModelInfo
from odp.ml.runs import (
    IDEMPOTENCY_TAG,
    EvaluationRecord,
    TrainingRecord,
    record_evaluation,
    record_training,
)
from odp.ml.tracking import (
    TrackingConfig,
    ensure_experiment,
    import_mlflow,
    mlflow_client,
    mlflow_session,
    tracking_config,
)
from odp.ml.training import (
    ESTIMATORS,
    EstimatorName,
    TrainedModel,
    TrainingSpec,
    check_hyperparams,
    estimator_class,
    infer_task,
    target_values,
    train_model,
)

__all__ = [
    "ALIAS_PATTERN",
    "ESTIMATORS",
    "IDEMPOTENCY_TAG",
    "LOWER_IS_BETTER",
    "MODEL_NAME_PATTERN",
    "ColumnDrift",
    "DriftResult",
    "DriftThresholds",
    "EstimatorName",
    "EvaluationRecord",
    "FeatureSchema",
    "LoadedModel",
    "ModelRef",
    "ModelRegistry",
    "ModelVersionInfo",
    "Predictions",
    "RegisteredModelInfo",
    "RegistryEntry",
    "Task",
    "TrackingConfig",
    "TrainedModel",
    "TrainingRecord",
    "TrainingSpec",
    "check_hyperparams",
    "check_ref",
    "classification_metrics",
    "compare",
    "confusion",
    "ensure_experiment",
    "estimator_class",
    "feature_schema",
    "holm",
    "import_mlflow",
    "improvement",
    "infer_task",
    "load_model",
    "metric_names",
    "mlflow_client",
    "mlflow_session",
    "model_frame",
    "parse_model_ref",
    "psi",
    "read_registry",
    "record_evaluation",
    "record_training",
    "regression_metrics",
    "render_drift_report",
    "schema_from_signature",
    "target_values",
    "tracking_config",
    "train_model",
]
