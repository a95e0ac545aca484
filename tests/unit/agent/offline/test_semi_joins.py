"""The rows with a match on the other side: a semi join, maybe asked before both are read."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


@pytest.mark.parametrize(
    "request_",
    [
        "which products in data/p.csv sold anything? sales are in data/s.parquet, key is sku",
        "read data/p.csv and data/s.parquet, the products that had at least one sale, on sku",
        "read data/p.csv and data/s.parquet, keep products appearing in the sales, match on sku",
    ],
)
def test_rows_with_a_match_are_a_semi_join(
    planner: OfflinePlanner, catalog: Catalog, request_: str
) -> None:
    draft = planner.plan(f"{request_}. write them to out/sold.csv")
    assert methods(draft) == [
        "file.csv.read",
        "file.parquet.read",
        "data.rows.join",
        "file.csv.write",
    ]
    assert step(draft, "data.rows.join") == {
        "left": "{{ p.data }}",
        "right": "{{ s.data }}",
        "on": "sku",
        "how": "semi",
    }
    assert step(draft, "file.csv.write")["data"] == "{{ joined.data }}"
    assert validate(draft, catalog).ok


def test_rows_with_no_match_are_still_an_anti_join(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/p.csv and data/s.parquet, products that have no sale, on sku")
    assert step(draft, "data.rows.join")["how"] == "anti"


def test_a_join_asked_with_one_dataset_only_is_not_drafted(planner: OfflinePlanner) -> None:
    draft = planner.plan("which products in data/p.csv sold anything? key is sku")
    assert methods(draft) == ["file.csv.read"]


def test_a_join_asked_last_is_drafted_at_the_end(planner: OfflinePlanner) -> None:
    draft = planner.plan("which products sold anything, on sku? read data/p.csv and data/s.csv")
    assert step(draft, "data.rows.join")["how"] == "semi"
