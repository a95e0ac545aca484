"""Joins: keys named differently on each side, rows with no match on the other side."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from tests.unit.agent.offline.conftest import step


def test_a_key_each_side_calls_differently(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "merge data/sales.csv with data/stores.csv, sales use store_ref and the stores "
        "file names it code"
    )
    join = step(draft, "data.rows.join")
    assert (join["left_on"], join["right_on"]) == ("store_ref", "code")
    assert "on" not in join
    later = planner.plan(
        "read data/a.csv and data/b.csv and join them. a has the column uid; b calls it user"
    )
    assert (
        step(later, "data.rows.join")["left_on"],
        step(later, "data.rows.join")["right_on"],
    ) == (
        "uid",
        "user",
    )
