"""What crosses the workflow and activity boundaries: one input and one output model each.

Fields may be added later (with defaults) without breaking running workflows' histories.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Literal

from pydantic import BaseModel, Field

from odp.spec import DeferredText, Plan, PlannedStep

__all__ = [
    "MAX_OUTPUT_BYTES",
    "LifecycleInput",
    "PipelineInput",
    "PipelineResult",
    "RunProgress",
    "RunState",
    "StepError",
    "StepInput",
    "StepOutput",
    "StepState",
    "StepStatus",
]

MAX_OUTPUT_BYTES = 256 * 1024
"""The most a step may put into workflow history; datasets go to the artifact store."""


class RunState(enum.StrEnum):
    """Where a run is."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TERMINATED = "terminated"
    TIMED_OUT = "timed_out"


class StepStatus(enum.StrEnum):
    """Where a step is."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    CACHED = "cached"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"

    @property
    def done(self) -> bool:
        """Whether the step will not change any more."""
        return self not in (StepStatus.PENDING, StepStatus.RUNNING)


class StepError(BaseModel):
    """Why a step failed."""

    step: str
    method: str
    message: str
    error_type: str = "MethodError"
    attempts: int = 1
    hint: str | None = None
    retryable: bool = False


class PipelineInput(BaseModel):
    """The input of ``PipelineWorkflow``."""

    run_id: str
    plan: Plan
    workspace: str = "default"
    no_cache: bool = False
    default_queue: str = "odp"
    heartbeat_timeout_s: float = 15.0
    events: bool = Field(
        default=True,
        description="Whether the submitter publishes lifecycle events (it published "
        "pipeline.submitted): the run then publishes its end even when no step's worker "
        "publishes events. A submitter that cannot tell leaves it true.",
    )


class StepInput(BaseModel):
    """The input of the ``run_step`` activity: params resolved but for secrets."""

    run_id: str
    pipeline: str
    workspace: str
    step: PlannedStep
    params: dict[str, Any]
    use_cache: bool = True
    deferred: list[DeferredText] = Field(
        default_factory=list,
        description="Where the params hold lookups left for the activity (secrets): only "
        "these are filled, so that no resolved value is ever read as a template.",
    )
    announce: list[str] | None = Field(
        default=None,
        description="The plan's step names, given to the steps of the run's first wave: "
        "their activity publishes the run's start (pipeline.submitted, pipeline.started; the "
        "same ids from each, so Redis keeps one of each) before its own first event.",
    )


class StepOutput(BaseModel):
    """What ``run_step`` returns: the method's output and how it was obtained."""

    output: dict[str, Any]
    cache_hit: bool = False
    cache_key: str | None = None
    attempt: int = 1
    duration_s: float = 0.0
    rows: int | None = Field(default=None, description="Rows of the main dataset, if any.")
    events: bool = Field(
        default=False,
        description="Whether the step's worker publishes lifecycle events (then the run "
        "publishes its end).",
    )


class StepCompletion(BaseModel):
    """A step that completed, as its ``step.completed`` event tells it."""

    step: str
    method: str
    attempt: int
    duration_s: float
    rows: int | None = None
    outputs: dict[str, Any] = Field(default_factory=dict)
    cache_hit: bool = False


class LifecycleInput(BaseModel):
    """The input of the ``publish_lifecycle`` activity: a run's start or end, to publish."""

    run_id: str
    pipeline: str
    workspace: str
    kind: Literal["started", "completed", "failed", "cancelled"]
    steps: list[str] = Field(default_factory=list, description="The plan's step names.")
    announce: bool = Field(
        default=False,
        description="At the end: publish the run's start first (the same ids as the first "
        "steps give it, so Redis keeps one of each), so that a run whose steps announced "
        "nothing (none ran, or their workers publish no events) still starts before it ends.",
    )
    duration_s: float = 0.0
    error: StepError | None = None
    step_failed: bool = Field(
        default=False,
        description="Also publish step.failed for the error's step: its activity could not "
        "(a timeout, a template that failed at run time).",
    )
    completed: list[StepCompletion] = Field(
        default_factory=list,
        description="At the end: the steps that completed. Their step.completed events are "
        "published again (the same ids, so Redis keeps one of each) before the run's last "
        "event, which therefore always comes after them, whichever worker ran the steps.",
    )


class StepState(BaseModel):
    """A step's state in a run, as queries and results report it."""

    name: str
    method: str
    status: StepStatus = StepStatus.PENDING
    attempt: int = 0
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    duration_s: float | None = None
    rows: int | None = None
    cache_hit: bool = False
    queue: str | None = None
    output: dict[str, Any] | None = None
    error: StepError | None = None


class RunProgress(BaseModel):
    """A run's state while it runs (the ``progress`` query)."""

    run_id: str
    pipeline: str
    workspace: str
    state: RunState
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    steps: list[StepState]
    error: StepError | None = None

    def step(self, name: str) -> StepState:
        """The state of one step.

        Raises:
            KeyError: when there is no such step.
        """
        for state in self.steps:
            if state.name == name:
                return state
        raise KeyError(name)


class PipelineResult(RunProgress):
    """The output of ``PipelineWorkflow`` (also attached to its failure)."""

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        """Each finished step's output."""
        return {s.name: s.output for s in self.steps if s.output is not None}
