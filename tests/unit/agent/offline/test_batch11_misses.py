"""Shapes batch 11 missed on its first run, said again in other words (dev d192-d203)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.clauses import read_request, split_names
from odp.agent.offline.intents import clause_intents
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_a_key_named_store_id_is_no_write(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "join data/shop/sales_weekly.parquet with data/shop/shops.csv on store_id, then fit a "
        "random forest regressor for revenue. store_id and week_start are not features. "
        "register it as revenue_rf"
    )
    assert methods(draft) == [
        "file.parquet.read",
        "file.csv.read",
        "data.rows.join",
        "ml.model.train",
    ]
    train = step(draft, "ml.model.train")
    assert train["exclude"] == ["store_id", "week_start"]  # not `revenue`: another sentence
    assert train["model_name"] == "revenue_rf"
    assert validate(draft, catalog).ok


def test_a_count_and_a_start_said_after_the_search(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "what is reddit saying about the steam deck 2? last 300 posts, nothing older than "
        "June 1st 2027"
    )
    assert step(draft, "social.reddit.search") == {
        "query": "steam deck 2",
        "max_results": 300,
        "since": "2027-06-01",
    }
    them = planner.plan("r/homelab threads about proxmox clusters, 150 of them")
    # the topic's `clusters` asks for no clustering
    assert methods(them) == ["social.reddit.search"]
    assert step(them, "social.reddit.search")["max_results"] == 150
    capped = planner.plan("tweets about acme air since 2027-05-01 (1500 max)")
    assert step(capped, "social.twitter.search")["max_results"] == 1500  # not the day's 01
    assert validate(draft, catalog).ok


def test_a_bound_param_said_as_bound_to(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "pull rows from sqlite:///data/hr.db -- SELECT name, salary FROM staff WHERE hired_at > "
        ":start, with start bound to 2026-01-01"
    )
    assert step(draft, "sql.query.read") == {
        "url": "sqlite:///data/hr.db",
        "query": "SELECT name, salary FROM staff WHERE hired_at > :start",
        "params": {"start": "2026-01-01"},
    }
    assert validate(draft, catalog).ok


def test_email_addresses_are_extracted(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "data/support/tickets.jsonl - get the email adresses and links out of the message "
        "field, save to out/ticket_contacts.parquet"
    )
    extract = step(draft, "nlp.text.extract")
    assert sorted(extract["kinds"]) == ["emails", "urls"]
    assert extract["column"] == "message"
    assert validate(draft, catalog).ok


def test_a_dedupe_on_two_keys_said_after_the_duplicates(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "events in data/app/clicks.csv are duplicated: keep the first row per (session_id, "
        "click_id), then a 10% sample with seed 42 into out/clicks_sample.csv"
    )
    assert methods(draft) == [
        "file.csv.read",
        "data.rows.dedupe",
        "data.rows.sample",
        "file.csv.write",
    ]
    assert step(draft, "data.rows.dedupe")["on"] == ["session_id", "click_id"]
    assert step(draft, "data.rows.sample") == {
        "data": "{{ unique.data }}",
        "fraction": 0.1,
        "seed": 42,
    }
    assert validate(draft, catalog).ok


def test_the_text_column_said_after_the_file(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "reviews are in data/reviews/app_2027.csv, column review_body. score the sentiment"
    )
    assert step(draft, "nlp.text.sentiment")["column"] == "review_body"
    assert validate(draft, catalog).ok


def test_files_with_the_same_columns_are_stacked(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "two exports, data/crm/leads_a.csv and data/crm/leads_b.csv (same columns). stack them, "
        "one row per email, and write to out/all_leads.csv"
    )
    assert methods(draft) == [
        "file.csv.read",
        "file.csv.read",
        "data.sql.query",
        "data.rows.dedupe",
        "file.csv.write",
    ]
    assert "UNION ALL" in step(draft, "data.sql.query")["query"]
    assert validate(draft, catalog).ok


def test_a_search_for_each_language_stacked(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "french and spanish news about the tour de france, 50 articles per language, stacked "
        "into one table with just id, title and url -> out/tdf_news.csv"
    )
    assert methods(draft) == [
        "news.articles.search",
        "news.articles.search",
        "data.sql.query",
        "file.csv.write",
    ]
    searches = draft.pipeline["sources"]
    assert [(s["name"], s["params"]["lang"], s["params"]["max_results"]) for s in searches] == [
        ("french", "fr", 50),
        ("spanish", "es", 50),
    ]
    assert step(draft, "data.sql.query")["query"] == (
        "SELECT id, title, url FROM french UNION ALL SELECT id, title, url FROM spanish"
    )
    assert validate(draft, catalog).ok


def test_conditions_written_out_and_the_cheapest_first(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "from data/hotels/rooms.csv: Porto rooms (city = 'Porto') under 90 EUR a night "
        "(rate_eur), cheapest first, then keep just room_id, rate_eur and stars with rate_eur "
        "renamed to nightly_rate. -> out/porto_rooms.csv"
    )
    assert methods(draft) == [
        "file.csv.read",
        "data.rows.filter",
        "data.rows.sort",
        "data.rows.select",
        "file.csv.write",
    ]
    assert step(draft, "data.rows.filter")["where"] == "city = 'Porto' AND rate_eur < 90"
    assert step(draft, "data.rows.sort")["by"] == "rate_eur"
    select = step(draft, "data.rows.select")
    assert select["columns"] == ["room_id", "rate_eur", "stars"]
    assert select["rename"] == {"rate_eur": "nightly_rate"}
    assert validate(draft, catalog).ok


def test_the_priciest_first_without_a_price_column(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/cars.csv, priciest first")
    assert step(draft, "data.rows.sort") == {
        "data": "{{ cars.data }}",
        "by": "price",
        "descending": True,
    }


def test_columns_read_from_a_file(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan("read data/lake/orders_2027.parquet but only order_id, status and total")
    assert methods(draft) == ["file.parquet.read"]  # `total` is a column, not a sum
    assert step(draft, "file.parquet.read")["columns"] == ["order_id", "status", "total"]
    apart = planner.plan("read data/people.csv and keep only the columns name, email and city")
    assert methods(apart) == ["file.csv.read", "data.rows.select"]
    assert validate(draft, catalog).ok


def test_a_condition_said_precisely_joins_the_filter(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "from data/shop/orders.csv, the cancelled orders (status = 'cancelled') of 2027, i.e. "
        "created_at >= '2027-01-01', saved as out/cancelled_2027.csv"
    )
    assert step(draft, "data.rows.filter")["where"] == (
        "status = 'cancelled' AND created_at >= '2027-01-01'"
    )
    assert validate(draft, catalog).ok


def test_settings_and_paths_are_no_comparisons() -> None:
    request = read_request(
        "train a model on a.csv, C=0.5, reference = data/ref.parquet, retries > 0 please"
    )
    kinds = [[i.kind for i in clause_intents(c, request)] for c in request.clauses]
    assert kinds == [["source", "train"], [], ["source"], ["filter"]]


def test_drift_columns_said_as_a_list(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "drift check: data/a_2027.parquet vs the baseline data/a_2026.parquet, only income, "
        "loan_amount and term_months"
    )
    assert methods(draft) == ["file.parquet.read", "file.parquet.read", "ml.data.drift"]
    assert step(draft, "ml.data.drift")["columns"] == ["income", "loan_amount", "term_months"]
    assert validate(draft, catalog).ok


def test_names_are_split() -> None:
    assert split_names("id\u201a title and url") == ["id", "title", "url"]
