"""The crawler API stand-in: search posts, Reddit threads and news over the sample corpus.

Search matches every word of the query, case-insensitively, against the text (as
words or word prefixes) or the topic. Results come newest first, at most
:data:`PAGE_SIZE` per page, with an opaque ``next_cursor`` for the next page.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from odp.stubs.corpus import Corpus, Post, query_words

__all__ = ["PAGE_SIZE", "SearchBody", "crawler_router", "post_json"]

PAGE_SIZE = 100


class SearchBody(BaseModel):
    """A search call's body."""

    model_config = ConfigDict(extra="ignore")

    query: str = Field(min_length=1, max_length=500)
    max_results: int = Field(default=10, ge=1, le=10_000)
    cursor: str | None = None
    since: dt.datetime | None = None
    lang: str | None = Field(default=None, min_length=2, max_length=8)
    subreddit: str | None = None


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "offset" or not number.isdigit():
            raise ValueError(text)
        return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise HTTPException(400, f"invalid cursor {cursor!r}") from None


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def post_json(post: Post, base_url: str) -> dict[str, Any]:
    """One corpus item as the crawler API answers it."""
    item: dict[str, Any] = {
        "id": post.id,
        "text": post.text,
        "author": post.author,
        "created_at": _iso(post.created_at),
        "url": post.url or f"{base_url}/articles/{post.id}.html",
        "lang": post.lang,
        "likes": post.likes,
        "reposts": post.reposts,
    }
    if post.kind == "reddit":
        item.update(subreddit=post.subreddit, title=post.title, comments=post.comments)
    elif post.kind == "news":
        item.update(title=post.title, source=post.publisher, summary=post.text.split("\n\n")[0])
    return item


def _search(items: tuple[Post, ...], body: SearchBody) -> list[Post]:
    words = query_words(body.query)
    since = body.since
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)  # a naive time is read as UTC
    lang = body.lang.lower() if body.lang else None
    subreddit = body.subreddit.lower().removeprefix("r/") if body.subreddit else None
    return [
        p
        for p in items
        if p.matches(words)
        and (since is None or p.created_at >= since)
        and (lang is None or p.lang == lang)
        and (subreddit is None or (p.subreddit or "").lower() == subreddit)
    ]


def _page(items: tuple[Post, ...], body: SearchBody, request: Request) -> dict[str, Any]:
    found = _search(items, body)
    offset = _decode_cursor(body.cursor) if body.cursor else 0
    size = min(body.max_results, PAGE_SIZE)
    page = found[offset : offset + size]
    end = offset + len(page)
    base = str(request.base_url).rstrip("/")
    return {
        "results": [post_json(p, base) for p in page],
        "next_cursor": _encode_cursor(end) if end < len(found) else None,
    }


def crawler_router(corpus: Corpus) -> APIRouter:
    """The crawler API's routes over ``corpus``."""
    router = APIRouter(tags=["crawler"])

    @router.post("/social/twitter/search")
    async def twitter_search(body: SearchBody, request: Request) -> dict[str, Any]:
        """Search short posts."""
        return _page(corpus.tweets, body, request)

    @router.post("/social/reddit/search")
    async def reddit_search(body: SearchBody, request: Request) -> dict[str, Any]:
        """Search Reddit threads (optionally in one subreddit)."""
        return _page(corpus.reddit, body, request)

    @router.post("/news/search")
    async def news_search(body: SearchBody, request: Request) -> dict[str, Any]:
        """Search news articles."""
        return _page(corpus.news, body, request)

    return router
