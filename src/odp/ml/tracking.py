"""MLflow from ODP's settings: where runs, models and their artifacts live.

MLflow is imported lazily (it takes seconds and is in the ``ml`` extra), always through
:func:`import_mlflow`, which first turns off MLflow's usage telemetry: ODP makes no
network call that its settings do not name.

By default the tracking store and the registry are one SQLite file under the state
folder (``<state_dir>/mlflow/mlflow.db``) with artifacts next to it; any MLflow
tracking URI (``http://mlflow:5000``, ``postgresql://...``) works instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from odp.config import Settings
from odp.errors import ModelError, RegistryUnavailableError

if TYPE_CHECKING:
    from mlflow import MlflowClient

__all__ = [
    "TrackingConfig",
    "ensure_experiment",
    "import_mlflow",
    "mlflow_client",
    "mlflow_session",
    "sqlite_path",
    "tracking_config",
]

# MLflow's fluent API (start_run, log_model, load_model by models:/ URI) reads process-wide
# URIs; ODP sets them and runs the call under this lock so that two steps never mix them up.
_FLUENT = threading.RLock()
_REMOTE_SCHEMES = ("http", "https", "databricks", "databricks-uc")


@dataclass(frozen=True, slots=True)
class TrackingConfig:
    """Where MLflow keeps things, resolved from :class:`~odp.config.Settings`.

    Attributes:
        tracking_uri: runs, params, metrics.
        registry_uri: registered models, versions, aliases.
        artifacts_uri: the artifact root given to new experiments (None: the
            tracking server decides).
        experiment: the experiment runs are logged to.
    """

    tracking_uri: str
    registry_uri: str
    artifacts_uri: str | None
    experiment: str


def tracking_config(settings: Settings) -> TrackingConfig:
    """Resolve MLflow's URIs from the settings (defaults under the state folder)."""
    base = settings.state_dir.resolve() / "mlflow"
    tracking = settings.mlflow_tracking_uri or f"sqlite:///{base / 'mlflow.db'}"
    registry = settings.mlflow_registry_uri or tracking
    artifacts = settings.mlflow_artifacts_uri
    if artifacts is None and urlparse(tracking).scheme not in _REMOTE_SCHEMES:
        artifacts = str(base / "artifacts")
    return TrackingConfig(
        tracking_uri=tracking,
        registry_uri=registry,
        artifacts_uri=artifacts,
        experiment=settings.mlflow_experiment,
    )


def sqlite_path(uri: str) -> Path | None:
    """The file of a ``sqlite:///`` URI, or None for any other kind of store."""
    if not uri.startswith("sqlite:///"):
        return None
    # sqlite:////abs/file.db is absolute, sqlite:///file.db relative to the working folder
    return Path(uri.removeprefix("sqlite:///").partition("?")[0])


def import_mlflow() -> ModuleType:
    """Import MLflow with its telemetry off and its INFO chatter quiet.

    Raises:
        ModelError: when MLflow is not installed, saying how to install it.
    """
    # no outside network call unless the user explicitly asked for it
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    # ODP logs what it does itself: no progress bars or run links on the worker's stdout
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
    try:
        with warnings.catch_warnings():
            # MLflow warns about its own type hints while importing pyfunc; not the user's concern
            warnings.filterwarnings("ignore", category=UserWarning, module=r"mlflow\.")
            import mlflow
            import mlflow.pyfunc
            import mlflow.sklearn
    except ImportError as e:  # pragma: no cover - the ml extra is installed in tests
        raise ModelError(
            "the model lifecycle needs MLflow, which is not installed",
            hint="pip install 'odp[ml]'",
        ) from e
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return mlflow


def _prepare(config: TrackingConfig) -> None:
    for uri in (config.tracking_uri, config.registry_uri):
        path = sqlite_path(uri)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)


def mlflow_client(config: TrackingConfig) -> MlflowClient:
    """An MLflow client bound to the configured tracking store and registry.

    Raises:
        RegistryUnavailableError: when the store cannot be opened.
    """
    mlflow = import_mlflow()
    _prepare(config)
    try:
        client: MlflowClient = mlflow.MlflowClient(
            tracking_uri=config.tracking_uri, registry_uri=config.registry_uri
        )
    except Exception as e:
        raise RegistryUnavailableError(config.registry_uri, _reason(e)) from e
    return client


@contextlib.contextmanager
def mlflow_session(config: TrackingConfig) -> Iterator[ModuleType]:
    """Use MLflow's fluent API (runs, model logging and loading) against ``config``.

    The process-wide URIs are set for the duration of the block, under a lock.
    """
    mlflow = import_mlflow()
    _prepare(config)
    with _FLUENT:
        mlflow.set_tracking_uri(config.tracking_uri)
        mlflow.set_registry_uri(config.registry_uri)
        yield mlflow


def ensure_experiment(client: MlflowClient, config: TrackingConfig, name: str | None = None) -> str:
    """The id of the experiment ``name`` (default: the configured one), created if needed.

    Raises:
        RegistryUnavailableError: when the tracking store cannot be reached.
    """
    name = name or config.experiment
    try:
        existing = client.get_experiment_by_name(name)
        if existing is not None:
            return str(existing.experiment_id)
        location = (
            str(Path(config.artifacts_uri) / name)
            if config.artifacts_uri and "://" not in config.artifacts_uri
            else f"{config.artifacts_uri.rstrip('/')}/{name}"
            if config.artifacts_uri
            else None
        )
        return str(client.create_experiment(name, artifact_location=location))
    except Exception as e:
        if _error_code(e) == "RESOURCE_ALREADY_EXISTS":  # created meanwhile by another step
            again = client.get_experiment_by_name(name)
            if again is not None:
                return str(again.experiment_id)
        raise RegistryUnavailableError(config.tracking_uri, _reason(e)) from e


def _error_code(e: BaseException) -> str | None:
    code: Any = getattr(e, "error_code", None)
    return str(code) if code is not None else None


def _reason(e: BaseException) -> str:
    message = getattr(e, "message", None) or str(e) or type(e).__name__
    return str(message).splitlines()[0][:300]
