"""``PipelineWorkflow``: runs a compiled plan as a DAG of step activities.

Workflow code must be deterministic: no I/O, no clocks but ``workflow.now()``, no
randomness. Only ``ApplicationError`` and cancellation may leave ``run``; anything else
would fail the workflow task and stall the run.

Lifecycle events are never published from workflow code. The run's start is announced
by the steps of its first wave (``StepInput.announce``): each step's activity publishes it,
under the same ids, before its own first event. The run's end is published by the
``publish_lifecycle`` local activity, which also publishes the start again (Redis keeps one
of each id): always when the run fails or is cancelled, and on success only when someone
publishes events (a step's worker said so in its output, or the submitter did), so that a
run without events pays for no local activity at all.

Histories replay on the path they were recorded on: runs from before events existed publish
nothing (``workflow.patched(EVENTS_PATCH)`` is false), and runs from before
``STEPS_ANNOUNCE_PATCH`` announce their start and end through two local activities.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from typing import Any, Literal

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    FailureError,
    RetryState,
    TimeoutError,
    TimeoutType,
)

with workflow.unsafe.imports_passed_through():
    from odp.catalog import MethodKind
    from odp.engine.lifecycle import completion
    from odp.engine.models import (
        LifecycleInput,
        PipelineInput,
        PipelineResult,
        RunProgress,
        RunState,
        StepCompletion,
        StepError,
        StepInput,
        StepOutput,
        StepState,
        StepStatus,
    )
    from odp.spec import KEEP, DeferredText, PlannedStep, Ref, lookup_path, resolve_templates
    from odp.spec.templates import KeepTemplate

__all__ = [
    "EVENTS_PATCH",
    "PUBLISH_LIFECYCLE",
    "RUN_STEP",
    "STEPS_ANNOUNCE_PATCH",
    "PipelineWorkflow",
]

RUN_STEP = "run_step"
"""The name of the step activity (workers register an implementation under it)."""

PUBLISH_LIFECYCLE = "publish_lifecycle"
"""The name of the activity that publishes a run's start and end."""

EVENTS_PATCH = "odp-lifecycle-events"
"""The patch id under which runs publish lifecycle events (older histories do not)."""

STEPS_ANNOUNCE_PATCH = "odp-lifecycle-from-steps"
"""The patch id under which the first steps announce the run (no local activity at its start)
and a successful run without events publishes no end."""

_PUBLISH_TIMEOUT = dt.timedelta(seconds=30)

NON_RETRYABLE_TYPES = ["InvalidParams", "OutputTooLarge", "UnknownMethod", "MethodUnavailable"]


