"""A source found among the request's literals, and orders said after an aggregate."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, plan_with_defaults, step, validate


def test_a_database_named_alone_is_the_source(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan("sqlite:///data/x.db, the orders table, count rows per day")
    assert methods(draft) == ["sql.query.read", "data.rows.aggregate"]  # read, not written
    assert step(draft, "sql.query.read") == {
        "url": "sqlite:///data/x.db",
        "query": "SELECT * FROM orders",
    }
    assert validate(draft, catalog).ok


def test_a_database_with_its_query_quoted(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        'the items table of postgresql://db/x, "SELECT brand, price FROM items", avg price per brand'
    )
    assert step(draft, "sql.query.read")["query"] == "SELECT brand, price FROM items"


def test_a_database_with_no_query_asks_for_one(planner: OfflinePlanner) -> None:
    draft = planner.plan("postgresql://db/x -- average price per brand and region")
    assert [q.param for q in draft.questions] == ["query"]
    assert step(draft, "data.rows.aggregate")["group_by"] == ["brand", "region"]


def test_a_hook_named_alone_is_no_source(planner: OfflinePlanner) -> None:
    draft = planner.plan("https://hooks.example.org/things please")
    assert [q.param for q in draft.questions] == ["path"]


def test_a_table_copied_within_one_database_is_written(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "copy the orders table from sqlite:///a.db into the archive table of sqlite:///a.db"
    )
    assert step(draft, "sql.table.write")["table"] == "archive"


def test_the_order_of_an_aggregate_said_after_it(planner: OfflinePlanner) -> None:
    biggest = planner.plan("read data/sales.csv, total amount per region, biggest first")
    assert step(biggest, "data.rows.sort") == {
        "data": "{{ per_region.data }}",
        "by": "amount",
        "descending": True,
    }
    smallest = planner.plan("read data/sales.csv, count orders per region, smallest first")
    assert step(smallest, "data.rows.sort") == {"data": "{{ per_region.data }}", "by": "orders"}
    unsaid = planner.plan("read data/sales.csv, count orders per region, sorted nicely")
    assert "data.rows.sort" not in methods(unsaid)


def test_the_most_negative_first_is_the_lowest_mean_sentiment(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = plan_with_defaults(
        planner,
        "1000 reddit posts about layoffs. Per subreddit I want the number of posts and the "
        "mean sentiment, but only subs with at least 20 posts, most negative sub first. "
        "-> out/l.csv",
    )
    assert step(draft, "data.rows.sort") == {"data": "{{ kept.data }}", "by": "avg_sentiment"}
    assert validate(draft, catalog).ok
    least = planner.plan("search tweets about tea, score sentiment, least negative first")
    assert step(least, "data.rows.sort")["descending"] is True


def test_a_database_written_to_is_no_source(planner: OfflinePlanner) -> None:
    draft = planner.plan("save the results to the scores table of sqlite:///out/s.db")
    assert [q.param for q in draft.questions] == ["path"]
    unsaid = planner.plan("the orders table of sqlite:///a.db, nothing else")
    assert step(unsaid, "sql.query.read")["query"] == "SELECT * FROM orders"


def test_a_database_with_neither_table_nor_query(planner: OfflinePlanner) -> None:
    draft = planner.plan("sqlite:///a.db: a table, count its rows per day")
    assert [q.param for q in draft.questions] == ["query"]
