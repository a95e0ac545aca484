"""A run's lifecycle events on real Temporal and real Redis (both embedded)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from odp.catalog import Catalog
from odp.config import Settings
from odp.engine import (
    EngineClient,
    LifecycleInput,
    PipelineWorkflow,
    RunState,
    StepStatus,
    create_workers,
)
from odp.engine.activities import StepActivities
from odp.engine.worker import workflow_runner
from odp.engine.workflows import PUBLISH_LIFECYCLE, RUN_STEP
from odp.errors import RunCancelledError, StepFailedError
from odp.events import (
    EmbeddedRedis,
    Event,
    EventBus,
    EventPublisher,
    EventType,
    PipelineFailed,
    StepCompleted,
    StepEvent,
    StepFailed,
    StepRetrying,
)
from tests.fixtures.temporal import WorkerFactory, compile_source, local_activities
from tests.integration.events.conftest import RunWithEvents, events_worker

pytestmark = pytest.mark.integration


def kinds(events: list[Event]) -> list[tuple[str, str, int]]:
    return [
        (e.type.value, e.step, e.attempt) if isinstance(e, StepEvent) else (e.type.value, "", 0)
        for e in events
    ]


def assert_gap_free(events: list[Event]) -> None:
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


async def test_a_run_from_submitted_to_completed(run_with_events: RunWithEvents) -> None:
    run_id, events, error = await run_with_events(
        """
name: evented
sources:
  - {name: rows, method: test.rows.make, params: {n: 4}}
transforms:
  - {name: few, method: data.rows.filter, params: {data: "{{ rows.data }}", where: "i > 1"}}
sinks:
  - {name: save, method: file.csv.write, params: {data: "{{ few.data }}", path: "{tmp}/o.csv"}}
"""
    )
    assert error is None
    assert_gap_free(events)
    assert kinds(events) == [
        ("pipeline.submitted", "", 0),
        ("pipeline.started", "", 0),
        ("step.started", "rows", 1),
        ("step.completed", "rows", 1),
        ("step.started", "few", 1),
        ("step.completed", "few", 1),
        ("step.started", "save", 1),
        ("step.completed", "save", 1),
        ("pipeline.completed", "", 0),
    ]
    assert {e.run_id for e in events} == {run_id}
    assert {(e.pipeline, e.workspace, e.workflow_id) for e in events} == {
        ("evented", "default", run_id)
    }
    assert events[0].steps == ["rows", "few", "save"]
    done = {e.step: e for e in events if isinstance(e, StepCompleted)}
    assert done["rows"].rows == 4 and done["few"].rows == 2
    assert done["few"].outputs["data"]["rows"] == 2
    assert done["rows"].outputs["data"]["uri"].endswith(".parquet")
    assert done["few"].outputs["data"]["uri"]  # a lazy view of rows, or Parquet
    assert done["save"].outputs["rows_written"] == 2
    assert done["save"].outputs["path"].endswith("o.csv")
    assert not any(e.cache_hit for e in done.values())
    assert events[-1].duration_s > 0


async def test_retries_are_events(run_with_events: RunWithEvents) -> None:
    _, events, error = await run_with_events(
        """
name: flaky
transforms:
  - name: f
    method: test.flaky.run
    params: {failures: 2, counter: "{tmp}/count"}
    retry: {max_attempts: 3, initial_interval: 10ms}
"""
    )
    assert error is None
    assert_gap_free(events)
    assert kinds(events)[2:] == [
        ("step.started", "f", 1),
        ("step.retrying", "f", 1),
        ("step.started", "f", 2),
        ("step.retrying", "f", 2),
        ("step.started", "f", 3),
        ("step.completed", "f", 3),
        ("pipeline.completed", "", 0),
    ]
    retrying = [e for e in events if isinstance(e, StepRetrying)]
    assert retrying[0].error == "transient failure 1"
    assert retrying[0].error_type == "MethodError"


async def test_a_failed_run(run_with_events: RunWithEvents) -> None:
    _, events, error = await run_with_events(
        """
