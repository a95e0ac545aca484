"""The lifecycle event contract: typed, versioned models, one per kind of event.

Every event carries the run it belongs to (``run_id``, ``workflow_id``, ``pipeline``,
``workspace``), a per-run sequence number ``seq`` (1, 2, 3, ... with no gaps, given when
the event reaches the bus), a unique ``event_id`` (so that a publish retried after a lost
answer is stored once) and a UTC ``time``. ``schema_version`` changes only when a field
changes meaning or disappears; new optional fields keep the version.

Delivery is at least once: a consumer deduplicates by ``(run_id, seq)``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "SCHEMA_VERSION",
    "TERMINAL_TYPES",
    "Event",
    "EventBase",
    "EventType",
    "PipelineCancelled",
    "PipelineCompleted",
    "PipelineFailed",
    "PipelineStarted",
    "PipelineSubmitted",
    "StepCompleted",
    "StepEvent",
    "StepFailed",
    "StepRetrying",
    "StepStarted",
    "parse_event",
]

SCHEMA_VERSION = 1
"""The version of the event schema this code writes."""


class EventType(StrEnum):
    """What happened."""

    PIPELINE_SUBMITTED = "pipeline.submitted"
    PIPELINE_STARTED = "pipeline.started"
    PIPELINE_COMPLETED = "pipeline.completed"
    PIPELINE_FAILED = "pipeline.failed"
    PIPELINE_CANCELLED = "pipeline.cancelled"
    STEP_STARTED = "step.started"
    STEP_RETRYING = "step.retrying"
    STEP_COMPLETED = "step.completed"
    STEP_FAILED = "step.failed"


TERMINAL_TYPES = frozenset(
    {EventType.PIPELINE_COMPLETED, EventType.PIPELINE_FAILED, EventType.PIPELINE_CANCELLED}
)
"""Event types after which a run publishes nothing more."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _event_id() -> str:
    return uuid.uuid4().hex


class EventBase(BaseModel):
    """What every event carries."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    schema_version: int = Field(default=SCHEMA_VERSION, description="The event schema version.")
    event_id: str = Field(
        default_factory=_event_id,
        description="Unique per event; a publish retried with the same id is stored once.",
    )
    seq: int = Field(
        default=0,
        ge=0,
        description="Position in the run's stream (1, 2, ...; 0 until the bus assigns it).",
    )
    run_id: str = Field(description="The run (also its Temporal workflow id).")
    workflow_id: str = Field(description="The Temporal workflow id.")
    pipeline: str = Field(description="The pipeline's name.")
    workspace: str = Field(description="The workspace the run belongs to.")
    time: dt.datetime = Field(default_factory=_now, description="When it happened (UTC).")


class PipelineSubmitted(EventBase):
    """A run was accepted by the engine."""

    type: Literal[EventType.PIPELINE_SUBMITTED] = EventType.PIPELINE_SUBMITTED
    steps: list[str] = Field(default_factory=list, description="The plan's step names, in order.")


class PipelineStarted(EventBase):
    """The workflow started running the plan."""

    type: Literal[EventType.PIPELINE_STARTED] = EventType.PIPELINE_STARTED
    steps: list[str] = Field(default_factory=list, description="The plan's step names, in order.")


class PipelineCompleted(EventBase):
    """Every step finished."""

    type: Literal[EventType.PIPELINE_COMPLETED] = EventType.PIPELINE_COMPLETED
    duration_s: float = Field(description="Seconds from start to end.")


class PipelineFailed(EventBase):
    """A step failed, and so did the run."""

    type: Literal[EventType.PIPELINE_FAILED] = EventType.PIPELINE_FAILED
    duration_s: float = Field(description="Seconds from start to end.")
    step: str = Field(description="The step that failed.")
    method: str = Field(description="Its method id.")
    error: str = Field(description="What went wrong.")
    error_type: str = Field(default="MethodError", description="The kind of error.")
    attempts: int = Field(default=1, description="How many attempts the step made.")


class PipelineCancelled(EventBase):
    """The run was cancelled from outside."""

    type: Literal[EventType.PIPELINE_CANCELLED] = EventType.PIPELINE_CANCELLED
    duration_s: float = Field(description="Seconds from start to end.")


class StepEvent(EventBase):
    """What every step event carries."""

    step: str = Field(description="The step's name.")
    method: str = Field(description="The step's method id.")
    attempt: int = Field(default=1, ge=1, description="The attempt (1 for the first).")


class StepStarted(StepEvent):
    """An attempt of a step started on a worker."""

    type: Literal[EventType.STEP_STARTED] = EventType.STEP_STARTED
    queue: str | None = Field(default=None, description="The task queue it runs on.")


class StepRetrying(StepEvent):
    """An attempt failed with an error a retry may fix; the step will run again."""

    type: Literal[EventType.STEP_RETRYING] = EventType.STEP_RETRYING
    error: str = Field(description="Why the attempt failed.")
    error_type: str = Field(default="MethodError", description="The kind of error.")


class StepCompleted(StepEvent):
    """A step finished (or was answered from the cache)."""

    type: Literal[EventType.STEP_COMPLETED] = EventType.STEP_COMPLETED
    duration_s: float = Field(description="Seconds the attempt took.")
    rows: int | None = Field(default=None, description="Rows of the main dataset, if any.")
    outputs: dict[str, Any] = Field(
        default_factory=dict,
        description="References to what the step produced: dataset URIs, paths, tables.",
    )
    cache_hit: bool = Field(default=False, description="Whether the output came from the cache.")


class StepFailed(StepEvent):
    """A step failed for good (no retry can help, or attempts ran out)."""

    type: Literal[EventType.STEP_FAILED] = EventType.STEP_FAILED
    error: str = Field(description="Why it failed.")
    error_type: str = Field(default="MethodError", description="The kind of error.")
    hint: str | None = Field(default=None, description="What to do about it.")


Event = Annotated[
    PipelineSubmitted
    | PipelineStarted
    | PipelineCompleted
    | PipelineFailed
    | PipelineCancelled
    | StepStarted
    | StepRetrying
    | StepCompleted
    | StepFailed,
    Field(discriminator="type"),
]
"""Any lifecycle event, told apart by ``type``."""

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(data: str | bytes | dict[str, Any]) -> Event:
    """An event from its JSON text or its dict form.

    Raises:
        pydantic.ValidationError: when the data is not an event of a known type.
    """
    if isinstance(data, dict):
        return _ADAPTER.validate_python(data)
    return _ADAPTER.validate_json(data)
