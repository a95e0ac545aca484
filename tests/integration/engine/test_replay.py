"""Replaying recorded histories: a change that would break running workflows fails here.

The histories in ``histories/`` were recorded from real runs of the example pipelines.
To record them again after an intended, compatible change (never to hide a break):

    ODP_RECORD_HISTORIES=1 .venv/bin/pytest tests/integration/engine/test_replay.py

``events-*.json`` were recorded from runs with lifecycle events (the ``EVENTS_PATCH``
path: the patch marker and the ``publish_lifecycle`` local activities, a cancellation
included); the scenarios above predate events and keep the unpatched path replaying, so
re-record them only for a change that needs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from odp.catalog import Catalog
from odp.engine import EngineClient, PipelineWorkflow
from odp.engine.worker import workflow_runner
from odp.errors import ExecutionError
from tests.fixtures.temporal import WorkerFactory, compile_source

pytestmark = pytest.mark.integration

HERE = Path(__file__).parent
HISTORIES = HERE / "histories"
ROOT = HERE.parents[2]
RECORD = os.environ.get("ODP_RECORD_HISTORIES") == "1"

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
            await asyncio.sleep(0.2)
            history = await temporal_client.get_workflow_handle(run_id).fetch_history()
            (HISTORIES / f"{name}.json").write_text(
                json.dumps(history.to_json_dict(), indent=1, sort_keys=True)
            )


def recorded() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


def test_histories_are_recorded() -> None:
    assert {p.stem for p in recorded()} >= set(SCENARIOS)


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
