"""`odp serve`: the REST API and a worker in one process."""

from __future__ import annotations

import asyncio
import signal
from types import FrameType
from typing import Annotated

import typer
import uvicorn

from odp.api import Database, create_app, service_settings
from odp.catalog import load_catalog
from odp.cli.console import err_console
from odp.config import Settings, load_settings
from odp.engine import ensure_search_attributes, open_engine
from odp.errors import ConfigError
from odp.logs import configure_logging
from odp.stubs.server import bind, url_of

__all__ = ["serve"]


class _Server(uvicorn.Server):
    """Stops on SIGINT or SIGTERM and returns (exit 0), without raising the signal again."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """A first signal stops gracefully; a second Ctrl-C stops at once."""
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        else:
            self.should_exit = True


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: ODP_API_HOST).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=0, max=65535, help="Port (default: ODP_API_PORT).")
    ] = None,
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Run a worker in this process too.")
    ] = True,
) -> None:
    """Serve the REST API, with a worker, on Temporal and Redis (embedded when unset).

    Pipelines sent to the service may not reach private addresses
    (ODP_HTTP_BLOCK_PRIVATE=false allows it) and read and write files only under
    ODP_FILES_ROOT (default: .odp/files).
    """
    settings = service_settings(load_settings())
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(
        _serve(
            settings, host or settings.api_host, settings.api_port if port is None else port, worker
        )
    )


async def _serve(settings: Settings, host: str, port: int, worker: bool) -> None:
    try:
        sock = bind(host, port)
    except OSError as e:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {e.strerror or e}",
            hint="choose another --port, or stop what uses this one",
        ) from None
    try:
        catalog = load_catalog(modules=settings.plugins or None)
        database = Database.from_settings(settings)
        database.migrate()
        if settings.files_root is not None:
            settings.files_root.mkdir(parents=True, exist_ok=True)
        async with open_engine(settings, catalog, worker=worker, ui=False) as engine:
            if settings.temporal_address:
                await ensure_search_attributes(engine.client)
            app = create_app(
                settings,
                engine=engine.runs,
                events=engine.events,
                catalog=catalog,
                database=database,
            )
            server = _Server(
                uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
            )
            console = err_console()
            console.print(f"ODP service at [bold]{url_of(sock)}[/] (docs at {url_of(sock)}/docs)")
            console.print(
                f"Temporal at {engine.address}"
                + (" · worker in this process" if worker else "")
                + " · Ctrl-C to stop"
            )
            await server.serve(sockets=[sock])
        database.dispose()
    finally:
        sock.close()
