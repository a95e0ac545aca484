"""Connect to Temporal: the configured cluster, or the embedded dev server; optionally run a worker.

``odp run``, ``odp dev``, ``odp worker`` and the service all go through :func:`open_engine`,
so a laptop and a cluster run the same code. It also connects the lifecycle events:
``ODP_REDIS_URL`` when set, else the embedded Redis of the state folder (started beside the
embedded Temporal server).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from odp.catalog import Catalog
from odp.config import Settings
from odp.engine.client import EngineClient, connect
from odp.engine.devserver import EmbeddedTemporal
from odp.engine.worker import create_workers
from odp.errors import ConfigError
from odp.events import EmbeddedRedis, EventBus, EventPublisher

__all__ = ["Engine", "open_engine"]

_log = structlog.stdlib.get_logger("odp.engine")


@dataclass(slots=True)
class Engine:
    """A live connection to Temporal, and what this process started for it."""

    client: Client
    runs: EngineClient
    address: str
    ui_url: str | None = None
    embedded: bool = False
    started_server: bool = False
    workers: list[Worker] = field(default_factory=list)
    events: EventBus | None = None
    publisher: EventPublisher = field(default_factory=lambda: EventPublisher(None))
    redis_url: str | None = None


@dataclass(slots=True)
class _Events:
    bus: EventBus | None = None
    publisher: EventPublisher = field(default_factory=lambda: EventPublisher(None))
    url: str | None = None
    embedded: EmbeddedRedis | None = None

    async def aclose(self) -> None:
        await self.publisher.aclose()
        if self.bus is not None:
            await self.bus.aclose()
        if self.embedded is not None:
            self.embedded.stop()


async def _open_events(settings: Settings, *, start: bool) -> _Events:
    """The bus and publisher for this process (events off when there is no Redis)."""
    if not settings.events_enabled:
        return _Events()
    url = settings.redis_url
    started: EmbeddedRedis | None = None
    if url is None:
        embedded = EmbeddedRedis(settings.state_dir)
        info = embedded.running()
        if info is None and start:
            try:
                info = await embedded.start()
                started = embedded
            except ConfigError as e:
                _log.warning("events_off", reason=e.message, hint=e.hint)
                return _Events()
        if info is None:
            _log.info("events_off", reason="no ODP_REDIS_URL and no embedded Redis running")
            return _Events()
        url = info.url
    bus = EventBus.from_url(url, settings)
    publisher = EventPublisher(
        bus, buffer_size=settings.events_buffer_size, wait=settings.events_publish_wait
    )
    return _Events(bus=bus, publisher=publisher, url=url, embedded=started)


@contextlib.asynccontextmanager
async def open_engine(
    settings: Settings,
    catalog: Catalog | None = None,
    *,
    worker: bool = False,
    queues: Sequence[str] = (),
    ui: bool = True,
    start_embedded: bool = True,
) -> AsyncIterator[Engine]:
    """Connect to Temporal for the duration of the block.

    With ``ODP_TEMPORAL_ADDRESS`` set, connect to that cluster. Otherwise use the
    embedded dev server of the state folder, starting it when none runs (and stopping
    it on exit when this call started it).

    Args:
        settings: this process's settings.
        catalog: the methods the in-process worker can run (needed with ``worker``).
        worker: run a worker in this process for the block's duration.
        queues: task queues that worker polls (default: the default queue).
        ui: serve the dev server's web UI when starting it.
        start_embedded: start the embedded server when none runs (otherwise that is an
            error: a worker must not bring its own private server).

    Events: with ``ODP_REDIS_URL`` set, that Redis; otherwise the embedded Redis of the
    state folder, reused when it runs, and started (and stopped on exit) beside the
    embedded Temporal server when a worker runs here.
    Without either, or with ``ODP_EVENTS_ENABLED=false``, events are off.

    Raises:
        ConfigError: when no server is configured or running and ``start_embedded`` is off.
    """
    embedded: EmbeddedTemporal | None = None
    ui_url: str | None = None
    started = False
    if settings.temporal_address:
        address = settings.temporal_address
    else:
        embedded = EmbeddedTemporal(
            settings.state_dir, namespace=settings.temporal_namespace, ui=ui
        )
        info = embedded.running()
        if info is None and not start_embedded:
            raise ConfigError(
                "no Temporal server to connect to",
                hint="set ODP_TEMPORAL_ADDRESS, or start the embedded one with `odp dev`",
            )
        if info is None:
            info = await embedded.start()
            started = True
        address, ui_url = info.address, info.ui_url or None
    events = await _open_events(settings, start=embedded is not None and worker)
    try:
        client = await connect(address, settings.temporal_namespace)
        engine = Engine(
            client=client,
            runs=EngineClient(
                client,
                task_queue=settings.task_queue,
                heartbeat_timeout=settings.heartbeat_timeout,
                publisher=events.publisher,
            ),
            address=address,
            ui_url=ui_url,
            embedded=embedded is not None,
            started_server=started,
            events=events.bus,
            publisher=events.publisher,
            redis_url=events.url,
        )
        if not worker:
            yield engine
            return
        if catalog is None:
            raise ValueError("a worker needs a catalog")
        engine.workers = create_workers(
            client, settings, catalog, queues=queues, publisher=events.publisher
        )
        tasks = [asyncio.create_task(w.run()) for w in engine.workers]
        try:
            yield engine
        finally:
            await asyncio.gather(*(w.shutdown() for w in engine.workers), return_exceptions=True)
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await task
    finally:
        await events.aclose()
        if embedded is not None and started:
            embedded.stop()
