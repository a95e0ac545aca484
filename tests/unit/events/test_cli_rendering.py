"""How events update the live view and how `odp events` words them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from odp.cli.events import describe
from odp.cli.live import apply_event
from odp.engine import RunProgress, RunState, StepState, StepStatus
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

BASE: dict[str, Any] = {"run_id": "r", "workflow_id": "r", "pipeline": "p", "workspace": "w"}
STEP: dict[str, Any] = {**BASE, "step": "a", "method": "m.x.y"}


def progress() -> RunProgress:
    return RunProgress(
        run_id="r",
        pipeline="p",
        workspace="w",
        state=RunState.RUNNING,
        started_at=dt.datetime.now(dt.UTC),
        steps=[StepState(name="a", method="m.x.y")],
    )


def test_step_events_move_a_step_along() -> None:
    run, attempts = progress(), dict[str, int]()
    apply_event(run, StepStarted(**STEP, queue="odp"), attempts)
    assert run.step("a").status is StepStatus.RUNNING and run.step("a").queue == "odp"
    apply_event(run, StepRetrying(**STEP, error="flaky"), attempts)
    apply_event(run, StepStarted(**{**STEP, "attempt": 2}), attempts)
    assert attempts == {"a": 2} and run.step("a").status is StepStatus.RUNNING
    apply_event(run, StepCompleted(**{**STEP, "attempt": 2}, duration_s=0.5, rows=3), attempts)
    state = run.step("a")
    assert (state.status, state.rows, state.duration_s, state.attempt) == (
        StepStatus.COMPLETED,
        3,
        0.5,
        2,
    )
    apply_event(run, StepCompleted(**{**STEP, "step": "b"}, duration_s=0, cache_hit=True), attempts)
    assert run.step("b").status is StepStatus.CACHED  # a step the view did not know yet
    apply_event(run, StepFailed(**{**STEP, "step": "c"}, error="bad", hint="fix"), attempts)
    error = run.step("c").error
    assert error is not None and (error.message, error.hint) == ("bad", "fix")
    assert run.step("c").status is StepStatus.FAILED


@pytest.mark.parametrize(
    ("event", "state"),
    [
        (PipelineCompleted(**BASE, duration_s=1), RunState.COMPLETED),
        (
            PipelineFailed(**BASE, duration_s=1, step="a", method="m", error="e"),
            RunState.FAILED,
        ),
        (PipelineCancelled(**BASE, duration_s=1), RunState.CANCELLED),
        (PipelineStarted(**BASE), RunState.RUNNING),
    ],
)
def test_run_events_end_the_run(event: Event, state: RunState) -> None:
    run = progress()
    apply_event(run, event, {})
    assert run.state is state
    assert (run.finished_at is None) is (state is RunState.RUNNING)


@pytest.mark.parametrize(
    ("event", "text"),
    [
        (PipelineSubmitted(**BASE, steps=["a", "b"]), "2 steps: a, b"),
        (PipelineCompleted(**BASE, duration_s=1.234), "after 1.23s"),
        (PipelineCancelled(**BASE, duration_s=2), "after 2.00s"),
        (
            PipelineFailed(**BASE, duration_s=1, step="a", method="m", error="e", attempts=2),
            "step 'a' (m) failed after 2 attempts: e",
        ),
        (StepStarted(**STEP, queue="gpu"), "m.x.y on gpu"),
        (StepStarted(**STEP), "m.x.y"),
        (StepRetrying(**STEP, error="flaky", error_type="UpstreamError"), "UpstreamError: flaky"),
        (
            StepCompleted(
                **STEP,
                duration_s=0.5,
                rows=1200,
                cache_hit=True,
                outputs={"data": {"uri": "file:///d.parquet", "rows": 1200}, "path": "/o.csv"},
            ),
            "0.50s · 1,200 rows · cached · data=file:///d.parquet · path=/o.csv",
        ),
        (StepFailed(**STEP, error="bad"), "MethodError: bad"),
        (StepFailed(**STEP, error="bad", hint="fix it"), "MethodError: bad (hint: fix it)"),
    ],
)
def test_describe(event: Event, text: str) -> None:
    assert describe(event) == text
