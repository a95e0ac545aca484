"""The step activity: one method run inside ODP's user-code boundary.

Method code runs behind one boundary that turns every exception into an
``ApplicationError`` saying whether a retry can help (dagster's user-code boundary,
Temporal's ``non_retryable``).

Lifecycle events are published from here (never from workflow code): ``run_step``
publishes its step's events without waiting for Redis, and a step of the run's first wave
publishes the run's start before them, waiting a bounded time for its delivery (so that no
later step's event, from whichever worker, comes before it). ``publish_lifecycle`` (a local
activity of the workflow) publishes the run's end. The end carries every completed step's
``step.completed`` again (the same ids: Redis keeps one of each) and waits a bounded time
for delivery, so a run's last event comes after all of its steps'. Publishing never fails
a step; a step says in its output whether its worker publishes events, and a run whose
steps' workers publish none (nor its submitter) publishes no end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pydantic
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from odp.artifacts import ArtifactStore
from odp.catalog import Catalog, MethodContext, MethodSpec
from odp.config import Settings
from odp.engine.cache import StepCache, cache_key
from odp.engine.lifecycle import (
    lifecycle_events,
    run_started,
    step_completed,
    step_failure,
    step_started,
)
from odp.engine.models import MAX_OUTPUT_BYTES, LifecycleInput, StepInput, StepOutput
from odp.engine.secrets import Secrets, mask
from odp.engine.workflows import PUBLISH_LIFECYCLE, RUN_STEP
from odp.errors import ArtifactNotFoundError, ClientError, MethodError, ODPError
from odp.events import Event, EventPublisher

__all__ = ["StepActivities"]

_log = structlog.stdlib.get_logger("odp.engine")


class StepActivities:
    """The activities a worker registers; holds what they share (catalog, settings).

    Args:
        catalog: the methods this worker can run.
        settings: addresses of outside services, the artifact store's root, secrets file.
        publisher: where lifecycle events go (None: nowhere).
    """

    def __init__(
        self, catalog: Catalog, settings: Settings, publisher: EventPublisher | None = None
    ) -> None:
        self.catalog = catalog
        self.settings = settings
        self.secrets = Secrets(settings.secrets_file)
        self.publisher = publisher or EventPublisher(None)
        self._stores: dict[str, ArtifactStore] = {}

    def store(self, workspace: str) -> ArtifactStore:
        """The artifact store of a workspace (one per workspace per worker)."""
        if workspace not in self._stores:
            self._stores[workspace] = ArtifactStore(
                self.settings.artifacts_root, workspace=workspace
            )
        return self._stores[workspace]

    @activity.defn(name=RUN_STEP)
    async def run_step(self, data: StepInput) -> StepOutput:
        """Run one step: resolve secrets, check params, use the cache, call the method."""
        info = activity.info()
        step = data.step
        events = self.publisher.enabled
        with structlog.contextvars.bound_contextvars(
            run_id=data.run_id, step=step.name, method=step.method, workspace=data.workspace
        ):
            if events:
                # the run's start (first wave only) is awaited; the step's own events are
                # not: the run's end is published after them (module doc)
                await self._publish_all(run_started(data))
                await self.publisher.publish(step_started(data), wait=0)
            try:
                out = await self._run(data, info.attempt)
            except ApplicationError as e:
                if events:
                    await self.publisher.publish(step_failure(data, e))
                raise
            if events:
                await self.publisher.publish(step_completed(data, out), wait=0)
                out.events = True
            return out

    @activity.defn(name=PUBLISH_LIFECYCLE)
    async def publish_lifecycle(self, data: LifecycleInput) -> None:
        """Publish a run's start or end (the workflow runs this as a local activity)."""
        if self.publisher.enabled:
            await self._publish_all(lifecycle_events(data))

    async def _publish_all(self, events: list[Event]) -> None:
        """Publish events in order, waiting (a bounded time) until all are stored."""
        for i, event in enumerate(events):  # waiting for the last one waits for them all
            await self.publisher.publish(event, wait=None if i == len(events) - 1 else 0)

    async def _run(self, data: StepInput, attempt: int) -> StepOutput:
        step = data.step
        started = time.perf_counter()
        spec = self._spec(step.method, attempt)
        secret_values: list[str] = []
        try:
            params, secret_values = self.secrets.resolve(data.params, data.deferred)
            store = self.store(data.workspace)
            cache = StepCache(store) if data.use_cache else None
            key = (
                cache_key(
                    spec.id,
                    spec.version,
                    {"params": data.params, "materialize": step.materialize},
                    secret_values,
                )
                if cache
                else None
            )
            if cache is not None and key is not None:
                cached = await asyncio.to_thread(cache.get, key)
                if cached is not None:
                    _log.info("step_cache_hit", key=key[:16])
                    return StepOutput(
                        output=cached,
                        cache_hit=True,
                        cache_key=key,
                        attempt=attempt,
                        duration_s=time.perf_counter() - started,
                        rows=_rows(cached),
                    )
            try:
                typed = spec.params_model.model_validate(params)
            except pydantic.ValidationError as e:
                raise _invalid_params(step.name, e, attempt) from None
            ctx = MethodContext(
                run_id=data.run_id,
                step=step.name,
                method_id=spec.id,
                store=store,
                settings=self.settings,
                workspace=data.workspace,
                attempt=attempt,
                heartbeat=_thread_safe_heartbeat(),
                log=_log.bind(),
                materialize=step.materialize,
            )
            _log.info("step_started", attempt=attempt)
            async with _heartbeating():
                result = await spec.impl(typed, ctx)
            output = _masked(_check_output(spec, step.name, result, attempt), secret_values)
            if cache is not None and key is not None:
                await asyncio.to_thread(cache.put, key, output)
            duration = time.perf_counter() - started
            _log.info("step_completed", attempt=attempt, duration_s=round(duration, 3))
            return StepOutput(
                output=output,
                cache_key=key,
                attempt=attempt,
                duration_s=duration,
                rows=_rows(output),
            )
        except ApplicationError:
            raise
        except asyncio.CancelledError:
            _log.info("step_cancelled", attempt=attempt)
            raise
        except BaseException as e:
            raise _boundary(e, attempt, secret_values) from None

    def _spec(self, method_id: str, attempt: int) -> MethodSpec[Any, Any]:
        spec = self.catalog.find(method_id)
        if spec is None:
            raise ApplicationError(
                f"this worker does not know the method {method_id!r}",
                {"attempt": attempt, "hint": "install the plugin that provides it on every worker"},
                type="UnknownMethod",
                non_retryable=True,
            )
        reason = spec.unavailable_reason
        if reason is not None:
            raise ApplicationError(
                f"{method_id} cannot run on this worker: {reason}",
                {"attempt": attempt, "hint": reason},
                type="MethodUnavailable",
                non_retryable=True,
            )
        return spec


