"""Gathering concurrent prediction requests into one model call.

Requests queue up while the model is busy with the previous call; the next call takes
everything queued (up to ``max_records``) for the same model, so under load many small
requests cost one vectorised prediction, and an idle server adds no waiting at all.
The model runs in a worker thread; the event loop keeps accepting requests meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from odp.ml.loaded import LoadedModel, Predictions

__all__ = ["MicroBatcher"]


@dataclass(slots=True)
class _Job:
    model: LoadedModel
    frame: Any  # a pandas frame of the model's inputs
    future: asyncio.Future[Predictions] = field(repr=False)

    @property
    def rows(self) -> int:
        return len(self.frame)


class MicroBatcher:
    """Runs predictions one call at a time, each call on every request queued so far.

    Args:
        max_records: the most records one model call takes.
        on_batch: called with the number of records of each model call (for metrics).
    """

    def __init__(self, *, max_records: int, on_batch: Callable[[int], None] | None = None) -> None:
        self.max_records = max_records
        self.on_batch = on_batch
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._held: _Job | None = None  # a job for another model, first in the next call
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the worker task (in the running event loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="odp-serving-batcher")

    async def stop(self) -> None:
        """Stop the worker; queued requests fail with a cancellation."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for job in self._drain_all():
            if not job.future.done():
                job.future.cancel()

    async def predict(self, model: LoadedModel, frame: Any) -> Predictions:
        """Queue rows for ``model`` and wait for their predictions."""
        future: asyncio.Future[Predictions] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Job(model, frame, future))
        return await future

    async def _run(self) -> None:
        while True:
            first = self._held or await self._queue.get()
            self._held = None
            jobs = [first]
            rows = first.rows
            while rows < self.max_records and not self._queue.empty():
                job = self._queue.get_nowait()
                if job.model is not first.model:  # the model was reloaded meanwhile
                    self._held = job
                    break
                jobs.append(job)
                rows += job.rows
            jobs = [j for j in jobs if not j.future.done()]  # callers that gave up
            if jobs:
                await self._call(jobs)

    async def _call(self, jobs: list[_Job]) -> None:
        model = jobs[0].model
        try:
            if len(jobs) == 1:
                results = [await asyncio.to_thread(model.predict, jobs[0].frame)]
            else:
                results = await asyncio.to_thread(_predict_many, model, [j.frame for j in jobs])
        except Exception as e:
            if len(jobs) > 1:  # keep one request's failure from failing the others
                for job in jobs:
                    await self._call([job])
                return
            _settle(jobs[0].future, error=e)
            return
        if self.on_batch is not None:
            self.on_batch(sum(j.rows for j in jobs))
        for job, result in zip(jobs, results, strict=True):
            _settle(job.future, result=result)

    def _drain_all(self) -> list[_Job]:
        jobs = [self._held] if self._held is not None else []
        self._held = None
        while not self._queue.empty():
            jobs.append(self._queue.get_nowait())
        return jobs


def _predict_many(model: LoadedModel, frames: list[Any]) -> list[Predictions]:
    import pandas as pd

    together = model.predict(pd.concat(frames, ignore_index=True))
    bounds = np.cumsum([0, *[len(f) for f in frames]])
    return [
        Predictions(
            together.labels[start:end],
            together.probabilities[start:end] if together.probabilities is not None else None,
        )
        for start, end in itertools.pairwise(bounds.tolist())
    ]


def _settle(
    future: asyncio.Future[Predictions],
    *,
    result: Predictions | None = None,
    error: BaseException | None = None,
) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    elif result is not None:
        future.set_result(result)
