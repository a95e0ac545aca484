"""Serving a registered model over HTTP: ``odp models serve NAME[@alias|:version]``.

``POST /predict`` takes records (a JSON list of objects, or ``{"records": [...]}``),
checks them against the model's signature (422 naming the record and field otherwise)
and answers predictions (and class probabilities for classifiers). Concurrent requests
are gathered into one model call (:mod:`odp.ml.batching`). ``GET /health`` says the
process is up, ``GET /ready`` that the model is loaded, ``GET /metadata`` what is
served, ``GET /metrics`` the Prometheus metrics.

A server following an alias (``churn@champion``) or the latest version polls the
registry; when the alias moves it loads the new version completely, then swaps it in.
Requests already being served finish on the model they started with; none is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from odp.config import Settings
from odp.errors import ModelError
from odp.ml.batching import MicroBatcher
from odp.ml.loaded import LoadedModel, Predictions, load_model
from odp.ml.records import RecordsInvalid, RecordValidator
from odp.ml.refs import ModelRef, parse_model_ref
from odp.ml.registry import ModelRegistry
from odp.ml.serving_metrics import ServingMetrics
from odp.ml.tracking import TrackingConfig, tracking_config

__all__ = ["ServingState", "create_serving_app"]

_log = structlog.stdlib.get_logger("odp.serving")


@dataclass(slots=True)
class _Served:
    """A loaded model and its compiled record validator, swapped in as one."""

    model: LoadedModel
    validator: RecordValidator | None
    loaded_at: dt.datetime


@dataclass(slots=True)
class ServingState:
    """What the app holds: the model being served and how to refresh it."""

    ref: ModelRef
    config: TrackingConfig
    settings: Settings
    poll_interval: float
    metrics: ServingMetrics
    batcher: MicroBatcher
    served: _Served | None = None
    last_error: str | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def follows(self) -> bool:
        """Whether the served version can change (an alias, or the latest version)."""
        return self.ref.version is None

    def load(self, version: int | None = None) -> _Served:
        """Load the referenced model (or a given version of it) and compile its validator."""
        ref = ModelRef(self.ref.name, version=version) if version is not None else self.ref
        model = load_model(self.config, ref)
        model.ref = self.ref
        validator = (
            RecordValidator(model.schema, max_records=self.settings.serving_max_records)
            if model.schema is not None
            else None
        )
        return _Served(model, validator, dt.datetime.now(dt.UTC))

    def current_version(self) -> int:
        """The version the reference points at now, asked of the registry."""
        registry = ModelRegistry(self.config)
        if self.ref.alias is not None:
            found = registry.client.get_model_version_by_alias(self.ref.name, self.ref.alias)
            return int(found.version)
        return registry.resolve(self.ref).version

    def swap(self, served: _Served) -> None:
        """Serve another model from the next request on."""
        self.served = served
        self.last_error = None
        self.metrics.model_loaded(served.model.name, served.model.version)


def create_serving_app(
    settings: Settings, model: ModelRef | str, *, poll_interval: float | None = None
) -> FastAPI:
    """The FastAPI app serving one registered model.

    Args:
        settings: where the registry is, request limits, the poll interval.
        model: ``name``, ``name@alias`` or ``name:version``.
        poll_interval: seconds between registry checks (default: the setting).
    """
    ref = parse_model_ref(model) if isinstance(model, str) else model
    metrics = ServingMetrics()
    state = ServingState(
        ref=ref,
        config=tracking_config(settings),
        settings=settings,
        poll_interval=poll_interval or settings.serving_poll_interval,
        metrics=metrics,
        batcher=MicroBatcher(
            max_records=settings.serving_max_batch, on_batch=metrics.batch_records.observe
        ),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.batcher.start()
        state.tasks.append(asyncio.create_task(_keep_loaded(state), name="odp-serving-loader"))
        try:
            yield
        finally:
            for task in state.tasks:
                task.cancel()
            for task in state.tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await state.batcher.stop()

    app = FastAPI(
        title=f"ODP model server: {ref}",
        version="1",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.serving = state

    @app.get("/health")
    async def health() -> dict[str, str]:
        """The process is up (the model may still be loading)."""
        return {"status": "ok"}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        """200 once the model is loaded, 503 before."""
        served = state.served
        if served is None:
            return JSONResponse(
                {"ready": False, "model": str(ref), "error": state.last_error}, status_code=503
            )
        return JSONResponse(
            {"ready": True, "model": served.model.name, "version": served.model.version}
        )

    @app.get("/metadata")
    async def metadata() -> JSONResponse:
        """What is served: name, version, alias, signature, metrics."""
        served = state.served
        if served is None:
            return _not_ready(state)
        info = served.model.info
        return JSONResponse(
            {
                "name": info.name,
                "version": info.version,
                "alias": ref.alias,
                "ref": str(ref),
                "aliases": info.aliases,
                "run_id": info.run_id,
                "task": info.task,
                "target": info.target,
                "classes": [str(c) for c in served.model.classes],
                "signature": served.model.signature,
                "metrics": info.metrics,
                "loaded_at": served.loaded_at.isoformat(),
            }
        )

    @app.get("/metrics")
    async def prometheus() -> Response:
        """Prometheus metrics: requests, latency, errors, batches, the served version."""
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    @app.post("/predict")
    async def predict(request: Request) -> Response:
        """Predict for records: a JSON list of objects, or {"records": [...]}."""
        started = time.perf_counter()
        status = 200
        try:
            response = await _predict(state, request)
            status = response.status_code
            return response
        finally:
            metrics.request_done("/predict", status, time.perf_counter() - started)

    return app


async def _predict(state: ServingState, request: Request) -> Response:
    served = state.served  # this request uses this model to the end, even if a reload swaps it
    if served is None:
        state.metrics.error("not_ready")
        return _not_ready(state)
    body = await request.body()
    model = served.model
    try:
        if served.validator is None:
            frame = _unchecked_frame(body)
        else:
            records = served.validator.validate_json(body)
            frame = served.validator.frame(records)
    except RecordsInvalid as e:
        state.metrics.error("invalid_input")
        return JSONResponse(
            {
                "error": e.message,
                "hint": e.hint,
                "problems": [p.as_dict() for p in e.problems],
            },
            status_code=422,
        )
    try:
        result = await state.batcher.predict(model, frame)
    except ModelError as e:
        state.metrics.error("model_error")
        _log.warning("prediction_failed", error=e.message)
        return JSONResponse({"error": e.message}, status_code=500)
    state.metrics.records.inc(len(frame))
    return Response(
        json.dumps(_answer(model, result), separators=(",", ":")), media_type="application/json"
    )


def _answer(model: LoadedModel, result: Predictions) -> dict[str, Any]:
    out: dict[str, Any] = {
        "model": {"name": model.name, "version": model.version},
        "predictions": result.labels.tolist(),
    }
    if result.probabilities is not None:
        classes = [str(c) for c in model.classes]
        out["probabilities"] = [
            dict(zip(classes, row, strict=True)) for row in result.probabilities.tolist()
        ]
    return out


def _unchecked_frame(body: bytes) -> Any:
    """Records for a model without a signature: passed on as they are."""
    import pandas as pd

    from odp.ml.records import RecordProblem

    try:
        data = json.loads(body)
    except ValueError as e:
        raise RecordsInvalid(
            [RecordProblem(None, None, f"the body is not valid JSON: {e}")]
        ) from None
    records = data.get("records") if isinstance(data, dict) else data
    if (
        not isinstance(records, list)
        or not records
        or not all(isinstance(r, dict) for r in records)
    ):
        raise RecordsInvalid(
            [
                RecordProblem(
                    None, None, 'the body must be a JSON list of records or {"records": [...]}'
                )
            ]
        )
    return pd.DataFrame.from_records(records)


def _not_ready(state: ServingState) -> JSONResponse:
    return JSONResponse(
        {"error": f"model {state.ref} is not loaded yet", "detail": state.last_error},
        status_code=503,
        headers={"Retry-After": str(max(1, round(state.poll_interval)))},
    )


async def _keep_loaded(state: ServingState) -> None:
    """Load the model, then (when it follows an alias or the latest version) watch for moves."""
    while state.served is None:
        try:
            served = await asyncio.to_thread(state.load)
            state.swap(served)
            _log.info("model_loaded", model=str(state.ref), version=served.model.version)
        except Exception as e:  # keep trying: the registry or the model may appear later
            state.last_error = str(e)
            state.metrics.reload("failed")
            _log.warning("model_load_failed", model=str(state.ref), error=str(e))
            await asyncio.sleep(state.poll_interval)
    if not state.follows:
        return
    while True:
        await asyncio.sleep(state.poll_interval)
        await _refresh(state)


async def _refresh(state: ServingState) -> None:
    """Swap in the version the alias points at now, if it moved."""
    served = state.served
    assert served is not None
    try:
        version = await asyncio.to_thread(state.current_version)
        if version == served.model.version:
            return
        fresh = await asyncio.to_thread(state.load, version)
    except Exception as e:  # the old model keeps serving; try again at the next poll
        state.last_error = str(e)
        state.metrics.reload("failed")
        _log.warning("model_reload_failed", model=str(state.ref), error=str(e))
        return
    state.swap(fresh)
    state.metrics.reload("ok")
    _log.info(
        "model_reloaded", model=str(state.ref), old=served.model.version, new=fresh.model.version
    )