def _thread_safe_heartbeat() -> Callable[..., None]:
    """``activity.heartbeat`` that may also be called from threads (``in_thread`` work)."""
    loop = asyncio.get_running_loop()
    owner = threading.get_ident()
    local = activity.info().is_local  # local activities do not heartbeat

    def beat(*details: Any) -> None:
        if local:
            return
        if threading.get_ident() == owner:
            activity.heartbeat(*details)
        else:  # the thread carries the activity's context; the loop must send the beat
            loop.call_soon_threadsafe(activity.heartbeat, *details)

    return beat


@contextlib.asynccontextmanager
async def _heartbeating(every: float = 2.0) -> AsyncIterator[None]:
    """Heartbeat while the method runs, so that a dead worker is noticed quickly.

    Beats come every ``every`` seconds, or three times per heartbeat timeout when that is
    shorter; the first comes after one interval, so a short step costs the server none.
    """
    info = activity.info()
    if info.is_local:  # noticed through the workflow task timeout instead
        yield
        return
    timeout = info.heartbeat_timeout.total_seconds() if info.heartbeat_timeout else math.inf
    every = min(every, timeout / 3)

    async def beat() -> None:
        while True:
            await asyncio.sleep(every)
            activity.heartbeat()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _masked(value: Any, secrets: list[str]) -> Any:
    """The output with every secret value replaced by ``***`` (it goes into history)."""
    if not secrets:
        return value
    if isinstance(value, str):
        return mask(value, secrets)
    if isinstance(value, dict):
        return {k: _masked(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, secrets) for v in value]
    return value


