"""Shapes batch 12 missed on its first run, said again in other words (dev d204-d214)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_the_press_is_the_news(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        'Danish-language press about "wind turbines", published since 3 March 2027 please'
    )
    assert step(draft, "news.articles.search") == {
        "query": "wind turbines",
        "lang": "da",
        "since": "2027-03-03",
    }
    covering = planner.plan("How is the press covering the Paris marathon? Take 300 articles")
    assert step(covering, "news.articles.search") == {
        "query": "Paris marathon",
        "max_results": 300,
    }
    assert validate(draft, catalog).ok


def test_counts_said_as_enough(planner: OfflinePlanner) -> None:
    draft = planner.plan('pull r/cycling threads mentioning "gravel bikes"? A hundred is plenty.')
    assert step(draft, "social.reddit.search")["max_results"] == 100
    capped = planner.plan("tweets about the city marathon (300 max)")
    assert step(capped, "social.twitter.search") == {"query": "city marathon", "max_results": 300}


def test_sql_ends_with_its_sentence(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "orders from sqlite:///data/shop.db: SELECT id, total FROM orders WHERE placed_at "
        "BETWEEN :a AND :b. bind a to 2027-01-01 and b to 2027-03-31"
    )
    assert step(draft, "sql.query.read")["params"] == {"a": "2027-01-01", "b": "2027-03-31"}
    assert validate(draft, catalog).ok


def test_a_header_shaped_around_a_secret(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "GET https://api.tracker.example.com/v1/tickets with query params status=open and "
        "per_page=50. Paging goes through the Link header, max 10 pages. Send an Authorization "
        "header 'token <t>' where t is the TRACKER_TOKEN secret."
    )
    assert methods(draft) == ["http.json.get"]  # `t is the ...` is no filter
    params = step(draft, "http.json.get")
    assert params["params"] == {"status": "open", "per_page": 50}  # not 50.0
    assert params["headers"] == {"Authorization": "token {{ secrets.TRACKER_TOKEN }}"}
    assert validate(draft, catalog).ok


def test_rows_per_post(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "tweets about the city marathon, sentiment, and POST the negative ones to "
        "https://hooks.example.com/care 50 at a time. the hook wants an Authorization header "
        "'Bearer <t>' with the token from the CARE_TOKEN secret"
    )
    post = step(draft, "http.webhook.post")
    assert post["batch_size"] == 50
    assert post["headers"] == {"Authorization": "Bearer {{ secrets.CARE_TOKEN }}"}
    assert validate(draft, catalog).ok


def test_newest_by_a_named_date(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "From data/ops/shifts.parquet rows with hours > 12, newest shift_date first"
    )
    assert step(draft, "data.rows.sort")["by"] == "shift_date"


def test_whose_value_is_not(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        'check https://status.example.com/api/services.json (the list is under "services") and '
        "POST every service whose state isn't 'up' to https://hooks.example.com/ops"
    )
    assert step(draft, "data.rows.filter")["where"] == "state != 'up'"
    assert validate(draft, catalog).ok


def test_columns_dropped_and_renamed(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "convert data/hr/staff.csv to parquet (out/staff_clean.parquet) but drop the salary and "
        "iban columns, and rename dob to birth_date"
    )
    assert step(draft, "data.rows.select") == {
        "data": "{{ staff.data }}",
        "exclude": ["salary", "iban"],
        "rename": {"dob": "birth_date"},
    }
    assert validate(draft, catalog).ok
    nothing = planner.plan("read data/a.csv and drop the rows with no email")
    assert "data.rows.select" not in methods(nothing)
    kept = planner.plan("read data/a.csv, remove the ssn column, save to out/a.csv")
    assert step(kept, "data.rows.select") == {"data": "{{ a.data }}", "exclude": ["ssn"]}


def test_two_queries_on_one_database_compared(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "drift check straight from the db (sqlite:///data/ml.db): reference = SELECT * FROM "
        "train_rows, current = SELECT * FROM live_rows WHERE day >= '2027-05-01'. Leave id, day "
        "and label out of the comparison, and write the results to out/drift_may.csv"
    )
    assert methods(draft) == [
        "sql.query.read",
        "sql.query.read",
        "ml.data.drift",
        "file.csv.write",
    ]
    assert step(draft, "ml.data.drift") == {
        "current": "{{ live_rows.data }}",
        "reference": "{{ train_rows.data }}",
        "exclude": ["id", "day", "label"],
    }
    assert validate(draft, catalog).ok


def test_upserting_on_a_key_is_no_second_write(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "sync members from https://api.club.example.com/v1/members into the members table of "
        "sqlite:///out/club.db, upserting on member_id. Records are in data.members"
    )
    assert methods(draft) == ["http.json.get", "sql.table.write"]
    assert step(draft, "sql.table.write")["key"] == ["member_id"]
    assert step(draft, "http.json.get")["records_path"] == "data.members"
    assert validate(draft, catalog).ok
