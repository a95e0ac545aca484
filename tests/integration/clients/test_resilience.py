"""Sources retry through injected 429s and 5xx; a failing host opens its breaker."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from odp.artifacts import ArtifactStore
from odp.catalog import MethodContext
from odp.config import Settings
from odp.errors import MethodError
from odp.methods.http import JsonGetParams, get_json
from odp.methods.social import TwitterSearchParams, twitter_search
from odp.stubs import create_app, running_server

pytestmark = pytest.mark.integration


def calls(base: str, key: str) -> int:
    return int(httpx.get(f"{base}/_stub/faults/{key}").json()["calls"])


def ctx_for(
    store: ArtifactStore, tmp_path: Path, crawler_url: str, **http: object
) -> MethodContext:
    settings = Settings(
        state_dir=tmp_path / ".odp",
        crawler_api_url=crawler_url,
        **{"http_retry_base_delay": 0.01, "http_retry_max_delay": 5.0, **http},  # type: ignore[arg-type]
    )
    return MethodContext.for_testing(store, settings=settings)


@pytest.mark.parametrize(
    "fault",
    [
        "stub_fail_status=429&stub_retry_after=1",
        "stub_fail_status=503",
        "stub_fail_status=502&stub_retry_after=0",
    ],
)
async def test_search_retries_twice_then_succeeds(
    store: ArtifactStore, tmp_path: Path, stubs_url: str, fault: str
) -> None:
    key = uuid.uuid4().hex
    url = f"{stubs_url}?stub_fail_first=2&stub_fail_key={key}&{fault}"
    out = await twitter_search(
        TwitterSearchParams(query="AI", max_results=50), ctx_for(store, tmp_path, url)
    )
    assert out.count == 50
    assert calls(stubs_url, key) == 3  # two failures, then the answer


async def test_every_page_is_retried(store: ArtifactStore, tmp_path: Path) -> None:
    # a fixed seed on a fresh server: the same requests fail on every run
    with running_server(create_app()) as server:
        url = f"{server.url}?stub_error_rate=0.4&stub_seed=pages"
        ctx = ctx_for(store, tmp_path, url, http_max_retries=8, http_breaker_threshold=50)
        out = await twitter_search(TwitterSearchParams(query="climate", max_results=300), ctx)
    assert out.count == 300
    assert store.read(out.data)["id"].n_unique() == 300


async def test_too_long_retry_after_fails_the_step_as_retryable(
    store: ArtifactStore, tmp_path: Path, stubs_url: str
) -> None:
    key = uuid.uuid4().hex
    url = f"{stubs_url}?stub_fail_first=5&stub_fail_key={key}&stub_fail_status=429&stub_retry_after=120"
    with pytest.raises(MethodError) as info:
        await twitter_search(TwitterSearchParams(query="AI"), ctx_for(store, tmp_path, url))
    assert info.value.retryable  # the step's own retry policy waits longer
    assert "answered 429" in info.value.message
    assert "asked to wait 120s" in (info.value.hint or "")
    assert calls(stubs_url, key) == 1


async def test_breaker_opens_and_the_step_fails_fast(
    store: ArtifactStore, tmp_path: Path, own_stubs_url: str
) -> None:
    key = uuid.uuid4().hex
    # every call fails with 503, and each is counted under `key`
    url = f"{own_stubs_url}?stub_fail_first=1000&stub_fail_key={key}&stub_fail_status=503"
    ctx = ctx_for(
        store,
        tmp_path,
        url,
        http_max_retries=2,
        http_breaker_threshold=4,
        http_breaker_cooldown=600.0,
    )
    with pytest.raises(MethodError) as first:
        await twitter_search(TwitterSearchParams(query="AI"), ctx)
    assert "answered 503" in first.value.message and first.value.retryable
    assert calls(own_stubs_url, key) == 3

    with pytest.raises(MethodError) as second:
        await twitter_search(TwitterSearchParams(query="AI"), ctx)
    assert calls(own_stubs_url, key) == 4  # the fourth failure opened the breaker
    assert "circuit open" in second.value.message

    with pytest.raises(MethodError) as third:
        await twitter_search(TwitterSearchParams(query="AI"), ctx)
    assert calls(own_stubs_url, key) == 4  # not called: failed fast
    host = own_stubs_url.removeprefix("http://")
    assert third.value.message == (
        f"searching Twitter for 'AI': {host} failed repeatedly; "
        "not calling it again for 600s (circuit open)"
    )
    assert third.value.retryable
    assert "breaker closes by itself" in (third.value.hint or "")

    # every method shares the host's breaker
    with pytest.raises(MethodError, match="circuit open"):
        await get_json(JsonGetParams(url=f"{own_stubs_url}/api/items"), ctx)
