"""The live view of a run and its closing summary (Rich).

The live view is driven by the run's lifecycle events (:func:`apply_event`); without
events it shows what polling the workflow's ``progress`` query returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from odp.artifacts.store import preview_rows
from odp.config import Settings
from odp.engine import PipelineResult, RunProgress, RunState, StepError, StepState, StepStatus
from odp.events import (
    Event,
    PipelineCancelled,
    PipelineCompleted,
    PipelineFailed,
    StepCompleted,
    StepEvent,
    StepFailed,
    StepRetrying,
    StepStarted,
)

__all__ = ["apply_event", "preview_table", "progress_table", "render", "summary"]

_STYLE = {
    StepStatus.PENDING: ("dim", "·"),
    StepStatus.RUNNING: ("cyan", ""),
    StepStatus.COMPLETED: ("green", "✓"),
    StepStatus.CACHED: ("green", "↺"),
    StepStatus.FAILED: ("red", "✗"),
    StepStatus.SKIPPED: ("dim", "-"),
    StepStatus.CANCELLED: ("yellow", "⊘"),
}


def _duration(state: StepState, now: dt.datetime) -> str:
    if state.duration_s is not None:
        return f"{state.duration_s:.2f}s"
    if state.started_at is not None:
        return f"{(now - state.started_at).total_seconds():.1f}s"
    return ""


def progress_table(progress: RunProgress, attempts: dict[str, int] | None = None) -> Table:
    """One line per step: state, attempt, duration and rows."""
    now = dt.datetime.now(dt.UTC)
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    for column in ("", "step", "method", "state", "attempt", "time", "rows"):
        table.add_column(
            column, justify="right" if column in ("attempt", "time", "rows") else "left"
        )
    for state in progress.steps:
        style, mark = _STYLE[state.status]
        icon: Any = (
            Spinner("dots", style="cyan")
            if state.status is StepStatus.RUNNING
            else Text(mark, style=style)
        )
        label = "cached" if state.status is StepStatus.CACHED else state.status.value
        attempt = (attempts or {}).get(state.name, state.attempt)
        table.add_row(
            icon,
            state.name,
            Text(state.method, style="dim"),
            Text(label, style=style),
            str(attempt) if attempt else "",
            _duration(state, now),
            f"{state.rows:,}" if state.rows is not None else "",
        )
    return table


def preview_table(preview: list[dict[str, Any]], total: int | None = None) -> Table:
    """A dataset's preview rows as a table."""
    table = Table(header_style="bold", show_lines=False)
    columns = list(preview[0]) if preview else []
    for name in columns:
        table.add_column(escape(name), overflow="ellipsis", max_width=40)
    for row in preview:
        table.add_row(*(escape("" if row.get(c) is None else str(row.get(c))) for c in columns))
    if total is not None:
        table.caption = f"{min(len(preview), total)} of {total:,} rows"
    return table


def dataset_head(
    settings: Settings, data: dict[str, Any], rows: int, workspace: str
) -> list[dict[str, Any]]:
    """The first ``rows`` rows of a step's dataset (values shortened for a terminal).

    They are read from the store when it is on this machine (a big lazy view has them
    only there), else taken from the preview the step recorded.
    """
    from odp.artifacts import ArtifactStore, DatasetRef

    if not rows:
        return []
    try:
        ref = DatasetRef.model_validate(data)
        store = ArtifactStore(settings.artifacts_root, workspace=workspace)
        return preview_rows(store.scan(ref).head(rows).collect(), rows)
    except Exception:  # the store may be another machine's: fall back to the preview
        return list(data.get("preview") or [])[:rows]


