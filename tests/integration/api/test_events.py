"""Live events over SSE: a run followed from submitted to completed, and resumed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from temporalio.client import Client

from odp.api import Database, ServiceState, create_app
from odp.api.accounts import create_key
from odp.api.metrics import record_step_durations
from odp.catalog import Catalog
from odp.config import Settings
from odp.engine import EngineClient, create_workers
from odp.events import EventBus, EventPublisher
from tests.integration.api.conftest import TINY, Service

pytestmark = pytest.mark.integration


def parse_sse(text: str) -> list[dict[str, Any]]:
    """The messages of an SSE body: id, event and data of each (comments skipped)."""
    import json

    messages = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            fields[name] = value
        if "data" in fields:
            messages.append(
                {
                    "id": int(fields["id"]),
                    "event": fields["event"],
                    "data": json.loads(fields["data"]),
                }
            )
    return messages


@pytest.fixture
async def live(
    api_settings: Settings,
    temporal_client: Client,
    engine_catalog: Catalog,
    event_bus: EventBus,
    tmp_path: Path,
) -> AsyncIterator[Service]:
    """The service with events: a worker and the engine client publishing to the session Redis."""
    publisher = EventPublisher(event_bus)
    engine = EngineClient(
        temporal_client,
        task_queue=api_settings.task_queue,
        heartbeat_timeout=api_settings.heartbeat_timeout,
        publisher=publisher,
    )
    database = Database(f"sqlite:///{tmp_path / 'service.db'}")
    database.migrate()
    app = create_app(api_settings, engine=engine, events=event_bus, catalog=engine_catalog)
    app.state.service = ServiceState(
        settings=api_settings,
        catalog=engine_catalog,
        database=database,
        runs=engine,
        events=event_bus,
    )
    with database.session() as session:
        keys = {
            "viewer": create_key(session, workspace="team", role="viewer").key,
            "runner": create_key(session, workspace="team", role="runner").key,
            "foreign": create_key(session, workspace="others", role="admin").key,
        }
    workers = create_workers(temporal_client, api_settings, engine_catalog, publisher=publisher)
    tasks = [asyncio.create_task(w.run()) for w in workers]
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://odp.test", timeout=60
        ) as client:
            yield Service(app, client, api_settings, database, keys)
    finally:
        await asyncio.gather(*(w.shutdown() for w in workers), return_exceptions=True)
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        await publisher.aclose()
        database.dispose()


async def test_a_run_is_followed_from_submitted_to_completed_and_resumed(
    live: Service, event_bus: EventBus
) -> None:
    def filter_steps() -> float:
        labels = {"method": "data.rows.filter"}
        return REGISTRY.get_sample_value("odp_step_duration_seconds_count", labels) or 0.0

    before = filter_steps()
    watcher = asyncio.create_task(record_step_durations(event_bus, poll=0.05))
    await asyncio.sleep(0.2)  # the watcher starts from now
    submitted = await live.client.post(
        "/v1/runs", json={"pipeline": TINY}, headers=live.auth("runner")
    )
    assert submitted.status_code == 201, submitted.text
    run_id = submitted.json()["run_id"]

    stream = await live.client.get(f"/v1/runs/{run_id}/events", headers=live.auth("viewer"))
    assert stream.status_code == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    messages = parse_sse(stream.text)
    seqs = [m["id"] for m in messages]
    assert seqs == list(range(1, len(seqs) + 1))  # gap-free, in order, no duplicates
    assert all(m["data"]["seq"] == m["id"] and m["data"]["type"] == m["event"] for m in messages)
    types = [m["event"] for m in messages]
    assert types[0] == "pipeline.submitted" and types[-1] == "pipeline.completed"
    assert "pipeline.started" in types
    for step in ("orders", "big"):
        done = [m for m in messages if m["event"] == "step.completed" and m["data"]["step"] == step]
        assert len(done) == 1
    assert {m["data"]["workspace"] for m in messages} == {"team"}

    # a client that had the first three reconnects: it gets only what it missed
    resumed = await live.client.get(
        f"/v1/runs/{run_id}/events", headers={**live.auth("viewer"), "Last-Event-ID": "3"}
    )
    again = parse_sse(resumed.text)
    assert [m["id"] for m in again] == seqs[3:]
    assert [m["data"]["event_id"] for m in again] == [m["data"]["event_id"] for m in messages[3:]]
    by_query = parse_sse(
        (
            await live.client.get(
                f"/v1/runs/{run_id}/events",
                params={"after": len(seqs) - 1},
                headers=live.auth("viewer"),
            )
        ).text
    )
    assert [m["event"] for m in by_query] == ["pipeline.completed"]

    # the service's metrics saw the steps' durations in the global stream
    for _ in range(100):
        if filter_steps() > before:
            break
        await asyncio.sleep(0.05)
    watcher.cancel()
    assert filter_steps() == before + 1
    metrics = await live.client.get("/metrics", headers=live.auth("viewer"))
    assert 'odp_step_duration_seconds_count{method="data.rows.filter"}' in metrics.text
    assert 'odp_runs{state="completed"}' in metrics.text

    foreign = await live.client.get(f"/v1/runs/{run_id}/events", headers=live.auth("foreign"))
    assert foreign.status_code == 404
    missing = await live.client.get("/v1/runs/no-such-run/events", headers=live.auth("viewer"))
    assert missing.status_code == 404
