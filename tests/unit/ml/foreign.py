"""A model registered outside ODP: a plain MLflow pyfunc without a signature."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from odp.config import Settings
from odp.ml import (
    ModelRegistry,
    ensure_experiment,
    import_mlflow,
    mlflow_client,
    mlflow_session,
    tracking_config,
)

mlflow = import_mlflow()


class Doubler(mlflow.pyfunc.PythonModel):  # type: ignore[misc,name-defined]
    """Predicts twice column x."""

    # a DataFrame hint: MLflow infers no schema from it, and does not ask for another
    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> Any:
        return model_input["x"] * 2


def register_doubler(settings: Settings, name: str) -> int:
    """Log and register the Doubler; return its version."""
    config = tracking_config(settings)
    experiment = ensure_experiment(mlflow_client(config), config)
    with mlflow_session(config) as session, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLflow suggests type hints for data validation
        with session.start_run(experiment_id=experiment) as run:
            logged = session.pyfunc.log_model(
                name="model", python_model=Doubler(), pip_requirements=[]
            )
    return ModelRegistry(config).register(
        name,
        source=str(logged.model_uri),
        run_id=run.info.run_id,
        tags={},
        model_id=logged.model_id,
    )
