"""The event bus: lifecycle events on Redis Streams.

Layout in Redis (``{run_id}`` is the run's id):

- ``odp:events:run:{run_id}``: the run's stream. Entry ids are ``{seq}-0``, so reading
  "after seq N" is ``XRANGE``/``XREAD`` from the id ``N-0``; fields ``seq``, ``type`` and
  ``event`` (the event's JSON, ``seq`` included).
- ``odp:events:all``: every run's events in the order they reached Redis (auto ids;
  fields ``run_id``, ``seq``, ``type``, ``event``); consumer groups work on it.
- ``odp:events:seq:{run_id}``: a hash holding the run's last ``seq`` (field ``_seq``) and
  the ``seq`` given to each ``event_id`` (so that a retried publish is stored once).
- channel ``odp:events:live``: a small JSON ping ``{"run_id", "seq", "type"}`` per event,
  for listeners that only want to know that something happened.

Both streams are trimmed (approximately) to ``events_stream_maxlen`` entries; the run's
keys expire ``events_run_ttl`` seconds after its last event (0 keeps them).

Delivery is at least once: a consumer deduplicates by ``(run_id, seq)``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, RedisError

from odp.config import Settings
from odp.errors import EventsError
from odp.events.models import TERMINAL_TYPES, Event, parse_event

__all__ = [
    "ALL_STREAM",
    "LIVE_CHANNEL",
    "EventBus",
    "run_stream",
]

ALL_STREAM = "odp:events:all"
"""The global stream: every run's events."""

LIVE_CHANNEL = "odp:events:live"
"""The pub/sub channel of live pings (``{"run_id", "seq", "type"}``)."""

_RUN_STREAM = "odp:events:run:"
_RUN_SEQ = "odp:events:seq:"

# Atomic and idempotent: the seq of a known event_id is returned without storing the
# event again; otherwise the next seq is taken and the event is written to both streams.
# The event's JSON arrives without "seq" and gets it as its first field here. The seq is
# recorded last, so that a write Redis refuses (a key of the wrong type) takes no seq.
_PUBLISH = """
local known = redis.call('HGET', KEYS[3], ARGV[1])
if known then return {tonumber(known), 0} end
local seq = tonumber(redis.call('HGET', KEYS[3], '_seq') or '0') + 1
local event = '{"seq":' .. seq .. ',' .. string.sub(ARGV[2], 2)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], seq .. '-0',
           'seq', seq, 'type', ARGV[5], 'event', event)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
           'run_id', ARGV[4], 'seq', seq, 'type', ARGV[5], 'event', event)
redis.call('HSET', KEYS[3], '_seq', seq, ARGV[1], seq)
local ttl = tonumber(ARGV[7])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[3], ttl)
end
redis.call('PUBLISH', ARGV[6], cjson.encode({run_id = ARGV[4], seq = seq, type = ARGV[5]}))
return {seq, 1}
"""


def run_stream(run_id: str) -> str:
    """The name of a run's stream."""
    return _RUN_STREAM + run_id


def _decode(entries: Any) -> list[tuple[str, Event]]:
    """``(entry_id, event)`` pairs of stream entries (as redis-py returns them)."""
    return [(str(entry_id), parse_event(fields["event"])) for entry_id, fields in entries]


