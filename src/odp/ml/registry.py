"""The model registry (MLflow): registered models, versions, aliases and their metrics.

ODP records a version's held-out metrics and training facts as version tags
(``odp.metric.f1``, ``odp.task``, ...), so that listing models and gating a promotion
need no extra run lookups.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from odp.config import Settings
from odp.errors import ModelError, ModelNotFoundError, RegistryUnavailableError
from odp.ml.refs import ModelRef
from odp.ml.tracking import TrackingConfig, mlflow_client, tracking_config

if TYPE_CHECKING:
    from mlflow import MlflowClient

__all__ = [
    "METRIC_TAG",
    "ModelRegistry",
    "ModelVersionInfo",
    "RegisteredModelInfo",
]

METRIC_TAG = "odp.metric."


class ModelVersionInfo(BaseModel):
    """One version of a registered model."""

    name: str = Field(description="The registered model's name.")
    version: int = Field(description="The version number.")
    aliases: list[str] = Field(default_factory=list, description="Aliases pointing at it.")
    run_id: str | None = Field(default=None, description="The MLflow run that produced it.")
    source: str = Field(default="", description="Where MLflow keeps the model.")
    status: str = Field(default="READY", description="MLflow's status of the version.")
    created_at: dt.datetime | None = Field(default=None, description="When it was registered.")
    metrics: dict[str, float] = Field(
        default_factory=dict, description="Held-out metrics recorded at training."
    )
    tags: dict[str, str] = Field(default_factory=dict, description="The version's tags.")

    @property
    def task(self) -> str | None:
        """``classification`` or ``regression`` when ODP trained it."""
        return self.tags.get("odp.task")

    @property
    def target(self) -> str | None:
        """The column it predicts, when ODP trained it."""
        return self.tags.get("odp.target")

    @property
    def ref(self) -> ModelRef:
        """A reference pinned to this version."""
        return ModelRef(self.name, version=self.version)


class RegisteredModelInfo(BaseModel):
    """A registered model and its versions, newest first."""

    name: str = Field(description="The registered model's name.")
    description: str = Field(default="", description="Its description.")
    aliases: dict[str, int] = Field(default_factory=dict, description="Alias to version.")
    versions: list[ModelVersionInfo] = Field(default_factory=list, description="Newest first.")

    @property
    def latest(self) -> ModelVersionInfo | None:
        """The newest version, if any."""
        return self.versions[0] if self.versions else None


class ModelRegistry:
    """Registered models in MLflow, with ODP's errors and conventions.

    Args:
        config: where the registry is.
        client: an MLflow client to reuse (default: one made from ``config``).
    """

    def __init__(self, config: TrackingConfig, client: MlflowClient | None = None) -> None:
        self.config = config
        self.client = client or mlflow_client(config)

    @classmethod
    def from_settings(cls, settings: Settings) -> ModelRegistry:
        """The registry the settings point at."""
        return cls(tracking_config(settings))

    # ------------------------------------------------------------------ reading
    def list_models(self) -> list[RegisteredModelInfo]:
        """Every registered model with its versions, sorted by name."""
        models = self._call(lambda c: list(c.search_registered_models(max_results=1000)))
        return sorted((self._model(m) for m in models), key=lambda m: m.name)

    def get_model(self, name: str) -> RegisteredModelInfo:
        """One registered model with its versions.

        Raises:
            ModelNotFoundError: listing the registered names.
        """
        model = self._call(lambda c: c.get_registered_model(name), missing=name)
        if model is None:
            names = self.names()
            raise ModelNotFoundError(
                f"no registered model named {name!r}",
                ref=name,
                known=names,
                hint=("registered models: " + ", ".join(names[:20]))
                if names
                else "no model is registered yet: train one with ml.model.train",
            )
        return self._model(model)

    def names(self) -> list[str]:
        """The registered model names, sorted."""
        models = self._call(lambda c: list(c.search_registered_models(max_results=1000)))
        return sorted(m.name for m in models)

    def resolve(self, ref: ModelRef) -> ModelVersionInfo:
        """The version a reference points at: a pinned version, an alias's, or the latest.

        Raises:
            ModelNotFoundError: for a model, version or alias that does not exist.
        """
        model = self.get_model(ref.name)
        if ref.version is not None:
            for version in model.versions:
                if version.version == ref.version:
                    return version
            raise ModelNotFoundError(
                f"model {ref.name!r} has no version {ref.version}",
                ref=str(ref),
                known=[str(v.version) for v in model.versions],
                hint="its versions: " + ", ".join(str(v.version) for v in model.versions[:20]),
            )
        if ref.alias is not None:
            if ref.alias not in model.aliases:
                raise ModelNotFoundError(
                    f"model {ref.name!r} has no alias {ref.alias!r}",
                    ref=str(ref),
                    known=sorted(model.aliases),
                    hint=(
                        "its aliases: "
                        + ", ".join(f"{a} (version {v})" for a, v in sorted(model.aliases.items()))
                    )
                    if model.aliases
                    else "it has no alias yet: set one with ml.model.promote or name a version",
                )
            wanted = model.aliases[ref.alias]
            return next(v for v in model.versions if v.version == wanted)
        if model.latest is None:
            raise ModelNotFoundError(f"model {ref.name!r} has no versions", ref=str(ref), known=[])
        return model.latest

    def alias_version(self, name: str, alias: str) -> int | None:
        """The version an alias points at, or None when the alias is not set."""
        return self.get_model(name).aliases.get(alias)

    def find_version(self, name: str, tag: str, value: str) -> ModelVersionInfo | None:
        """A version of ``name`` whose tag ``tag`` equals ``value`` (for idempotent retries)."""
        quoted = value.replace("'", "")
        found = self._call(
            lambda c: list(c.search_model_versions(f"name='{name}' and tags.`{tag}`='{quoted}'"))
        )
        if not found:
            return None
        model = self.get_model(name)
        wanted = max(int(v.version) for v in found)
        return next((v for v in model.versions if v.version == wanted), None)

    def run_metrics(self, run_id: str) -> dict[str, float]:
        """The metrics logged to an MLflow run."""
        run = self._call(lambda c: c.get_run(run_id))
        return {str(k): float(v) for k, v in run.data.metrics.items()}

    # ------------------------------------------------------------------ writing
    def register(
        self,
        name: str,
        *,
        source: str,
        run_id: str,
        tags: dict[str, str],
        model_id: str | None = None,
    ) -> int:
        """Register a new version of ``name`` (creating the model when needed).

        Args:
            name: the registered model.
            source: where the model is (``models:/m-...`` for an MLflow 3 logged model).
            run_id: the run that produced it.
            tags: the version's tags.
            model_id: the MLflow logged model id (a tracking server needs it with a
                ``models:/`` source).

        Returns:
            The new version number.
        """

        def create(c: MlflowClient) -> Any:
            try:
                c.create_registered_model(name)
            except Exception as e:
                if getattr(e, "error_code", None) != "RESOURCE_ALREADY_EXISTS":
                    raise
            return c.create_model_version(
                name, source=source, run_id=run_id, tags=tags, model_id=model_id
            )

        version = self._call(create)
        return int(version.version)

    def set_alias(self, name: str, alias: str, version: int) -> None:
        """Point ``alias`` of ``name`` at ``version``."""
        self._call(lambda c: c.set_registered_model_alias(name, alias, str(version)))

    def set_version_tags(self, name: str, version: int, tags: dict[str, str]) -> None:
        """Set tags on one version."""

        def tag(c: MlflowClient) -> None:
            for key, value in tags.items():
                c.set_model_version_tag(name, str(version), key, value)

        self._call(tag)

    # ------------------------------------------------------------------ internals
    def _model(self, model: Any) -> RegisteredModelInfo:
        aliases = {str(a): int(v) for a, v in (model.aliases or {}).items()}
        by_version: dict[int, list[str]] = {}
        for alias, number in aliases.items():
            by_version.setdefault(number, []).append(alias)
        versions = self._call(
            lambda c: list(c.search_model_versions(f"name='{model.name}'", max_results=10_000))
        )
        infos = [self._version(v, sorted(by_version.get(int(v.version), []))) for v in versions]
        infos.sort(key=lambda v: v.version, reverse=True)
        return RegisteredModelInfo(
            name=model.name,
            description=model.description or "",
            aliases=aliases,
            versions=infos,
        )

    @staticmethod
    def _version(v: Any, aliases: list[str]) -> ModelVersionInfo:
        tags = {str(k): str(val) for k, val in (v.tags or {}).items()}
        metrics = {}
        for key, value in tags.items():
            if key.startswith(METRIC_TAG):
                try:
                    metrics[key.removeprefix(METRIC_TAG)] = float(value)
                except ValueError:
                    continue
        created = (
            dt.datetime.fromtimestamp(v.creation_timestamp / 1000, tz=dt.UTC)
            if v.creation_timestamp
            else None
        )
        return ModelVersionInfo(
            name=v.name,
            version=int(v.version),
            aliases=aliases,
            run_id=v.run_id,
            source=v.source or "",
            status=str(v.status or "READY"),
            created_at=created,
            metrics=metrics,
            tags=tags,
        )

    def _call(self, fn: Any, *, missing: str | None = None) -> Any:
        """Call the client, turning MLflow's errors into ODP's.

        With ``missing``, a RESOURCE_DOES_NOT_EXIST answer gives None instead of an error.
        """
        try:
            return fn(self.client)
        except ModelError:
            raise
        except Exception as e:
            code = getattr(e, "error_code", None)
            if code == "RESOURCE_DOES_NOT_EXIST" and missing is not None:
                return None
            message = str(getattr(e, "message", None) or e).splitlines()[0][:300]
            if code == "RESOURCE_DOES_NOT_EXIST":
                raise ModelNotFoundError(message, ref=missing or "", known=[]) from e
            if code == "INVALID_PARAMETER_VALUE":
                raise ModelError(message) from e
            raise RegistryUnavailableError(self.config.registry_uri, message) from e
