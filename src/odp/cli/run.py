"""`odp run`: validate, submit, watch live, summarise."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.markup import escape

from odp.artifacts.store import PREVIEW_ROWS
from odp.catalog import Catalog, load_catalog
from odp.cli.console import err_console, out_console, print_diagnostics
from odp.cli.live import apply_event, dataset_head, render, summary
from odp.cli.validate import FileArg, ParamOpt, load_and_validate
from odp.config import Settings, load_settings
from odp.engine import Engine, RunProgress, RunState, open_engine
from odp.errors import EventsError
from odp.events import Event, EventBus
from odp.logs import configure_logging
from odp.spec import Plan, compile_plan

__all__ = ["follow", "run"]

EXIT_FAILED = 1
EXIT_CANCELLED = 130


def run(
    file: FileArg,
    param: ParamOpt = None,
    detach: Annotated[
        bool, typer.Option("--detach", "-d", help="Submit and return at once.")
    ] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Run every step again.")] = False,
    workspace: Annotated[str, typer.Option(help="The workspace the run belongs to.")] = "default",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show worker logs.")] = False,
) -> None:
    """Validate a pipeline, run it on Temporal, and show its progress live.

    With no ODP_TEMPORAL_ADDRESS, the embedded Temporal dev server is started (state in
    .odp/) with a worker in this process, and stopped on exit.
    """
    settings = load_settings()
    configure_logging("DEBUG" if verbose else "WARNING", settings.log_format)
    catalog = load_catalog()
    result = load_and_validate(file, param, catalog=catalog, require_params=True)
    if not result.ok:
        print_diagnostics(err_console(), result.diagnostics)
        raise typer.Exit(1)
    if result.warnings:
        print_diagnostics(err_console(), result.warnings)
    plan = compile_plan(result, catalog)
    code = asyncio.run(
        _run(settings, catalog, plan, detach=detach, no_cache=no_cache, workspace=workspace)
    )
    raise typer.Exit(code)


async def _run(
    settings: Settings,
    catalog: Catalog,
    plan: Plan,
    *,
    detach: bool,
    no_cache: bool,
    workspace: str,
) -> int:
    console = out_console()
    if detach and not settings.temporal_address:
        from odp.cli.runs import ensure_background_dev

        await ensure_background_dev(settings, console)
    queues = list(dict.fromkeys([settings.task_queue, *(s.queue for s in plan.steps if s.queue)]))
    # an embedded run needs a worker here; a cluster has its own workers
    want_worker = not settings.temporal_address and not detach
    async with open_engine(settings, catalog, worker=want_worker, queues=queues) as engine:
        if engine.started_server and engine.ui_url:
            console.print(f"[dim]embedded Temporal at {engine.address} · UI {engine.ui_url}[/]")
        run_id = await engine.runs.submit(plan, workspace=workspace, no_cache=no_cache)
        if detach:
            console.print(run_id)
            err_console().print(f"[dim]follow it with: odp status {run_id}[/]")
            return 0
        progress = await follow(engine, run_id, console)
        summary(
            console,
            progress,
            engine.ui_url,
            head=lambda data: dataset_head(settings, data, PREVIEW_ROWS, workspace),
        )
        if progress.state is RunState.COMPLETED:
            return 0
        return EXIT_CANCELLED if progress.state is RunState.CANCELLED else EXIT_FAILED


class _EventFeed:
    """A run's events, read in the background into a queue (``failed`` once Redis fails)."""

    def __init__(self, bus: EventBus, run_id: str) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self.failed = False
        self._task = asyncio.create_task(self._read(bus, run_id))

    async def _read(self, bus: EventBus, run_id: str) -> None:
        try:
            async for event in bus.follow(run_id):
                self.queue.put_nowait(event)
        except EventsError:
            self.failed = True

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def follow(
    engine: Engine,
    run_id: str,
    console: Console,
    *,
    poll: float = 0.25,
    quiet: float = 2.0,
) -> RunProgress:
    """Show a run's progress until it ends; Ctrl-C asks whether to cancel it.

    Driven by the run's lifecycle events when the engine has an event bus; otherwise
    (and when no event arrived for ``quiet`` seconds, or Redis failed) it polls the
    workflow every ``poll`` seconds. The final state comes from the workflow.
    """
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, interrupted.set)
    feed = _EventFeed(engine.events, run_id) if engine.events is not None else None
    try:
        while True:
            with Live(console=console, refresh_per_second=8, transient=True) as live:
                ended = await _watch(engine, run_id, live, interrupted, feed, poll, quiet)
                if ended is not None:
                    return ended
            interrupted.clear()
            if await _ask_cancel(console):
                await engine.runs.cancel(run_id)
                await engine.runs.wait(run_id)
                return await engine.runs.progress(run_id)
            if engine.started_server:
                console.print(
                    "[yellow]the run stays in the embedded server's state; it continues when "
                    "`odp dev` runs[/]"
                )
            else:
                console.print(f"left running: follow it with `odp status {escape(run_id)}`")
            return await engine.runs.progress(run_id)
    finally:
        if feed is not None:
            await feed.close()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)


async def _watch(
    engine: Engine,
    run_id: str,
    live: Live,
    interrupted: asyncio.Event,
    feed: _EventFeed | None,
    poll: float,
    quiet: float,
) -> RunProgress | None:
    """Update the live view until the run ends (its final progress) or Ctrl-C (None)."""
    loop = asyncio.get_running_loop()
    progress = await engine.runs.progress(run_id)
    attempts: dict[str, int] = {}
    last_news = loop.time()
    while not interrupted.is_set():
        live.update(render(progress, attempts, engine.ui_url))
        if progress.state is not RunState.RUNNING:
            return await _final(engine, run_id)
        if feed is None or feed.failed or loop.time() - last_news > quiet:
            # no events (or none for a while): ask the workflow
            progress = await engine.runs.progress(run_id)
            attempts = await engine.runs.attempts(run_id) if feed is None or feed.failed else {}
            last_news = loop.time()
        event = await _next(feed, interrupted, poll)
        while event is not None:
            apply_event(progress, event, attempts)
            last_news = loop.time()
            event = feed.queue.get_nowait() if feed is not None and feed.queue.qsize() else None
    return None


async def _next(
    feed: _EventFeed | None, interrupted: asyncio.Event, timeout: float
) -> Event | None:
    """The next event, or None after ``timeout`` or on Ctrl-C."""
    waits: list[asyncio.Task[object]] = [asyncio.create_task(interrupted.wait())]
    if feed is not None and not feed.failed:
        waits.append(asyncio.create_task(feed.queue.get()))
    done, pending = await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    got = [t.result() for t in done if t is not waits[0]]
    return got[0] if got else None  # type: ignore[return-value]  # the queue holds events


async def _final(engine: Engine, run_id: str, *, timeout: float = 10.0) -> RunProgress:
    """The run's final progress, once the workflow has closed (events may come first)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(engine.runs.wait(run_id, poll=0.05), timeout)
    return await engine.runs.progress(run_id)


async def _ask_cancel(console: Console) -> bool:
    if not sys.stdin.isatty():
        return True
    console.print()
    answer = await asyncio.to_thread(input, "Cancel the run? [y/N] ")
    return answer.strip().lower() in ("y", "yes")
