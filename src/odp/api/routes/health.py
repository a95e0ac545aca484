"""``GET /health`` (anonymous), ``GET /ready`` and ``GET /metrics``."""

from __future__ import annotations

import asyncio
import datetime as dt

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import text

from odp import __version__
from odp.api.deps import State, Viewer
from odp.api.errors import ERROR_RESPONSES, ErrorResponse, error_response
from odp.api.metrics import refresh_run_counts
from odp.api.models import HealthStatus, ReadyStatus
from odp.api.state import ServiceState

__all__ = ["router"]

router = APIRouter(tags=["health"])

_CHECK_TIMEOUT = 3.0


@router.get("/health", response_model=HealthStatus)
async def health() -> HealthStatus:
    """The process is up (no key needed)."""
    return HealthStatus(version=__version__)


async def _temporal(state: ServiceState) -> str:
    if state.runs is None:
        return "down: not connected"
    healthy = await state.runs.client.service_client.check_health(
        timeout=dt.timedelta(seconds=_CHECK_TIMEOUT)
    )
    return "ok" if healthy else "down: unhealthy"


async def _redis(state: ServiceState) -> str:
    if state.events is None:
        return "disabled"
    return "ok" if await state.events.ping() else "down: no answer"


def _database(state: ServiceState) -> str:
    with state.database.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return "ok"


async def _check(name: str, state: ServiceState) -> str:
    try:
        if name == "temporal":
            return await asyncio.wait_for(_temporal(state), _CHECK_TIMEOUT + 1)
        if name == "redis":
            return await asyncio.wait_for(_redis(state), _CHECK_TIMEOUT + 1)
        return await asyncio.wait_for(run_in_threadpool(_database, state), _CHECK_TIMEOUT + 1)
    except TimeoutError:
        return "down: no answer in time"
    except Exception as e:  # a check reports what is down; it never fails the probe itself
        return f"down: {type(e).__name__}: {e}"[:300]


@router.get(
    "/ready",
    response_model=ReadyStatus,
    responses={**ERROR_RESPONSES, 503: {"model": ErrorResponse, "description": "Not ready."}},
)
async def ready(state: State, _: Viewer) -> ReadyStatus | JSONResponse:
    """Whether Temporal, Redis and the database answer; 503 names what is down."""
    names = ("temporal", "redis", "database")
    results = await asyncio.gather(*(_check(name, state) for name in names))
    checks = dict(zip(names, results, strict=True))
    down = {name: result for name, result in checks.items() if result.startswith("down")}
    if down:
        return error_response(
            503,
            "not-ready",
            "not ready: " + "; ".join(f"{name} {why}" for name, why in down.items()),
            hint="check the addresses in ODP_TEMPORAL_ADDRESS, ODP_REDIS_URL and ODP_DATABASE_URL",
        )
    return ReadyStatus(status="ready", checks=checks)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        **ERROR_RESPONSES,
        200: {
            "description": "Prometheus text exposition.",
            "content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}},
        },
    },
)
async def metrics(state: State, _: Viewer) -> Response:
    """Prometheus metrics: runs by state, requests, step durations, event delivery."""
    if state.runs is not None:
        await refresh_run_counts(state.runs)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
