"""``create_app``: the FastAPI service. Nothing is built at import time.

The lifespan opens what was not passed in: the database (migrated to the newest
schema), the catalog, and a connection to Temporal (``open_engine``, which starts the
embedded server when no address is configured). ``odp serve`` passes in the engine it
opened with a worker, so that one process serves the API and runs pipelines.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from odp import __version__
from odp.api.database import Database
from odp.api.errors import install_error_handlers
from odp.api.limits import BodyLimit
from odp.api.metrics import RequestMetrics, record_step_durations
from odp.api.routes import ROUTERS
from odp.api.state import EventSource, ServiceState
from odp.catalog import Catalog, load_catalog
from odp.config import Settings
from odp.engine import EngineClient, open_engine

__all__ = ["create_app"]

_log = structlog.stdlib.get_logger("odp.api")


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app(
    settings: Settings,
    *,
    engine: EngineClient | None = None,
    events: EventSource | None = None,
    catalog: Catalog | None = None,
    database: Database | None = None,
) -> FastAPI:
    """The ODP service.

    Args:
        settings: the service's settings (see :func:`odp.api.service_settings`).
        engine: the engine client; when None the lifespan connects to Temporal.
        events: the event bus for ``/v1/runs/{id}/events`` and ``/ready``; when None
            and no engine is given, the lifespan takes the opened engine's bus.
        catalog: the methods (default: the built-ins and installed plugins).
        database: the service's tables (default: from the settings, migrated at start).
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            db = database or Database.from_settings(settings)
            if database is None:
                stack.callback(db.dispose)
            await run_in_threadpool(db.migrate)
            state = ServiceState(
                settings=settings,
                catalog=catalog or load_catalog(modules=settings.plugins or None),
                database=db,
                runs=engine,
                events=events,
            )
            if engine is None:
                opened = await stack.enter_async_context(open_engine(settings, ui=False))
                state.runs = opened.runs
                state.events = events or opened.events
            app.state.service = state
            if state.events is not None:
                watcher = asyncio.create_task(record_step_durations(state.events))
                stack.push_async_callback(_stop, watcher)
            _log.info("service_started", version=__version__)
            yield

    app = FastAPI(
        title="ODP",
        version=__version__,
        summary="Typed, validated data and ML pipelines, run durably on Temporal.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetrics)
    return app
