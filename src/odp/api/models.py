"""What the API's routes take and answer (beside the shared models they reuse)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from odp.api.saved import MAX_VERSION
from odp.api.tables import Role
from odp.catalog import MethodKind
from odp.engine import RunState
from odp.spec import Diagnostic

__all__ = [
    "HealthStatus",
    "KeyCreate",
    "MethodSummary",
    "OutputPage",
    "ReadyStatus",
    "RunCreate",
    "RunPage",
    "RunSubmitted",
    "RunSummary",
    "ValidationReport",
]


class HealthStatus(BaseModel):
    """The process is up."""

    status: str = "ok"
    version: str


class ReadyStatus(BaseModel):
    """Whether the service can do its work, dependency by dependency."""

    status: str = Field(description="ready, or not-ready.")
    checks: dict[str, str] = Field(
        description="Each dependency (temporal, redis, database): ok, down: <why>, or disabled."
    )


class ValidationReport(BaseModel):
    """What validating a pipeline found (the diagnostics of ``odp validate --json``)."""

    valid: bool = Field(description="Whether the pipeline has no errors (warnings allowed).")
    pipeline: str | None = Field(default=None, description="Its name, when it could be read.")
    diagnostics: list[Diagnostic]


class RunCreate(BaseModel):
    """A run to start: an inline pipeline, or a saved one by name."""

    model_config = ConfigDict(extra="forbid")

    pipeline: str | dict[str, Any] | None = Field(
        default=None, description="The pipeline: YAML text, or the pipeline as a JSON object."
    )
    name: str | None = Field(
        default=None, max_length=100, description="The name of a saved pipeline to run instead."
    )
    version: int | None = Field(
        default=None,
        ge=1,
        le=MAX_VERSION,
        description="The saved pipeline's version (default: the newest).",
    )
    params: dict[str, Any] = Field(default_factory=dict, description="Pipeline parameters.")
    no_cache: bool = Field(default=False, description="Run every step again.")

    @model_validator(mode="after")
    def _one_source(self) -> RunCreate:
        if (self.pipeline is None) == (self.name is None):
            raise ValueError("give exactly one of `pipeline` (inline) and `name` (saved)")
        if self.version is not None and self.name is None:
            raise ValueError("`version` goes with `name`")
        return self


class RunSubmitted(BaseModel):
    """A run that was started."""

    run_id: str
    pipeline: str
    workspace: str
    state: RunState = RunState.RUNNING
    warnings: list[Diagnostic] = Field(default_factory=list)
    saved_version: int | None = Field(
        default=None, description="The saved pipeline version that runs, when run by name."
    )


class RunSummary(BaseModel):
    """A run as listings show it."""

    run_id: str
    pipeline: str
    workspace: str
    state: RunState
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


class RunPage(BaseModel):
    """One page of runs, newest first."""

    runs: list[RunSummary]
    next_page_token: str | None = Field(
        default=None, description="Pass as `page_token` for the next page; null at the end."
    )


class MethodSummary(BaseModel):
    """A method as listings show it (``GET /v1/methods/{id}`` has everything)."""

    id: str
    kind: MethodKind
    version: str
    summary: str
    tags: list[str]
    available: bool


class OutputPage(BaseModel):
    """One page of a step's dataset."""

    run_id: str
    step: str
    field: str = Field(description="The output field holding the dataset.")
    rows: int = Field(description="Rows in the whole dataset.")
    offset: int
    limit: int
    columns: list[dict[str, str]] = Field(description="Each column's name and type.")
    data: list[dict[str, Any]] = Field(description="The page's rows.")
    next_offset: int | None = Field(default=None, description="The next page's offset, if any.")


class KeyCreate(BaseModel):
    """A key to create in the caller's workspace."""

    model_config = ConfigDict(extra="forbid")

    role: Role
    name: str = Field(default="", max_length=200, description="A label for people.")
