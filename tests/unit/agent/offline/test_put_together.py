"""`Put ... together` combines the datasets it names: they are read, not written."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


@pytest.mark.parametrize(
    "request_",
    [
        "put the north and south store orders together (data/north.csv, data/south.csv) "
        "and save them to out/orders.csv",
        "put data/north.csv and data/south.csv together, then write out/orders.csv",
    ],
)
def test_put_together_reads_both_and_unions_them(
    planner: OfflinePlanner, catalog: Catalog, request_: str
) -> None:
    draft = planner.plan(request_)
    assert methods(draft) == ["file.csv.read", "file.csv.read", "data.sql.query", "file.csv.write"]
    assert "UNION ALL" in step(draft, "data.sql.query")["query"]
    assert step(draft, "file.csv.write")["path"] == "out/orders.csv"
    assert validate(draft, catalog).ok


def test_put_alone_still_writes(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/north.csv and put it in out/north.parquet")
    assert methods(draft) == ["file.csv.read", "file.parquet.write"]
