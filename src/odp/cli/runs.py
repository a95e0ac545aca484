"""`odp dev`, `odp worker`, `odp runs`, `odp status`, `odp result`, `odp cancel`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from odp.catalog import load_catalog
from odp.cli.console import err_console, out_console, print_json
from odp.cli.live import dataset_head, preview_table, progress_table
from odp.config import Settings, load_settings
from odp.engine import RunState, ensure_search_attributes, open_engine
from odp.errors import ConfigError, ExecutionError, StepFailedError
from odp.logs import configure_logging

__all__ = ["cancel", "dev", "ensure_background_dev", "result", "runs", "status", "worker"]

RunIdArg = Annotated[
    str, typer.Argument(metavar="RUN_ID", help="The run's id (odp runs lists them).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
QueueOpt = Annotated[
    list[str] | None, typer.Option("--queue", "-q", help="A task queue to poll (repeatable).")
]
_DEV_FILE = "dev.json"


async def _until_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def dev(
    queue: QueueOpt = None,
    ui: Annotated[bool, typer.Option("--ui/--no-ui", help="Serve the Temporal web UI.")] = True,
) -> None:
    """Start the embedded Temporal server and a worker, and keep them up (Ctrl-C stops)."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(_dev(settings, queue or [], ui))


async def _dev(settings: Settings, queues: list[str], ui: bool) -> None:
    catalog = load_catalog()
    all_queues = list(dict.fromkeys([settings.task_queue, *queues]))
    console = err_console()
    async with open_engine(settings, catalog, worker=True, queues=all_queues, ui=ui) as engine:
        marker = settings.state_dir / _DEV_FILE
        marker.write_text(
            json.dumps({"pid": os.getpid(), "address": engine.address, "ui_url": engine.ui_url})
        )
        try:
            console.print(
                f"Temporal at [bold]{engine.address}[/]"
                + (f" · UI {engine.ui_url}" if engine.ui_url else "")
            )
            console.print(f"worker polling {', '.join(all_queues)} · Ctrl-C to stop")
            if engine.events is not None:
                console.print(f"lifecycle events on Redis {engine.events.address}")
            await _until_signal()
        finally:
            with contextlib.suppress(OSError):
                marker.unlink()