name: failing
sources:
  - {name: a, method: test.values.make, params: {n: 1}}
transforms:
  - {name: bad, method: test.fail.run, params: {message: nope}, depends_on: [a]}
  - {name: after, method: test.echo.value, params: {value: "{{ bad.value }}"}}
"""
    )
    assert isinstance(error, StepFailedError)
    assert_gap_free(events)
    assert kinds(events)[-3:] == [
        ("step.started", "bad", 1),
        ("step.failed", "bad", 1),
        ("pipeline.failed", "", 0),
    ]
    failed = events[-2]
    assert isinstance(failed, StepFailed) and failed.hint == "fix the input"
    end = events[-1]
    assert isinstance(end, PipelineFailed)
    assert (end.step, end.method, end.error, end.attempts) == ("bad", "test.fail.run", "nope", 1)


async def test_a_timeout_is_reported_by_the_workflow(run_with_events: RunWithEvents) -> None:
    _, events, error = await run_with_events(
        """
name: slow
transforms:
  - name: s
    method: test.sleep.run
    params: {seconds: 30}
    timeout: 1s
    retry: {max_attempts: 1}
"""
    )
    assert isinstance(error, StepFailedError)
    assert_gap_free(events)
    assert kinds(events)[-3:] == [
        ("step.started", "s", 1),
        ("step.failed", "s", 1),
        ("pipeline.failed", "", 0),
    ]
    assert events[-2].error_type == "Timeout"


async def test_a_cancelled_run(
    temporal_client: Client,
    engine_settings: Settings,
    engine_catalog: Catalog,
    publisher: EventPublisher,
    event_bus: EventBus,
) -> None:
    engine = EngineClient(
        temporal_client, task_queue=engine_settings.task_queue, publisher=publisher
    )
    plan = compile_source(
        """
name: cancel-me
transforms:
  - {name: s, method: test.sleep.run, params: {seconds: 120}}
""",
        engine_catalog,
    )
    async with events_worker(temporal_client, engine_settings, engine_catalog, publisher):
        run_id = await engine.submit(plan)
        seen: list[Event] = []
        async for event in event_bus.follow(run_id, block=0.2):
            seen.append(event)
            if event.type is EventType.STEP_STARTED:
                await engine.cancel(run_id)
        with pytest.raises(RunCancelledError):
            await engine.result(run_id)
    assert_gap_free(seen)
    assert kinds(seen) == [
        ("pipeline.submitted", "", 0),
        ("pipeline.started", "", 0),
        ("step.started", "s", 1),
        ("pipeline.cancelled", "", 0),
    ]


async def test_stopping_redis_mid_run_loses_nothing_of_the_run(
    temporal_client: Client,
    engine_settings: Settings,
    engine_catalog: Catalog,
    tmp_path: Path,
) -> None:
    redis = EmbeddedRedis(tmp_path / "redis-state")
    info = await redis.start()
    bus = EventBus.from_url(info.url, Settings(events_redis_timeout=0.5))
    publisher = EventPublisher(bus, wait=0.5, retry_initial=0.01, retry_max=0.2)
    engine = EngineClient(
        temporal_client, task_queue=engine_settings.task_queue, publisher=publisher
    )
    marker = tmp_path / "markers"
    plan = compile_source(
        f"""
name: outage
transforms:
  - {{name: a, method: test.sleep.run, params: {{seconds: 1.0, marker_dir: "{marker}"}}}}
  - {{name: b, method: test.echo.value, params: {{value: "{{{{ a.slept }}}}"}}}}
  - {{name: c, method: test.echo.value, params: {{value: "{{{{ b.value }}}}"}}}}