def _rows(output: dict[str, Any]) -> int | None:
    data = output.get("data")
    if isinstance(data, dict) and isinstance(data.get("rows"), int):
        return int(data["rows"])
    return None


def _check_output(
    spec: MethodSpec[Any, Any], step: str, result: Any, attempt: int
) -> dict[str, Any]:
    """Validate a method's output against its model and refuse outputs too big for history."""
    try:
        model = spec.output_model.model_validate(
            result.model_dump() if isinstance(result, pydantic.BaseModel) else result
        )
    except pydantic.ValidationError as e:
        raise ApplicationError(
            f"{spec.id} returned an output that does not match its output model: "
            f"{e.errors()[0]['msg']}",
            {"attempt": attempt, "hint": "this is a bug in the method"},
            type="InvalidOutput",
            non_retryable=True,
        ) from None
    output: dict[str, Any] = model.model_dump(mode="json")
    size = len(json.dumps(output, separators=(",", ":")).encode())
    if size > MAX_OUTPUT_BYTES:
        raise ApplicationError(
            f"step {step!r} returned {size / 1024:.0f} KiB, more than the "
            f"{MAX_OUTPUT_BYTES // 1024} KiB a step may put into workflow history",
            {
                "attempt": attempt,
                "hint": "return rows as a dataset (DatasetRef) in the artifact store instead",
            },
            type="OutputTooLarge",
            non_retryable=True,
        )
    return output


def _invalid_params(step: str, e: pydantic.ValidationError, attempt: int) -> ApplicationError:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'params'}: {err['msg']}" for err in e.errors()
    )
    return ApplicationError(
        f"invalid params for step {step!r}: {problems}",
        {"attempt": attempt, "hint": "check the params against `odp methods show`"},
        type="InvalidParams",
        non_retryable=True,
    )


def _boundary(e: BaseException, attempt: int, secrets: list[str]) -> ApplicationError:
    """Turn any exception from method code into an ApplicationError."""
    text = e.message if isinstance(e, ODPError) else str(e)
    message = mask(text or type(e).__name__, secrets)
    hint = mask(e.hint, secrets) if isinstance(e, ODPError) and e.hint else None
    details: dict[str, Any] = {"attempt": attempt, "hint": hint}
    if isinstance(e, MethodError):
        details["field"] = e.field
        retryable = e.retryable
        kind = "MethodError"
    elif isinstance(e, ClientError):
        retryable = e.retryable
        kind = type(e).__name__
    elif isinstance(e, ArtifactNotFoundError):
        retryable = False
        kind = "ArtifactNotFound"
    elif isinstance(e, ODPError):
        retryable = False
        kind = type(e).__name__
    elif isinstance(e, pydantic.ValidationError):
        retryable = False
        kind = "ValidationError"
    else:
        # an unexpected error may be transient (a full disk, a flaky driver): retry it
        retryable = True
        kind = type(e).__name__
        _log.warning("step_unexpected_error", error_type=kind, error=message, attempt=attempt)
    details["retryable"] = retryable
    _log.info(
        "step_attempt_failed", attempt=attempt, error_type=kind, error=message, retryable=retryable
    )
    return ApplicationError(message, details, type=kind, non_retryable=not retryable)
