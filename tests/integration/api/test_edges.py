"""Edge cases: a stream whose run ended without its terminal event, unready parts, busy steps."""

from __future__ import annotations

import asyncio

import pytest

from odp.api.routes import events as events_route
from odp.events import EventBus, PipelineStarted, StepStarted
from tests.integration.api.conftest import TINY, Service
from tests.integration.api.test_events import parse_sse
from tests.integration.api.test_runs import wait_done

pytestmark = pytest.mark.integration

SLOW = """\
name: api-slow
sources:
  - name: rows
    method: test.rows.make
    params: {n: 3}
transforms:
  - name: wait
    method: test.sleep.run
    depends_on: [rows]
    params: {seconds: 30}
"""


async def test_a_stream_ends_when_the_run_ended_without_its_terminal_event(
    service: Service, event_bus: EventBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events_route, "KEEPALIVE_S", 0.3)
    service.app.state.service.events = event_bus
    started = await service.client.post(
        "/v1/runs", json={"pipeline": TINY}, headers=service.auth("runner")
    )
    run_id = started.json()["run_id"]
    await wait_done(service, run_id)
    common = {"run_id": run_id, "workflow_id": run_id, "pipeline": "api-tiny", "workspace": "team"}
    await event_bus.publish(PipelineStarted(**common))
    await event_bus.publish(StepStarted(**common, step="orders", method="file.csv.read"))
    stream = await service.client.get(f"/v1/runs/{run_id}/events", headers=service.auth("viewer"))
    assert stream.status_code == 200
    assert [m["event"] for m in parse_sse(stream.text)] == ["pipeline.started", "step.started"]
    assert ": keep-alive" not in stream.text  # the run was over: no waiting for more


async def test_a_stream_keeps_idle_connections_alive_while_the_run_runs(
    service: Service, event_bus: EventBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events_route, "KEEPALIVE_S", 0.2)
    service.app.state.service.events = event_bus
    started = await service.client.post(
        "/v1/runs", json={"pipeline": SLOW}, headers=service.auth("runner")
    )
    run_id = started.json()["run_id"]

    async def cancel_soon() -> None:
        await asyncio.sleep(1.0)
        await service.client.post(f"/v1/runs/{run_id}/cancel", headers=service.auth("runner"))

    canceller = asyncio.create_task(cancel_soon())
    # no events are published here: keep-alives until the run is over, then the end
    stream = await service.client.get(f"/v1/runs/{run_id}/events", headers=service.auth("viewer"))
    await canceller
    assert ": keep-alive" in stream.text
    assert (await wait_done(service, run_id))["state"] == "cancelled"


async def test_outputs_of_a_step_still_running_are_a_conflict(service: Service) -> None:
    started = await service.client.post(
        "/v1/runs", json={"pipeline": SLOW}, headers=service.auth("runner")
    )
    run_id = started.json()["run_id"]
    try:
        for _ in range(100):
            response = await service.client.get(
                f"/v1/runs/{run_id}/outputs/wait", headers=service.auth("viewer")
            )
            if response.status_code == 409:
                break
            await asyncio.sleep(0.1)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "conflict"
        rows = await service.client.get(
            f"/v1/runs/{run_id}/outputs/rows",
            params={"field": "nope"},
            headers=service.auth("viewer"),
        )
        assert rows.status_code == 404 and "data" in rows.json()["error"]["hint"]
    finally:
        await service.client.post(f"/v1/runs/{run_id}/cancel", headers=service.auth("runner"))
    assert (await wait_done(service, run_id))["state"] == "cancelled"
    skipped = await service.client.get(
        f"/v1/runs/{run_id}/outputs/wait", headers=service.auth("viewer")
    )
    assert skipped.status_code == 404


async def test_ready_names_what_is_down(service: Service) -> None:
    service.app.state.service.events = EventBus.from_url("redis://127.0.0.1:1/0")
    response = await service.client.get("/ready", headers=service.auth("viewer"))
    assert response.status_code == 503
    message = response.json()["error"]["message"]
    assert "redis down" in message and "temporal" not in message