""",
        engine_catalog,
    )
    try:
        async with events_worker(temporal_client, engine_settings, engine_catalog, publisher):
            run_id = await engine.submit(plan)
            for _ in range(200):
                if (marker / "started-a-1").exists():
                    break
                await asyncio.sleep(0.05)
            redis.stop()
            result = await engine.result(run_id)  # the run does not notice
        assert [s.status.value for s in result.steps] == ["completed"] * 3
        stats = publisher.stats()
        assert not stats.healthy
        assert stats.retried >= 1 and stats.buffered >= 1  # counted, kept for later
        await redis.start()  # the same port: the buffer is delivered
        assert await publisher.flush(timeout=20)
        events = await bus.read(run_id)
        assert_gap_free(events)
        assert kinds(events)[-2:] == [("step.completed", "c", 1), ("pipeline.completed", "", 0)]
        assert len(events) == 2 + 2 * 3 + 1
        assert publisher.stats().dropped == 0
    finally:
        await publisher.aclose(timeout=1)
        await bus.aclose()
        redis.stop()


async def test_a_lookup_that_fails_in_the_workflow_is_a_step_failed_event(
    run_with_events: RunWithEvents,
) -> None:
    _, events, error = await run_with_events(
        """
name: empty-lookup
sources:
  - {name: a, method: test.echo.value, params: {value: null}}
transforms:
  - {name: b, method: test.echo.value, params: {value: "{{ a.value.inner }}"}}
"""
    )
    assert isinstance(error, StepFailedError)
    assert_gap_free(events)
    assert kinds(events)[-3:] == [
        ("step.completed", "a", 1),
        ("step.failed", "b", 1),
        ("pipeline.failed", "", 0),
    ]
    assert events[-2].error_type == "TemplateError"


@activity.defn(name=PUBLISH_LIFECYCLE)
async def broken_publish(data: LifecycleInput) -> None:
    """Stands in for publish_lifecycle: it fails."""
    raise ApplicationError("the event bus is broken", non_retryable=True)


@contextlib.asynccontextmanager
async def broken_events_worker(
    client: Client, settings: Settings, catalog: Catalog
) -> AsyncIterator[None]:
    """A worker whose publish_lifecycle activity is broken (registered under its name)."""
    steps = StepActivities(catalog, settings)
    worker = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[PipelineWorkflow],
        activities=[steps.run_step, broken_publish],
        workflow_runner=workflow_runner(),
    )
    task = asyncio.create_task(worker.run())
    try:
        yield
    finally:
        await worker.shutdown()
        await task


async def test_a_broken_publisher_does_not_fail_the_run(
    temporal_client: Client,
    engine_settings: Settings,
    engine_catalog: Catalog,
    publisher: EventPublisher,
) -> None:
    # the submitter publishes events, so the run publishes its end (which fails) although
    # its steps' worker publishes none
    engine = EngineClient(
        temporal_client, task_queue=engine_settings.task_queue, publisher=publisher
    )
    plan = compile_source(
        "name: unbothered\ntransforms:\n  - {name: a, method: test.echo.value, params: {value: 1}}\n",
        engine_catalog,
    )
    async with broken_events_worker(temporal_client, engine_settings, engine_catalog):
        result = await engine.result(await engine.submit(plan))
    assert result.outputs["a"]["value"] == 1
    history = await temporal_client.get_workflow_handle(result.run_id).fetch_history()
    assert local_activities(history) == [PUBLISH_LIFECYCLE]


async def test_the_first_wave_announces_the_run_once_before_any_step_event(
    temporal_client: Client,
    engine_settings: Settings,
    engine_catalog: Catalog,
    publisher: EventPublisher,
    event_bus: EventBus,
) -> None:
    # three steps start at once, on two workers with a publisher each: each step announces
    # the run before its own events, Redis keeps one announcement
    assert publisher.bus is not None
    other = f"{engine_settings.task_queue}-other"
    engine = EngineClient(
        temporal_client, task_queue=engine_settings.task_queue, publisher=publisher
    )
    plan = compile_source(
        f"""