def worker(
    queue: QueueOpt = None,
    workflows: Annotated[
        bool, typer.Option("--workflows/--no-workflows", help="Also run workflows (default queue).")
    ] = True,
) -> None:
    """Run a worker against ODP_TEMPORAL_ADDRESS (or the running `odp dev` server)."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(_worker(settings, queue or [], workflows))


async def _worker(settings: Settings, queues: list[str], workflows: bool) -> None:
    catalog = load_catalog()
    from odp.engine import create_workers

    async with open_engine(settings, start_embedded=False) as engine:
        await ensure_search_attributes(engine.client)
        workers = create_workers(
            engine.client,
            settings,
            catalog,
            queues=queues,
            workflows=workflows,
            publisher=engine.publisher,
        )
        names = ", ".join(w.task_queue for w in workers)
        err_console().print(f"worker on {engine.address} polling {names} · Ctrl-C to stop")
        if engine.redis_url is None:
            err_console().print(
                "[yellow]lifecycle events are off: set ODP_REDIS_URL (or run `odp dev`)[/]"
            )
        tasks = [asyncio.create_task(w.run()) for w in workers]
        stopper = asyncio.create_task(_until_signal())
        await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
        await asyncio.gather(*(w.shutdown() for w in workers), return_exceptions=True)
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        stopper.cancel()


async def ensure_background_dev(
    settings: Settings, console: Console, *, timeout: float = 60.0
) -> None:
    """Make sure `odp dev` runs in the background for this state folder (for --detach)."""
    marker = settings.state_dir / _DEV_FILE
    if _dev_alive(marker):
        return
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    _daemonize(
        [sys.executable, "-m", "odp", "dev", "--no-ui"],
        log=settings.state_dir / "dev.log",
        env={**os.environ, "ODP_STATE_DIR": str(settings.state_dir.resolve())},
    )
    deadline = time.monotonic() + timeout
    while not _dev_alive(marker):
        if time.monotonic() > deadline:
            raise ConfigError(
                "the background `odp dev` did not start",
                hint=f"see {settings.state_dir / 'dev.log'}",
            )
        await asyncio.sleep(0.2)
    console.print(
        "[dim]started `odp dev` in the background (stop it with: kill "
        f"{json.loads(marker.read_text())['pid']})[/]"
    )


def _daemonize(args: list[str], *, log: Path, env: dict[str, str]) -> None:
    """Start a process that outlives this one (double fork: no zombie, no terminal)."""
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked child, which execs at once
        try:
            os.setsid()
            if os.fork() != 0:
                os._exit(0)
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.execve(args[0], args, env)
        finally:
            os._exit(1)
    os.waitpid(child, 0)


def _dev_alive(marker: Path) -> bool:
    try:
        pid = int(json.loads(marker.read_text())["pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError):
        return False
    return True


# ---------------------------------------------------------------------- inspection
def _settings() -> Settings:
    settings = load_settings()
    configure_logging("WARNING", settings.log_format)
    return settings


def runs(
    state: Annotated[RunState | None, typer.Option(help="Only runs in this state.")] = None,
    pipeline: Annotated[str | None, typer.Option(help="Only runs of this pipeline.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many runs.")] = 20,
    json_output: JsonOpt = False,
) -> None:
    """List recent runs (from Temporal visibility)."""

    async def go() -> None:
        async with open_engine(_settings(), ui=False) as engine:
            found = await engine.runs.list_runs(state=state, pipeline=pipeline, limit=limit)
        if json_output:
            print_json([r.model_dump(mode="json") for r in found])
            return
        table = Table(header_style="bold")
        for column in ("run", "pipeline", "workspace", "state", "started", "duration"):
            table.add_column(column)
        for r in found:
            duration = f"{r.duration_s:.1f}s" if r.duration_s is not None else ""
            started = r.started_at.strftime("%Y-%m-%d %H:%M:%S") if r.started_at else ""
            table.add_row(r.run_id, r.pipeline, r.workspace, r.state.value, started, duration)
        out_console().print(table if found else "no runs yet")

    asyncio.run(go())


def status(run_id: RunIdArg, json_output: JsonOpt = False) -> None:
    """Show a run's state and each step's state."""

    async def go() -> None:
        async with open_engine(_settings(), ui=False) as engine:
            progress = await engine.runs.progress(run_id)
            attempts = (
                await engine.runs.attempts(run_id) if progress.state is RunState.RUNNING else {}
            )
        if json_output:
            print_json(progress)
            return
        console = out_console()
        console.print(
            f"[bold]{escape(progress.pipeline)}[/] · run {escape(run_id)} · {progress.state.value}"
        )
        if progress.steps:
            console.print(progress_table(progress, attempts))
        elif progress.state is RunState.RUNNING:
            console.print(
                "[yellow]no worker is processing this run: start one with `odp dev` or `odp worker`[/]"
            )
        if progress.error:
            console.print(
                f"[red]{escape(progress.error.step)}: {escape(progress.error.message)}[/]"
            )

    asyncio.run(go())


def result(
    run_id: RunIdArg,
    step: Annotated[str | None, typer.Option("--step", help="Only this step's output.")] = None,
    rows: Annotated[int, typer.Option(min=0, help="Dataset rows to show.")] = 10,
    json_output: JsonOpt = False,
) -> None:
    """Show a finished run's outputs (waits for a running run to finish)."""

    async def go() -> int:
        settings = _settings()
        async with open_engine(settings, ui=False) as engine:
            try:
                outcome = await engine.runs.result(run_id)
            except StepFailedError as e:
                err_console().print(f"[red]error:[/] {escape(str(e))}")
                return 1
            except ExecutionError as e:
                err_console().print(f"[red]error:[/] {escape(e.message)}")
                return 1
        outputs = outcome.outputs
        if step is not None and step not in outputs:
            err_console().print(
                f"[red]error:[/] run {run_id} has no step {step!r}; steps: {', '.join(outputs)}"
            )
            return 1
        chosen: dict[str, Any] = {step: outputs[step]} if step else outputs
        if json_output:
            print_json(chosen)
            return 0
        console = out_console()
        for name, output in chosen.items():
            console.print(f"[bold]{escape(name)}[/]")
            data = output.get("data")
            if isinstance(data, dict) and "uri" in data:
                _print_dataset(console, settings, data, rows, outcome.workspace)
            rest = {k: v for k, v in output.items() if k != "data"}
            if rest:
                console.print_json(json.dumps(rest, default=str))
        return 0

    raise typer.Exit(asyncio.run(go()))


def _print_dataset(
    console: Console, settings: Settings, data: dict[str, Any], rows: int, workspace: str
) -> None:
    console.print(preview_table(dataset_head(settings, data, rows, workspace), data.get("rows")))
    console.print(f"[dim]{escape(str(data.get('uri', '')))}[/]")


def cancel(run_id: RunIdArg) -> None:
    """Cancel a run: running steps are stopped and the run ends as cancelled."""

    async def go() -> None:
        async with open_engine(_settings(), ui=False) as engine:
            await engine.runs.cancel(run_id)
        out_console().print(f"cancellation requested for {run_id}")

    asyncio.run(go())
