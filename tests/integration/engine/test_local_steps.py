"""Short in-process steps run as local activities: same semantics, no task-queue round trip."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from odp.catalog import Catalog
from odp.engine import EngineClient, RunState, StepStatus
from odp.errors import RunCancelledError, StepFailedError
from tests.fixtures.temporal import RunPipeline, WorkerFactory, compile_source, local_activities

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


def test_the_plan_marks_local_steps(engine_catalog: Catalog) -> None:
    plan = compile_source(
        """
name: local-plan
sources:
  - {name: a, method: test.rows.make, params: {n: 3}}
transforms:
  - {name: f, method: data.rows.filter, params: {data: "{{ a.data }}", where: "id > 0"}}
  - {name: g, method: data.rows.filter, params: {data: "{{ f.data }}", where: "id > 1"}, queue: big}
""",
        engine_catalog,
    )
    assert {s.name: s.local for s in plan.steps} == {"a": False, "f": True, "g": False}


async def test_local_steps_leave_no_activity_task_in_history(
    run_pipeline: RunPipeline, temporal_client: Client, tmp_path: Path
) -> None:
    out = tmp_path / "revenue.csv"
    result = await run_pipeline(ROOT / "examples" / "quickstart.yaml", params={"out": str(out)})
    assert result.state is RunState.COMPLETED
    assert result.outputs["save"]["rows_written"] == 6
    history = await temporal_client.get_workflow_handle(result.run_id).fetch_history()
    types = [e.event_type for e in history.events]
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in types
    # one per step and the lifecycle events' patch marker: without events, a run that
    # succeeds publishes nothing (no publish_lifecycle local activity)
    assert local_activities(history) == ["run_step"] * 4
    assert types.count(EventType.EVENT_TYPE_MARKER_RECORDED) == 4 + 1


async def test_a_local_step_is_retried_until_it_succeeds(
    run_pipeline: RunPipeline, tmp_path: Path
) -> None:
    counter = tmp_path / "count"
    result = await run_pipeline(
        f"""
name: flaky-local
transforms:
  - name: f
    method: test.flaky.local
    params: {{failures: 2, counter: "{counter}"}}
    retry: {{max_attempts: 5, initial_interval: 50ms, backoff: 1.0}}
"""
    )
    assert result.steps[0].attempt == 3
    assert result.outputs["f"] == {"attempts": 3, "ctx_attempt": 3}


async def test_a_permanent_error_in_a_local_step_fails_the_run_at_once(
    engine: EngineClient, worker: WorkerFactory, engine_catalog: Catalog, tmp_path: Path
) -> None:
    counter = tmp_path / "count"
    plan = compile_source(
        f"""
name: failing-local
transforms:
  - name: bad
    method: test.fail.local
    params: {{message: "the input is wrong", counter: "{counter}"}}
  - name: after
    method: test.echo.value
    params: {{value: "{{{{ bad.value }}}}"}}
""",
        engine_catalog,
    )
    async with worker():
        run_id = await engine.submit(plan)
        with pytest.raises(StepFailedError) as info:
            await engine.result(run_id)
    error = info.value
    assert (error.step, error.method_id, error.attempts) == ("bad", "test.fail.local", 1)
    assert error.hint == "fix the input"
    assert counter.read_text() == "1"
    progress = await engine.progress(run_id)
    assert {s.name: s.status for s in progress.steps} == {
        "bad": StepStatus.FAILED,
        "after": StepStatus.SKIPPED,
    }


async def test_cancelling_a_run_stops_a_running_local_step(
    engine: EngineClient, worker: WorkerFactory, engine_catalog: Catalog, tmp_path: Path
) -> None:
    marker = tmp_path / "markers"
    plan = compile_source(
        f"""
name: cancel-local
transforms:
  - name: s
    method: test.sleep.local
    params: {{seconds: 120, marker_dir: "{marker}"}}
""",
        engine_catalog,
    )
    async with worker():
        run_id = await engine.submit(plan)
        for _ in range(200):
            if (marker / "started-s-1").exists():
                break
            await asyncio.sleep(0.05)
        await engine.cancel(run_id)
        with pytest.raises(RunCancelledError):
            await engine.result(run_id)
        assert (marker / "cancelled-s").exists()
        progress = await engine.progress(run_id)
    assert progress.state is RunState.CANCELLED
    assert progress.steps[0].status is StepStatus.CANCELLED