name: wide-start
sources:
  - {{name: a, method: test.values.make, params: {{n: 1}}}}
  - {{name: b, method: test.values.make, params: {{n: 2}}, queue: "{other}"}}
  - {{name: c, method: test.echo.value, params: {{value: 3}}}}
transforms:
  - name: d
    method: test.echo.value
    params: {{value: ["{{{{ a.n }}}}", "{{{{ b.n }}}}", "{{{{ c.value }}}}"]}}
    queue: "{other}"
""",
        engine_catalog,
    )
    second = EventPublisher(event_bus)
    steps_only = create_workers(
        temporal_client,
        engine_settings,
        engine_catalog,
        queues=[other],
        workflows=False,
        publisher=second,
    )
    tasks = [asyncio.create_task(w.run()) for w in steps_only]
    try:
        async with events_worker(temporal_client, engine_settings, engine_catalog, publisher):
            run_id = await engine.submit(plan)
            result = await engine.result(run_id)
    finally:
        await asyncio.gather(*(w.shutdown() for w in steps_only))
        await asyncio.gather(*tasks)
        assert await second.flush(timeout=10)
        await second.aclose()
    assert await publisher.flush(timeout=10)
    events = await publisher.bus.read(run_id)
    assert_gap_free(events)
    assert kinds(events)[:2] == [("pipeline.submitted", "", 0), ("pipeline.started", "", 0)]
    assert events[1].steps == ["a", "b", "c", "d"]
    assert sorted(kinds(events)[2:-1]) == sorted(
        (kind, step, 1) for kind in ("step.started", "step.completed") for step in "abcd"
    )
    assert kinds(events)[-1] == ("pipeline.completed", "", 0)
    assert result.outputs["d"]["value"] == [1, 2, 3]
    history = await temporal_client.get_workflow_handle(run_id).fetch_history()
    assert local_activities(history) == [PUBLISH_LIFECYCLE]  # the end only


async def test_a_run_without_events_publishes_no_end(
    temporal_client: Client, engine: EngineClient, worker: WorkerFactory, engine_catalog: Catalog
) -> None:
    # nobody publishes events: a run that succeeds runs no publish_lifecycle local
    # activity; a failed one still does (a no-op here), as events cost nothing there
    succeeds = compile_source(
        """
name: quiet
sources:
  - {name: a, method: test.values.make, params: {n: 1}}
  - {name: b, method: test.rows.make, params: {n: 2}}
transforms:
  - {name: c, method: data.rows.filter, params: {data: "{{ b.data }}", where: "i > 0"}}
  - {name: d, method: test.echo.value, params: {value: "{{ a.n }}"}}
""",
        engine_catalog,
    )
    fails = compile_source(
        "name: quiet-failure\ntransforms:\n"
        "  - {name: bad, method: test.fail.run, params: {message: nope}}\n",
        engine_catalog,
    )
    async with worker():
        ok = await engine.result(await engine.submit(succeeds))
        failed_id = await engine.submit(fails)
        with pytest.raises(StepFailedError):
            await engine.result(failed_id)
    assert ok.state is RunState.COMPLETED and ok.outputs["d"]["value"] == 1
    history = await temporal_client.get_workflow_handle(ok.run_id).fetch_history()
    assert local_activities(history) == [RUN_STEP]  # c, a local step
    history = await temporal_client.get_workflow_handle(failed_id).fetch_history()
    assert local_activities(history) == [PUBLISH_LIFECYCLE]


async def test_steps_that_publish_events_end_a_run_whose_submitter_publishes_none(
    temporal_client: Client,
    engine_settings: Settings,
    engine_catalog: Catalog,
    publisher: EventPublisher,
) -> None:
    assert publisher.bus is not None
    engine = EngineClient(temporal_client, task_queue=engine_settings.task_queue)
    plan = compile_source(
        "name: worker-events\ntransforms:\n"
        "  - {name: a, method: test.echo.value, params: {value: 1}}\n",
        engine_catalog,
    )
    async with events_worker(temporal_client, engine_settings, engine_catalog, publisher):
        run_id = await engine.submit(plan)
        await engine.result(run_id)
    assert await publisher.flush(timeout=10)
    events = await publisher.bus.read(run_id)
    assert_gap_free(events)
    assert kinds(events) == [
        ("pipeline.submitted", "", 0),
        ("pipeline.started", "", 0),
        ("step.started", "a", 1),
        ("step.completed", "a", 1),
        ("pipeline.completed", "", 0),
    ]


async def test_a_run_cancelled_before_any_step_ran_starts_and_ends(
    temporal_client: Client,
    engine_settings: Settings,
    engine_catalog: Catalog,
    publisher: EventPublisher,
) -> None:
    # its only step waits on a queue no worker polls: no step announces the run, so its
    # end announces it, before itself
    assert publisher.bus is not None
    engine = EngineClient(
        temporal_client, task_queue=engine_settings.task_queue, publisher=publisher
    )
    plan = compile_source(
        f"""
