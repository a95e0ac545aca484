"""Submit, follow, cancel and list runs: a thin, typed layer over the Temporal client."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel
from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowExecutionDescription,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
)
from temporalio.client import (
    WorkflowExecutionStatus as Status,
)
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError, CancelledError, TerminatedError
from temporalio.service import RPCError, RPCStatusCode

from odp.engine.lifecycle import submitted_event
from odp.engine.models import PipelineInput, PipelineResult, RunProgress, RunState, StepError
from odp.engine.workflows import PipelineWorkflow
from odp.errors import ExecutionError, RunCancelledError, RunNotFoundError, StepFailedError
from odp.events import EventPublisher
from odp.spec import Plan

__all__ = ["WORKSPACE_KEY", "EngineClient", "RunInfo", "connect", "new_run_id"]

WORKSPACE_KEY = SearchAttributeKey.for_keyword("OdpWorkspace")
PIPELINE_KEY = SearchAttributeKey.for_keyword("OdpPipeline")

_STATES = {
    Status.RUNNING: RunState.RUNNING,
    Status.COMPLETED: RunState.COMPLETED,
    Status.FAILED: RunState.FAILED,
    Status.CANCELED: RunState.CANCELLED,
    Status.TERMINATED: RunState.TERMINATED,
    Status.TIMED_OUT: RunState.TIMED_OUT,
    Status.CONTINUED_AS_NEW: RunState.RUNNING,
}
_QUERY_STATES = {
    RunState.RUNNING: "Running",
    RunState.COMPLETED: "Completed",
    RunState.FAILED: "Failed",
    RunState.CANCELLED: "Canceled",
    RunState.TERMINATED: "Terminated",
    RunState.TIMED_OUT: "TimedOut",
}


async def connect(address: str, namespace: str = "default") -> Client:
    """A Temporal client with ODP's Pydantic data conversion.

    Raises:
        ExecutionError: when the server does not answer.
    """
    try:
        return await Client.connect(
            address, namespace=namespace, data_converter=pydantic_data_converter
        )
    except Exception as e:
        raise ExecutionError(
            f"cannot reach Temporal at {address}: {e}",
            hint="check ODP_TEMPORAL_ADDRESS, or unset it to use the embedded server",
        ) from e


class RunInfo(BaseModel):
    """One run as listings show it."""

    run_id: str
    pipeline: str
    workspace: str
    state: RunState
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to finish (or to now, for running runs)."""
        if self.started_at is None:
            return None
        end = self.finished_at or dt.datetime.now(dt.UTC)
        return (end - self.started_at).total_seconds()


def new_run_id(pipeline: str) -> str:
    """A readable, unique run id: the pipeline's name and 10 random hex digits."""
    return f"{pipeline[:60]}-{uuid.uuid4().hex[:10]}"


