"""The model server's Prometheus metrics, in a registry of its own (one per app)."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

__all__ = ["ServingMetrics"]

_LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.0075,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
_BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 10000)


class ServingMetrics:
    """Requests, latency, errors, records, batch sizes, reloads and the served version."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "odp_serving_requests",
            "Requests answered, by endpoint and HTTP status.",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "odp_serving_request_seconds",
            "Time to answer a request, by endpoint.",
            ["endpoint"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "odp_serving_errors",
            "Requests that failed, by kind (invalid_input, not_ready, model_error).",
            ["kind"],
            registry=self.registry,
        )
        self.records = Counter("odp_serving_records", "Records predicted.", registry=self.registry)
        self.batch_records = Histogram(
            "odp_serving_batch_records",
            "Records per model call (concurrent requests are gathered into one call).",
            buckets=_BATCH_BUCKETS,
            registry=self.registry,
        )
        self.reloads = Counter(
            "odp_serving_reloads",
            "Model loads after start, by outcome (ok, failed).",
            ["outcome"],
            registry=self.registry,
        )
        self.version = Gauge(
            "odp_serving_model_version",
            "The version being served.",
            ["model"],
            registry=self.registry,
        )

    def request_done(self, endpoint: str, status: int, seconds: float) -> None:
        """Count one answered request and its latency."""
        self.requests.labels(endpoint, str(status)).inc()
        self.latency.labels(endpoint).observe(seconds)

    def error(self, kind: str) -> None:
        """Count one failed request."""
        self.errors.labels(kind).inc()

    def reload(self, outcome: str) -> None:
        """Count one load attempt after start."""
        self.reloads.labels(outcome).inc()

    def model_loaded(self, name: str, version: int) -> None:
        """Record the version now served."""
        self.version.clear()
        self.version.labels(name).set(version)

    def render(self) -> tuple[bytes, str]:
        """The metrics in Prometheus' text format, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
