"""Everyday shapes a spent batch missed, said again in other words (dev d178-d185)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.clauses import read_request
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_a_query_on_a_database_kept_in_a_secret(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "run SELECT * FROM parcels WHERE sent_at >= '2026-11-01' on the logistics db (the "
        "connection url is in the LOGISTICS_DB_URL secret)"
    )
    assert step(draft, "sql.query.read") == {
        "url": "{{ secrets.LOGISTICS_DB_URL }}",
        "query": "SELECT * FROM parcels WHERE sent_at >= '2026-11-01'",
    }
    assert validate(draft, catalog).ok


def test_quoted_strings_stay_in_the_sql() -> None:
    read = read_request(
        "on sqlite:///a.db run SELECT * FROM t WHERE d >= '2026-11-01' AND s = \"x\""
    )
    assert read.literals[-2].value == "SELECT * FROM t WHERE d >= '2026-11-01' AND s = \"x\""


def test_feeds_said_before_their_addresses(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "read these 2 feeds, ten items from each: https://a.example/rss/x.rss https://b.example/feed/"
    )
    assert methods(draft) == ["news.rss.read"]
    assert draft.questions == ()  # nor the question the feed said first asked
    assert step(draft, "news.rss.read") == {
        "url": ["https://a.example/rss/x.rss", "https://b.example/feed/"],
        "max_items": 10,
    }
    assert validate(draft, catalog).ok


def test_a_step_missing_a_param_that_is_used_stays(planner: OfflinePlanner) -> None:
    draft = planner.plan("read the feed and count items per source")
    assert methods(draft) == ["news.rss.read", "data.rows.aggregate"]


def test_top_n_by_a_column_before_the_file(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan("top 10 stores by revenue_eur in data/stores.parquet, csv to out/t.csv")
    assert step(draft, "data.rows.sort") == {
        "data": "{{ stores.data }}",
        "by": "revenue_eur",
        "descending": True,
        "limit": 10,
    }
    assert validate(draft, catalog).ok


def test_an_upsert_key_said_as_the_key(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read data/stock.csv and upsert them into the stock table of sqlite:///out/s.db with "
        "sku as the key"
    )
    assert step(draft, "sql.table.write")["key"] == ["sku"]


def test_only_some_fields_of_the_rows(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "from data/e.jsonl only the purchase events (event_type = 'purchase'), and only the "
        "user_id, sku, price and ts fields pls -> out/p.jsonl"
    )
    assert methods(draft) == [
        "file.jsonl.read",
        "data.rows.filter",
        "data.rows.select",
        "file.jsonl.write",
    ]
    assert step(draft, "data.rows.select")["columns"] == ["user_id", "sku", "price", "ts"]
    assert validate(draft, catalog).ok


def test_items_published_after_a_date_and_a_batch_per_request(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "new items from https://x.example/feed/ published on or after 2026-12-20 → send them to "
        "https://hooks.slack.example/services/T/B/c, 10 per request"
    )
    assert step(draft, "data.rows.filter")["where"] == "published >= '2026-12-20'"
    assert step(draft, "http.webhook.post")["batch_size"] == 10
    assert validate(draft, catalog).ok
    search = planner.plan(
        "search news about the rail strike, only articles published after 2026-11-20"
    )
    assert methods(search) == ["news.articles.search"]
    assert step(search, "news.articles.search")["since"] == "2026-11-20"
    before = planner.plan("read data/a.csv, rows created before 2026-01-01")
    assert step(before, "data.rows.filter")["where"] == "created_at < '2026-01-01'"


def test_rows_saved_with_their_cluster(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        'grab 500 posts from r/Bread mentioning "starter", embed them, cluster into five '
        "groups, and save the posts with their cluster to out/bread.parquet"
    )
    assert methods(draft) == [
        "social.reddit.search",
        "ml.text.embed",
        "ml.text.cluster",
        "file.parquet.write",
    ]
    assert validate(draft, catalog).ok


def test_an_enrichment_said_before_its_rows(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "score the sentiment of our product reviews: SELECT id, body FROM reviews on "
        "postgresql+psycopg://ro@db:5432/shop (the text is in body). store the result in "
        "sqlite:///out/r.db as table review_sentiment, replacing it each run"
    )
    assert methods(draft) == ["sql.query.read", "nlp.text.sentiment", "sql.table.write"]
    assert step(draft, "nlp.text.sentiment") == {"data": "{{ reviews.data }}", "column": "body"}
    assert step(draft, "sql.table.write")["data"] == "{{ scored.data }}"
    assert validate(draft, catalog).ok


def test_highest_column_first(planner: OfflinePlanner) -> None:
    draft = planner.plan("data/a.csv: highest interview_score first, just the top 15")
    assert step(draft, "data.rows.sort") == {
        "data": "{{ a.data }}",
        "by": "interview_score",
        "descending": True,
        "limit": 15,
    }


def test_a_dotted_key_matching_a_column_and_records_under_a_quoted_key(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        'members from https://api.saas.example.com/v1/members (list under "members") who '
        "don't have a billing account yet. accounts come from postgresql+psycopg://ro@db/b "
        "with SELECT member_id FROM accounts; members.id matches member_id. send the members "
        "without an account to https://hooks.example.com/gaps"
    )
    assert step(draft, "http.json.get")["records_path"] == "members"
    assert step(draft, "data.rows.join") == {
        "left": "{{ records.data }}",
        "right": "{{ accounts.data }}",
        "left_on": "id",
        "right_on": "member_id",
        "how": "anti",
    }
    assert validate(draft, catalog).ok
    implicit = planner.plan(
        "read data/m.csv and data/a.csv; m.id matches member_id; the ones not in a to out/x.csv"
    )
    assert step(implicit, "data.rows.join")["right_on"] == "member_id"


def test_a_training_said_with_its_settings_in_brackets(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "fit a ridge regression (alpha 2.0) for monthly_spend on data/t.parquet, account_id "
        "shouldn't be a feature. model name: telco_ridge"
    )
    params = step(draft, "ml.model.train")
    assert (params["target"], params["model_name"]) == ("monthly_spend", "telco_ridge")
    assert (params["exclude"], params["hyperparams"]) == (["account_id"], {"alpha": 2.0})


def test_one_query_written_three_ways(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "export SELECT * FROM daily_kpis from sqlite:///data/kpi.db three ways: out/kpis.csv, "
        "out/kpis.parquet, and a POST to https://hooks.example.com/kpi-board in batches of 25"
    )
    assert methods(draft) == [
        "sql.query.read",
        "file.csv.write",
        "file.parquet.write",
        "http.webhook.post",
    ]
    assert validate(draft, catalog).ok


def test_links_given_as_addresses_are_no_extraction(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read data/a.csv, then fetch these links: https://a.example.com/x https://a.example.com/y"
    )
    assert "nlp.text.extract" not in methods(draft)


def test_an_embedding_said_twice_is_one_step(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv, embed the text, then embed the rows again")
    assert methods(draft) == ["file.csv.read", "ml.text.embed"]


def test_a_count_said_twice_is_one_count(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "How many articles did each outlet publish on the EU budget since 2027-01-01? Article "
        "count per source, biggest first, into out/budget.csv"
    )
    assert methods(draft) == [
        "news.articles.search",
        "data.rows.aggregate",
        "data.rows.sort",
        "file.csv.write",
    ]
    assert step(draft, "data.rows.aggregate") == {
        "data": "{{ articles.data }}",
        "aggregations": {"articles": "count(*)"},
        "group_by": ["source"],
    }
    assert validate(draft, catalog).ok


def test_an_upsert_said_with_its_key_in_brackets(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "200 r/stocks threads about tariffs, one row per id, upserted (key id) into the posts "
        "table of sqlite:///out/social.db"
    )
    assert step(draft, "social.reddit.search")["max_results"] == 200
    assert step(draft, "sql.table.write")["key"] == ["id"]
    assert validate(draft, catalog).ok


def test_several_updates_per_order_is_no_count(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "data/t.tsv has several updates per order, keep only the last row for each order_id "
        "and upsert into orders keyed on order_id at postgresql+psycopg://etl@dwh:5432/retail"
    )
    assert methods(draft) == ["file.csv.read", "data.rows.dedupe", "sql.table.write"]
