"""``EventPublisher``: publishing that never fails a pipeline and never blocks it for long.

Events go into a bounded buffer; one background task sends them to the bus in order,
in batches of what has piled up (one round trip per batch).
While Redis answers, :meth:`EventPublisher.publish` waits (at most ``wait`` seconds) for
its event to be stored, so that a step's events are in Redis before the step returns.
While Redis is down it does not wait at all: the sender retries with backoff (one
warning per outage, not per event) and delivers the buffer when Redis is back. When the
buffer is full, the OLDEST buffered event is dropped (the newest, such as a run's end,
matter most to live consumers), and counted. Nothing is lost silently: every event is
eventually delivered, dropped (counted), or left over at close (counted as dropped).

Counters are kept per publisher (:meth:`EventPublisher.stats`) and as Prometheus
metrics in the default registry: ``odp_events_published_total``,
``odp_events_retries_total``, ``odp_events_dropped_total`` and the gauge
``odp_events_buffered``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass

import structlog
from prometheus_client import Counter, Gauge
from redis.exceptions import ResponseError

from odp.errors import EventsError
from odp.events.bus import EventBus
from odp.events.models import Event

__all__ = ["EventPublisher", "PublisherStats"]

_log = structlog.stdlib.get_logger("odp.events")

PUBLISHED = Counter("odp_events_published", "Lifecycle events stored in Redis.")
RETRIES = Counter("odp_events_retries", "Failed attempts to store an event (retried).")
DROPPED = Counter(
    "odp_events_dropped", "Events never stored: buffer full, or left over at shutdown."
)
BUFFERED = Gauge("odp_events_buffered", "Events waiting for Redis.")


@dataclass(frozen=True, slots=True)
class PublisherStats:
    """What a publisher has done so far."""

    delivered: int
    retried: int
    dropped: int
    buffered: int
    healthy: bool


_Item = tuple[Event, "asyncio.Future[Event | None]"]


class EventPublisher:
    """Publishes events through a bounded buffer; never raises, waits a bounded time.

    ``EventPublisher(None)`` publishes nothing (events disabled): every call returns at
    once and counts nothing.

    Args:
        bus: where events go (None: nowhere).
        buffer_size: the most events buffered; beyond it the oldest are dropped.
        wait: the default of :meth:`publish`'s ``wait``.
        retry_initial: seconds before the first retry while Redis is down.
        retry_max: the longest wait between retries.
        batch_size: the most events sent in one round trip.
    """

    def __init__(
        self,
        bus: EventBus | None,
        *,
        buffer_size: int = 10_000,
        wait: float = 0.5,
        retry_initial: float = 0.05,
        retry_max: float = 2.0,
        batch_size: int = 100,
    ) -> None:
        self.bus = bus
        self.buffer_size = buffer_size
        self.wait = wait
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        self.batch_size = batch_size
        self._buffer: deque[_Item] = deque()
        self._inflight: list[_Item] = []
        self._wakeup: asyncio.Event | None = None
        self._sender: asyncio.Task[None] | None = None
        self._closing = False
        self._down = False
        self._warned_full = False
        self._delivered = 0
        self._retried = 0
        self._dropped = 0

    @property
    def enabled(self) -> bool:
        """Whether events go anywhere."""
        return self.bus is not None

    @property
    def healthy(self) -> bool:
        """False from a failed (or too slow) delivery until the next successful one."""
        return not self._down

    def stats(self) -> PublisherStats:
        """The counters of this publisher."""
        return PublisherStats(
            delivered=self._delivered,
            retried=self._retried,
            dropped=self._dropped,
            buffered=len(self._buffer) + len(self._inflight),
            healthy=not self._down,
        )

    async def publish(self, event: Event, *, wait: float | None = None) -> Event | None:
        """Queue an event for Redis; never raises.

        Args:
            event: the event (its ``seq`` is given by the bus).
            wait: seconds to wait for delivery while Redis is healthy (default: the
                publisher's ``wait``); no wait at all while Redis is known to be down.

        Returns:
            The stored event (with its ``seq``) when it was delivered within the wait,
            else None (it stays buffered, to be delivered later or counted as dropped).
        """
        if self.bus is None:
            return None
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Event | None] = loop.create_future()
        if self._closing:
            self._drop(1, "publisher_closed")
            future.set_result(None)
            return None
        if len(self._buffer) >= self.buffer_size:
            _, oldest = self._buffer.popleft()
            BUFFERED.dec()
            if not oldest.done():
                oldest.set_result(None)
            self._drop(1, "buffer_full")
        self._buffer.append((event, future))
        BUFFERED.inc()
        self._ensure_sender()
        limit = self.wait if wait is None else wait
        if self._down or limit <= 0:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(future), limit)
        except TimeoutError:
            if not self._down:  # too slow counts as down: later events do not wait
                self._down = True
                _log.warning("events_redis_slow", waited_s=limit, address=self.bus.address)
            return None

    def _ensure_sender(self) -> None:
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        self._wakeup.set()
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_all(), name="odp-events-sender")

    def _drop(self, count: int, reason: str) -> None:
        self._dropped += count
        DROPPED.inc(count)
        if reason != "buffer_full" or not self._warned_full:
            _log.warning("events_dropped", reason=reason, count=count, total=self._dropped)
        if reason == "buffer_full":
            self._warned_full = True

    async def _send_all(self) -> None:
        """Send buffered events in order; retry with backoff while Redis is down."""
        assert self.bus is not None and self._wakeup is not None
        delay = self.retry_initial
        while True:
            if not self._inflight:
                if not self._buffer:
                    if self._closing:
                        return
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    continue
                count = min(len(self._buffer), self.batch_size)
                self._inflight = [self._buffer.popleft() for _ in range(count)]
            batch = self._inflight
            try:
                stored = await self._deliver([event for event, _ in batch])
            except EventsError as e:  # an outage: the same batch again, later
                self._retried += 1
                RETRIES.inc()
                if not self._down:
                    self._down = True
                    _log.warning(
                        "events_redis_unavailable",
                        error=str(e),
                        buffered=len(self._buffer) + len(batch),
                        hint="events are buffered and retried; the runs go on",
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.retry_max)
                continue
            self._inflight = []
            BUFFERED.dec(len(batch))
            delivered = sum(event is not None for event in stored)
            self._delivered += delivered
            PUBLISHED.inc(delivered)
            delay = self.retry_initial
            if self._down:
                self._down = False
                self._warned_full = False
                _log.warning(
                    "events_redis_recovered",
                    buffered=len(self._buffer),
                    retried=self._retried,
                    dropped=self._dropped,
                )
            for (_, future), event in zip(batch, stored, strict=True):
                if not future.done():
                    future.set_result(event)

    async def _deliver(self, events: list[Event]) -> list[Event | None]:
        """Store a batch; an event Redis refuses (a bug, not an outage) is dropped, counted.

        Raises:
            EventsError: when Redis cannot be reached (the whole batch is sent again later;
                events already stored are recognised by their ids).
        """
        assert self.bus is not None
        try:
            return list(await self.bus.publish_many(events))
        except Exception as e:
            if not _refused(e):
                raise
        stored: list[Event | None] = []  # find the culprit: one by one
        for event in events:
            try:
                stored.append(await self.bus.publish(event))
            except Exception as e:
                if not _refused(e):
                    raise
                _log.error("events_publish_refused", error=repr(e), type=event.type.value)
                self._drop(1, "refused")
                stored.append(None)
        return stored

    async def flush(self, timeout: float = 5.0) -> bool:
        """Wait until the buffer is empty (at most ``timeout``); whether it is."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._buffer or self._inflight:
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    async def aclose(self, timeout: float = 5.0) -> None:
        """Deliver what can be delivered within ``timeout``; count the rest as dropped.

        While Redis is known to be down it waits no longer than ``wait`` (a process does
        not hang on exit for an outage). Does not close the bus (its owner does).
        """
        if self._sender is None:
            self._closing = True
            return
        await self.flush(min(timeout, self.wait) if self._down else timeout)
        self._closing = True
        if self._wakeup is not None:
            self._wakeup.set()
        self._sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._sender
        left = len(self._buffer) + len(self._inflight)
        if left:
            BUFFERED.dec(left)
            self._drop(left, "not_delivered_before_shutdown")
            for _, future in [*self._inflight, *self._buffer]:
                if not future.done():
                    future.set_result(None)
            self._buffer.clear()
            self._inflight = []


def _refused(error: Exception) -> bool:
    """Whether a publish failed because of the event itself (not because Redis is down)."""
    if isinstance(error, EventsError):
        return isinstance(error.__cause__, ResponseError)
    return True  # not a Redis error at all: a bug in building or sending the event