name: never-started
transforms:
  - {{name: a, method: test.echo.value, params: {{value: 1}}, queue: "{engine_settings.task_queue}-nobody"}}
""",
        engine_catalog,
    )
    async with events_worker(temporal_client, engine_settings, engine_catalog, publisher):
        run_id = await engine.submit(plan)
        await asyncio.sleep(0.3)  # the step is scheduled by now
        await engine.cancel(run_id)
        with pytest.raises(RunCancelledError):
            await engine.result(run_id)
        progress = await engine.progress(run_id)
    assert progress.state is RunState.CANCELLED
    assert progress.step("a").status is StepStatus.CANCELLED
    assert await publisher.flush(timeout=10)
    events = await publisher.bus.read(run_id)
    assert_gap_free(events)
    assert kinds(events) == [
        ("pipeline.submitted", "", 0),
        ("pipeline.started", "", 0),
        ("pipeline.cancelled", "", 0),
    ]
    assert events[1].steps == ["a"]


async def test_the_end_comes_after_steps_run_by_a_worker_without_events(
    temporal_client: Client,
    engine_settings: Settings,
    engine_catalog: Catalog,
    publisher: EventPublisher,
) -> None:
    # the steps run on a queue whose worker publishes nothing (as if its events were lost
    # with it); the run's end still brings every completed step's event, before itself
    assert publisher.bus is not None
    quiet = f"{engine_settings.task_queue}-quiet"
    engine = EngineClient(
        temporal_client, task_queue=engine_settings.task_queue, publisher=publisher
    )
    plan = compile_source(
        f"""
name: quiet-steps
sources:
  - {{name: a, method: test.rows.make, params: {{n: 4}}, queue: "{quiet}"}}
transforms:
  - name: b
    method: data.rows.filter
    params: {{data: "{{{{ a.data }}}}", where: "i > 1"}}
    queue: "{quiet}"
""",
        engine_catalog,
    )
    steps_only = create_workers(
        temporal_client, engine_settings, engine_catalog, queues=[quiet], workflows=False
    )
    tasks = [asyncio.create_task(w.run()) for w in steps_only]
    try:
        async with events_worker(temporal_client, engine_settings, engine_catalog, publisher):
            run_id = await engine.submit(plan)
            await engine.result(run_id)
    finally:
        await asyncio.gather(*(w.shutdown() for w in steps_only))
        await asyncio.gather(*tasks)
    assert await publisher.flush(timeout=10)
    events = await publisher.bus.read(run_id)
    assert_gap_free(events)
    assert kinds(events) == [
        ("pipeline.submitted", "", 0),
        ("pipeline.started", "", 0),
        ("step.completed", "a", 1),
        ("step.completed", "b", 1),
        ("pipeline.completed", "", 0),
    ]
    done = {e.step: e for e in events if isinstance(e, StepCompleted)}
    assert done["a"].rows == 4 and done["b"].rows == 2
    assert done["b"].outputs["data"]["rows"] == 2 and done["a"].duration_s > 0