class EngineClient:
    """Runs pipelines on a Temporal cluster.

    Args:
        client: a connected Temporal client (see :func:`connect`).
        task_queue: the default task queue (workflows and unrouted steps).
        heartbeat_timeout: how soon a silent step is considered lost.
        publisher: where ``pipeline.submitted`` goes (None: nowhere).
    """

    def __init__(
        self,
        client: Client,
        *,
        task_queue: str = "odp",
        heartbeat_timeout: float = 15.0,
        publisher: EventPublisher | None = None,
    ) -> None:
        self.client = client
        self.task_queue = task_queue
        self.heartbeat_timeout = heartbeat_timeout
        self.query_timeout = 5.0
        self.publisher = publisher or EventPublisher(None)

    async def submit(
        self,
        plan: Plan,
        *,
        workspace: str = "default",
        no_cache: bool = False,
        run_id: str | None = None,
    ) -> str:
        """Start a run of a compiled plan and return its id (also the workflow id).

        Publishes ``pipeline.submitted`` once the run is accepted (the workflow's first
        activity publishes the same event, so it comes first whoever is quicker).
        """
        run_id = run_id or new_run_id(plan.pipeline)
        data = PipelineInput(
            run_id=run_id,
            plan=plan,
            workspace=workspace,
            no_cache=no_cache,
            default_queue=self.task_queue,
            heartbeat_timeout_s=self.heartbeat_timeout,
            events=self.publisher.enabled,
        )
        memo = {"workspace": workspace, "pipeline": plan.pipeline}
        attributes = TypedSearchAttributes(
            [
                SearchAttributePair(WORKSPACE_KEY, workspace),
                SearchAttributePair(PIPELINE_KEY, plan.pipeline),
            ]
        )
        try:
            handle = await self.client.start_workflow(
                PipelineWorkflow.run,
                data,
                id=run_id,
                task_queue=self.task_queue,
                memo=memo,
                search_attributes=attributes,
            )
        except RPCError as e:
            if (
                e.status is not RPCStatusCode.INVALID_ARGUMENT
                or "search attribute" not in str(e).lower()
            ):
                raise ExecutionError(f"could not start the run: {e.message}") from e
            # a cluster without ODP's search attributes: the memo still carries the workspace
            handle = await self.client.start_workflow(
                PipelineWorkflow.run, data, id=run_id, task_queue=self.task_queue, memo=memo
            )
        if self.publisher.enabled and handle.first_execution_run_id:
            steps = [s.name for s in plan.steps]
            await self.publisher.publish(
                submitted_event(
                    handle.first_execution_run_id, run_id, plan.pipeline, workspace, steps
                )
            )
        return run_id

    # ------------------------------------------------------------------ one run
    def _handle(self, run_id: str) -> WorkflowHandle[Any, PipelineResult]:
        return self.client.get_workflow_handle(run_id, result_type=PipelineResult)

    async def describe(self, run_id: str, *, workspace: str | None = None) -> RunInfo:
        """A run's state and times.

        Raises:
            RunNotFoundError: when there is no such run in ``workspace`` (any, when None).
        """
        description = await self._describe(run_id, workspace)
        return await _info(description)

    async def _describe(self, run_id: str, workspace: str | None) -> WorkflowExecutionDescription:
        try:
            description = await self._handle(run_id).describe()
        except RPCError as e:
            if e.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
                raise RunNotFoundError(run_id) from None
            raise ExecutionError(f"could not look up run {run_id}: {e.message}") from e
        if description.workflow_type != "PipelineWorkflow":
            raise RunNotFoundError(run_id)
        if workspace is not None and (await _memo(description)).get("workspace") != workspace:
            raise RunNotFoundError(run_id)
        return description

    async def progress(self, run_id: str, *, workspace: str | None = None) -> RunProgress:
        """Every step's state now (works for running and finished runs)."""
        description = await self._describe(run_id, workspace)
        handle = self._handle(run_id)
        state = _STATES.get(description.status or Status.RUNNING, RunState.RUNNING)
        if state is RunState.COMPLETED:
            return await handle.result()
        if state is RunState.FAILED:
            partial = await self._failed_result(handle)
            if partial is not None:
                return partial
        try:
            progress = await handle.query(
                PipelineWorkflow.progress, rpc_timeout=dt.timedelta(seconds=self.query_timeout)
            )
        except (WorkflowQueryFailedError, RPCError):
            info = await _info(description)
            return RunProgress(
                run_id=run_id,
                pipeline=info.pipeline,
                workspace=info.workspace,
                state=state,
                started_at=info.started_at or dt.datetime.now(dt.UTC),
                finished_at=info.finished_at,
                steps=[],
            )
        if state is not RunState.RUNNING:
            progress.state = state
        return progress

    async def _failed_result(
        self, handle: WorkflowHandle[Any, PipelineResult]
    ) -> PipelineResult | None:
        try:
            await handle.result()
        except WorkflowFailureError as e:
            cause = e.cause
            if isinstance(cause, ApplicationError) and cause.details:
                detail = cause.details[0]
                if isinstance(detail, dict):
                    return PipelineResult.model_validate(detail)
        return None

    async def attempts(self, run_id: str) -> dict[str, int]:
        """The current attempt of each running step (from Temporal's pending activities)."""
        try:
            description = await self._handle(run_id).describe()
        except RPCError:
            return {}
        return {
            pending.activity_id: pending.attempt
            for pending in description.raw_description.pending_activities
        }

    async def result(self, run_id: str, *, workspace: str | None = None) -> PipelineResult:
        """Wait for a run to finish and return its result.

        Raises:
            StepFailedError: when a step failed (with the step, method, attempts and error).
            RunCancelledError: when the run was cancelled.
            ExecutionError: when it ended otherwise (terminated, timed out).
        """
        # wait for the result while checking the run is the workspace's: one round trip
        waiting = asyncio.ensure_future(self._handle(run_id).result())
        try:
            await self._describe(run_id, workspace)
        except BaseException:
            waiting.cancel()
            with contextlib.suppress(BaseException):
                await waiting
            raise
        try:
            return await waiting
        except WorkflowFailureError as e:
            raise _run_error(run_id, e) from None

    async def cancel(self, run_id: str, *, workspace: str | None = None) -> None:
        """Ask a run to stop: running steps are cancelled and the run ends as cancelled."""
        description = await self._describe(run_id, workspace)
        if description.status is not Status.RUNNING:
            return
        await self._handle(run_id).cancel()

    # ------------------------------------------------------------------ listing
    async def list_runs(
        self,
        *,
        workspace: str | None = None,
        state: RunState | None = None,
        pipeline: str | None = None,
        limit: int = 20,
    ) -> list[RunInfo]:
        """Recent runs, newest first, from Temporal visibility."""
        query = _runs_query(workspace=workspace, state=state, pipeline=pipeline)
        runs: list[RunInfo] = []
        async for execution in self.client.list_workflows(query, limit=limit):
            runs.append(await _info(execution))
        return runs

    async def list_runs_page(
        self,
        *,
        workspace: str | None = None,
        state: RunState | None = None,
        pipeline: str | None = None,
        page_size: int = 20,
        page_token: bytes | None = None,
    ) -> tuple[list[RunInfo], bytes | None]:
        """One page of runs, newest first, and the token of the next page (None at the end).

        Raises:
            ValueError: when ``page_token`` is not one this method returned.
            ExecutionError: when Temporal cannot be asked.
        """
        pages = self.client.list_workflows(
            _runs_query(workspace=workspace, state=state, pipeline=pipeline),
            page_size=page_size,
            next_page_token=page_token,
        )
        try:
            await pages.fetch_next_page()
        except RPCError as e:
            if page_token is not None and e.status is RPCStatusCode.INVALID_ARGUMENT:
                raise ValueError("invalid page token") from None
            raise ExecutionError(f"could not list runs: {e.message}") from e
        runs: list[RunInfo] = []
        for execution in pages.current_page or []:
            runs.append(await _info(execution))
        return runs, pages.next_page_token

    async def count_runs(self, *, state: RunState | None = None) -> int:
        """How many runs exist (in a state, when given)."""
        query = "WorkflowType = 'PipelineWorkflow'"
        if state is not None:
            query += f" AND ExecutionStatus = '{_QUERY_STATES[state]}'"
        return (await self.client.count_workflows(query)).count

    async def wait(self, run_id: str, *, poll: float = 0.5) -> RunInfo:
        """Wait until a run is no longer running."""
        while True:
            info = await self.describe(run_id)
            if info.state is not RunState.RUNNING:
                return info
            await asyncio.sleep(poll)


