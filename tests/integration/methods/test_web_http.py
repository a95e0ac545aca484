from __future__ import annotations

import json

import httpx
import polars as pl
import pytest

from odp.artifacts import ArtifactStore
from odp.catalog import MethodContext
from odp.errors import MethodError
from odp.methods.http import JsonGetParams, WebhookParams, get_json, post_webhook
from odp.methods.news import NewsSearchParams, news_search
from odp.methods.web import FetchParams, fetch_pages

pytestmark = pytest.mark.integration


# ---------------------------------------------------------------------- web.page.fetch
async def test_fetch_pages_extracts_main_text(
    stubs_ctx: MethodContext, store: ArtifactStore, stubs_url: str
) -> None:
    article = httpx.get(f"{stubs_url}/files/posts.json")  # warm-up: the stand-in answers
    assert article.status_code == 200
    urls = [f"{stubs_url}/articles/news-00001.html", f"{stubs_url}/articles/news-00002.html"]
    out = await fetch_pages(FetchParams(urls=[*urls, urls[0]]), stubs_ctx)
    frame = store.read(out.data)
    assert out.count == 2  # duplicates are fetched once
    assert frame.columns == ["url", "final_url", "status", "title", "text", "error"]
    row = frame.row(0, named=True)
    assert row["status"] == 200 and row["error"] is None
    assert row["title"] and ":" in row["title"]
    text = row["text"]
    assert len(text) > 100
    for boilerplate in ("cookies", "Subscribe", "All rights reserved", "Most read", "Newsletter"):
        assert boilerplate not in text


async def test_fetch_pages_records_failures_per_row(
    stubs_ctx: MethodContext, store: ArtifactStore, stubs_url: str
) -> None:
    urls = [
        f"{stubs_url}/articles/news-00003.html",
        f"{stubs_url}/articles/news-99999.html",
        f"{stubs_url}/pages/empty.html",
        f"{stubs_url}/files/posts.json",
        f"{stubs_url}/redirect?to=/articles/news-00004.html",
    ]
    out = await fetch_pages(FetchParams(urls=urls, concurrency=2), stubs_ctx)
    rows = {r["url"]: r for r in store.read(out.data).to_dicts()}
    assert rows[urls[0]]["error"] is None
    assert rows[urls[1]]["status"] == 404 and "answered 404" in rows[urls[1]]["error"]
    assert rows[urls[2]]["error"] == "no main text found on the page"
    assert rows[urls[3]]["error"] == "not an HTML page (content type application/json)"
    assert rows[urls[4]]["final_url"] == f"{stubs_url}/articles/news-00004.html"
    assert rows[urls[4]]["text"]


async def test_fetch_pages_fails_when_every_page_fails(
    stubs_ctx: MethodContext, stubs_url: str, own_stubs_url: str
) -> None:
    with pytest.raises(MethodError, match="none of the 2 pages") as info:
        await fetch_pages(
            FetchParams(urls=[f"{stubs_url}/status/404", f"{stubs_url}/status/410"]), stubs_ctx
        )
    assert not info.value.retryable and info.value.field == "urls"
    with pytest.raises(MethodError) as info:
        await fetch_pages(FetchParams(urls=[f"{own_stubs_url}/status/503"]), stubs_ctx)
    assert info.value.retryable


async def test_fetch_pages_from_a_search(stubs_ctx: MethodContext, store: ArtifactStore) -> None:
    found = await news_search(NewsSearchParams(query="crypto", max_results=6), stubs_ctx)
    out = await fetch_pages(FetchParams(data=found.data, url_column="url"), stubs_ctx)
    frame = store.read(out.data)
    assert out.count == 6
    assert frame["error"].null_count() == 6
    assert frame["url"].to_list() == store.read(found.data)["url"].to_list()
    with pytest.raises(MethodError, match="url_column: no column 'link'") as info:
        await fetch_pages(FetchParams(data=found.data, url_column="link"), stubs_ctx)
    assert "the data has: id, text" in (info.value.hint or "")