@workflow.defn(name="PipelineWorkflow")
class PipelineWorkflow:
    """Schedules a plan's steps: each starts as soon as every step it needs has finished."""

    def __init__(self) -> None:
        self._input: PipelineInput | None = None
        self._states: dict[str, StepState] = {}
        self._outputs: dict[str, dict[str, Any]] = {}
        self._state = RunState.RUNNING
        self._started_at: dt.datetime | None = None
        self._finished_at: dt.datetime | None = None
        self._error: StepError | None = None
        self._events = False
        self._from_steps = False  # the run's start is announced by its first steps
        self._published = False  # some step's worker publishes events
        self._unreported: set[str] = set()  # failed steps whose activity published nothing
        self._completed: list[StepCompletion] = []  # republished by the run's last event

    # ------------------------------------------------------------------ query
    @workflow.query(name="progress")
    def progress(self) -> RunProgress:
        """The run's state and every step's state, right now."""
        assert self._input is not None
        return RunProgress(
            run_id=self._input.run_id,
            pipeline=self._input.plan.pipeline,
            workspace=self._input.workspace,
            state=self._state,
            started_at=self._started_at or workflow.now(),
            finished_at=self._finished_at,
            steps=list(self._states.values()),
            error=self._error,
        )

    def _result(self) -> PipelineResult:
        return PipelineResult.model_validate(self.progress().model_dump())

    # ------------------------------------------------------------------ run
    @workflow.run
    async def run(self, data: PipelineInput) -> PipelineResult:
        """Run every step of the plan; fail on the first failed step."""
        self._input = data
        self._started_at = workflow.now()
        # checked first: a new run records one patch marker (and one search attribute
        # upsert), not two; a run with the newer patch has events too
        self._from_steps = workflow.patched(STEPS_ANNOUNCE_PATCH)
        self._events = self._from_steps or workflow.patched(EVENTS_PATCH)
        steps = {s.name: s for s in data.plan.steps}
        self._states = {
            s.name: StepState(name=s.name, method=s.method, queue=s.queue or data.default_queue)
            for s in data.plan.steps
        }
        running: dict[asyncio.Task[StepOutput], str] = {}
        order = {name: i for i, name in enumerate(steps)}
        waiting = {name: set(step.depends_on) & steps.keys() for name, step in steps.items()}
        dependents: dict[str, list[str]] = {name: [] for name in steps}
        for name, needs in waiting.items():
            for need in needs:
                dependents[need].append(name)
        ready = [name for name in steps if not waiting[name]]
        # the steps that need no other announce the run: none starts before them
        first_wave = set(ready) if self._from_steps else set()
        names = [s.name for s in data.plan.steps]
        try:
            if not self._from_steps:
                await self._announce(data, "started")
            while True:
                for name in ready if self._error is None else []:
                    announce = names if name in first_wave else None
                    task = self._start(data, steps[name], announce)
                    if task is not None:
                        running[task] = name
                ready = []
                if self._error is not None or not running:
                    break
                done, _ = await workflow.wait(running, return_when=asyncio.FIRST_COMPLETED)
                # a set has no stable order: handle completions in plan order, so that a
                # replay makes the same decisions
                for task in sorted(done, key=lambda t: order[running[t]]):
                    name = running.pop(task)
                    if self._finish(steps[name], task):
                        for dependent in dependents[name]:
                            waiting[dependent].discard(name)
                            if not waiting[dependent]:
                                ready.append(dependent)
                ready.sort(key=order.__getitem__)
        except asyncio.CancelledError:
            await self._stop(running, StepStatus.CANCELLED)
            self._settle_pending(StepStatus.CANCELLED)
            self._state = RunState.CANCELLED
            self._finished_at = workflow.now()
            # a cancelled workflow may still run activities after catching the cancellation
            await self._announce(data, "cancelled")
            raise
        if self._error is not None:
            await self._stop(running, StepStatus.CANCELLED)
            self._settle_pending(StepStatus.SKIPPED)
            self._state = RunState.FAILED
            self._finished_at = workflow.now()
            error = self._error
            await self._announce(data, "failed")
            raise ApplicationError(
                f"step {error.step!r} ({error.method}) failed after {error.attempts} "
                f"attempt{'s' * (error.attempts != 1)}: {error.message}",
                self._result(),
                type="StepFailed",
                non_retryable=True,
            )
        self._state = RunState.COMPLETED
        self._finished_at = workflow.now()
        # no step's worker publishes events, nor did the submitter: nobody would publish
        # anything, and the local activity is most of a short run's overhead
        if not self._from_steps or self._published or data.events:
            await self._announce(data, "completed")
        return self._result()

    async def _announce(
        self, data: PipelineInput, kind: Literal["started", "completed", "failed", "cancelled"]
    ) -> None:
        """Publish the run's start or end through a local activity; never fails the run.

        A cancellation that arrives while the start is published cancels the run (as it
        would have while a step ran); one that arrives while the end is published is too
        late and ends nothing. Under ``STEPS_ANNOUNCE_PATCH`` only the end is published
        here, with the start again before it: a run whose steps announced nothing (they
        never ran, or their workers publish no events) still starts before it ends.
        """
        if not self._events:
            return
        started = self._started_at or workflow.now()
        error = self._error if kind == "failed" else None
        try:
            await workflow.execute_local_activity(
                PUBLISH_LIFECYCLE,
                LifecycleInput(
                    run_id=data.run_id,
                    pipeline=data.plan.pipeline,
                    workspace=data.workspace,
                    kind=kind,
                    steps=[s.name for s in data.plan.steps]
                    if kind == "started" or self._from_steps
                    else [],
                    announce=self._from_steps,
                    duration_s=(workflow.now() - started).total_seconds(),
                    error=error,
                    step_failed=error is not None and error.step in self._unreported,
                    completed=self._completed if kind != "started" else [],
                ),
                start_to_close_timeout=_PUBLISH_TIMEOUT,
                retry_policy=RetryPolicy(maximum_attempts=2),
            )
        except FailureError as e:  # events are best effort: the run goes on
            # a local activity's failure may arrive wrapped in ActivityError or bare
            cause = e.cause if isinstance(e, ActivityError) else e
            if kind == "started" and isinstance(cause, CancelledError):
                raise asyncio.CancelledError from None
            workflow.logger.warning("lifecycle events not published: %s", cause)

    def _start(
        self, data: PipelineInput, step: PlannedStep, announce: list[str] | None
    ) -> asyncio.Task[StepOutput] | None:
        """Schedule a step's activity; None when it failed before it could be scheduled.

        ``announce``: the plan's step names when the step is in the run's first wave (its
        activity announces the run's start).
        """
        state = self._states[step.name]
        state.status = StepStatus.RUNNING
        state.started_at = workflow.now()
        state.attempt = 1
        deferred: list[DeferredText] = []
        try:
            params = resolve_templates(step.params, self._resolver(data), deferred=deferred)
        except Exception as e:  # a lookup that failed at run time (e.g. an empty optional)
            self._unreported.add(step.name)
            self._fail(
                step,
                StepError(
                    step=step.name, method=step.method, message=str(e), error_type="TemplateError"
                ),
            )
            return None
        # sinks always run: their effect is the point, and they are idempotent
        use_cache = step.cache and not data.no_cache and step.kind is not MethodKind.SINK
        step_input = StepInput(
            run_id=data.run_id,
            pipeline=data.plan.pipeline,
            workspace=data.workspace,
            step=step,
            params=params,
            use_cache=use_cache,
            deferred=deferred,
            announce=announce,
        )
        retry = RetryPolicy(
            initial_interval=step.retry.initial_interval,
            backoff_coefficient=step.retry.backoff,
            maximum_interval=step.retry.max_interval,
            maximum_attempts=step.retry.max_attempts,
            non_retryable_error_types=NON_RETRYABLE_TYPES,
        )
        cancellation = workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED
        if step.local:
            # short in-process work: no round trip through the task queue; a dead worker
            # is noticed by the workflow task timeout and the step runs again elsewhere
            return asyncio.create_task(
                workflow.execute_local_activity(
                    RUN_STEP,
                    step_input,
                    result_type=StepOutput,
                    activity_id=step.name,
                    start_to_close_timeout=step.timeout,
                    retry_policy=retry,
                    cancellation_type=cancellation,
                )
            )
        heartbeat = dt.timedelta(seconds=data.heartbeat_timeout_s)
        return asyncio.create_task(
            workflow.execute_activity(
                RUN_STEP,
                step_input,
                result_type=StepOutput,
                activity_id=step.name,
                task_queue=step.queue or data.default_queue,
                start_to_close_timeout=step.timeout,
                heartbeat_timeout=min(heartbeat, step.timeout),
                retry_policy=retry,
                cancellation_type=cancellation,
            )
        )

    def _resolver(self, data: PipelineInput) -> Any:
        started = self._started_at or workflow.now()
        run_fields = {
            "id": data.run_id,
            "pipeline": data.plan.pipeline,
            "workspace": data.workspace,
            "started_at": started.isoformat(),
            "date": started.date().isoformat(),
        }

        def resolve(ref: Ref) -> Any | KeepTemplate:
            if ref.root == "secrets":
                return KEEP  # resolved inside the activity, never in history
            if ref.root == "params":
                return lookup_path(data.plan.params, ref.path, label="params")
            if ref.root == "run":
                return lookup_path(run_fields, ref.path, label="run")
            return lookup_path(self._outputs[ref.root], ref.path, label=ref.root)

        return resolve

    def _finish(self, step: PlannedStep, task: asyncio.Task[StepOutput]) -> bool:
        """Record a finished step; whether it succeeded."""
        state = self._states[step.name]
        assert state.started_at is not None  # set by _start, which made the task
        state.finished_at = workflow.now()
        state.duration_s = (state.finished_at - state.started_at).total_seconds()
        exc = task.exception()
        if exc is None:
            out = task.result()
            self._outputs[step.name] = out.output
            state.status = StepStatus.CACHED if out.cache_hit else StepStatus.COMPLETED
            state.output = out.output
            state.rows = out.rows
            state.cache_hit = out.cache_hit
            state.attempt = out.attempt
            self._published = self._published or out.events
            self._completed.append(completion(step.name, step.method, out))
            return True
        cause = exc.__cause__ if isinstance(exc, ActivityError) else exc
        if not isinstance(cause, ApplicationError):  # a timeout: the activity could not tell
            self._unreported.add(step.name)
        self._fail(step, _step_error(step, exc))
        return False

    def _fail(self, step: PlannedStep, error: StepError) -> None:
        state = self._states[step.name]
        state.status = StepStatus.FAILED
        state.error = error
        state.attempt = error.attempts
        state.finished_at = state.finished_at or workflow.now()
        if self._error is None:
            self._error = error

    def _settle_pending(self, status: StepStatus) -> None:
        """Give every step that never started its final status; the others keep theirs."""
        for state in self._states.values():
            if state.status is StepStatus.PENDING:
                state.status = status

    async def _stop(self, running: dict[asyncio.Task[StepOutput], str], status: StepStatus) -> None:
        """Cancel running steps and wait until their activities have stopped.

        Every step in ``running`` is still RUNNING: only ``_finish`` records an outcome,
        and it is called for a step once its task has left ``running``.
        """
        for task in running:
            task.cancel()
        for task, name in running.items():
            with contextlib.suppress(BaseException):  # the cancellation we asked for
                await task
            state = self._states[name]
            state.status = status
            state.finished_at = workflow.now()
        running.clear()


