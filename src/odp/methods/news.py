"""News sources: article search through the crawler API, and RSS/Atom feeds."""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
from typing import Any

import feedparser
import polars as pl
from pydantic import Field, field_validator

from odp.catalog import MethodContext, MethodKind, MethodParams, method
from odp.clients import CrawlerSearchRequest, CrawlerSource, http_client, method_error
from odp.errors import ClientError, MethodError
from odp.methods.social import SOURCE_RETRY, crawler_search
from odp.methods.tabular import RowsOutput, in_thread, rows_output

__all__ = ["news_search", "read_feeds"]


class NewsSearchParams(MethodParams):
    """What to search for in the news."""

    query: str = Field(
        min_length=1,
        max_length=500,
        description="Words to search for; an article matches when it has every word "
        "(case-insensitive), e.g. 'carbon tax'.",
    )
    max_results: int = Field(
        default=100, ge=1, le=10_000, description="The most articles to return."
    )
    since: dt.datetime | None = Field(
        default=None,
        description="Only articles published at or after this time (ISO date or date-time, UTC).",
    )
    lang: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}$",
        description="Only articles in this language (ISO 639-1: en, de, fr...).",
    )


@method(
    "news.articles.search",
    kind=MethodKind.SOURCE,
    summary="Search news articles through the crawler API",
    retry=SOURCE_RETRY,
    timeout=dt.timedelta(minutes=15),
    tags=("news", "articles", "press", "media", "headlines", "search", "crawler"),
    examples=[
        {
            "description": "The latest 50 articles about elections",
            "params": {"query": "elections", "max_results": 50},
        }
    ],
)
async def news_search(params: NewsSearchParams, ctx: MethodContext) -> RowsOutput:
    """Search news articles, newest first, through the crawler API.

    Rows: id, text (the article body), author, created_at (UTC), url, lang, likes,
    reposts (shares), title, source (the publisher), summary. Feed the `url` column to
    `web.page.fetch` to get the pages themselves.
    """
    request = CrawlerSearchRequest(
        query=params.query, max_results=params.max_results, since=params.since, lang=params.lang
    )
    return await crawler_search(
        ctx,
        CrawlerSource.NEWS,
        request,
        extra_columns={"title": pl.String(), "source": pl.String(), "summary": pl.String()},
        what=f"searching the news for {params.query!r}",
    )


# ---------------------------------------------------------------------- feeds
FEED_SCHEMA: dict[str, pl.DataType] = {
    "feed_url": pl.String(),
    "feed_title": pl.String(),
    "id": pl.String(),
    "title": pl.String(),
    "link": pl.String(),
    "summary": pl.String(),
    "author": pl.String(),
    "published": pl.Datetime("us", "UTC"),
}


class FeedParams(MethodParams):
    """Which feeds to read."""

    url: list[str] = Field(
        min_length=1,
        max_length=100,
        description="The feed's URL, or a list of feed URLs (RSS or Atom).",
    )
    max_items: int = Field(
        default=100, ge=1, le=10_000, description="The most items to read from each feed."
    )

    @field_validator("url", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class FeedsOutput(RowsOutput):
    """Feed items, and the feeds that could not be read."""

    failed: list[str] = Field(
        default_factory=list,
        description="The feeds that could not be read, each as 'url: reason'.",
    )


def _published(entry: Any) -> dt.datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed is None:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)


def _parse_feed(url: str, content: bytes, max_items: int) -> list[dict[str, Any]]:
    feed = feedparser.parse(content)
    if not feed.entries and feed.get("bozo"):
        reason = feed.get("bozo_exception")
        raise MethodError(f"{url} is not an RSS or Atom feed ({reason})")
    title = feed.feed.get("title")
    return [
        {
            "feed_url": url,
            "feed_title": title,
            "id": entry.get("id") or entry.get("link"),
            "title": entry.get("title"),
            "link": entry.get("link"),
            "summary": entry.get("summary"),
            "author": entry.get("author"),
            "published": _published(entry),
        }
        for entry in feed.entries[:max_items]
    ]


@method(
    "news.rss.read",
    kind=MethodKind.SOURCE,
    summary="Read the items of RSS or Atom feeds",
    retry=SOURCE_RETRY,
    tags=("rss", "atom", "feed", "news", "blog", "syndication", "headlines"),
    examples=[
        {
            "description": "Read one feed",
            "params": {"url": "http://127.0.0.1:8002/feeds/ai.rss", "max_items": 50},
        },
        {
            "description": "Read several feeds at once",
            "params": {
                "url": [
                    "http://127.0.0.1:8002/feeds/climate.rss",
                    "http://127.0.0.1:8002/feeds/food.atom",
                ]
            },
        },
    ],
)
async def read_feeds(params: FeedParams, ctx: MethodContext) -> FeedsOutput:
    """Read RSS or Atom feeds, one row per item.

    Rows: feed_url, feed_title, id, title, link, summary, author, published (UTC). A feed
    that cannot be read is listed in `failed`; the step fails only when none can be read.
    """
    http = http_client(ctx.settings)
    urls = list(dict.fromkeys(params.url))
    limit = asyncio.Semaphore(8)

    async def read(url: str) -> list[dict[str, Any]]:
        async with limit:
            try:
                response = await http.get(
                    url, headers={"Accept": "application/rss+xml, application/atom+xml, */*"}
                )
            except ClientError as e:
                raise method_error(e, field="url", what=f"reading the feed {url}") from e
        ctx.heartbeat(url)
        return await in_thread(lambda: _parse_feed(url, response.content, params.max_items))

    results = await asyncio.gather(*(read(u) for u in urls), return_exceptions=True)
    rows: list[dict[str, Any]] = []
    failed: list[str] = []
    errors: list[MethodError] = []
    for url, result in zip(urls, results, strict=True):
        if isinstance(result, MethodError):
            errors.append(result)
            failed.append(f"{url}: {result.message}")
        elif isinstance(result, BaseException):
            raise result
        else:
            rows.extend(result)
    if errors and len(errors) == len(urls):
        first = errors[0]
        raise MethodError(
            first.message
            if len(urls) == 1
            else f"none of the {len(urls)} feeds could be read: " + "; ".join(failed),
            retryable=any(e.retryable for e in errors),
            hint=first.hint,
            field="url",
        )
    for line in failed:
        ctx.log.warning("feed_failed", error=line)

    def store() -> FeedsOutput:
        out = rows_output(ctx.store, pl.DataFrame(rows, schema=FEED_SCHEMA))
        return FeedsOutput(data=out.data, count=out.count, failed=failed)

    return await in_thread(store)
