"""`odp events` and the event-driven live view of `odp run`, on the embedded servers."""

from __future__ import annotations

import asyncio
import json
import re
import traceback
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from odp.cli import app
from odp.cli import events as events_module
from odp.cli import run as run_module
from odp.cli.live import apply_event
from odp.engine import RunProgress, ServerInfo
from odp.events import (
    Event,
    EventBus,
    EventPublisher,
    EventType,
    PipelineStarted,
    parse_event,
)
from tests.integration.events.conftest import RunWithEvents

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("ODP_TEMPORAL_ADDRESS", raising=False)
    monkeypatch.delenv("ODP_REDIS_URL", raising=False)


def odp(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += "".join(traceback.format_exception(result.exception))
    return result.exit_code, output


def test_run_then_read_its_events(tmp_path: Path) -> None:
    out = tmp_path / "revenue.csv"
    code, output = odp("run", "examples/quickstart.yaml", "--param", f"out={out}")
    assert code == 0, output
    assert "completed" in output
    run_id = re.search(r"run (quickstart-revenue-[0-9a-f]+)", output)
    assert run_id is not None, output

    # `odp run` stopped the embedded Redis it started; its events stayed on disk
    code, output = odp("events", run_id[1], "--json")
    assert code == 0, output
    events = [parse_event(line) for line in output.splitlines()]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].type is EventType.PIPELINE_SUBMITTED
    assert events[-1].type is EventType.PIPELINE_COMPLETED
    assert sum(e.type is EventType.STEP_COMPLETED for e in events) == 4

    code, output = odp("events", run_id[1])
    assert code == 0, output
    lines = output.splitlines()
    assert len(lines) == len(events)
    assert "pipeline.submitted" in lines[0] and "4 steps:" in lines[0]
    assert "pipeline.completed" in lines[-1]
    assert any("step.completed" in line and "rows_written=6" in line for line in lines)

    # following a finished run prints it all and stops
    code, output = odp("events", run_id[1], "--follow", "--json")
    assert code == 0, output
    assert [json.loads(line)["seq"] for line in output.splitlines()] == [e.seq for e in events]

    code, output = odp("events", "no-such-run")
    assert code == 1 and "no events for run no-such-run" in output


def test_run_without_events_polls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODP_EVENTS_ENABLED", "false")
    out = tmp_path / "revenue.csv"
    code, output = odp("run", "examples/quickstart.yaml", "--param", f"out={out}")
    assert code == 0, output
    assert "completed" in output and f"save wrote 6 rows to {out}" in output
    assert not (tmp_path / ".odp" / "redis").exists()
    code, output = odp("events", "any")
    assert code == 2 and "disabled" in output


def test_unreachable_redis_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODP_REDIS_URL", "redis://127.0.0.1:1/0")
    code, output = odp("events", "any")
    assert code == 2
    assert "cannot reach Redis at redis://127.0.0.1:1/0" in output
    assert "ODP_REDIS_URL" in output


async def test_follow_a_running_run(
    run_with_events: RunWithEvents,
    publisher: EventPublisher,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ODP_REDIS_URL", redis_url)
    pending = asyncio.create_task(
        run_with_events(
            """
name: followed
transforms:
  - {name: nap, method: test.sleep.run, params: {seconds: 1.5}}
  - {name: echo, method: test.echo.value, params: {value: "{{ nap.slept }}"}}
"""
        )
    )
    # wait for the run to exist, then follow it from another thread while it runs
    assert publisher.bus is not None
    run_id = None
    for _ in range(200):
        await asyncio.sleep(0.05)
        found = await publisher.bus.read_all(count=10_000)
        ids = [e.run_id for _, e in found if e.pipeline == "followed"]
        if ids:
            run_id = ids[-1]
            break
    assert run_id is not None
    code, output = await asyncio.to_thread(odp, "events", run_id, "--follow")
    run_id_done, events, error = await pending
    assert error is None and run_id_done == run_id
    assert code == 0, output
    lines = output.splitlines()
    assert "pipeline.completed" in lines[-1]
    assert len([line for line in lines if re.match(r"^\S+\s+\d+\s", line)]) == len(events)


SLOW = """
name: slow-live
transforms:
  - {name: nap, method: test.sleep.run, params: {seconds: 2.5}}
  - name: flaky
    method: test.flaky.run
    params: {failures: 1, counter: "COUNTER"}
    retry: {max_attempts: 2, initial_interval: 10ms}
    depends_on: [nap]
"""


def test_the_live_view_follows_a_slow_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODP_PLUGINS", "tests.plugins.engine_methods")
    file = tmp_path / "slow.yaml"
    file.write_text(SLOW.replace("COUNTER", str(tmp_path / "count")))
    applied: list[str] = []  # a spy: the live view's own apply_event still runs

    def spy(progress: RunProgress, event: Event, attempts: dict[str, int]) -> None:
        applied.append(event.type.value)
        apply_event(progress, event, attempts)

    monkeypatch.setattr(run_module, "apply_event", spy)
    code, output = odp("run", str(file))
    assert code == 0, output
    assert "completed" in output
    assert {"step.started", "step.retrying", "step.completed"} <= set(applied)
    run_id = re.search(r"run (slow-live-[0-9a-f]+)", output)
    assert run_id is not None
    code, output = odp("events", run_id[1], "--json")
    retried = [json.loads(line) for line in output.splitlines()]
    assert [e["type"] for e in retried if e.get("step") == "flaky"] == [
        "step.started",
        "step.retrying",
        "step.started",
        "step.completed",
    ]


def test_a_run_goes_on_without_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODP_PLUGINS", "tests.plugins.engine_methods")
    monkeypatch.setenv("ODP_REDIS_URL", "redis://127.0.0.1:1/0")
    file = tmp_path / "slow.yaml"
    file.write_text(SLOW.replace("COUNTER", str(tmp_path / "count")).replace("2.5", "0.5"))
    code, output = odp("run", str(file))
    assert code == 0, output
    assert "completed" in output
    assert "events_redis_unavailable" in output  # one warning for the outage
    assert output.count("events_redis_unavailable") == 1
    assert "not_delivered_before_shutdown" in output  # what was lost is counted


async def test_follow_stops_when_the_run_ended_without_its_last_events(
    run_pipeline: Any,
    event_bus: EventBus,
    redis_url: str,
    temporal_server: ServerInfo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the fixture's worker publishes nothing: as if Redis had been down for the run's end
    result = await run_pipeline(
        """
name: unheard
transforms:
  - {name: echo, method: test.echo.value, params: {value: 1}}
"""
    )
    await event_bus.publish(
        PipelineStarted(
            run_id=result.run_id,
            workflow_id=result.run_id,
            pipeline="unheard",
            workspace="default",
            steps=["echo"],
        )
    )
    monkeypatch.setenv("ODP_REDIS_URL", redis_url)
    monkeypatch.setenv("ODP_TEMPORAL_ADDRESS", temporal_server.address)
    monkeypatch.setattr(events_module, "IDLE_CHECK_S", 0.2)

    code, output = await asyncio.to_thread(odp, "events", result.run_id, "--follow")
    assert code == 0, output
    assert "pipeline.started" in output
    assert f"the engine says run {result.run_id} completed" in output

    code, output = await asyncio.to_thread(odp, "events", "never-ran-1234", "--follow")
    assert code == 1, output
    assert "the engine knows no run never-ran-1234" in output
