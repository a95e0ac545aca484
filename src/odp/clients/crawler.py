"""The crawler API: its contract as Pydantic models, and a typed client that pages.

The crawlers are an outside HTTP service at ``ODP_CRAWLER_API_URL``::

    POST {base}/social/twitter/search   {"query": "...", "max_results": 100, "since": ..., "lang": ...}
    POST {base}/social/reddit/search    {"query": "...", "max_results": 100, "subreddit": ...}
    POST {base}/news/search             {"query": "...", "max_results": 100}
    → {"results": [{"id", "text", "author", "created_at", "url", "lang", "likes", "reposts", ...}],
       "next_cursor": "..." | null}

A page holds at most what the service allows; the client sends ``cursor`` to get the
next one until it has ``max_results`` posts or there is no next page. Query
parameters of the base URL (an API key, say) are kept on every call.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from odp.clients.client import HttpClient
from odp.errors import ClientError

__all__ = [
    "CrawlerClient",
    "CrawlerPost",
    "CrawlerSearchRequest",
    "CrawlerSearchResponse",
    "CrawlerSource",
]


class CrawlerSource(enum.StrEnum):
    """The searches the crawler API offers, by endpoint."""

    TWITTER = "/social/twitter/search"
    REDDIT = "/social/reddit/search"
    NEWS = "/news/search"


class CrawlerSearchRequest(BaseModel):
    """The body of a search call."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, description="Words to search for.")
    max_results: int = Field(ge=1, description="The most posts to return in this page.")
    cursor: str | None = Field(default=None, description="The previous page's next_cursor.")
    since: dt.datetime | None = Field(default=None, description="Only posts created at or after.")
    lang: str | None = Field(default=None, description="Only posts in this language (ISO 639-1).")
    subreddit: str | None = Field(default=None, description="Reddit only: one subreddit.")


class CrawlerPost(BaseModel):
    """One post or article. Sources add their own fields (``subreddit``, ``title``...)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="The post's id at its source.")
    text: str = Field(description="The post's text.")
    author: str = Field(description="Who wrote it.")
    created_at: dt.datetime = Field(description="When it was written.")
    url: str | None = Field(default=None, description="Where it can be read.")
    lang: str | None = Field(default=None, description="Its language (ISO 639-1).")
    likes: int = Field(default=0, description="Likes, upvotes or score.")
    reposts: int = Field(default=0, description="Reposts, shares or crossposts.")


class CrawlerSearchResponse(BaseModel):
    """The answer to a search call."""

    results: list[CrawlerPost] = Field(description="The page's posts.")
    next_cursor: str | None = Field(default=None, description="Send it back for the next page.")


class CrawlerClient:
    """A typed client of the crawler API.

    Args:
        http: the HTTP client (retries, breaker, guard).
        base_url: the API's base URL (``ODP_CRAWLER_API_URL``).
    """

    def __init__(self, http: HttpClient, base_url: str) -> None:
        self.http = http
        self.base_url = base_url

    def endpoint(self, source: CrawlerSource) -> str:
        """The URL of a search, keeping the base URL's path prefix and query."""
        try:
            base = httpx.URL(self.base_url)
        except httpx.InvalidURL:
            base = httpx.URL()
        if base.scheme not in ("http", "https") or not base.host:
            raise ClientError(
                f"ODP_CRAWLER_API_URL {self.base_url!r} is not an http(s) URL",
                hint="set it to the crawler API's base URL, e.g. http://127.0.0.1:8002 "
                "(`odp stubs` serves one locally)",
            )
        return str(base.copy_with(path=base.path.rstrip("/") + source.value))

    async def pages(
        self, source: CrawlerSource, request: CrawlerSearchRequest
    ) -> AsyncIterator[list[CrawlerPost]]:
        """Yield pages of posts until ``request.max_results`` posts or the last page.

        Raises:
            ClientError: for transport errors, error statuses or an answer that does not
                follow the contract.
        """
        url = self.endpoint(source)
        remaining = request.max_results
        cursor = request.cursor
        seen_cursors: set[str] = set()
        while remaining > 0:
            body = request.model_copy(update={"max_results": remaining, "cursor": cursor})
            response = await self.http.request(
                "POST", url, json=body.model_dump(mode="json", exclude_none=True)
            )
            page = _parse(url, response.json())
            results = page.results[:remaining]
            if results:
                yield results
            remaining -= len(results)
            cursor = page.next_cursor
            # an empty page or a repeated cursor would loop for ever
            if not results or cursor is None or cursor in seen_cursors:
                return
            seen_cursors.add(cursor)

    async def search(
        self,
        source: CrawlerSource,
        request: CrawlerSearchRequest,
        *,
        on_page: Callable[[int], None] | None = None,
    ) -> list[CrawlerPost]:
        """Collect up to ``request.max_results`` posts, page after page.

        Args:
            source: which search.
            request: the query and filters.
            on_page: called with the number of posts so far after each page (for heartbeats).
        """
        posts: list[CrawlerPost] = []
        async for page in self.pages(source, request):
            posts.extend(page)
            if on_page is not None:
                on_page(len(posts))
        return posts


def _parse(url: str, payload: Any) -> CrawlerSearchResponse:
    try:
        return CrawlerSearchResponse.model_validate(payload)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ClientError(
            f"the crawler API at {url} answered an unexpected shape: {where}: {first['msg']}",
            hint="check that ODP_CRAWLER_API_URL points at a crawler API of this contract",
        ) from None
