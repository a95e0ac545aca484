"""A method's settings said in its own idiom (paging, auth, batches, CSV options, ...)."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.settings import without_settings
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_concurrency_is_no_filter(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "scrape https://status.a.example/incidents and https://status.b.example/history (go "
        "easy on them, no more than 2 requests at once) and dump the pages into out/s.jsonl"
    )
    assert methods(draft) == ["web.page.fetch", "file.jsonl.write"]
    assert step(draft, "web.page.fetch")["concurrency"] == 2
    assert validate(draft, catalog).ok


def test_cursor_paging_records_and_a_bearer_secret(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "GET https://api.crm.example.com/v2/people. It's cursor-paginated: the next cursor is "
        "at meta.next and goes back as the after query param; the people are under "
        "data.people. Auth is a bearer token, stored in the CRM_TOKEN secret."
    )
    assert methods(draft) == ["http.json.get"]  # `stored in the ... secret` is no write
    assert step(draft, "http.json.get") == {
        "url": "https://api.crm.example.com/v2/people",
        "records_path": "data.people",
        "paging": "cursor",
        "cursor_path": "meta.next",
        "cursor_param": "after",
        "headers": {"Authorization": "Bearer {{ secrets.CRM_TOKEN }}"},
    }
    assert validate(draft, catalog).ok


def test_link_paging_capped_and_page_numbers(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "Pull the issues from https://api.git.example.com/repos/a/b/issues (pagination is via "
        "the Link header, cap it at 10 pages), save to out/i.csv"
    )
    assert step(draft, "http.json.get")["paging"] == "link"
    assert step(draft, "http.json.get")["max_pages"] == 10
    assert validate(draft, catalog).ok
    pages = planner.plan(
        "get https://api.example.com/v1/items, page number param is p, at most 5 pages"
    )
    assert {k: v for k, v in step(pages, "http.json.get").items() if k != "url"} == {
        "paging": "page",
        "page_param": "p",
        "max_pages": 5,
    }


def test_an_api_key_header_from_a_secret(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "post data/orders.csv to https://hooks.example.com/o with the X-Api-Key header from "
        "the SHOP_KEY secret, in batches of 50"
    )
    assert step(draft, "http.webhook.post") == {
        "data": "{{ orders.data }}",
        "url": "https://hooks.example.com/o",
        "batch_size": 50,
        "headers": {"X-Api-Key": "{{ secrets.SHOP_KEY }}"},
    }


def test_a_batch_goes_to_the_nearest_step_that_takes_one(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "post the rows of data/alerts.csv to https://hooks.example.com/x, 25 items per POST"
    )
    assert methods(draft) == ["file.csv.read", "http.webhook.post"]
    assert step(draft, "http.webhook.post")["batch_size"] == 25


def test_csv_options_and_globs(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "load every .tsv file in data/raw/meters/ -- they're tab separated and have no header line"
    )
    assert step(draft, "file.csv.read") == {
        "path": "data/raw/meters/*.tsv",
        "delimiter": "\t",
        "has_header": False,
    }
    assert validate(draft, catalog).ok
    parquet = planner.plan("read all parquet files in data/events/ and save to out/e.csv")
    assert step(parquet, "file.parquet.read")["path"] == "data/events/*.parquet"
    assert step(planner.plan("read data/x.tsv"), "file.csv.read")["delimiter"] == "\t"


@pytest.mark.parametrize(
    ("said", "settings"),
    [
        ("pipe-delimited, latin-1", {"delimiter": "|", "encoding": "utf8-lossy"}),
        ("semicolon separated", {"delimiter": ";"}),
    ],
)
def test_a_csv_said_how_it_is_written(
    planner: OfflinePlanner, said: str, settings: dict[str, object]
) -> None:
    draft = planner.plan(f"read data/a.csv ({said}) and save it to out/a.parquet")
    assert {k: v for k, v in step(draft, "file.csv.read").items() if k != "path"} == settings


def test_a_csv_written_without_a_header(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.parquet and write it to out/a.csv without a header")
    assert step(draft, "file.csv.write")["include_header"] is False


def test_bound_query_params(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "on postgresql+psycopg://ro@db:5432/shop run SELECT id, total FROM orders WHERE "
        "created_at >= :since AND status = :status AND total > :min with since = 2026-10-01 "
        "and status = 'paid' and min = 12.5 (bind them)"
    )
    assert step(draft, "sql.query.read") == {
        "url": "postgresql+psycopg://ro@db:5432/shop",
        "query": "SELECT id, total FROM orders WHERE created_at >= :since AND status = :status "
        "AND total > :min",
        "params": {"since": "2026-10-01", "status": "paid", "min": 12.5},
    }
    assert validate(draft, catalog).ok
    unsaid = planner.plan("on sqlite:///a.db run SELECT * FROM t WHERE n > :n")
    assert "params" not in step(unsaid, "sql.query.read")


def test_the_cluster_overview_instead_of_the_rows(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "Grab 800 tweets on the four day work week, embed them and make 7 clusters. I only "
        "care about the cluster overview (sizes + top terms), not the individual tweets: save "
        "that overview to out/c.jsonl"
    )
    assert step(draft, "file.jsonl.write")["data"] == "{{ clustered.clusters }}"
    assert validate(draft, catalog).ok


def test_top_terms_and_keeping_the_last_copy(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/p.csv, make 4 clusters of the text with the top 8 terms")
    assert step(draft, "ml.text.cluster")["top_terms"] == 8
    last = planner.plan("read data/p.csv, dedupe on email, keeping the latest one")
    assert step(last, "data.rows.dedupe") == {"data": "{{ p.data }}", "on": "email", "keep": "last"}


def test_a_setting_no_step_takes_is_left_alone(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv, 25 items per POST")
    assert methods(draft) == ["file.csv.read"]
    assert step(draft, "file.csv.read") == {"path": "data/a.csv"}


def test_settings_are_blanked_for_the_other_rules() -> None:
    text = "get ⟨0⟩, no more than 2 requests at once, then keep the rest"
    blanked = without_settings(text)
    assert len(blanked) == len(text)
    assert "requests" not in blanked and "keep the rest" in blanked


def test_a_setting_goes_to_the_step_named_nearest(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read data/a.csv and data/b.csv (semicolon separated), join them on id, save to out/c.csv"
    )
    reads = [s["params"] for s in draft.pipeline["sources"]] if draft.pipeline else []
    assert reads == [{"path": "data/a.csv"}, {"path": "data/b.csv", "delimiter": ";"}]


def test_auth_for_no_step_that_sends_headers_is_left_out(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv; auth is a bearer token in the API_TOKEN secret")
    assert step(draft, "file.csv.read") == {"path": "data/a.csv"}


def test_a_step_the_request_does_not_name_is_placed_last(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.parquet and save it as csv without a header")
    assert step(draft, "file.csv.write")["include_header"] is False