def summary(
    console: Console,
    progress: RunProgress,
    ui_url: str | None = None,
    *,
    head: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None,
) -> None:
    """The closing summary: final state, duration, where sinks wrote, last dataset's preview.

    ``head`` reads a dataset's first rows (see :func:`dataset_head`, which falls back on
    the preview the step recorded); without it, that preview is shown.
    """
    console.print(progress_table(progress))
    elapsed = ""
    if progress.finished_at is not None:
        elapsed = f" in {(progress.finished_at - progress.started_at).total_seconds():.2f}s"
    colour = {RunState.COMPLETED: "green", RunState.FAILED: "red"}.get(progress.state, "yellow")
    console.print(
        f"\n[bold {colour}]{progress.state.value}[/]{elapsed} · run {escape(progress.run_id)}"
    )
    cached = [s.name for s in progress.steps if s.status is StepStatus.CACHED]
    if cached:
        console.print(
            f"[dim]reused cached outputs of {len(cached)} step(s): {', '.join(cached)}[/]"
        )
    if progress.error is not None:
        error = progress.error
        console.print(
            f"[red]step {escape(error.step)!r} ({escape(error.method)}) failed after "
            f"{error.attempts} attempt{'s' * (error.attempts != 1)}:[/] {escape(error.message)}"
        )
        if error.hint:
            console.print(f"[cyan]hint:[/] {escape(error.hint)}")
    for state in progress.steps:
        output = state.output or {}
        where = output.get("path") or output.get("url") or output.get("table") or output.get("uri")
        if where is not None and "rows_written" in output:
            console.print(
                f"  → {escape(state.name)} wrote {output['rows_written']:,} rows to {escape(str(where))}"
            )
    last = _last_dataset(progress)
    if last is not None:
        name, data = last
        rows = head(data) if head is not None else data.get("preview", [])
        console.print(f"\n[bold]{escape(name)}[/] (preview)")
        console.print(preview_table(rows, data.get("rows")))
    if ui_url and progress.state is not RunState.COMPLETED:
        console.print(
            f"[dim]Temporal UI: {ui_url}/namespaces/default/workflows/{progress.run_id}[/]"
        )


def _last_dataset(progress: RunProgress | PipelineResult) -> tuple[str, dict[str, Any]] | None:
    for state in reversed(progress.steps):
        data = (state.output or {}).get("data")
        if isinstance(data, dict) and "preview" in data:
            return state.name, data
    return None


def render(progress: RunProgress, attempts: dict[str, int], ui_url: str | None) -> Group:
    """What the live view shows while a run is running."""
    header = Text.from_markup(
        f"[bold]{escape(progress.pipeline)}[/] · run {escape(progress.run_id)}"
        + (f" · [dim]{escape(ui_url)}[/]" if ui_url else "")
    )
    return Group(header, progress_table(progress, attempts))


def apply_event(progress: RunProgress, event: Event, attempts: dict[str, int]) -> None:
    """Update a run's progress (and each step's current attempt) from one event."""
    if isinstance(event, StepEvent):
        _apply_step(progress, event, attempts)
    elif isinstance(event, PipelineCompleted):
        progress.state = RunState.COMPLETED
        progress.finished_at = event.time
    elif isinstance(event, PipelineFailed):
        progress.state = RunState.FAILED
        progress.finished_at = event.time
    elif isinstance(event, PipelineCancelled):
        progress.state = RunState.CANCELLED
        progress.finished_at = event.time


def _apply_step(progress: RunProgress, event: StepEvent, attempts: dict[str, int]) -> None:
    try:
        state = progress.step(event.step)
    except KeyError:
        state = StepState(name=event.step, method=event.method)
        progress.steps.append(state)
    attempts[event.step] = max(attempts.get(event.step, 0), event.attempt)
    state.attempt = attempts[event.step]
    if isinstance(event, StepStarted):
        state.status = StepStatus.RUNNING
        state.started_at = state.started_at or event.time
        state.queue = event.queue or state.queue
    elif isinstance(event, StepRetrying):
        state.status = StepStatus.RUNNING
    elif isinstance(event, StepCompleted):
        state.status = StepStatus.CACHED if event.cache_hit else StepStatus.COMPLETED
        state.finished_at = event.time
        state.duration_s = event.duration_s
        state.rows = event.rows
        state.cache_hit = event.cache_hit
    elif isinstance(event, StepFailed):
        state.status = StepStatus.FAILED
        state.finished_at = event.time
        state.error = StepError(
            step=event.step,
            method=event.method,
            message=event.error,
            error_type=event.error_type,
            attempts=event.attempt,
            hint=event.hint,
        )
