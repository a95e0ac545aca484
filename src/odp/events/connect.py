"""Open the event bus a process should use: ``ODP_REDIS_URL``, else the embedded Redis."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from odp.config import Settings
from odp.errors import EventsError
from odp.events.bus import EventBus
from odp.events.embedded import EmbeddedRedis

__all__ = ["open_bus"]


@contextlib.asynccontextmanager
async def open_bus(settings: Settings, *, start_embedded: bool = True) -> AsyncIterator[EventBus]:
    """The bus for the block's duration, checked to answer.

    Without ``ODP_REDIS_URL``, the embedded Redis of the state folder: reused when it
    runs, else started (when ``start_embedded``; it keeps earlier events on disk) and
    stopped on exit.

    Raises:
        EventsError: when events are disabled, or Redis does not answer.
    """
    if not settings.events_enabled:
        raise EventsError(
            "lifecycle events are disabled", hint="unset ODP_EVENTS_ENABLED (or set it to true)"
        )
    embedded: EmbeddedRedis | None = None
    url = settings.redis_url
    if url is None:
        server = EmbeddedRedis(settings.state_dir)
        info = server.running()
        if info is None and not start_embedded:
            raise EventsError(
                "no Redis to read events from",
                hint="set ODP_REDIS_URL, or start the embedded one with `odp dev`",
            )
        if info is None:
            info = await server.start()
            embedded = server
        url = info.url
    bus = EventBus.from_url(url, settings)
    try:
        if not await bus.ping():
            raise EventsError(
                f"cannot reach Redis at {bus.address}",
                hint="check that Redis runs and ODP_REDIS_URL points at it "
                "(unset it to use the embedded Redis)",
            )
        yield bus
    finally:
        await bus.aclose()
        if embedded is not None:
            embedded.stop()
