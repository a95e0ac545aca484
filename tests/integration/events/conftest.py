"""Engine fixtures with lifecycle events: a worker and a client that publish to Redis."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from odp.catalog import Catalog
from odp.config import Settings
from odp.engine import EngineClient, create_workers
from odp.errors import ExecutionError
from odp.events import Event, EventBus, EventPublisher
from tests.fixtures.temporal import compile_source

RunWithEvents = Callable[..., Any]


@pytest.fixture
async def publisher(event_bus: EventBus) -> AsyncIterator[EventPublisher]:
    """A publisher on the session Redis (the one a worker of the test uses)."""
    pub = EventPublisher(event_bus, retry_initial=0.01, retry_max=0.2)
    yield pub
    await pub.aclose()


@contextlib.asynccontextmanager
async def events_worker(
    client: Client, settings: Settings, catalog: Catalog, publisher: EventPublisher
) -> AsyncIterator[None]:
    """A worker of the test's queue that publishes lifecycle events."""
    workers = create_workers(client, settings, catalog, publisher=publisher)
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        yield
    finally:
        await asyncio.gather(*(w.shutdown() for w in workers), return_exceptions=True)
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


@pytest.fixture
def run_with_events(
    temporal_client: Client,
    engine_settings: Settings,
    engine_catalog: Catalog,
    publisher: EventPublisher,
    tmp_path: Path,
) -> RunWithEvents:
    """Run YAML to its end with events on; return ``(run_id, events, error)``."""

    async def run(source: str) -> tuple[str, list[Event], ExecutionError | None]:
        assert publisher.bus is not None
        engine = EngineClient(
            temporal_client, task_queue=engine_settings.task_queue, publisher=publisher
        )
        plan = compile_source(source.replace("{tmp}", str(tmp_path)), engine_catalog)
        error: ExecutionError | None = None
        async with events_worker(temporal_client, engine_settings, engine_catalog, publisher):
            run_id = await engine.submit(plan)
            try:
                await engine.result(run_id)
            except ExecutionError as e:
                error = e
        assert await publisher.flush(timeout=10)
        return run_id, await publisher.bus.read(run_id), error

    return run
