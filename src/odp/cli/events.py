"""`odp events RUN_ID [--follow] [--json]`: a run's lifecycle events."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from odp.cli.console import err_console, out_console
from odp.config import Settings, load_settings
from odp.engine import RunState, open_engine
from odp.errors import EventsError, ODPError, RunNotFoundError
from odp.events import (
    TERMINAL_TYPES,
    Event,
    PipelineCancelled,
    PipelineCompleted,
    PipelineFailed,
    PipelineStarted,
    PipelineSubmitted,
    StepCompleted,
    StepEvent,
    StepFailed,
    StepRetrying,
    StepStarted,
)
from odp.events.connect import open_bus
from odp.logs import configure_logging

__all__ = ["IDLE_CHECK_S", "describe", "events"]

IDLE_CHECK_S = 5.0
"""Seconds without an event after which ``--follow`` asks the engine whether the run ended."""

_COLOUR = {
    "pipeline.completed": "green",
    "step.completed": "green",
    "pipeline.failed": "red",
    "step.failed": "red",
    "step.retrying": "yellow",
    "pipeline.cancelled": "yellow",
}


def events(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID", help="The run's id.")],
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing events until the run ends.")
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON event a line.")
    ] = False,
) -> None:
    """Show a run's lifecycle events (from Redis); --follow waits for new ones.

    Events may arrive more than once: deduplicate by (run_id, seq).
    """
    settings = load_settings()
    configure_logging("WARNING", settings.log_format)
    try:
        code = asyncio.run(_events(settings, run_id, follow=follow, json_output=json_output))
    except EventsError as e:
        console = err_console()
        console.print(f"[red]error:[/red] {escape(e.message)}")
        if e.hint:
            console.print(f"[cyan]hint:[/cyan] {escape(e.hint)}")
        code = 2
    raise typer.Exit(code)


async def _events(settings: Settings, run_id: str, *, follow: bool, json_output: bool) -> int:
    console = out_console()
    async with open_bus(settings) as bus:
        if not follow:
            found = await bus.read(run_id)
            if not found:
                err_console().print(
                    f"no events for run {escape(run_id)} (unknown run, events off when it ran, "
                    "or expired)"
                )
                return 1
            for event in found:
                _show(console, event, json_output)
            return 0
        if not await bus.last_seq(run_id):
            err_console().print(f"[dim]waiting for events of run {escape(run_id)}…[/]")
        last = 0
        while True:
            async for event in bus.follow(run_id, after=last, idle_timeout=IDLE_CHECK_S):
                _show(console, event, json_output)
                last = event.seq
                if event.type in TERMINAL_TYPES:
                    return 0
            # quiet for a while: a run whose end never reached Redis must not hang us
            ended = await _ended(settings, run_id)
            if ended is not None:
                message, code = ended
                err_console().print(f"[yellow]{escape(message)}[/]")
                return code


async def _ended(settings: Settings, run_id: str) -> tuple[str, int] | None:
    """Why following should stop and the exit code, when the run is over or unknown."""
    try:
        async with open_engine(settings, start_embedded=False, ui=False) as engine:
            state = (await engine.runs.describe(run_id)).state
    except RunNotFoundError:
        return f"the engine knows no run {run_id}", 1
    except ODPError:  # the engine cannot be reached: keep following the events
        return None
    if state is RunState.RUNNING:
        return None
    message = f"no more events will come: the engine says run {run_id} {state.value}"
    return message, 0 if state is RunState.COMPLETED else 1


def _show(console: Console, event: Event, json_output: bool) -> None:
    if json_output:
        sys.stdout.write(event.model_dump_json() + "\n")
        sys.stdout.flush()
        return
    colour = _COLOUR.get(event.type.value, "cyan")
    step = f"{event.step} #{event.attempt}" if isinstance(event, StepEvent) else ""
    console.print(
        f"[dim]{event.time:%H:%M:%S.%f}"[:-3]
        + f"[/]  {event.seq:>4}  [{colour}]{event.type.value:<18}[/]  {escape(step):<20}  "
        + escape(describe(event))
    )


def describe(event: Event) -> str:
    """What an event says, in one short line."""
    if isinstance(event, PipelineSubmitted | PipelineStarted):
        return f"{len(event.steps)} steps: {', '.join(event.steps)}"
    if isinstance(event, PipelineCompleted | PipelineCancelled):
        return f"after {event.duration_s:.2f}s"
    if isinstance(event, PipelineFailed):
        return (
            f"step {event.step!r} ({event.method}) failed after {event.attempts} "
            f"attempt{'s' * (event.attempts != 1)}: {event.error}"
        )
    if isinstance(event, StepStarted):
        return event.method + (f" on {event.queue}" if event.queue else "")
    if isinstance(event, StepRetrying):
        return f"{event.error_type}: {event.error}"
    if isinstance(event, StepCompleted):
        parts = [f"{event.duration_s:.2f}s"]
        if event.rows is not None:
            parts.append(f"{event.rows:,} rows")
        if event.cache_hit:
            parts.append("cached")
        parts += [f"{k}={_ref(v)}" for k, v in event.outputs.items()]
        return " · ".join(parts)
    if isinstance(event, StepFailed):
        return f"{event.error_type}: {event.error}" + (
            f" (hint: {event.hint})" if event.hint else ""
        )
    raise AssertionError(f"unknown event type {event.type}")  # pragma: no cover


def _ref(value: object) -> str:
    if isinstance(value, dict) and "uri" in value:
        return str(value["uri"])
    return str(value)
