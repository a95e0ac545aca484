from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from odp.clients import (
    USER_AGENT,
    HttpClient,
    HttpResponse,
    aclose_shared_clients,
    create_http_client,
    http_client,
    method_error,
)
from odp.config import Settings
from odp.errors import AddressBlockedError, CircuitOpenError, ClientError, UpstreamError

Handler = Callable[[httpx.Request], httpx.Response]


class Sleeps:
    """Records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make(
    handler: Handler, tmp_path: Path, **settings: object
) -> tuple[HttpClient, Sleeps, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    sleeps = Sleeps()
    options = {
        "state_dir": tmp_path,
        "http_max_retries": 3,
        "http_retry_base_delay": 1.0,
        **settings,
    }
    client = create_http_client(
        Settings(**options),  # type: ignore[arg-type]
        transport=httpx.MockTransport(record),
        sleep=sleeps,
        rng=random.Random(0),
    )
    return client, sleeps, seen


def scripted(*responses: httpx.Response | Exception) -> Handler:
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler


async def test_retries_5xx_then_succeeds(tmp_path: Path) -> None:
    client, sleeps, seen = make(
        scripted(httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"ok": 1})),
        tmp_path,
    )
    response = await client.get("https://api.test/x")
    assert response.status == 200
    assert response.json() == {"ok": 1}
    assert len(seen) == 3
    assert len(sleeps.waits) == 2
    assert 0 <= sleeps.waits[0] <= 1.0 and 0 <= sleeps.waits[1] <= 2.0
    assert seen[0].headers["user-agent"] == USER_AGENT


async def test_honours_retry_after_seconds_and_dates(tmp_path: Path) -> None:
    client, sleeps, _ = make(
        scripted(
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(503, headers={"Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT"}),
            httpx.Response(200, text="done"),
        ),
        tmp_path,
    )
    response = await client.get("https://api.test/x")
    assert response.text == "done"
    assert sleeps.waits == [2.0, 0.0]


async def test_gives_up_when_retry_after_is_too_long(tmp_path: Path) -> None:
    client, sleeps, seen = make(
        scripted(httpx.Response(429, headers={"Retry-After": "3600"}, text="slow down")),
        tmp_path,
    )
    with pytest.raises(UpstreamError) as info:
        await client.get("https://api.test/x")
    assert info.value.status == 429 and info.value.retryable
    assert info.value.retry_after == 3600
    assert "asked to wait 3600s" in (info.value.hint or "")
    assert "slow down" in info.value.message
    assert len(seen) == 1 and sleeps.waits == []


async def test_exhausted_retries_raise_the_last_status(tmp_path: Path) -> None:
    client, sleeps, seen = make(scripted(httpx.Response(500, text="boom")), tmp_path)
    with pytest.raises(UpstreamError, match="answered 500: boom") as info:
        await client.get("https://api.test/x")
    assert info.value.retryable
    assert len(seen) == 4  # http_max_retries=3
    assert len(sleeps.waits) == 3


@pytest.mark.parametrize(
    ("status", "hint"),
    [(400, "parameters"), (401, "credentials"), (403, "credentials"), (404, "check the URL")],
)
async def test_client_errors_are_not_retried(tmp_path: Path, status: int, hint: str) -> None:
    client, sleeps, seen = make(scripted(httpx.Response(status)), tmp_path)
    with pytest.raises(UpstreamError) as info:
        await client.get("https://api.test/x")
    assert not info.value.retryable
    assert hint in (info.value.hint or "")
    assert len(seen) == 1 and sleeps.waits == []


async def test_transport_errors_are_retried_then_reported(tmp_path: Path) -> None:
    client, _, seen = make(scripted(httpx.ConnectError("refused")), tmp_path)
    with pytest.raises(ClientError, match="ConnectError: refused") as info:
        await client.get("https://api.test/x")
    assert info.value.retryable
    assert len(seen) == 4

    client, _, seen = make(
        scripted(httpx.ReadTimeout("slow"), httpx.Response(200, text="ok")), tmp_path
    )
    assert (await client.get("https://api.test/x")).text == "ok"
    assert len(seen) == 2


async def test_retry_false_makes_one_attempt(tmp_path: Path) -> None:
    client, _, seen = make(scripted(httpx.Response(503)), tmp_path)
    with pytest.raises(UpstreamError):
        await client.request("POST", "https://api.test/x", json={"a": 1}, retry=False)
    assert len(seen) == 1
    assert seen[0].read() == b'{"a":1}'
    client, _, seen = make(scripted(httpx.ConnectError("down")), tmp_path)
    with pytest.raises(ClientError):
        await client.request("GET", "https://api.test/x", retry=False)
    assert len(seen) == 1


async def test_breaker_opens_and_fails_fast(tmp_path: Path) -> None:
    client, _, seen = make(
        scripted(httpx.Response(503)),
        tmp_path,
        http_max_retries=1,
        http_breaker_threshold=3,
        http_breaker_cooldown=60.0,
    )
    with pytest.raises(UpstreamError):
        await client.get("https://flaky.test/a")  # 2 failures
    with pytest.raises(CircuitOpenError, match=r"flaky\.test:443 failed repeatedly"):
        await client.get("https://flaky.test/b")  # the third failure opens it
    calls = len(seen)
    with pytest.raises(CircuitOpenError) as info:
        await client.get("https://flaky.test/c")
    assert len(seen) == calls  # not called at all
    error = method_error(info.value, field="url", what="reading https://flaky.test/c")
    assert error.retryable and error.field is None
    assert error.message.startswith("reading https://flaky.test/c: flaky.test:443 failed")
    # another host is not affected
    client.http._transport = httpx.MockTransport(lambda r: httpx.Response(200))
    assert (await client.get("https://fine.test/")).status == 200


async def test_429_and_4xx_do_not_open_the_breaker(tmp_path: Path) -> None:
    client, _, _ = make(
        scripted(httpx.Response(429), httpx.Response(404)),
        tmp_path,
        http_max_retries=0,
        http_breaker_threshold=1,
    )
    for _ in range(3):
        with pytest.raises(UpstreamError):
            await client.get("https://busy.test/")
    assert client.breakers.get("busy.test:443").failures == 0


async def test_guard_is_checked_before_sending(tmp_path: Path) -> None:
    client, _, seen = make(scripted(httpx.Response(200)), tmp_path, http_block_private=True)
    with pytest.raises(AddressBlockedError):
        await client.get("http://169.254.169.254/latest/meta-data/")
    assert seen == []
    error = method_error(AddressBlockedError("http://x", "a loopback address"), field="url")
    assert not error.retryable and error.field == "url"
    assert error.message.startswith("url: refused")


async def test_response_size_limit(tmp_path: Path) -> None:
    big = b"x" * 5000

    async def chunks() -> AsyncIterator[bytes]:
        yield big[:2500]
        yield big[2500:]

    def chunked(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())  # no content-length: counted as read

    client, _, _ = make(chunked, tmp_path, http_max_response_bytes=4096)
    with pytest.raises(ClientError, match="more than 4096 bytes") as info:
        await client.get("https://big.test/")
    assert "ODP_HTTP_MAX_RESPONSE_BYTES" in (info.value.hint or "")
    client, _, _ = make(
        scripted(httpx.Response(200, content=big)), tmp_path, http_max_response_bytes=4096
    )
    with pytest.raises(ClientError, match="more than 4096 bytes"):
        await client.get("https://big.test/")


async def test_other_httpx_errors_are_client_errors(tmp_path: Path) -> None:
    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": str(request.url)})

    client, _, _ = make(loop, tmp_path)
    with pytest.raises(ClientError, match="TooManyRedirects") as info:
        await client.get("https://loop.test/")
    assert not info.value.retryable


def test_response_text_json_and_links() -> None:
    response = HttpResponse(
        url="https://api.test/items?page=1",
        status=200,
        headers=httpx.Headers(
            {
                "content-type": "application/json; charset=latin-1",
                "link": '</items?page=2>; rel="next", <https://api.test/items?page=9>; rel="last"',
            }
        ),
        content='{"name": "caf\xe9"}'.encode("latin-1"),
    )
    assert response.text == '{"name": "café"}'
    assert response.links == {
        "next": "https://api.test/items?page=2",
        "last": "https://api.test/items?page=9",
    }
    with pytest.raises(ClientError, match="did not answer JSON"):
        response.json()
    plain = HttpResponse(
        "https://a.test/", 200, httpx.Headers({"content-type": "text/x; charset=nope"}), b"hi"
    )
    assert plain.text == "hi" and plain.links == {}
    assert HttpResponse("https://a.test/", 200, httpx.Headers(), b"[1]").json() == [1]
    with pytest.raises(ClientError, match="did not answer JSON"):
        HttpResponse("https://a.test/", 200, httpx.Headers(), b"\xff\xfe").json()


async def test_shared_clients_per_settings_and_loop(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    first = http_client(settings)
    assert http_client(Settings(state_dir=tmp_path / "other")) is first  # same HTTP settings
    other = http_client(Settings(state_dir=tmp_path, http_timeout=5.0))
    assert other is not first
    await aclose_shared_clients()
    assert http_client(settings) is not first
    await aclose_shared_clients()

    def in_new_loop() -> object:
        async def get() -> HttpClient:
            client = http_client(settings)
            await aclose_shared_clients()
            return client

        return asyncio.run(get())

    # another event loop gets its own client, with the same breakers
    client = await asyncio.to_thread(in_new_loop)
    assert isinstance(client, HttpClient)
    assert client.breakers is http_client(settings).breakers
    await aclose_shared_clients()


async def test_params_merge_with_the_urls_own_query(tmp_path: Path) -> None:
    client, _, seen = make(scripted(httpx.Response(200)), tmp_path)
    await client.get("https://api.test/x?key=k&page=1", params={"page": 2, "q": "ai"})
    await client.get("https://api.test/x?key=k", params={})
    assert str(seen[0].url) == "https://api.test/x?key=k&page=2&q=ai"
    assert str(seen[1].url) == "https://api.test/x?key=k"
