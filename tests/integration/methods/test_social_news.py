from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from odp.artifacts import ArtifactStore
from odp.catalog import Catalog, MethodContext
from odp.config import Settings
from odp.errors import MethodError
from odp.methods.news import FeedParams, NewsSearchParams, news_search, read_feeds
from odp.methods.social import (
    RedditSearchParams,
    TwitterSearchParams,
    reddit_search,
    twitter_search,
)

pytestmark = pytest.mark.integration

BASE = ["id", "text", "author", "created_at", "url", "lang", "likes", "reposts"]


async def test_twitter_search_pages_to_max_results(
    stubs_ctx: MethodContext, store: ArtifactStore
) -> None:
    out = await twitter_search(TwitterSearchParams(query="AI", max_results=250), stubs_ctx)
    assert out.count == 250  # three pages of at most 100
    frame = store.read(out.data)
    assert frame.columns == BASE
    assert frame.schema["created_at"] == pl.Datetime("us", "UTC")
    assert frame["id"].n_unique() == 250
    assert frame["text"].str.to_lowercase().str.contains("ai|ki|ia|chatgpt").all()


async def test_twitter_search_filters(stubs_ctx: MethodContext, store: ArtifactStore) -> None:
    since = dt.datetime(2025, 5, 25, tzinfo=dt.UTC)
    params = TwitterSearchParams(query="climate", max_results=10_000, since=since, lang="de")
    out = await twitter_search(params, stubs_ctx)
    frame = store.read(out.data)
    assert 0 < out.count < 200
    assert (frame["lang"] == "de").all()
    assert (frame["created_at"] >= since).all()


async def test_no_results_is_an_empty_dataset(
    stubs_ctx: MethodContext, store: ArtifactStore
) -> None:
    out = await twitter_search(TwitterSearchParams(query="qwertyuiop"), stubs_ctx)
    assert out.count == 0
    assert store.read(out.data).columns == BASE


async def test_reddit_search(stubs_ctx: MethodContext, store: ArtifactStore) -> None:
    out = await reddit_search(
        RedditSearchParams(query="bitcoin", subreddit="r/CryptoCurrency", max_results=30), stubs_ctx
    )
    frame = store.read(out.data)
    assert out.count > 0
    assert frame.columns == [*BASE, "subreddit", "title", "comments"]
    assert (frame["subreddit"] == "CryptoCurrency").all()


async def test_news_search(stubs_ctx: MethodContext, store: ArtifactStore, stubs_url: str) -> None:
    out = await news_search(NewsSearchParams(query="elections", max_results=5), stubs_ctx)
    frame = store.read(out.data)
    assert out.count == 5
    assert frame.columns == [*BASE, "title", "source", "summary"]
    assert frame["url"].str.starts_with(f"{stubs_url}/articles/").all()


async def test_crawler_down_says_what_to_do(store: ArtifactStore, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(
        state_dir=tmp_path,
        crawler_api_url=f"http://127.0.0.1:{port}",
        http_max_retries=1,
        http_retry_base_delay=0.01,
    )
    ctx = MethodContext.for_testing(store, settings=settings)
    with pytest.raises(MethodError) as info:
        await twitter_search(TwitterSearchParams(query="AI"), ctx)
    assert info.value.retryable
    assert info.value.message.startswith("searching Twitter for 'AI': POST")
    assert "odp stubs" in (info.value.hint or "")


async def test_an_unset_crawler_url_says_so(stubs_ctx: MethodContext) -> None:
    stubs_ctx.settings.crawler_api_url = ""
    with pytest.raises(MethodError) as info:
        await twitter_search(TwitterSearchParams(query="AI"), stubs_ctx)
    assert "ODP_CRAWLER_API_URL '' is not an http(s) URL" in info.value.message
    assert not info.value.retryable
    assert "http://127.0.0.1:8002" in (info.value.hint or "")


async def test_a_wrong_crawler_url_is_not_retried(stubs_ctx: MethodContext) -> None:
    stubs_ctx.settings.crawler_api_url += "/nope"
    with pytest.raises(MethodError) as info:
        await twitter_search(TwitterSearchParams(query="AI"), stubs_ctx)
    assert "answered 404" in info.value.message
    assert not info.value.retryable


async def test_rss_and_atom_feeds(
    stubs_ctx: MethodContext, store: ArtifactStore, stubs_url: str
) -> None:
    params = FeedParams(
        url=[f"{stubs_url}/feeds/ai.rss", f"{stubs_url}/feeds/food.atom"], max_items=5
    )
    out = await read_feeds(params, stubs_ctx)
    frame = store.read(out.data)
    assert out.count == 10 and out.failed == []
    assert set(frame["feed_url"]) == set(params.url)
    assert frame["title"].null_count() == 0
    assert frame["link"].str.starts_with(f"{stubs_url}/articles/").all()
    assert frame.schema["published"] == pl.Datetime("us", "UTC")
    assert frame["published"].null_count() == 0
    one = await read_feeds(FeedParams(url=f"{stubs_url}/feeds/all.rss"), stubs_ctx)  # type: ignore[arg-type]
    assert one.count == 20


async def test_feed_failures(stubs_ctx: MethodContext, stubs_url: str) -> None:
    good, missing, html = (
        f"{stubs_url}/feeds/ai.rss",
        f"{stubs_url}/feeds/nope.rss",
        f"{stubs_url}/pages/empty.html",
    )
    out = await read_feeds(FeedParams(url=[good, missing]), stubs_ctx)
    assert out.count == 20
    assert len(out.failed) == 1 and out.failed[0].startswith(f"{missing}: reading the feed")
    with pytest.raises(MethodError, match="answered 404") as info:
        await read_feeds(FeedParams(url=[missing]), stubs_ctx)
    assert not info.value.retryable and info.value.field == "url"
    with pytest.raises(MethodError, match="none of the 2 feeds"):
        await read_feeds(FeedParams(url=[missing, html]), stubs_ctx)


def test_methods_are_in_the_catalog(catalog: Catalog) -> None:
    for method_id in (
        "social.twitter.search",
        "social.reddit.search",
        "news.articles.search",
        "news.rss.read",
        "web.page.fetch",
        "http.json.get",
        "http.webhook.post",
    ):
        spec = catalog.get(method_id)
        assert spec.examples
        for example in spec.examples:
            params = {k: v for k, v in example.params.items() if "{{" not in str(v)}
            if "{{" not in str(example.params):
                spec.params_model.model_validate(params)
        for name, field in spec.params_model.model_fields.items():
            assert field.description, f"{method_id}.{name} has no description"
        for name, field in spec.output_model.model_fields.items():
            assert field.description, f"{method_id} output {name} has no description"
