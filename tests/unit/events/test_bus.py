"""The event bus against a real redis-server (the embedded one)."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import redis.asyncio as aioredis

from odp.config import Settings
from odp.errors import EventsError
from odp.events import (
    ALL_STREAM,
    LIVE_CHANNEL,
    EventBus,
    EventType,
    PipelineCompleted,
    PipelineStarted,
    StepStarted,
    run_stream,
)
from odp.events.bus import _redact

pytestmark = pytest.mark.integration


def new_run() -> str:
    return f"run-{uuid.uuid4().hex[:10]}"


def started(run_id: str, step: str = "a", attempt: int = 1) -> StepStarted:
    return StepStarted(
        run_id=run_id,
        workflow_id=run_id,
        pipeline="p",
        workspace="w",
        step=step,
        method="test.echo.value",
        attempt=attempt,
    )


def completed(run_id: str) -> PipelineCompleted:
    return PipelineCompleted(
        run_id=run_id, workflow_id=run_id, pipeline="p", workspace="w", duration_s=1.5
    )


async def test_publish_assigns_seq_and_round_trips(event_bus: EventBus) -> None:
    run_id = new_run()
    first = await event_bus.publish(
        PipelineStarted(run_id=run_id, workflow_id=run_id, pipeline="p", workspace="w")
    )
    second = await event_bus.publish(started(run_id))
    assert (first.seq, second.seq) == (1, 2)
    events = await event_bus.read(run_id)
    assert [e.seq for e in events] == [1, 2]
    assert events[1] == second
    assert events[0].type is EventType.PIPELINE_STARTED
    assert await event_bus.last_seq(run_id) == 2


async def test_publish_is_idempotent_by_event_id(event_bus: EventBus) -> None:
    run_id = new_run()
    event = started(run_id)
    once = await event_bus.publish(event)
    again = await event_bus.publish(event)
    other = await event_bus.publish(started(run_id, attempt=2))
    assert once.seq == again.seq == 1
    assert other.seq == 2
    assert [e.event_id for e in await event_bus.read(run_id)] == [event.event_id, other.event_id]


async def test_seq_is_gap_free_under_concurrent_publishers(redis_url: str) -> None:
    run_id = new_run()
    buses = [EventBus.from_url(redis_url) for _ in range(4)]
    try:
        results = await asyncio.gather(
            *(
                bus.publish(started(run_id, step=f"s{i}-{j}"))
                for i, bus in enumerate(buses)
                for j in range(50)
            )
        )
        assert sorted(e.seq for e in results) == list(range(1, 201))
        stored = await buses[0].read(run_id)
        assert [e.seq for e in stored] == list(range(1, 201))
        assert {e.step for e in stored if isinstance(e, StepStarted)} == {
            e.step for e in results if isinstance(e, StepStarted)
        }
    finally:
        for bus in buses:
            await bus.aclose()


async def test_read_after_and_limit(event_bus: EventBus) -> None:
    run_id = new_run()
    for i in range(5):
        await event_bus.publish(started(run_id, step=f"s{i}"))
    assert [e.seq for e in await event_bus.read(run_id, after=2)] == [3, 4, 5]
    assert [e.seq for e in await event_bus.read(run_id, after=1, limit=2)] == [2, 3]
    assert await event_bus.read(run_id, after=5) == []
    assert await event_bus.read(new_run()) == []


async def test_streams_are_trimmed(redis_url: str) -> None:
    bus = EventBus.from_url(redis_url, Settings(events_stream_maxlen=100))
    run_id = new_run()
    try:
        for i in range(400):
            await bus.publish(started(run_id, step=f"s{i}"))
        length = await bus.client.xlen(run_stream(run_id))
        assert 100 <= length < 400  # approximate trimming keeps whole nodes
        assert await bus.client.xlen(ALL_STREAM) < 400 + 1_000
        events = await bus.read(run_id)
        assert events[-1].seq == 400
        assert [e.seq for e in events] == list(range(401 - len(events), 401))
    finally:
        await bus.aclose()


async def test_run_keys_expire(redis_url: str) -> None:
    bus = EventBus.from_url(redis_url, Settings(events_run_ttl=3600))
    run_id = new_run()
    try:
        await bus.publish(started(run_id))
        assert 0 < await bus.client.ttl(run_stream(run_id)) <= 3600
    finally:
        await bus.aclose()


async def test_global_stream_and_live_ping(event_bus: EventBus, redis_url: str) -> None:
    run_id = new_run()
    listener = aioredis.Redis.from_url(redis_url, decode_responses=True)
    pubsub = listener.pubsub()
    await pubsub.subscribe(LIVE_CHANNEL)
    try:
        await pubsub.get_message(timeout=1.0)  # the subscription confirmation
        tail = await event_bus.client.xrevrange(ALL_STREAM, count=1)
        start = str(tail[0][0]) if tail else "0-0"
        stored = await event_bus.publish(started(run_id))
        message = None
        for _ in range(50):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
            if message is not None and json.loads(message["data"])["run_id"] == run_id:
                break
        assert message is not None
        assert json.loads(message["data"]) == {"run_id": run_id, "seq": 1, "type": "step.started"}
        entries = await event_bus.read_all(after_id=start)
        mine = [(i, e) for i, e in entries if e.run_id == run_id]
        assert [e for _, e in mine] == [stored]
        assert await event_bus.read_all(after_id=mine[-1][0]) == [
            p for p in await event_bus.read_all(after_id=mine[-1][0]) if p[1].run_id != run_id
        ]
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
        await listener.aclose()


async def test_follow_yields_until_terminal(event_bus: EventBus) -> None:
    run_id = new_run()
    await event_bus.publish(started(run_id, step="a"))

    async def produce() -> None:
        await asyncio.sleep(0.2)
        await event_bus.publish(started(run_id, step="b"))
        await event_bus.publish(completed(run_id))
        await event_bus.publish(started(run_id, step="late"))  # never reached

    producer = asyncio.create_task(produce())
    seen = [e async for e in event_bus.follow(run_id, block=0.1)]
    await producer
    assert [e.seq for e in seen] == [1, 2, 3]
    assert seen[-1].type is EventType.PIPELINE_COMPLETED
    # resuming after seq 1 of a finished run: the rest, then stop
    assert [e.seq for e in [e async for e in event_bus.follow(run_id, after=1)]] == [2, 3]


async def test_follow_stops_when_idle(event_bus: EventBus) -> None:
    run_id = new_run()
    await event_bus.publish(started(run_id))
    seen = [e async for e in event_bus.follow(run_id, block=0.05, idle_timeout=0.2)]
    assert [e.seq for e in seen] == [1]


async def test_unreachable_redis_is_a_clear_error() -> None:
    bus = EventBus.from_url("redis://:secret@127.0.0.1:1/0", Settings(events_redis_timeout=0.5))
    try:
        assert await bus.ping() is False
        with pytest.raises(EventsError) as caught:
            await bus.publish(started(new_run()))
        assert "127.0.0.1:1" in caught.value.message
        assert "secret" not in caught.value.message
        assert caught.value.hint is not None and "ODP_REDIS_URL" in caught.value.hint
        for call in (
            bus.read("x"),
            bus.last_seq("x"),
            bus.read_all(),
        ):
            with pytest.raises(EventsError):
                await call
        with pytest.raises(EventsError):
            async for _ in bus.follow("x"):
                pass
    finally:
        await bus.aclose()


async def test_ping(event_bus: EventBus) -> None:
    assert await event_bus.ping() is True


def test_redact() -> None:
    assert _redact("redis://u:pw@h:1/0") == "redis://u:***@h:1/0"
    assert _redact("redis://:pw@h/0") == "redis://:***@h/0"
    assert _redact("redis://h:1/0") == "redis://h:1/0"


async def test_publish_many_in_one_round_trip(event_bus: EventBus) -> None:
    run_id = new_run()
    assert await event_bus.publish_many([]) == []
    first = started(run_id, step="a")
    stored = await event_bus.publish_many([first, started(run_id, step="b"), completed(run_id)])
    assert [e.seq for e in stored] == [1, 2, 3]
    again = await event_bus.publish_many([first, started(run_id, step="c")])  # a retried batch
    assert [e.seq for e in again] == [1, 4]
    assert [e.seq for e in await event_bus.read(run_id)] == [1, 2, 3, 4]


async def test_publish_many_sends_only_the_scripts(event_bus: EventBus) -> None:
    run_id = new_run()
    await event_bus.client.script_flush()  # as after a Redis restart: the script is gone
    assert [e.seq for e in await event_bus.publish_many([started(run_id, step="a")])] == [1]
    await event_bus.client.config_resetstat()
    stored = await event_bus.publish_many([started(run_id, step="b"), completed(run_id)])
    assert [e.seq for e in stored] == [2, 3]
    stats = await event_bus.client.info("commandstats")
    assert stats["cmdstat_evalsha"]["calls"] == 2
    assert not any("script" in name for name in stats)  # no SCRIPT EXISTS round trip


async def test_a_refused_write_takes_no_seq(event_bus: EventBus) -> None:
    run_id = new_run()
    await event_bus.client.set(run_stream(run_id), "not a stream")
    with pytest.raises(EventsError, match="WRONGTYPE"):
        await event_bus.publish(started(run_id))
    await event_bus.client.delete(run_stream(run_id))
    assert (await event_bus.publish(started(run_id))).seq == 1
