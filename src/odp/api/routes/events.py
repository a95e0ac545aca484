"""``GET /v1/runs/{id}/events``: a run's lifecycle events as Server-Sent Events.

Each event is one SSE message: ``id`` is the event's ``seq``, ``event`` its type and
``data`` its JSON. A client that reconnects with ``Last-Event-ID: N`` (browsers do it by
themselves) gets the events after ``seq`` N and nothing it already has. The stream
ends after the run's terminal event (completed, failed, cancelled); a run that ended
without one ends the stream once the engine says it is over. Comments keep idle
connections open.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Final

import structlog
from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from odp.api.deps import Runs, State, Viewer, get_events
from odp.api.errors import ERROR_RESPONSES, ErrorResponse
from odp.api.routes.runs import check_run_id
from odp.api.state import EventSource
from odp.engine import EngineClient, RunState
from odp.events import Event

__all__ = ["router", "sse_message"]

router = APIRouter(prefix="/v1/runs", tags=["runs"], responses=ERROR_RESPONSES)

_log = structlog.stdlib.get_logger("odp.api")

MAX_SEQ: Final = 2**53
"""The largest ``seq`` a client may resume after (far beyond any run's events)."""

KEEPALIVE_S: Final = 10.0
"""Seconds of silence after which a comment is sent (and the run's state checked)."""


def sse_message(event: Event) -> str:
    """One event in the SSE wire format."""
    return f"id: {event.seq}\nevent: {event.type.value}\ndata: {event.model_dump_json()}\n\n"


def _resume_point(last_event_id: str | None, after: int | None) -> int:
    if last_event_id is not None and last_event_id.strip().isdigit():
        return min(int(last_event_id.strip()), MAX_SEQ)
    return after or 0


async def _stream(
    bus: EventSource, runs: EngineClient, run_id: str, workspace: str, after: int
) -> AsyncIterator[str]:
    queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=1000)  # None: the end

    async def pump() -> None:
        try:
            async for event in bus.follow(run_id, after=after):
                await queue.put(event)
        except Exception as e:  # Redis went away: end the stream, the client reconnects
            _log.warning("sse_follow_failed", run_id=run_id, error=str(e))
        finally:
            await queue.put(None)

    task = asyncio.create_task(pump())
    last = after
    try:
        yield "retry: 2000\n\n"
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
            except TimeoutError:
                info = await runs.describe(run_id, workspace=workspace)
                if info.state is not RunState.RUNNING:
                    # over, but its terminal event never came: send what is left, then stop
                    for event in await bus.read(run_id, after=last):
                        yield sse_message(event)
                    return
                yield ": keep-alive\n\n"
                continue
            if item is None:
                return
            last = item.seq
            yield sse_message(item)
    finally:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task


@router.get(
    "/{run_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-Sent Events: `id` = seq, `event` = type, `data` = the event.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        503: {"model": ErrorResponse, "description": "No event bus on this service."},
    },
)
async def events(
    run_id: str,
    viewer: Viewer,
    runs: Runs,
    state: State,
    last_event_id: Annotated[
        str | None,
        Header(alias="Last-Event-ID", description="Resume after this seq (set by SSE clients)."),
    ] = None,
    after: Annotated[
        int | None,
        Query(ge=0, le=MAX_SEQ, description="Resume after this seq (when no Last-Event-ID)."),
    ] = None,
) -> StreamingResponse:
    """A run's lifecycle events, live, from the start or after ``Last-Event-ID``."""
    await runs.describe(check_run_id(run_id), workspace=viewer.workspace)
    bus = get_events(state)  # after the lookup: an unknown run is a 404 either way
    return StreamingResponse(
        _stream(bus, runs, run_id, viewer.workspace, _resume_point(last_event_id, after)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
