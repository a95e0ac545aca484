"""Joins: keys named differently on each side, rows with no match on the other side."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from tests.unit.agent.offline.conftest import methods, step


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


@pytest.mark.parametrize(
    "request_",
    [
        "read data/shops.csv and data/visits.csv, the shops with no visits, the key is shop_id",
        "read data/shops.csv and data/visits.csv; shops without any visit, join key: shop_id",
        "read data/shops.csv and data/visits.csv. shops that never got a visit? match on shop_id",
        "read data/visits.csv and data/shops.csv. shops that have no visits, keyed by shop_id",
    ],
)
def test_rows_with_no_match_on_the_other_side(planner: OfflinePlanner, request_: str) -> None:
    join = step(planner.plan(request_), "data.rows.join")
    assert join == {
        "left": "{{ shops.data }}",
        "right": "{{ visits.data }}",
        "on": "shop_id",
        "how": "anti",
    }


def test_no_join_without_two_datasets_or_a_key(planner: OfflinePlanner) -> None:
    assert methods(planner.plan("read data/a.csv, rows with no email")) == ["file.csv.read"]
    assert "data.rows.join" not in methods(
        planner.plan("read data/a.csv and data/b.csv, the ones with no email")
    )


@pytest.mark.parametrize(
    ("request_", "keys"),
    [
        (
            "read data/tickets.csv and data/agents.csv, match tickets.assignee_id to agents.id",
            {"left_on": "assignee_id", "right_on": "id"},
        ),
        (
            "read data/tickets.csv and data/agents.csv; agents.id = tickets.assignee_id",
            {"left_on": "assignee_id", "right_on": "id"},
        ),
        ("read data/tickets.csv and data/agents.csv, tickets.team == agents.team", {"on": "team"}),
    ],
)
def test_a_key_given_as_table_dot_column_on_each_side(
    planner: OfflinePlanner, request_: str, keys: dict[str, str]
) -> None:
    join = step(planner.plan(request_), "data.rows.join")
    assert join == {"left": "{{ tickets.data }}", "right": "{{ agents.data }}", **keys}


def test_a_dotted_name_alone_is_no_join(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv and data/b.csv, keep a.x > 3")
    assert "data.rows.join" not in methods(draft)