def test_fetch_params_need_exactly_one_source(store: ArtifactStore) -> None:
    data = store.write(pl.DataFrame({"url": ["http://a.test/"]}))
    with pytest.raises(ValueError, match="either urls or data"):
        FetchParams()
    with pytest.raises(ValueError, match="either urls or data"):
        FetchParams(urls=["http://a.test/"], data=data)


# ---------------------------------------------------------------------- http.json.get
@pytest.mark.parametrize(
    ("params", "count", "pages"),
    [
        ({"url": "/api/items", "records_path": "items"}, 20, 1),
        (
            {
                "url": "/api/items",
                "records_path": "items",
                "paging": "page",
                "params": {"per_page": 40},
            },
            95,
            4,
        ),
        ({"url": "/api/items", "records_path": "items", "paging": "page", "max_pages": 2}, 40, 2),
        (
            {
                "url": "/api/cursor",
                "records_path": "data.records",
                "paging": "cursor",
                "cursor_path": "meta.next_cursor",
                "params": {"limit": 30},
            },
            95,
            4,
        ),
        ({"url": "/api/linked", "paging": "link", "params": {"per_page": 50}}, 95, 2),
        ({"url": "/files/posts.json"}, 200, 1),
        ({"url": "/healthz"}, 1, 1),
    ],
)
async def test_get_json_paging(
    stubs_ctx: MethodContext,
    store: ArtifactStore,
    stubs_url: str,
    params: dict[str, object],
    count: int,
    pages: int,
) -> None:
    typed = JsonGetParams.model_validate({**params, "url": stubs_url + str(params["url"])})
    out = await get_json(typed, stubs_ctx)
    assert (out.count, out.pages) == (count, pages)
    frame = store.read(out.data)
    if (
        "items" in str(params["url"])
        or "cursor" in str(params["url"])
        or "linked" in str(params["url"])
    ):
        assert frame["n"].to_list() == list(range(1, count + 1))


async def test_get_json_sends_headers_and_params(
    stubs_ctx: MethodContext, store: ArtifactStore, stubs_url: str
) -> None:
    params = JsonGetParams(
        url=f"{stubs_url}/echo",
        params={"q": "ai", "n": 3, "flag": True},
        headers={"Authorization": "Bearer t0ken"},
    )
    out = await get_json(params, stubs_ctx)
    row = store.read(out.data).row(0, named=True)
    assert row["query"] == {"q": "ai", "n": "3", "flag": "true"}
    assert row["headers"]["authorization"] == "Bearer t0ken"
    assert row["headers"]["user-agent"].startswith("odp/")


async def test_get_json_errors(stubs_ctx: MethodContext, stubs_url: str) -> None:
    with pytest.raises(
        MethodError, match=r"records_path: 'data\.rows' is not in the answer"
    ) as info:
        await get_json(
            JsonGetParams(url=f"{stubs_url}/api/cursor", records_path="data.rows"), stubs_ctx
        )
    assert info.value.hint == "the answer has keys: data, meta"
    with pytest.raises(MethodError, match="is a dict, not a list"):
        await get_json(JsonGetParams(url=f"{stubs_url}/api/cursor", records_path="meta"), stubs_ctx)
    with pytest.raises(MethodError, match="did not answer JSON") as info:
        await get_json(JsonGetParams(url=f"{stubs_url}/files/posts.csv"), stubs_ctx)
    assert info.value.field == "url"
    with pytest.raises(MethodError, match="answered 404"):
        await get_json(JsonGetParams(url=f"{stubs_url}/nothing"), stubs_ctx)
    with pytest.raises(MethodError, match="cursor_path: the value at 'data' is a dict"):
        await get_json(
            JsonGetParams(
                url=f"{stubs_url}/api/cursor",
                records_path="data.records",
                paging="cursor",
                cursor_path="data",
            ),
            stubs_ctx,
        )
    with pytest.raises(ValueError, match="cursor needs cursor_path"):
        JsonGetParams(url="http://a", paging="cursor")


