"""Samples: how many rows, however the count is written."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from tests.unit.agent.offline.conftest import step


@pytest.mark.parametrize(
    ("request_", "size"),
    [
        ("read data/e.parquet, a random 200-row sample of it", {"n": 200}),
        ("read data/e.parquet and sample 50 records", {"n": 50}),
        ("read data/e.parquet, give me a 30-item random sample", {"n": 30}),
        ("read data/e.parquet, a 10% sample", {"fraction": 0.1}),
    ],
)
def test_the_size_of_a_sample(
    planner: OfflinePlanner, request_: str, size: dict[str, float]
) -> None:
    assert step(planner.plan(request_), "data.rows.sample") == {"data": "{{ e.data }}", **size}