def _redact(url: str) -> str:
    """The URL without its password (it goes into messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


class EventBus:
    """Publishes and reads lifecycle events on Redis Streams.

    Delivery is at least once: a consumer deduplicates by ``(run_id, seq)``. Within one
    run, ``seq`` is 1, 2, 3, ... with no gaps, in the order events reached Redis.

    Args:
        client: a ``redis.asyncio`` client made with ``decode_responses=True``.
        maxlen: the approximate length both streams are trimmed to.
        run_ttl: seconds a run's stream and sequence live after its last event (0: forever).
        address: how to name the server in messages (no password).
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        maxlen: int = 10_000,
        run_ttl: int = 0,
        address: str = "redis",
    ) -> None:
        self.client = client
        self.maxlen = maxlen
        self.run_ttl = run_ttl
        self.address = address
        self._script = client.register_script(_PUBLISH)

    @classmethod
    def from_url(cls, url: str, settings: Settings | None = None) -> Self:
        """A bus on the Redis at ``url`` (``redis://host:port/db``), tuned by ``settings``.

        Connecting is lazy: nothing is sent until the first command.
        """
        settings = settings or Settings()
        client = aioredis.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=settings.events_redis_timeout,
            socket_timeout=settings.events_redis_timeout + 5.0,  # above the XREAD block
            retry=Retry(NoBackoff(), 0),  # the publisher retries, with backoff
        )
        return cls(
            client,
            maxlen=settings.events_stream_maxlen,
            run_ttl=settings.events_run_ttl,
            address=_redact(url),
        )

    def _error(self, e: Exception) -> EventsError:
        return EventsError(
            f"cannot use Redis at {self.address}: {e}",
            hint="check that Redis runs and ODP_REDIS_URL points at it "
            "(unset it to use the embedded Redis)",
        )

    async def ping(self) -> bool:
        """Whether Redis answers."""
        try:
            return bool(await self.client.ping())
        except (RedisError, OSError):
            return False

    async def publish(self, event: Event) -> Event:
        """Store an event, giving it the run's next ``seq``; return it with that ``seq``.

        Idempotent: publishing an event with an ``event_id`` the run already has stores
        nothing and returns the event with the ``seq`` it got the first time.

        Raises:
            EventsError: when Redis cannot be reached or refuses the write.
        """
        try:
            seq, _ = await self._script(*self._script_args(event))
        except (RedisError, OSError) as e:
            raise self._error(e) from e
        return event.model_copy(update={"seq": int(seq)})

    async def publish_many(self, events: Sequence[Event]) -> list[Event]:
        """Store events in order in one round trip (a pipeline); each as :meth:`publish`.

        All or nothing as far as the caller knows: on an error, publish them all again
        (the ones already stored are recognised by their ``event_id``).

        Raises:
            EventsError: when Redis cannot be reached or refuses one of the writes.
        """
        if not events:
            return []
        try:
            try:
                replies = await self._publish_pipeline(events)
            except NoScriptError:  # the server lost its scripts (a restart, SCRIPT FLUSH)
                await self.client.script_load(_PUBLISH)
                replies = await self._publish_pipeline(events)
        except (RedisError, OSError) as e:
            raise self._error(e) from e
        return [
            event.model_copy(update={"seq": int(reply[0])})
            for event, reply in zip(events, replies, strict=True)
        ]

    async def _publish_pipeline(self, events: Sequence[Event]) -> list[Any]:
        """Send the events' scripts as EVALSHA calls in one round trip.

        redis-py's own pipelined scripts ask the server whether the script exists first,
        a second round trip per batch.
        """
        async with self.client.pipeline(transaction=False) as pipe:
            for event in events:
                keys, args = self._script_args(event)
                pipe.evalsha(self._script.sha, len(keys), *keys, *args)
            replies: list[Any] = await pipe.execute()
        return replies

    def _script_args(self, event: Event) -> tuple[list[str], list[str | int]]:
        keys = [run_stream(event.run_id), ALL_STREAM, _RUN_SEQ + event.run_id]
        args: list[str | int] = [
            event.event_id,
            event.model_dump_json(exclude={"seq"}),
            self.maxlen,
            event.run_id,
            event.type.value,
            LIVE_CHANNEL,
            self.run_ttl,
        ]
        return keys, args

    async def read(self, run_id: str, *, after: int = 0, limit: int | None = None) -> list[Event]:
        """A run's events with ``seq > after``, ordered by ``seq`` (at most ``limit``).

        Raises:
            EventsError: when Redis cannot be reached.
        """
        try:
            entries: Any = await self.client.xrange(
                run_stream(run_id), min=f"{after + 1}-0", max="+", count=limit
            )
        except (RedisError, OSError) as e:
            raise self._error(e) from e
        return [event for _, event in _decode(entries)]

    async def last_seq(self, run_id: str) -> int:
        """The run's last ``seq`` (0 when it has no events).

        Raises:
            EventsError: when Redis cannot be reached.
        """
        try:
            value = await self.client.hget(_RUN_SEQ + run_id, "_seq")
        except (RedisError, OSError) as e:
            raise self._error(e) from e
        return int(value) if value else 0

    async def follow(
        self,
        run_id: str,
        *,
        after: int = 0,
        block: float = 1.0,
        idle_timeout: float | None = None,
    ) -> AsyncIterator[Event]:
        """A run's events with ``seq > after`` as they arrive, up to its terminal event.

        Stops after yielding a terminal event (:data:`TERMINAL_TYPES`): a run that has
        already ended yields the rest and stops. With ``idle_timeout``, also stops when no
        event arrives for that many seconds (a run whose end was never published).

        Args:
            run_id: the run.
            after: the last ``seq`` the consumer has (SSE's ``Last-Event-ID``).
            block: seconds one ``XREAD`` waits.
            idle_timeout: stop after this long without an event (None: never).

        Raises:
            EventsError: when Redis cannot be reached.
        """
        key = run_stream(run_id)
        last = after
        quiet_since = time.monotonic()
        while True:
            try:
                reply: Any = await self.client.xread(
                    {key: f"{last}-0"}, count=500, block=max(1, int(block * 1000))
                )
            except (RedisError, OSError) as e:
                raise self._error(e) from e
            if not reply:
                if idle_timeout is not None and time.monotonic() - quiet_since > idle_timeout:
                    return
                continue
            quiet_since = time.monotonic()
            for _, entries in reply:
                for _, event in _decode(entries):
                    if event.seq <= last:  # pragma: no cover - XREAD returns ids > last
                        continue
                    last = event.seq
                    yield event
                    if event.type in TERMINAL_TYPES:
                        return

    async def read_all(self, *, after_id: str = "0-0", count: int = 100) -> list[tuple[str, Event]]:
        """Events of every run after the global stream's entry ``after_id``.

        Returns:
            ``(entry_id, event)`` pairs in stream order; pass the last ``entry_id`` as
            ``after_id`` to read on.

        Raises:
            EventsError: when Redis cannot be reached.
        """
        try:
            entries: Any = await self.client.xrange(
                ALL_STREAM, min=f"({after_id}", max="+", count=count
            )
        except (RedisError, OSError) as e:
            raise self._error(e) from e
        return _decode(entries)

    async def aclose(self) -> None:
        """Close the connections."""
        await self.client.aclose()