async def test_get_json_odd_records(
    stubs_ctx: MethodContext, store: ArtifactStore, stubs_url: str
) -> None:
    # the webhook receiver echoes what it got: a handy way to serve any JSON
    hook = f"{stubs_url}/webhooks/odd"
    httpx.delete(hook)
    httpx.post(hook, json=[1, "two", None])
    httpx.post(hook, json=[{"a": {"b": 1}}, {"a": [1]}])
    out = await get_json(JsonGetParams(url=hook, records_path="deliveries.0.body"), stubs_ctx)
    assert store.read(out.data)["value"].to_list() == ["1", "two", None]
    with pytest.raises(MethodError, match="cannot form a table") as info:
        await get_json(JsonGetParams(url=hook, records_path="deliveries.-1.body"), stubs_ctx)
    assert info.value.field == "records_path"
    empty = await get_json(
        JsonGetParams(url=f"{stubs_url}/api/items?page=9", records_path="items"), stubs_ctx
    )
    assert empty.count == 0 and empty.pages == 1


# ---------------------------------------------------------------------- http.webhook.post
async def test_webhook_posts_batches_once_even_when_retried(
    stubs_ctx: MethodContext, store: ArtifactStore, stubs_url: str
) -> None:
    hook = f"{stubs_url}/webhooks/idempotent"
    httpx.delete(hook)
    data = store.write(pl.DataFrame({"id": range(25), "text": [f"row {i}" for i in range(25)]}))
    params = WebhookParams(url=hook, data=data, batch_size=10, headers={"X-Token": "s3cret"})
    first = await post_webhook(params, stubs_ctx)
    assert (first.path, first.rows_written, first.batches) == (hook, 25, 3)
    again = await post_webhook(params, stubs_ctx)  # a retried step: same run, same step
    assert again.rows_written == 25
    seen = httpx.get(hook).json()
    assert seen["rows"] == 25 and seen["duplicates"] == 3
    keys = [d["key"] for d in seen["deliveries"]]
    assert keys == [f"{stubs_ctx.idempotency_key}:{i}" for i in range(3)]
    body = seen["deliveries"][2]["body"]
    assert body["batch"] == 2 and body["batches"] == 3
    assert body["rows"] == [{"id": i, "text": f"row {i}"} for i in range(20, 25)]
    assert seen["deliveries"][0]["content_type"] == "application/json"


async def test_webhook_retries_through_failures(
    stubs_ctx: MethodContext, store: ArtifactStore, stubs_url: str
) -> None:
    hook = f"{stubs_url}/webhooks/flaky"
    httpx.delete(hook)
    data = store.write(pl.DataFrame({"x": [1, 2, 3]}))
    url = f"{hook}?stub_fail_first=2&stub_fail_key=webhook-flaky&stub_fail_status=503"
    out = await post_webhook(WebhookParams(url=url, data=data, batch_size=2), stubs_ctx)
    assert out.batches == 2
    assert out.path == hook  # the query (where tokens often are) is not repeated in the output
    seen = httpx.get(hook).json()
    assert seen["rows"] == 3 and len(seen["deliveries"]) == 2
    assert httpx.get(f"{stubs_url}/_stub/faults/webhook-flaky").json()["calls"] == 4


async def test_webhook_errors_and_empty_data(
    stubs_ctx: MethodContext, store: ArtifactStore, stubs_url: str
) -> None:
    empty = store.write(pl.DataFrame({"x": []}, schema={"x": pl.Int64}))
    out = await post_webhook(
        WebhookParams(url=f"{stubs_url}/webhooks/empty", data=empty), stubs_ctx
    )
    assert (out.rows_written, out.batches) == (0, 0)
    data = store.write(pl.DataFrame({"x": [1]}))
    with pytest.raises(MethodError, match="posting batch 1 of 1") as info:
        await post_webhook(WebhookParams(url=f"{stubs_url}/status/400", data=data), stubs_ctx)
    assert not info.value.retryable
    assert json.loads("[]") == []
