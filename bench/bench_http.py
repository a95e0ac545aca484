"""Outbound HTTP: what ODP's client and methods cost over plain httpx, against the stand-ins.

Everything runs against a stand-in server started here on 127.0.0.1, with bounded loops
(each arm is timed as the best of a few runs):

* crawler search: rows/s of ``social.twitter.search`` (paging, contract validation,
  Parquet) against a plain httpx loop fetching the same pages and parsing the JSON;
* guard: requests/s of the client with the address guard on (resolve, check, pin)
  against the same client with it off;
* page fetch: pages/s of ``web.page.fetch`` at concurrency 8 against concurrency 1.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from odp.artifacts import ArtifactStore
from odp.catalog import MethodContext
from odp.clients import aclose_shared_clients, create_http_client
from odp.config import Settings
from odp.logs import configure_logging
from odp.methods.social import TwitterSearchParams, twitter_search
from odp.methods.web import FetchParams, fetch_pages
from odp.stubs import create_app, running_server

POSTS = 3000
REQUESTS = 300
PAGES = 120


async def raw_search(url: str, limit: int) -> int:
    got = 0
    cursor = None
    async with httpx.AsyncClient() as client:
        while got < limit:
            body = {"query": "AI", "max_results": limit - got, "cursor": cursor}
            answer = (await client.post(f"{url}/social/twitter/search", json=body)).json()
            got += len(answer["results"])
            cursor = answer["next_cursor"]
            if cursor is None:
                break
    return got


async def method_search(ctx: MethodContext, limit: int) -> int:
    out = await twitter_search(TwitterSearchParams(query="AI", max_results=limit), ctx)
    return out.count


async def requests(settings: Settings, url: str, n: int) -> None:
    client = create_http_client(settings)
    try:
        for _ in range(n):
            await client.get(f"{url}/healthz")
    finally:
        await client.aclose()


async def timed(coro_factory, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        await coro_factory()
        best = min(best, time.perf_counter() - started)
    return best


async def run(url: str, folder: Path) -> None:
    settings = Settings(state_dir=folder / ".odp", crawler_api_url=url)
    ctx = MethodContext.for_testing(ArtifactStore(folder / "artifacts"), settings=settings)
    assert await raw_search(url, POSTS) == await method_search(ctx, POSTS) == POSTS

    raw = await timed(lambda: raw_search(url, POSTS))
    ours = await timed(lambda: method_search(ctx, POSTS))
    print(f"{'crawler search, ' + str(POSTS) + ' posts':<40}{'rows/s':>12}")
    print(f"{'  plain httpx + json':<40}{POSTS / raw:>12.0f}")
    print(f"{'  social.twitter.search':<40}{POSTS / ours:>12.0f}")
    print(f"  ratio method/plain: {raw / ours:.2f}")

    port = url.rsplit(":", 1)[1]
    off = Settings(state_dir=folder, http_block_private=False)
    on = Settings(state_dir=folder, http_block_private=True, http_allowed_hosts=["127.0.0.1/32"])
    named = f"http://localhost:{port}"  # a name: resolved and checked per connection
    t_off = await timed(lambda: requests(off, named, REQUESTS))
    t_on = await timed(lambda: requests(on, named, REQUESTS))
    print(f"\n{'client, ' + str(REQUESTS) + ' sequential GETs':<40}{'req/s':>12}")
    print(f"{'  guard off':<40}{REQUESTS / t_off:>12.0f}")
    print(f"{'  guard on (resolve, check, pin)':<40}{REQUESTS / t_on:>12.0f}")
    print(f"  ratio on/off: {t_off / t_on:.2f}")

    pages = [f"{url}/articles/news-{i:05d}.html" for i in range(PAGES)]
    one = await timed(lambda: fetch_pages(FetchParams(urls=pages, concurrency=1), ctx), repeat=2)
    eight = await timed(lambda: fetch_pages(FetchParams(urls=pages, concurrency=8), ctx), repeat=2)
    print(f"\n{'web.page.fetch, ' + str(PAGES) + ' pages':<40}{'pages/s':>12}")
    print(f"{'  concurrency 1':<40}{PAGES / one:>12.0f}")
    print(f"{'  concurrency 8':<40}{PAGES / eight:>12.0f}")
    print(f"  ratio 8/1: {one / eight:.2f}")
    await aclose_shared_clients()


def main() -> None:
    configure_logging("WARNING")
    with tempfile.TemporaryDirectory() as tmp, running_server(create_app(tweets=20_000)) as server:
        asyncio.run(run(server.url, Path(tmp)))


if __name__ == "__main__":
    main()
