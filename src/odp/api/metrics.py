"""The service's Prometheus metrics, in the default registry (``GET /metrics``).

Beside these, ``/metrics`` shows whatever else this process registered there: the
event publisher's ``odp_events_*`` counters (delivery failures included) when a
worker runs in the process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import time
from dataclasses import dataclass

import structlog
from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from odp.api.state import EventSource
from odp.engine import EngineClient, RunState
from odp.events import StepCompleted

__all__ = [
    "RequestMetrics",
    "ServiceMetrics",
    "record_step_durations",
    "refresh_run_counts",
    "service_metrics",
]

_log = structlog.stdlib.get_logger("odp.api")


@dataclass(frozen=True, slots=True)
class ServiceMetrics:
    """The service's metrics (one set per process)."""

    requests: Counter
    latency: Histogram
    runs: Gauge
    submitted: Counter
    step_duration: Histogram


@functools.cache
def service_metrics() -> ServiceMetrics:
    """The service's metrics, registered in the default registry on first use."""
    return ServiceMetrics(
        requests=Counter(
            "odp_api_requests",
            "HTTP requests answered, by route and status.",
            ["method", "route", "status"],
            registry=REGISTRY,
        ),
        latency=Histogram(
            "odp_api_request_duration_seconds",
            "Seconds to answer a request (to the first byte of a stream).",
            ["method", "route"],
            registry=REGISTRY,
        ),
        runs=Gauge(
            "odp_runs",
            "Runs by state, from Temporal visibility (all workspaces), at the last scrape.",
            ["state"],
            registry=REGISTRY,
        ),
        submitted=Counter(
            "odp_api_runs_submitted",
            "Runs submitted through the API, by workspace.",
            ["workspace"],
            registry=REGISTRY,
        ),
        step_duration=Histogram(
            "odp_step_duration_seconds",
            "Seconds a step took, by method (seen in finished runs' events).",
            ["method"],
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
            registry=REGISTRY,
        ),
    )


async def refresh_run_counts(runs: EngineClient, *, timeout: float = 5.0) -> bool:
    """Set ``odp_runs{state}`` from Temporal; returns whether it could be asked."""
    gauge = service_metrics().runs
    try:
        counts = await asyncio.wait_for(
            asyncio.gather(*(runs.count_runs(state=state) for state in RunState)), timeout
        )
    except Exception as e:  # a scrape must answer even when Temporal does not
        _log.warning("run_counts_unavailable", error=str(e))
        return False
    for state, count in zip(RunState, counts, strict=True):
        gauge.labels(state=state.value).set(count)
    return True


async def record_step_durations(bus: EventSource, *, poll: float = 1.0, batch: int = 500) -> None:
    """Feed ``odp_step_duration_seconds`` from the global event stream, until cancelled.

    Only steps that ran (not cache hits) and finished after this call started count.
    """
    histogram = service_metrics().step_duration
    since = dt.datetime.now(dt.UTC)
    after = "0-0"
    while True:
        try:
            entries = await bus.read_all(after_id=after, count=batch)
        except Exception as e:  # Redis away: metrics wait, the service goes on
            _log.debug("step_metrics_paused", error=str(e))
            await asyncio.sleep(poll * 5)
            continue
        for entry_id, event in entries:
            after = entry_id
            if isinstance(event, StepCompleted) and not event.cache_hit and event.time >= since:
                histogram.labels(method=event.method).observe(event.duration_s)
        if len(entries) < batch:
            await asyncio.sleep(poll)


class RequestMetrics:
    """ASGI middleware counting requests and timing them by route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.metrics = service_metrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting and timing it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                route = _route(scope)
                self.metrics.latency.labels(scope["method"], route).observe(
                    time.perf_counter() - start
                )
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.requests.labels(scope["method"], _route(scope), str(status)).inc()


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"
