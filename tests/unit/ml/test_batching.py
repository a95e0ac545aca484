"""The micro-batcher on its own, with a stand-in model (the real one is tested over HTTP)."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pandas as pd
import pytest

from odp.errors import ModelError
from odp.ml.batching import MicroBatcher
from odp.ml.loaded import Predictions


class Doubling:
    """Doubles column x; refuses frames holding a negative x; records its calls."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict(self, frame: Any) -> Predictions:
        self.calls.append(len(frame))
        if (frame["x"] < 0).any():
            raise ModelError("negative x")
        return Predictions(frame["x"].to_numpy() * 2, np.ones((len(frame), 1)))


async def test_queued_requests_share_a_call_and_get_their_own_rows() -> None:
    model = Doubling()
    sizes: list[int] = []
    batcher = MicroBatcher(max_records=1000, on_batch=sizes.append)
    batcher.start()
    try:
        results = await asyncio.gather(
            *(batcher.predict(model, pd.DataFrame({"x": [i, i + 100]})) for i in range(20))  # type: ignore[arg-type]
        )
    finally:
        await batcher.stop()
    assert [r.labels.tolist() for r in results] == [[2 * i, 2 * i + 200] for i in range(20)]
    assert all(r.probabilities is not None and r.probabilities.shape == (2, 1) for r in results)
    assert sum(model.calls) == 40
    assert len(model.calls) < 20  # queued requests were gathered
    assert sizes == model.calls


async def test_a_failing_request_does_not_fail_the_others_in_its_call() -> None:
    model = Doubling()
    batcher = MicroBatcher(max_records=1000)
    batcher.start()
    try:
        frames = [pd.DataFrame({"x": [v]}) for v in (1, -1, 2, 3)]
        results = await asyncio.gather(
            *(batcher.predict(model, f) for f in frames),  # type: ignore[arg-type]
            return_exceptions=True,
        )
    finally:
        await batcher.stop()
    assert isinstance(results[1], ModelError)
    assert [r.labels.tolist() for i, r in enumerate(results) if i != 1] == [[2], [4], [6]]  # type: ignore[union-attr]


async def test_a_call_takes_at_most_max_records_and_never_mixes_models() -> None:
    first, second = Doubling(), Doubling()
    batcher = MicroBatcher(max_records=3)
    batcher.start()
    try:
        jobs = [batcher.predict(first, pd.DataFrame({"x": [i]})) for i in range(5)]  # type: ignore[arg-type]
        jobs += [batcher.predict(second, pd.DataFrame({"x": [i]})) for i in range(2)]  # type: ignore[arg-type]
        await asyncio.gather(*jobs)
    finally:
        await batcher.stop()
    assert max(first.calls) <= 3 and sum(first.calls) == 5
    assert sum(second.calls) == 2


async def test_stopping_cancels_what_is_queued() -> None:
    batcher = MicroBatcher(max_records=10)  # never started: nothing is taken off the queue
    waiting = asyncio.create_task(batcher.predict(Doubling(), pd.DataFrame({"x": [1]})))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    await batcher.stop()
    with pytest.raises(asyncio.CancelledError):
        await waiting
