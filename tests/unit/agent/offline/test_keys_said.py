"""Joins whose keys are said in words: shared by both sides, pointing, or showing up."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_a_key_that_points_to_the_other_side(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "attach customer details to data/orders.csv, customers live in data/customers.parquet "
        "and an order's cust_ref points to the customer's id; write out/orders_enriched.parquet"
    )
    assert methods(draft) == [
        "file.csv.read",  # `attach ... to data/orders.csv`: read, not written
        "file.parquet.read",
        "data.rows.join",
        "file.parquet.write",
    ]
    assert step(draft, "data.rows.join") == {
        "left": "{{ orders.data }}",
        "right": "{{ customers.data }}",
        "left_on": "cust_ref",
        "right_on": "id",
    }
    assert step(draft, "file.parquet.write")["data"] == "{{ joined.data }}"
    assert validate(draft, catalog).ok


def test_the_side_whose_key_points_is_kept_on_the_left(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read data/teams.csv and data/players.csv; each player's team_ref refers to the "
        "team's code. save to out/rosters.csv"
    )
    assert step(draft, "data.rows.join") == {
        "left": "{{ players.data }}",
        "right": "{{ teams.data }}",
        "left_on": "team_ref",
        "right_on": "code",
    }


@pytest.mark.parametrize(
    "said",
    ["haven't placed any order", "have not ordered at all", "did not order anything"],
)
def test_a_key_both_sides_have_and_rows_without_a_match(
    planner: OfflinePlanner, catalog: Catalog, said: str
) -> None:
    draft = planner.plan(
        f"which accounts in data/accounts.csv {said}? orders are in data/orders.jsonl; "
        "both tables have account_id. write them to out/no_orders.csv"
    )
    assert step(draft, "data.rows.join") == {
        "left": "{{ accounts.data }}",
        "right": "{{ orders.data }}",
        "on": "account_id",
        "how": "anti",
    }
    assert step(draft, "file.csv.write")["data"] == "{{ joined.data }}"
    assert validate(draft, catalog).ok


def test_a_key_that_shows_up_in_a_column_of_the_other_side(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "from data/products.parquet keep only the products whose sku shows up in the code "
        "column of data/stock.csv, save to out/in_stock.parquet"
    )
    assert methods(draft) == [
        "file.parquet.read",
        "file.csv.read",
        "data.rows.join",
        "file.parquet.write",
    ]
    assert step(draft, "data.rows.join") == {
        "left": "{{ products.data }}",
        "right": "{{ stock.data }}",
        "left_on": "sku",
        "right_on": "code",
        "how": "semi",
    }
    assert validate(draft, catalog).ok


@pytest.mark.parametrize("path", ["out/tariffs.csv", "data/tariffs.csv"])
def test_adding_rows_to_a_file_writes_it(planner: OfflinePlanner, path: str) -> None:
    draft = planner.plan(f"search news about tariffs and add the articles to {path}")
    assert methods(draft) == ["news.articles.search", "file.csv.write"]
    assert step(draft, "file.csv.write")["path"] == path


def test_adding_details_to_an_output_file_writes_it(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv and add the region details to out/a.csv")
    assert methods(draft) == ["file.csv.read", "file.csv.write"]
