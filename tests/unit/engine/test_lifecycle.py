"""A run's start and end events, as activities build them (ActivityEnvironment, no server).

The start has the same ids whoever publishes it (each step of the first wave, the run's
end), so that Redis keeps one of each.
"""

from __future__ import annotations

import datetime as dt

from temporalio.testing import ActivityEnvironment

from odp.catalog import MethodKind
from odp.engine.lifecycle import lifecycle_events, run_started
from odp.engine.models import LifecycleInput, StepCompletion, StepInput
from odp.events import Event, PipelineStarted
from odp.spec import PlannedStep, RetryPolicy, Section

STEPS = ["a", "b", "c"]
DONE = StepCompletion(step="a", method="m.x.y", attempt=1, duration_s=0.1)


def step_input(name: str, announce: list[str] | None) -> StepInput:
    return StepInput(
        run_id="run-1",
        pipeline="p",
        workspace="default",
        step=PlannedStep(
            name=name,
            method="m.x.y",
            method_version="1",
            kind=MethodKind.TRANSFORM,
            section=Section.TRANSFORMS,
            params={},
            retry=RetryPolicy(),
            timeout=dt.timedelta(seconds=30),
        ),
        params={},
        announce=announce,
    )


def end(kind: str, *, announce: bool, steps: list[str] | None = None) -> LifecycleInput:
    return LifecycleInput.model_validate(
        {
            "run_id": "run-1",
            "pipeline": "p",
            "workspace": "default",
            "kind": kind,
            "steps": STEPS if steps is None else steps,
            "announce": announce,
            "completed": [DONE],
        }
    )


def ids(events: list[Event]) -> list[str]:
    return [e.event_id for e in events]


def test_every_first_step_and_the_end_announce_the_same_start() -> None:
    env = ActivityEnvironment()
    first = env.run(run_started, step_input("a", STEPS))
    assert ids(first) == ["test-run:pipeline.submitted", "test-run:pipeline.started"]
    assert ids(env.run(run_started, step_input("b", STEPS))) == ids(first)
    assert isinstance(first[1], PipelineStarted) and first[1].steps == STEPS
    events = env.run(lifecycle_events, end("completed", announce=True))
    assert [e.type.value for e in events] == [
        "pipeline.submitted",
        "pipeline.started",
        "step.completed",
        "pipeline.completed",
    ]
    # the same events, but for the time each publisher stamps
    assert [e.model_dump(exclude={"time"}) for e in events[:2]] == [
        e.model_dump(exclude={"time"}) for e in first
    ]


def test_a_later_step_announces_nothing() -> None:
    assert ActivityEnvironment().run(run_started, step_input("c", None)) == []


def test_runs_from_before_the_steps_announced_keep_their_start_and_end() -> None:
    # a run recorded before STEPS_ANNOUNCE_PATCH, still going on a newer worker, publishes
    # its start on its own and an end without the start
    env = ActivityEnvironment()
    start = env.run(lifecycle_events, end("started", announce=False))
    assert [e.type.value for e in start] == ["pipeline.submitted", "pipeline.started"]
    events = env.run(lifecycle_events, end("cancelled", announce=False, steps=[]))
    assert [e.type.value for e in events] == ["step.completed", "pipeline.cancelled"]
