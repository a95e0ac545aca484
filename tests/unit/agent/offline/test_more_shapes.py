"""Shapes met in spent held-out batches, each said again in other words (dev d151-d160)."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.sources import file_base_name
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


# ---------------------------------------------------------------------- sorts said in words
@pytest.mark.parametrize(
    ("said", "by", "limit", "descending"),
    [
        ("the 10 with the most retweets", "reposts", 10, True),
        ("the 4 stores with the highest revenue", "revenue", 4, True),
        ("give me the 3 products with the lowest price", "price", 3, False),
    ],
)
def test_the_n_with_the_most_or_least(
    planner: OfflinePlanner, catalog: Catalog, said: str, by: str, limit: int, descending: bool
) -> None:
    source = "fetch tweets about chess" if by == "reposts" else "read data/sales.csv"
    draft = planner.plan(f"{source}, {said}, save to out/top.csv")
    assert methods(draft)[1:] == ["data.rows.sort", "file.csv.write"]
    expected: dict[str, object] = {"by": by, "limit": limit}
    if descending:
        expected["descending"] = True
    params = step(draft, "data.rows.sort")
    assert {k: v for k, v in params.items() if k != "data"} == expected
    assert step(draft, "file.csv.write")["data"] == "{{ top.data }}"
    assert validate(draft, catalog).ok


def test_a_superlative_of_no_column_asks_what_to_rank_by(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/sales.csv, the 5 with the highest number")
    assert [q.param for q in draft.questions] == ["by"]


def test_the_latest_n_of_feeds_is_how_many_each_feed_gives(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "give me the latest 15 entries from each of these feeds: "
        "https://a.example.com/rss https://b.example.com/rss"
    )
    assert methods(draft) == ["news.rss.read"]
    assert step(draft, "news.rss.read")["max_items"] == 15


# ---------------------------------------------------------------------- extraction
def test_an_extraction_said_twice_is_one_step(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "what links do people post in r/python threads about packaging? extract the urls "
        "from the posts, save them to out/py_links.jsonl"
    )
    assert methods(draft) == ["social.reddit.search", "nlp.text.extract", "file.jsonl.write"]


def test_other_kinds_are_extracted_again(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv, extract the hashtags, then extract the emails")
    assert methods(draft) == ["file.csv.read", "nlp.text.extract", "nlp.text.extract"]
    everything = planner.plan("read data/a.csv, extract entities, then extract the urls")
    assert methods(everything) == ["file.csv.read", "nlp.text.extract"]


# ---------------------------------------------------------------------- conditions
def test_scoring_under_a_number_is_the_sentiment_just_scored(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "read data/reviews.jsonl, score sentiment of the review_text field, and everything "
        "scoring below -0.3 should go to the hook https://hooks.example.com/bad"
    )
    assert step(draft, "data.rows.filter")["where"] == "sentiment < -0.3"
    assert step(draft, "http.webhook.post")["data"] == "{{ kept.data }}"
    assert validate(draft, catalog).ok
    scored = planner.plan("read data/x.csv, keep rows scoring over 0.8 and save to out/y.csv")
    assert step(scored, "data.rows.filter")["where"] == "score > 0.8"


@pytest.mark.parametrize(
    ("said", "where"),
    [
        ("more than 1,000,000 revenue", "revenue > 1000000"),
        ("more than 5000 in sales", "sales > 5000"),
        ("amount over 12.75", "amount > 12.75"),
        ("more than ten likes", "likes > 10"),
    ],
)
def test_numbers_are_written_as_said(planner: OfflinePlanner, said: str, where: str) -> None:
    draft = planner.plan(f"read data/x.csv, keep the rows with {said}")
    assert step(draft, "data.rows.filter")["where"] == where


# ---------------------------------------------------------------------- columns
def test_a_list_of_columns_and_their_new_names(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "turn data/crm.csv into parquet at out/crm.parquet with only the cust_no, mail and "
        "created columns, renamed to id, email and created_at"
    )
    assert methods(draft) == ["file.csv.read", "data.rows.select", "file.parquet.write"]
    assert step(draft, "data.rows.select") == {
        "data": "{{ crm.data }}",
        "columns": ["cust_no", "mail", "created"],
        "rename": {"cust_no": "id", "mail": "email", "created": "created_at"},
    }
    assert step(draft, "file.parquet.write")["data"] == "{{ columns.data }}"
    assert validate(draft, catalog).ok


def test_new_names_that_do_not_match_the_columns_are_left_out(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv, keep only the a, b and c columns, renamed to x and y")
    assert step(draft, "data.rows.select") == {"data": "{{ a.data }}", "columns": ["a", "b", "c"]}


def test_but_only_narrows_what_was_just_written(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "Convert data/u.csv to parquet (out/u.parquet), but only with the id, full_name and "
        "signup_dt columns, and call them id, name and signed_up_at instead"
    )
    assert methods(draft) == ["file.csv.read", "data.rows.select", "file.parquet.write"]
    assert step(draft, "data.rows.select")["rename"] == {
        "full_name": "name",
        "signup_dt": "signed_up_at",
    }
    assert step(draft, "file.parquet.write")["data"] == "{{ columns.data }}"
    rows = planner.plan("copy data/x.csv to out/x.jsonl, but only the rows where amount > 10")
    assert step(rows, "file.jsonl.write")["data"] == "{{ kept.data }}"
    assert validate(rows, catalog).ok


def test_but_only_with_nothing_written_before_is_a_plain_clause(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/x.csv, but only the rows where amount > 10")
    assert methods(draft) == ["file.csv.read", "data.rows.filter"]
    unread = planner.plan("copy data/x.csv to out/x.jsonl, but only save it to out/y.csv")
    assert methods(unread)[-1] == "file.csv.write"


# ---------------------------------------------------------------------- aggregates
def test_distinct_counts_and_named_sums(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "from data/orders.parquet compute per country the number of distinct buyers and total "
        "sales (sum of price); keep countries with more than 5000 in sales. parquet please: "
        "out/c.parquet"
    )
    assert methods(draft) == [
        "file.parquet.read",
        "data.rows.aggregate",
        "data.rows.filter",
        "file.parquet.write",  # in an output folder, with no verb: written
    ]
    assert step(draft, "data.rows.aggregate")["aggregations"] == {
        "buyers": "count(DISTINCT buyer_id)",
        "sales": "sum(price)",
    }
    assert step(draft, "data.rows.filter")["where"] == "sales > 5000"
    assert validate(draft, catalog).ok


def test_a_distinct_count_uses_a_column_the_rows_have(planner: OfflinePlanner) -> None:
    draft = planner.plan("search tweets about rust, count the unique authors per lang")
    assert step(draft, "data.rows.aggregate")["aggregations"] == {
        "authors": "count(DISTINCT author)"
    }


def test_count_how_many_and_a_records_key(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "hit https://jira.example.com/rest/search (issues are in the issues key) and count how "
        "many issues there are per status and priority, write teh counts to out/counts.csv"
    )
    assert methods(draft) == ["http.json.get", "data.rows.aggregate", "file.csv.write"]
    assert step(draft, "http.json.get")["records_path"] == "issues"
    assert step(draft, "data.rows.aggregate") == {
        "data": "{{ records.data }}",
        "aggregations": {"issues": "count(*)"},
        "group_by": ["status", "priority"],
    }
    assert validate(draft, catalog).ok


# ---------------------------------------------------------------------- clusters
@pytest.mark.parametrize(
    "said",
    [
        "group ~200 news articles about lithium into 5 clusters using embeddings of the headlines",
        "cluster ~200 news articles about lithium into 5 groups, using embeddings of the titles",
    ],
)
def test_clusters_over_embeddings_said_after_them(
    planner: OfflinePlanner, catalog: Catalog, said: str
) -> None:
    draft = planner.plan(f"{said}. save to out/li.parquet")
    assert methods(draft) == [
        "news.articles.search",
        "ml.text.embed",
        "ml.text.cluster",
        "file.parquet.write",
    ]
    assert step(draft, "ml.text.embed")["column"] == "title"
    assert step(draft, "ml.text.cluster") == {
        "data": "{{ embedded.data }}",
        "column": "embedding",
        "k": 5,
    }
    assert validate(draft, catalog).ok


# ---------------------------------------------------------------------- names
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("data/feedback/2026-12.jsonl", "feedback"),
        ("data/users.csv", "users"),
        ("2026.csv", "2026"),
        ("data/2026/11.csv", "11"),
    ],
)
def test_a_dated_file_is_named_after_its_folder(path: str, name: str) -> None:
    assert file_base_name(path) == name


def test_a_clause_narrowing_nothing_leaves_the_sink_as_it_was(planner: OfflinePlanner) -> None:
    draft = planner.plan("copy data/x.csv to out/x.jsonl, but only the good stuff")
    assert methods(draft) == ["file.csv.read", "file.jsonl.write"]
    assert step(draft, "file.jsonl.write")["data"] == "{{ x.data }}"


def test_the_newest_first_of_a_feed_is_a_sort(planner: OfflinePlanner) -> None:
    draft = planner.plan("read the feed https://a.example.com/rss, newest first")
    assert step(draft, "data.rows.sort") == {
        "data": "{{ feed.data }}",
        "by": "created_at",
        "descending": True,
    }


def test_a_sum_with_no_name_is_named_after_its_column(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/x.csv, per region the sum of amount")
    assert step(draft, "data.rows.aggregate")["aggregations"] == {"amount": "sum(amount)"}


def test_a_value_that_is_no_number_is_kept_as_written() -> None:
    from odp.agent.offline.slots import _add

    parts: list[tuple[str, str, str]] = []
    _add(parts, "likes", ">", "", "lots")
    _add(parts, "likes", "<", "", "5")  # one condition per column
    _add(parts, "score", ">", "-", "0.50")
    assert parts == [("likes", ">", "lots"), ("score", ">", "-0.5")]


def test_the_newest_first_of_a_search_is_its_own_order(planner: OfflinePlanner) -> None:
    draft = planner.plan("search tweets about chess, newest first")
    assert methods(draft) == ["social.twitter.search"]
    assert "max_results" not in step(draft, "social.twitter.search")
