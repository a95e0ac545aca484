"""The web stand-in: static files, a paginated JSON API, feeds, article pages, redirects.

=================================  ===============================================
``GET /files/posts.{csv,json,jsonl}``  200 sample posts
``GET /api/items?page=&per_page=``     page-number paging: ``{"items", "page", "total"}``
``GET /api/cursor?cursor=&limit=``     cursor paging: ``{"data": {"records"}, "meta": {"next_cursor"}}``
``GET /api/linked?page=&per_page=``    a JSON list, the next page in the ``Link`` header
``GET /feeds/{topic}.rss|.atom``       the latest articles of a topic (or ``all``)
``GET /articles/{id}.html``            an article page with boilerplate around the text
``GET /pages/empty.html``              a page without main text
``GET /redirect?to=URL&status=302``    a redirect anywhere (to test the address guard)
``GET /status/{code}``                 answers that status
``GET /echo``                          the request's method, headers and query, as JSON
=================================  ===============================================
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from odp.stubs.corpus import Corpus, Post
from odp.stubs.pages import article_html, atom_feed, empty_html, rss_feed
from odp.stubs.phrases import TOPICS

__all__ = ["API_ITEMS", "FILE_ROWS", "web_router"]

FILE_ROWS = 200
API_ITEMS = 95
FEED_SIZE = 20
_FILE_COLUMNS = ("id", "text", "author", "created_at", "lang", "likes", "reposts")


def _row(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "text": post.text,
        "author": post.author,
        "created_at": post.created_at.isoformat(),
        "lang": post.lang,
        "likes": post.likes,
        "reposts": post.reposts,
    }


def _item(post: Post, index: int) -> dict[str, Any]:
    return {
        "n": index + 1,
        "id": post.id,
        "text": post.text,
        "lang": post.lang,
        "likes": post.likes,
    }


def web_router(corpus: Corpus) -> APIRouter:
    """The web stand-in's routes over ``corpus``."""
    router = APIRouter(tags=["web"])
    rows = [_row(p) for p in corpus.tweets[:FILE_ROWS]]
    items = [_item(p, i) for i, p in enumerate(corpus.tweets[:API_ITEMS])]

    @router.get("/healthz")
    async def healthz() -> dict[str, Any]:
        """The stand-in is up."""
        return {"ok": True, "seed": corpus.seed}

    @router.get("/files/posts.{fmt}")
    async def posts_file(fmt: str) -> Response:
        """Sample posts as CSV, JSON or JSON Lines."""
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=_FILE_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
        if fmt == "json":
            return JSONResponse(rows)
        if fmt == "jsonl":
            body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            return Response(body, media_type="application/x-ndjson")
        raise HTTPException(404, f"no posts.{fmt}; try csv, json or jsonl")

    @router.get("/api/items")
    async def api_items(
        page: int = Query(1, ge=1), per_page: int = Query(20, ge=1, le=100)
    ) -> dict[str, Any]:
        """Page-number paging; a page past the end is empty."""
        start = (page - 1) * per_page
        return {
            "items": items[start : start + per_page],
            "page": page,
            "per_page": per_page,
            "total": len(items),
        }

    @router.get("/api/cursor")
    async def api_cursor(
        cursor: str | None = None, limit: int = Query(20, ge=1, le=100)
    ) -> dict[str, Any]:
        """Cursor paging, with the records nested under ``data.records``."""
        start = 0
        if cursor is not None:
            if not (cursor[:1] == "c" and cursor[1:].isdigit()):
                raise HTTPException(400, f"invalid cursor {cursor!r}")
            start = int(cursor[1:])
        end = start + limit
        return {
            "data": {"records": items[start:end]},
            "meta": {"next_cursor": f"c{end}" if end < len(items) else None},
        }

    @router.get("/api/linked")
    async def api_linked(
        page: int = Query(1, ge=1), per_page: int = Query(20, ge=1, le=100)
    ) -> Response:
        """A JSON list per page; ``Link: <...>; rel="next"`` points at the next page."""
        start = (page - 1) * per_page
        links = [f'</api/linked?page=1&per_page={per_page}>; rel="first"']
        if start + per_page < len(items):
            links.append(f'</api/linked?page={page + 1}&per_page={per_page}>; rel="next"')
        return JSONResponse(items[start : start + per_page], headers={"link": ", ".join(links)})

    def _feed_posts(topic: str) -> list[Post]:
        if topic != "all" and topic not in TOPICS:
            raise HTTPException(404, f"no feed {topic!r}; topics: all, {', '.join(TOPICS)}")
        return [p for p in corpus.news if topic in ("all", p.topic)][:FEED_SIZE]

    @router.get("/feeds/{topic}.rss")
    async def feed_rss(topic: str, request: Request) -> Response:
        """An RSS 2.0 feed."""
        base = str(request.base_url).rstrip("/")
        return Response(rss_feed(topic, _feed_posts(topic), base), media_type="application/rss+xml")

    @router.get("/feeds/{topic}.atom")
    async def feed_atom(topic: str, request: Request) -> Response:
        """An Atom feed."""
        base = str(request.base_url).rstrip("/")
        body = atom_feed(topic, _feed_posts(topic), base)
        return Response(body, media_type="application/atom+xml")

    @router.get("/articles/{post_id}.html")
    async def article(post_id: str) -> HTMLResponse:
        """A news article's page."""
        post = corpus.by_id(post_id)
        if post is None or post.kind != "news":
            raise HTTPException(404, f"no article {post_id!r}")
        related = [p for p in corpus.news if p.topic == post.topic and p.id != post.id][:5]
        return HTMLResponse(article_html(post, related))

    @router.get("/pages/empty.html")
    async def empty_page() -> HTMLResponse:
        """A page whose text a browser would render with JavaScript: nothing to extract."""
        return HTMLResponse(empty_html())

    @router.get("/redirect")
    async def redirect(to: str, status: int = Query(302, ge=300, le=399)) -> RedirectResponse:
        """Redirect anywhere."""
        return RedirectResponse(to, status_code=status)

    @router.get("/status/{code}")
    async def status(code: int) -> Response:
        """Answer with ``code``."""
        if not 200 <= code <= 599:
            raise HTTPException(400, "code must be an HTTP status")
        return JSONResponse({"status": code}, status_code=code)

    @router.get("/echo")
    async def echo(request: Request) -> dict[str, Any]:
        """The request as the server saw it."""
        return {
            "method": request.method,
            "headers": dict(request.headers),
            "query": dict(request.query_params),
        }

    return router
