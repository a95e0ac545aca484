"""Replaying recorded histories: a change that would break running workflows fails here.

The histories in ``histories/`` were recorded from real runs, one file per run, and each
keeps the path of the code that recorded it replaying:

- ``quickstart``, ``diamond-with-retry``, ``failure``: from before lifecycle events (no
  patch marker).
- ``events-*``: the ``EVENTS_PATCH`` path, from before ``STEPS_ANNOUNCE_PATCH`` (the run's
  start and end published by two ``publish_lifecycle`` local activities): a retry, a
  cancellation while a step ran, and a cancellation while the start was published
  (``events-cancelled-at-start``, recorded with a ``publish_lifecycle`` that hung).
- ``steps-*``: the current path (``STEPS_ANNOUNCE_PATCH``): the scenarios above with
  events off, and runs with events on (``steps-events-*``: a first wave of two steps, a
  cancellation).

The current code can only record the current path. To record ``steps-*`` again after an
intended, compatible change (never to hide a break):

    ODP_RECORD_HISTORIES=1 .venv/bin/pytest tests/integration/engine/test_replay.py

Older paths cannot be recorded again: keep their files.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from odp.catalog import Catalog
from odp.config import Settings
from odp.engine import EngineClient, PipelineWorkflow, create_workers
from odp.engine.worker import workflow_runner
from odp.errors import ExecutionError
from odp.events import EventBus, EventPublisher
from tests.fixtures.temporal import WorkerFactory, compile_source

pytestmark = pytest.mark.integration

HERE = Path(__file__).parent
HISTORIES = HERE / "histories"
ROOT = HERE.parents[2]
RECORD = os.environ.get("ODP_RECORD_HISTORIES") == "1"
CURRENT = "steps-"
"""The prefix of the histories the current code records."""

SCENARIOS = {
    "quickstart": (ROOT / "examples" / "quickstart.yaml", {"out": "{tmp}/revenue.csv"}),
    "diamond-with-retry": (
        """
name: diamond-with-retry
sources:
  - {name: a, method: test.values.make, params: {n: 3}}
transforms:
  - name: b
    method: test.flaky.run
    params: {failures: 1, counter: "{tmp}/count"}
    retry: {max_attempts: 3, initial_interval: 10ms}
    depends_on: [a]
  - {name: c, method: test.values.check, params: {n: "{{ a.n }}", label: "x{{ a.text }}", items: "{{ a.items }}"}}
  - {name: d, method: test.echo.value, params: {value: ["{{ b.attempts }}", "{{ c.summary }}"]}}
""",
        {},
    ),
    "failure": (
        """
name: failure
sources:
  - {name: a, method: test.values.make, params: {n: 1}}
transforms:
  - {name: bad, method: test.fail.run, params: {message: nope}, depends_on: [a]}
  - {name: after, method: test.echo.value, params: {value: "{{ bad.value }}"}}
""",
        {},
    ),
}

EVENTS_SCENARIOS = {
    "events-first-wave": """
name: first-wave
sources:
  - {name: a, method: test.values.make, params: {n: 2}}
  - {name: b, method: test.echo.value, params: {value: 1}}
transforms:
  - {name: c, method: test.echo.value, params: {value: ["{{ a.n }}", "{{ b.value }}"]}}
""",
    "events-cancelled": """
name: cancel-me
transforms:
  - {name: s, method: test.sleep.run, params: {seconds: 120, marker_dir: "{tmp}/markers"}}
""",
}
"""Runs with lifecycle events on; ``cancelled`` is cancelled once its step runs."""


async def save(handle: WorkflowHandle[object, object], name: str) -> None:
    await asyncio.sleep(0.2)
    history = await handle.fetch_history()
    (HISTORIES / f"{CURRENT}{name}.json").write_text(
        json.dumps(history.to_json_dict(), indent=1, sort_keys=True)
    )


@pytest.mark.skipif(not RECORD, reason="set ODP_RECORD_HISTORIES=1 to record histories")
async def test_record_histories(
    engine: EngineClient,
    worker: WorkerFactory,
    engine_catalog: Catalog,
    temporal_client: Client,
    tmp_path: Path,
) -> None:
    HISTORIES.mkdir(exist_ok=True)
    async with worker():
        for name, (source, params) in SCENARIOS.items():
            text = source.read_text() if isinstance(source, Path) else source
            text = text.replace("{tmp}", str(tmp_path))
            resolved = {k: v.replace("{tmp}", str(tmp_path)) for k, v in params.items()}
            plan = compile_source(text, engine_catalog, resolved)
            run_id = await engine.submit(plan)
            with contextlib.suppress(ExecutionError):  # failures are histories too
                await engine.result(run_id)
            await save(temporal_client.get_workflow_handle(run_id), name)


@pytest.mark.skipif(not RECORD, reason="set ODP_RECORD_HISTORIES=1 to record histories")
async def test_record_histories_with_events(
    temporal_client: Client,
    engine_settings: Settings,
    engine_catalog: Catalog,
    event_bus: EventBus,
    tmp_path: Path,
) -> None:
    publisher = EventPublisher(event_bus)
    engine = EngineClient(
        temporal_client, task_queue=engine_settings.task_queue, publisher=publisher
    )
    workers = create_workers(temporal_client, engine_settings, engine_catalog, publisher=publisher)
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        for name, source in EVENTS_SCENARIOS.items():
            plan = compile_source(source.replace("{tmp}", str(tmp_path)), engine_catalog)
            run_id = await engine.submit(plan)
            if name.endswith("cancelled"):
                while not (tmp_path / "markers" / "started-s-1").exists():
                    await asyncio.sleep(0.05)
                await engine.cancel(run_id)
            with contextlib.suppress(ExecutionError):
                await engine.result(run_id)
            await save(temporal_client.get_workflow_handle(run_id), name)
    finally:
        await asyncio.gather(*(w.shutdown() for w in workers))
        await asyncio.gather(*tasks)
        await publisher.aclose()


def recorded() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


def test_histories_are_recorded() -> None:
    current = {CURRENT + name for name in [*SCENARIOS, *EVENTS_SCENARIOS]}
    older = {"events-retry", "events-cancelled", "events-cancelled-at-start"}
    assert {p.stem for p in recorded()} >= set(SCENARIOS) | older | current


@pytest.mark.parametrize("path", recorded(), ids=[p.stem for p in recorded()])
async def test_replay(path: Path) -> None:
    replayer = Replayer(
        workflows=[PipelineWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner(),
    )
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name} no longer replays: {result.replay_failure}"
