"""Social media sources: search posts through the crawler API (``ODP_CRAWLER_API_URL``).

Every search pages through the API until it has ``max_results`` posts or the API has
no more, and returns one row per post: ``id``, ``text``, ``author``, ``created_at``
(UTC), ``url``, ``lang``, ``likes``, ``reposts``, plus the source's own columns.
Locally, ``odp stubs`` serves the API from a sample corpus.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import polars as pl
from pydantic import Field

from odp.catalog import MethodContext, MethodKind, MethodParams, RetryDefaults, method
from odp.clients import (
    CrawlerClient,
    CrawlerPost,
    CrawlerSearchRequest,
    CrawlerSource,
    http_client,
    method_error,
)
from odp.errors import AddressBlockedError, CircuitOpenError, ClientError, UpstreamError
from odp.methods.tabular import RowsOutput, in_thread, rows_output

__all__ = ["POST_SCHEMA", "crawler_search", "reddit_search", "twitter_search"]

POST_SCHEMA: Mapping[str, pl.DataType] = {
    "id": pl.String(),
    "text": pl.String(),
    "author": pl.String(),
    "created_at": pl.Datetime("us", "UTC"),
    "url": pl.String(),
    "lang": pl.String(),
    "likes": pl.Int64(),
    "reposts": pl.Int64(),
}
"""The columns every crawler search returns."""

# sources answer slowly and rate limit: retry a step a few times, waiting longer each time
SOURCE_RETRY = RetryDefaults(
    max_attempts=4, initial_interval=dt.timedelta(seconds=5), max_interval=dt.timedelta(minutes=2)
)

_QUERY = Field(
    min_length=1,
    max_length=500,
    description="Words to search for; a post matches when it has every word "
    "(case-insensitive), e.g. 'climate policy'.",
)
_SINCE = Field(
    default=None,
    description="Only posts created at or after this time: an ISO date or date-time such as "
    "2025-05-01 or 2025-05-01T12:00:00Z (UTC when no zone is given).",
)
_LANG = Field(
    default=None,
    pattern=r"^[a-z]{2}$",
    description="Only posts in this language, as an ISO 639-1 code: en, de, fr, es, it, pt...",
)


def _max_results(default: int = 100) -> Any:
    return Field(
        default=default,
        ge=1,
        le=10_000,
        description="The most posts to return (the API is paged until there are this many).",
    )


def _row(post: CrawlerPost) -> dict[str, Any]:
    row = post.model_dump()
    created = row["created_at"]
    if isinstance(created, dt.datetime) and created.tzinfo is None:
        row["created_at"] = created.replace(tzinfo=dt.UTC)
    return row


async def crawler_search(
    ctx: MethodContext,
    source: CrawlerSource,
    request: CrawlerSearchRequest,
    *,
    extra_columns: Mapping[str, pl.DataType],
    what: str,
) -> RowsOutput:
    """Run a crawler API search and store its posts as a dataset.

    Args:
        ctx: the step's context (settings, store, heartbeat).
        source: which search.
        request: the query and filters.
        extra_columns: the source's own columns and their types.
        what: what the step does, for error messages (``searching Twitter for 'AI'``).

    Raises:
        MethodError: when the API cannot be reached or answers an error, saying whether
            a retry can help.
    """
    base = ctx.settings.crawler_api_url
    client = CrawlerClient(http_client(ctx.settings), base)
    try:
        posts = await client.search(source, request, on_page=lambda n: ctx.heartbeat(n))
    except ClientError as e:
        error = method_error(e, what=what)
        transport = not isinstance(e, UpstreamError | AddressBlockedError | CircuitOpenError)
        if transport and e.retryable:  # connection refused, timeouts: the service is not there
            error.hint = (
                f"check that the crawler API at {base} is up (ODP_CRAWLER_API_URL); "
                "for local work start the stand-in with `odp stubs`"
            )
        raise error from e
    ctx.log.info("crawler_search", source=source.name.lower(), posts=len(posts))
    schema = {**POST_SCHEMA, **extra_columns}

    def store() -> RowsOutput:
        frame = pl.DataFrame([_row(p) for p in posts], schema=schema)
        # a post can appear on two pages when new posts arrive while paging
        frame = frame.unique(subset="id", keep="first", maintain_order=True)
        return rows_output(ctx.store, frame)

    return await in_thread(store)


class TwitterSearchParams(MethodParams):
    """What to search for on Twitter/X."""

    query: str = _QUERY
    max_results: int = _max_results()
    since: dt.datetime | None = _SINCE
    lang: str | None = _LANG


@method(
    "social.twitter.search",
    kind=MethodKind.SOURCE,
    summary="Search recent posts on Twitter/X through the crawler API",
    retry=SOURCE_RETRY,
    timeout=dt.timedelta(minutes=15),
    tags=("twitter", "x", "tweets", "posts", "social media", "search", "crawler", "mentions"),
    examples=[
        {
            "description": "The 500 latest English posts about AI",
            "params": {"query": "AI", "max_results": 500, "lang": "en"},
        },
        {
            "description": "Posts about the climate summit since 1 May",
            "params": {"query": "climate summit", "since": "2025-05-01"},
        },
    ],
)
async def twitter_search(params: TwitterSearchParams, ctx: MethodContext) -> RowsOutput:
    """Search posts on Twitter/X, newest first, through the crawler API.

    Rows: id, text, author, created_at (UTC), url, lang, likes, reposts.
    """
    request = CrawlerSearchRequest(
        query=params.query, max_results=params.max_results, since=params.since, lang=params.lang
    )
    return await crawler_search(
        ctx,
        CrawlerSource.TWITTER,
        request,
        extra_columns={},
        what=f"searching Twitter for {params.query!r}",
    )


class RedditSearchParams(MethodParams):
    """What to search for on Reddit."""

    query: str = _QUERY
    subreddit: str | None = Field(
        default=None,
        pattern=r"^(r/)?[A-Za-z0-9_]{2,32}$",
        description="Only threads of this subreddit, e.g. 'soccer' or 'r/soccer' (default: all).",
    )
    max_results: int = _max_results()
    since: dt.datetime | None = _SINCE
    lang: str | None = _LANG


@method(
    "social.reddit.search",
    kind=MethodKind.SOURCE,
    summary="Search Reddit threads through the crawler API",
    retry=SOURCE_RETRY,
    timeout=dt.timedelta(minutes=15),
    tags=("reddit", "subreddit", "threads", "posts", "forum", "social media", "search", "crawler"),
    examples=[
        {
            "description": "Threads about Bitcoin in r/CryptoCurrency",
            "params": {"query": "bitcoin", "subreddit": "CryptoCurrency", "max_results": 200},
        }
    ],
)
async def reddit_search(params: RedditSearchParams, ctx: MethodContext) -> RowsOutput:
    """Search Reddit threads, newest first, through the crawler API.

    Rows: id, text, author, created_at (UTC), url, lang, likes (score), reposts
    (crossposts), subreddit, title, comments.
    """
    request = CrawlerSearchRequest(
        query=params.query,
        max_results=params.max_results,
        since=params.since,
        lang=params.lang,
        subreddit=params.subreddit.removeprefix("r/") if params.subreddit else None,
    )
    where = f" in r/{request.subreddit}" if request.subreddit else ""
    return await crawler_search(
        ctx,
        CrawlerSource.REDDIT,
        request,
        extra_columns={"subreddit": pl.String(), "title": pl.String(), "comments": pl.Int64()},
        what=f"searching Reddit{where} for {params.query!r}",
    )
