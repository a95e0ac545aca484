"""ODP's settings: one pydantic-settings model, read from ``ODP_*`` environment variables.

Every outside address (Temporal, Redis, the crawler API, the LLM, MLflow, the service's
database) is a setting. Leaving an address unset selects the embedded default, which
keeps its state under :attr:`Settings.state_dir`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["CommaList", "Settings", "load_settings"]


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(_split_commas)]
"""A list setting written in the environment as ``a,b,c`` (or a JSON list)."""


class Settings(BaseSettings):
    """All of ODP's configuration. Build one with ``Settings()`` and pass it in."""

    model_config = SettingsConfigDict(
        env_prefix="ODP_", env_file=None, extra="ignore", validate_default=True
    )

    # --- local state
    state_dir: Path = Field(
        default=Path(".odp"),
        description="Folder for embedded servers' data, artifacts and the service database.",
    )
    artifacts_uri: str | None = Field(
        default=None,
        description="Where datasets are written: a folder or any fsspec URI "
        "(default: <state_dir>/artifacts).",
    )

    files_root: Path | None = Field(
        default=None,
        description="When set, file methods may only read and write local paths inside it "
        "(the service sets it to confine pipelines).",
    )

    # --- Temporal
    temporal_address: str | None = Field(
        default=None,
        description="host:port of a Temporal frontend; unset starts the embedded dev server.",
    )
    temporal_namespace: str = "default"
    task_queue: str = Field(default="odp", description="The default task queue for steps.")
    heartbeat_timeout: float = Field(
        default=15.0,
        gt=0,
        description="Seconds without a heartbeat before a step's worker is presumed dead.",
    )
    worker_max_activities: int = Field(
        default=32, ge=1, description="Steps one worker runs at once."
    )

    # --- Redis (events)
    redis_url: str | None = Field(
        default=None, description="redis:// URL for events; unset starts the embedded Redis."
    )
    events_stream_maxlen: int = Field(
        default=10_000,
        ge=100,
        description="Entries each event stream (per run, global) is trimmed to, approximately.",
    )
    events_buffer_size: int = Field(
        default=10_000,
        ge=10,
        description="Events a process buffers while Redis is unreachable; beyond it the "
        "oldest are dropped (and counted).",
    )
    events_enabled: bool = Field(
        default=True, description="Publish lifecycle events (false: no Redis is used)."
    )
    events_publish_wait: float = Field(
        default=0.5,
        ge=0,
        description="Seconds a step waits for its event to reach a healthy Redis (none while "
        "Redis is down).",
    )
    events_redis_timeout: float = Field(
        default=2.0, gt=0, description="Seconds to connect to Redis before it counts as down."
    )
    events_run_ttl: int = Field(
        default=7 * 24 * 3600,
        ge=0,
        description="Seconds a run's event stream is kept after its last event (0: forever).",
    )

    # --- outbound HTTP
    crawler_api_url: str = Field(
        default="http://127.0.0.1:8002", description="Base URL of the crawler API."
    )
    http_timeout: float = Field(default=30.0, gt=0)
    http_max_retries: int = Field(default=4, ge=0)
    http_block_private: bool = Field(
        default=False,
        description="Refuse loopback, private, link-local and metadata addresses "
        "(the service turns this on).",
    )
    http_allowed_hosts: CommaList = Field(
        default_factory=list,
        description="Hosts (api.internal, *.corp.example) or networks (10.0.0.0/8) reachable "
        "even when private addresses are blocked.",
    )
    http_retry_base_delay: float = Field(
        default=0.5, ge=0, description="Cap in seconds of the first retry's random wait."
    )
    http_retry_max_delay: float = Field(
        default=30.0,
        ge=0,
        description="Longest wait in seconds between retries; a longer Retry-After is not "
        "waited for (the step's retry takes over).",
    )
    http_breaker_threshold: int = Field(
        default=5, ge=1, description="Consecutive failures that open a host's circuit breaker."
    )
    http_breaker_cooldown: float = Field(
        default=30.0, gt=0, description="Seconds a host's circuit breaker stays open."
    )
    http_max_connections: int = Field(
        default=100, ge=1, description="Open connections the HTTP client keeps at most."
    )
    http_max_response_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1024, description="Largest response body read, in bytes."
    )

    # --- secrets
    secrets_file: Path | None = Field(
        default=None,
        description="A KEY=VALUE file read for {{ secrets.KEY }} (the environment wins).",
    )

    # --- LLM (agent)
    llm_provider: Literal["openai", "anthropic"] | None = None
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0)
    agent_embeddings: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Rank catalog methods for the planner with sentence embeddings too: auto "
        "(when the ml extra is installed), on (required) or off (BM25 only).",
    )

    # --- MLflow
    mlflow_tracking_uri: str | None = Field(
        default=None, description="MLflow tracking URI (default: SQLite under the state folder)."
    )
    mlflow_registry_uri: str | None = Field(
        default=None, description="MLflow model registry URI (default: the tracking URI)."
    )
    mlflow_artifacts_uri: str | None = Field(
        default=None,
        description="Where new MLflow experiments keep their artifacts "
        "(default: <state_dir>/mlflow/artifacts; a remote tracking server chooses its own).",
    )
    mlflow_experiment: str = Field(
        default="odp", min_length=1, description="The MLflow experiment that runs are logged to."
    )

    # --- model serving
    serving_poll_interval: float = Field(
        default=10.0,
        gt=0,
        description="Seconds between checks of the registry for an alias that moved.",
    )
    serving_max_records: int = Field(
        default=10_000, ge=1, description="The most records one /predict request may carry."
    )
    serving_max_batch: int = Field(
        default=1_000,
        ge=1,
        description="The most records the server predicts in one call, gathering queued requests.",
    )

    # --- plugins
    plugins: CommaList = Field(
        default_factory=list,
        description="Extra modules whose methods join the catalog (comma-separated in "
        "ODP_PLUGINS; read by load_catalog).",
    )

    # --- the service
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the service's tables (default: SQLite)."
    )
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    max_body_bytes: int = Field(default=1_048_576, ge=1024)

    # --- logging
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"

    @property
    def artifacts_root(self) -> str:
        """The artifact store's root URI, defaulting to a folder under the state folder."""
        if self.artifacts_uri:
            return self.artifacts_uri
        return str((self.state_dir / "artifacts").resolve())


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a bad ``ODP_*`` value into a clear :class:`ConfigError`.

    Raises:
        ConfigError: naming the variable and what is wrong with it.
    """
    from odp.errors import ConfigError

    try:
        return Settings(**overrides)
    except ValidationError as e:
        problems = "; ".join(
            f"ODP_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in e.errors()
        )
        raise ConfigError(
            f"invalid settings: {problems}", hint="fix or unset these environment variables"
        ) from None