def _step_error(step: PlannedStep, exc: BaseException) -> StepError:
    """Describe an activity failure in the user's terms."""
    attempts = step.retry.max_attempts
    cause: BaseException | None = exc.__cause__ if isinstance(exc, ActivityError) else exc
    retry_state = exc.retry_state if isinstance(exc, ActivityError) else None
    if retry_state in (RetryState.NON_RETRYABLE_FAILURE,):
        attempts = 1
    if isinstance(cause, ApplicationError):
        details = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
        attempts = int(details.get("attempt", attempts))
        return StepError(
            step=step.name,
            method=step.method,
            message=cause.message,
            error_type=cause.type or "ApplicationError",
            attempts=attempts,
            hint=details.get("hint"),
            retryable=not cause.non_retryable,
        )
    if isinstance(cause, TimeoutError):
        kind = {
            TimeoutType.HEARTBEAT: "stopped heartbeating (its worker may have died)",
            TimeoutType.START_TO_CLOSE: "did not finish within its timeout of "
            f"{step.timeout.total_seconds():g}s",
            TimeoutType.SCHEDULE_TO_START: "no worker picked it up in time",
        }.get(cause.type or TimeoutType.START_TO_CLOSE, "timed out")
        return StepError(
            step=step.name,
            method=step.method,
            message=f"the step {kind}",
            error_type="Timeout",
            attempts=attempts,
            hint="raise the step's timeout, or check the workers of its queue",
            retryable=True,
        )
    if isinstance(cause, CancelledError):
        return StepError(
            step=step.name,
            method=step.method,
            message="cancelled",
            error_type="Cancelled",
            attempts=attempts,
        )
    return StepError(
        step=step.name,
        method=step.method,
        message=str(cause or exc),
        error_type=type(cause or exc).__name__,
        attempts=attempts,
    )
