from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from odp.clients import (
    CrawlerClient,
    CrawlerSearchRequest,
    CrawlerSource,
    create_http_client,
)
from odp.config import Settings
from odp.errors import ClientError


def post(i: int) -> dict[str, object]:
    return {"id": str(i), "text": f"post {i}", "author": "a", "created_at": "2025-05-01T00:00:00Z"}


def api(pages: list[dict[str, object]], seen: list[dict[str, object]]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append({"url": str(request.url), **body})
        return httpx.Response(200, json=pages[len(seen) - 1])

    return httpx.MockTransport(handler)


def client(
    transport: httpx.MockTransport, tmp_path: Path, base: str = "http://crawler.test"
) -> CrawlerClient:
    http = create_http_client(Settings(state_dir=tmp_path), transport=transport)
    return CrawlerClient(http, base)


async def test_pages_until_max_results(tmp_path: Path) -> None:
    seen: list[dict[str, object]] = []
    pages = [
        {"results": [post(i) for i in range(3)], "next_cursor": "c3"},
        {"results": [post(i) for i in range(3, 6)], "next_cursor": "c6"},
        {"results": [post(i) for i in range(6, 9)], "next_cursor": "c9"},
    ]
    counts: list[int] = []
    posts = await client(api(pages, seen), tmp_path).search(
        CrawlerSource.TWITTER,
        CrawlerSearchRequest(query="ai", max_results=7, lang="en"),
        on_page=counts.append,
    )
    assert [p.id for p in posts] == [str(i) for i in range(7)]
    assert counts == [3, 6, 7]
    assert [s["max_results"] for s in seen] == [7, 4, 1]
    assert [s.get("cursor") for s in seen] == [None, "c3", "c6"]
    assert all(s["lang"] == "en" and "since" not in s for s in seen)
    assert seen[0]["url"] == "http://crawler.test/social/twitter/search"


async def test_stops_at_the_last_page_an_empty_page_or_a_repeated_cursor(tmp_path: Path) -> None:
    for pages, expected in [
        ([{"results": [post(1)], "next_cursor": None}], 1),
        ([{"results": [post(1)], "next_cursor": "x"}, {"results": [], "next_cursor": "y"}], 1),
        (
            [
                {"results": [post(1)], "next_cursor": "x"},
                {"results": [post(2)], "next_cursor": "x"},
            ],
            2,
        ),
    ]:
        seen: list[dict[str, object]] = []
        posts = await client(api(pages, seen), tmp_path).search(
            CrawlerSource.NEWS, CrawlerSearchRequest(query="q", max_results=50)
        )
        assert len(posts) == expected
        assert len(seen) == len(pages)


async def test_keeps_the_base_path_and_query(tmp_path: Path) -> None:
    seen: list[dict[str, object]] = []
    pages = [{"results": [], "next_cursor": None}]
    crawler = client(api(pages, seen), tmp_path, base="http://crawler.test/v2/?api_key=k")
    await crawler.search(CrawlerSource.REDDIT, CrawlerSearchRequest(query="q", max_results=1))
    assert seen[0]["url"] == "http://crawler.test/v2/social/reddit/search?api_key=k"


async def test_extra_fields_are_kept(tmp_path: Path) -> None:
    item = {**post(1), "subreddit": "soccer", "comments": 4, "likes": 3}
    seen: list[dict[str, object]] = []
    posts = await client(api([{"results": [item]}], seen), tmp_path).search(
        CrawlerSource.REDDIT, CrawlerSearchRequest(query="q", max_results=5)
    )
    assert posts[0].model_dump()["subreddit"] == "soccer"
    assert posts[0].likes == 3 and posts[0].reposts == 0


@pytest.mark.parametrize(
    ("payload", "where"),
    [({"posts": []}, "results"), ({"results": [{"id": "1"}]}, "results.0.text"), ([1], "")],
)
async def test_unexpected_shapes_are_clear_errors(
    tmp_path: Path, payload: object, where: str
) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=payload))
    with pytest.raises(ClientError, match="answered an unexpected shape") as info:
        await client(transport, tmp_path).search(
            CrawlerSource.TWITTER, CrawlerSearchRequest(query="q", max_results=5)
        )
    assert where in info.value.message
    assert "ODP_CRAWLER_API_URL" in (info.value.hint or "")


@pytest.mark.parametrize("base", ["http://[::1", "", "127.0.0.1:8002", "ftp://crawler.test"])
def test_a_bad_base_url_is_a_clear_error(tmp_path: Path, base: str) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200))
    with pytest.raises(ClientError, match=r"ODP_CRAWLER_API_URL .* is not an http") as info:
        client(transport, tmp_path, base=base).endpoint(CrawlerSource.NEWS)
    assert "odp stubs" in (info.value.hint or "")