def _runs_query(*, workspace: str | None, state: RunState | None, pipeline: str | None) -> str:
    """The visibility query of ODP's runs, filtered by what is given."""
    clauses = ["WorkflowType = 'PipelineWorkflow'"]
    if workspace is not None:
        clauses.append(f"OdpWorkspace = {_quote(workspace)}")
    if pipeline is not None:
        clauses.append(f"OdpPipeline = {_quote(pipeline)}")
    if state is not None:
        clauses.append(f"ExecutionStatus = '{_QUERY_STATES[state]}'")
    return " AND ".join(clauses)


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


async def _memo(execution: WorkflowExecution) -> dict[str, Any]:
    memo = await execution.memo()
    return dict(memo)


async def _info(execution: WorkflowExecution) -> RunInfo:
    """A run as listings show it, from a listed or a described workflow execution."""
    memo = await _memo(execution)
    return RunInfo(
        run_id=execution.id,
        pipeline=str(memo.get("pipeline", "")),
        workspace=str(memo.get("workspace", "default")),
        state=_STATES.get(execution.status or Status.RUNNING, RunState.RUNNING),
        started_at=execution.start_time,
        finished_at=execution.close_time,
    )


def _run_error(run_id: str, e: WorkflowFailureError) -> ExecutionError:
    cause = e.cause
    if isinstance(cause, CancelledError):
        return RunCancelledError(run_id)
    if isinstance(cause, TerminatedError):
        return ExecutionError(f"run {run_id} was terminated")
    if isinstance(cause, ApplicationError) and cause.type == "StepFailed" and cause.details:
        detail = cause.details[0]
        result = PipelineResult.model_validate(detail) if isinstance(detail, dict) else None
        error: StepError | None = result.error if result else None
        if error is not None:
            failed = StepFailedError(
                step=error.step,
                method_id=error.method,
                attempts=error.attempts,
                error=error.message,
                error_type=error.error_type,
                hint=error.hint,
            )
            failed.result = result
            return failed
    return ExecutionError(f"run {run_id} failed: {cause}")
