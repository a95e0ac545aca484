"""The publisher against a real redis-server: buffering, retries, drops, counters."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from odp.config import Settings
from odp.events import EmbeddedRedis, EventBus, EventPublisher, StepStarted, run_stream

pytestmark = pytest.mark.integration


def step(run_id: str, name: str) -> StepStarted:
    return StepStarted(
        run_id=run_id, workflow_id=run_id, pipeline="p", workspace="w", step=name, method="m"
    )


def metric(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


@pytest.fixture
async def own_redis(tmp_path: Path) -> AsyncIterator[EmbeddedRedis]:
    """A Redis of this test only (it gets stopped and started)."""
    server = EmbeddedRedis(tmp_path / "state")
    await server.start()
    yield server
    server.stop()


def bus_of(server: EmbeddedRedis) -> EventBus:
    assert server.info is not None
    return EventBus.from_url(server.info.url, Settings(events_redis_timeout=0.5))


async def test_publish_waits_for_delivery(event_bus: EventBus) -> None:
    publisher = EventPublisher(event_bus)
    run_id = uuid.uuid4().hex
    before = metric("odp_events_published_total")
    stored = await publisher.publish(step(run_id, "a"))
    assert stored is not None and stored.seq == 1
    assert (await event_bus.read(run_id))[0] == stored
    stats = publisher.stats()
    assert (stats.delivered, stats.retried, stats.dropped, stats.buffered) == (1, 0, 0, 0)
    assert stats.healthy and publisher.enabled
    assert metric("odp_events_published_total") == before + 1
    await publisher.aclose()


async def test_outage_buffers_then_delivers_in_order(own_redis: EmbeddedRedis) -> None:
    bus = bus_of(own_redis)
    publisher = EventPublisher(bus, retry_initial=0.01, retry_max=0.1)
    run_id = uuid.uuid4().hex
    retries_before = metric("odp_events_retries_total")
    try:
        assert await publisher.publish(step(run_id, "before")) is not None
        own_redis.stop()
        # the first publish after the outage finds out (bounded wait), later ones do not wait
        for i in range(5):
            assert await publisher.publish(step(run_id, f"during-{i}")) is None
        assert not publisher.healthy
        assert publisher.stats().buffered >= 5
        await own_redis.start()  # the same port again: the bus reconnects by itself
        assert await publisher.flush(timeout=20)
        stats = publisher.stats()
        assert stats.healthy and stats.delivered == 6 and stats.dropped == 0
        assert stats.retried >= 1
        assert metric("odp_events_retries_total") >= retries_before + 1
        events = await bus.read(run_id)
        assert [e.seq for e in events] == list(range(1, 7))
        assert [getattr(e, "step", "") for e in events] == [
            "before",
            *(f"during-{i}" for i in range(5)),
        ]
    finally:
        await publisher.aclose()
        await bus.aclose()


async def test_full_buffer_drops_the_oldest_and_counts(own_redis: EmbeddedRedis) -> None:
    bus = bus_of(own_redis)
    publisher = EventPublisher(bus, buffer_size=10, retry_initial=0.01, retry_max=0.05)
    run_id = uuid.uuid4().hex
    dropped_before = metric("odp_events_dropped_total")
    buffered_before = metric("odp_events_buffered")
    try:
        own_redis.stop()
        for i in range(15):
            await publisher.publish(step(run_id, f"s{i}"), wait=0.05)
        stats = publisher.stats()
        # one event may be in flight (held by the sender), the buffer holds ten more
        assert stats.dropped in (4, 5) and stats.buffered == 15 - stats.dropped
        assert metric("odp_events_dropped_total") == dropped_before + stats.dropped
        assert metric("odp_events_buffered") == buffered_before + stats.buffered
        await own_redis.start()
        assert await publisher.flush(timeout=20)
        names = [getattr(e, "step", "") for e in await bus.read(run_id)]
        assert names[-10:] == [f"s{i}" for i in range(5, 15)]  # the newest survived
        assert len(names) == 15 - stats.dropped
    finally:
        await publisher.aclose()
        await bus.aclose()


async def test_close_counts_what_was_never_delivered() -> None:
    bus = EventBus.from_url("redis://127.0.0.1:1/0", Settings(events_redis_timeout=0.2))
    publisher = EventPublisher(bus, retry_initial=0.01)
    try:
        for i in range(3):
            await publisher.publish(step("r", f"s{i}"), wait=0.05)
        await publisher.aclose(timeout=0.1)
        assert publisher.stats().dropped == 3
        assert publisher.stats().buffered == 0
        assert await publisher.publish(step("r", "after-close")) is None
        assert publisher.stats().dropped == 4
    finally:
        await bus.aclose()


async def test_slow_redis_counts_as_down(own_redis: EmbeddedRedis) -> None:
    assert own_redis.info is not None
    bus = bus_of(own_redis)
    publisher = EventPublisher(bus, wait=0.2)
    run_id = uuid.uuid4().hex
    try:
        assert await publisher.publish(step(run_id, "a")) is not None
        os.kill(own_redis.info.pid, signal.SIGSTOP)
        try:
            assert await publisher.publish(step(run_id, "b")) is None
            assert not publisher.healthy
            assert await publisher.publish(step(run_id, "c")) is None  # no wait while down
        finally:
            os.kill(own_redis.info.pid, signal.SIGCONT)
        assert await publisher.flush(timeout=20)
        assert [e.seq for e in await bus.read(run_id)] == [1, 2, 3]
        assert publisher.healthy
    finally:
        await publisher.aclose()
        await bus.aclose()


async def test_disabled_publisher_does_nothing() -> None:
    publisher = EventPublisher(None)
    assert not publisher.enabled
    assert await publisher.publish(step("r", "a")) is None
    await publisher.aclose()
    assert publisher.stats().delivered == publisher.stats().dropped == 0


async def test_an_event_redis_refuses_is_dropped_not_retried_forever(
    event_bus: EventBus,
) -> None:
    publisher = EventPublisher(event_bus)
    run_id = uuid.uuid4().hex
    bad = step(run_id, "bad").model_copy(update={"run_id": 42})  # not a str: a bug
    try:
        assert await publisher.publish(bad) is None
        assert await publisher.publish(step(run_id, "good")) is not None  # not blocked
        assert publisher.stats().dropped == 1
        assert publisher.healthy
    finally:
        await publisher.aclose()


async def test_a_batch_with_an_event_redis_refuses(event_bus: EventBus) -> None:
    publisher = EventPublisher(event_bus, wait=2.0)
    good, bad = uuid.uuid4().hex, uuid.uuid4().hex
    await event_bus.client.set(run_stream(bad), "not a stream")  # Redis refuses its events
    try:
        results = await asyncio.gather(
            publisher.publish(step(good, "a")),
            publisher.publish(step(bad, "x")),
            publisher.publish(step(good, "b")),
        )
        assert [r.seq if r else None for r in results] == [1, None, 2]
        assert publisher.stats().dropped == 1 and publisher.healthy
        assert [getattr(e, "step", "") for e in await event_bus.read(good)] == ["a", "b"]
    finally:
        await event_bus.client.delete(run_stream(bad))
        await publisher.aclose()
