"""Connect to Temporal: the configured cluster, or the embedded dev server; optionally run a worker.

``odp run``, ``odp dev``, ``odp worker`` and the service all go through :func:`open_engine`,
so a laptop and a cluster run the same code.
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
    try:
        client = await connect(address, settings.temporal_namespace)
        engine = Engine(
            client=client,
            runs=EngineClient(
                client, task_queue=settings.task_queue, heartbeat_timeout=settings.heartbeat_timeout
            ),
            address=address,
            ui_url=ui_url,
            embedded=embedded is not None,
            started_server=started,
        )
        if not worker:
            yield engine
            return
        if catalog is None:
            raise ValueError("a worker needs a catalog")
        engine.workers = create_workers(client, settings, catalog, queues=queues)
        tasks = [asyncio.create_task(w.run()) for w in engine.workers]
        try:
            yield engine
        finally:
            await asyncio.gather(*(w.shutdown() for w in engine.workers), return_exceptions=True)
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await task
    finally:
        if embedded is not None and started:
            embedded.stop()
