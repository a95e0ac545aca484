"""Lifecycle events of runs and steps, built from what activities know.

Event ids are derived from Temporal's run id (plus step, attempt and kind), so that an
activity that runs again after a lost answer publishes the same ids and Redis stores
each event once; ``pipeline.submitted`` gets the same id from the client and from the
workflow's first activity, whichever publishes first, and the run's start the same id from
each step of its first wave and from the run's end.
"""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from odp.engine.models import LifecycleInput, StepCompletion, StepInput, StepOutput
from odp.events import (
    Event,
    PipelineCancelled,
    PipelineCompleted,
    PipelineFailed,
    PipelineStarted,
    PipelineSubmitted,
    StepCompleted,
    StepFailed,
    StepRetrying,
    StepStarted,
)

__all__ = [
    "completion",
    "lifecycle_events",
    "output_refs",
    "run_started",
    "step_completed",
    "step_failure",
    "step_started",
    "submitted_event",
]

# top-level output fields that say where a step's results went
_REF_FIELDS = (
    "path",
    "paths",
    "uri",
    "url",
    "table",
    "model_uri",
    "model",
    "version",
    "rows_written",
)
_NON_RETRYABLE = {"InvalidParams", "OutputTooLarge", "UnknownMethod", "MethodUnavailable"}


def output_refs(output: dict[str, Any]) -> dict[str, Any]:
    """References to what a step produced: datasets (uri, rows), paths, tables, models."""
    refs: dict[str, Any] = {}
    for key, value in output.items():
        if isinstance(value, dict) and isinstance(value.get("uri"), str):
            refs[key] = {"uri": value["uri"], "rows": value.get("rows")}
        elif key in _REF_FIELDS and isinstance(value, str | int | float | list):
            refs[key] = value
    return refs


def submitted_event(
    temporal_run_id: str, run_id: str, pipeline: str, workspace: str, steps: list[str]
) -> PipelineSubmitted:
    """``pipeline.submitted`` with the id both the client and the workflow give it."""
    return PipelineSubmitted(
        event_id=f"{temporal_run_id}:pipeline.submitted",
        run_id=run_id,
        workflow_id=run_id,
        pipeline=pipeline,
        workspace=workspace,
        steps=steps,
    )


def _run_fields(run_id: str, pipeline: str, workspace: str) -> dict[str, Any]:
    """What every event of the current run carries, from inside one of its activities."""
    return {
        "run_id": run_id,
        "workflow_id": activity.info().workflow_id or run_id,
        "pipeline": pipeline,
        "workspace": workspace,
    }


def _event_id(run_id: str, step: str, attempt: int, kind: str) -> str:
    """A step event's id: the same from whichever activity publishes it."""
    return f"{activity.info().workflow_run_id or run_id}:{step}:{attempt}:{kind}"


def _step_fields(data: StepInput, kind: str) -> dict[str, Any]:
    attempt = activity.info().attempt
    return {
        **_run_fields(data.run_id, data.pipeline, data.workspace),
        "event_id": _event_id(data.run_id, data.step.name, attempt, kind),
        "step": data.step.name,
        "method": data.step.method,
        "attempt": attempt,
    }


def completion(step: str, method: str, out: StepOutput) -> StepCompletion:
    """What ``step.completed`` says of a step, from its activity's output."""
    return StepCompletion(
        step=step,
        method=method,
        attempt=out.attempt,
        duration_s=out.duration_s,
        rows=out.rows,
        outputs=output_refs(out.output),
        cache_hit=out.cache_hit,
    )


def _completed(run: dict[str, Any], done: StepCompletion) -> StepCompleted:
    return StepCompleted(
        **run,
        event_id=_event_id(run["run_id"], done.step, done.attempt, "completed"),
        **done.model_dump(),
    )


def step_started(data: StepInput) -> StepStarted:
    """``step.started`` for the current attempt."""
    info = activity.info()
    return StepStarted(
        **_step_fields(data, "started"), queue=None if info.is_local else info.task_queue
    )


def step_completed(data: StepInput, out: StepOutput) -> StepCompleted:
    """``step.completed`` with duration, rows, output references and cache hit."""
    return _completed(
        _run_fields(data.run_id, data.pipeline, data.workspace),
        completion(data.step.name, data.step.method, out),
    )


def step_failure(data: StepInput, error: ApplicationError) -> StepRetrying | StepFailed:
    """``step.retrying`` when Temporal will run the step again, else ``step.failed``."""
    attempt = activity.info().attempt
    kind = error.type or "ApplicationError"
    retryable = not error.non_retryable and kind not in _NON_RETRYABLE
    if retryable and attempt < data.step.retry.max_attempts:
        return StepRetrying(**_step_fields(data, "retrying"), error=error.message, error_type=kind)
    details = error.details[0] if error.details and isinstance(error.details[0], dict) else {}
    hint = details.get("hint")
    return StepFailed(
        **_step_fields(data, "failed"),
        error=error.message,
        error_type=kind,
        hint=hint if isinstance(hint, str) else None,
    )


def _start(run_id: str, pipeline: str, workspace: str, steps: list[str]) -> list[Event]:
    """``pipeline.submitted`` and ``pipeline.started``, under the ids every publisher gives."""
    base = _run_fields(run_id, pipeline, workspace)
    prefix = activity.info().workflow_run_id or run_id
    return [
        submitted_event(prefix, run_id, pipeline, workspace, steps),
        PipelineStarted(**base, event_id=f"{prefix}:pipeline.started", steps=steps),
    ]


def run_started(data: StepInput) -> list[Event]:
    """The run's start, as a step of its first wave announces it (none for other steps)."""
    if data.announce is None:
        return []
    return _start(data.run_id, data.pipeline, data.workspace, data.announce)


def lifecycle_events(data: LifecycleInput) -> list[Event]:
    """The events of a run's start or end (see :class:`LifecycleInput`)."""
    info = activity.info()
    base = _run_fields(data.run_id, data.pipeline, data.workspace)
    prefix = info.workflow_run_id or data.run_id
    if data.kind == "started" or data.announce:
        events = _start(data.run_id, data.pipeline, data.workspace, data.steps)
    else:
        events = []
    if data.kind == "started":
        return events
    # the steps' own events again (and the start, when asked), with their ids: stored once,
    # and before the run's end
    events += [_completed(base, done) for done in data.completed]
    if data.kind == "completed":
        return [
            *events,
            PipelineCompleted(
                **base, event_id=f"{prefix}:pipeline.completed", duration_s=data.duration_s
            ),
        ]
    if data.kind == "cancelled":
        return [
            *events,
            PipelineCancelled(
                **base, event_id=f"{prefix}:pipeline.cancelled", duration_s=data.duration_s
            ),
        ]
    error = data.error
    if error is None:  # pragma: no cover - the workflow always sends the error
        return events
    if data.step_failed:
        events.append(
            StepFailed(
                **base,
                event_id=f"{prefix}:{error.step}:final:failed",
                step=error.step,
                method=error.method,
                attempt=max(1, error.attempts),
                error=error.message,
                error_type=error.error_type,
                hint=error.hint,
            )
        )
    events.append(
        PipelineFailed(
            **base,
            event_id=f"{prefix}:pipeline.failed",
            duration_s=data.duration_s,
            step=error.step,
            method=error.method,
            error=error.message,
            error_type=error.error_type,
            attempts=error.attempts,
        )
    )
    return events
