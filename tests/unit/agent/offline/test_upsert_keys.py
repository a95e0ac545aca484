"""An upsert's key said next to its table: the table keeps its name, the key is the key."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import step, validate


@pytest.mark.parametrize(
    ("said", "key"),
    [
        ("upsert into the orders table (key order_id) at sqlite:///out/shop.db", ["order_id"]),
        (
            "upsert into the orders table at sqlite:///out/shop.db with primary key shop_id "
            "and order_id",
            ["shop_id", "order_id"],
        ),
        (
            "upsert them into the orders table of sqlite:///out/shop.db, key is order_id",
            ["order_id"],
        ),
    ],
)
def test_the_key_beside_the_table(
    planner: OfflinePlanner, catalog: Catalog, said: str, key: list[str]
) -> None:
    draft = planner.plan(f"read data/orders.csv and {said}")
    params = step(draft, "sql.table.write")
    assert (params["table"], params["mode"], params["key"]) == ("orders", "upsert", key)
    assert validate(draft, catalog).ok


def test_a_table_named_after_the_word_table(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read data/orders.csv and append it to table orders_2026 in sqlite:///x.db"
    )
    assert step(draft, "sql.table.write")["table"] == "orders_2026"
