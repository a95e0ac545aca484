"""The address guard against a real server: redirects, names, pinned addresses."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from odp.artifacts import ArtifactStore
from odp.catalog import MethodContext
from odp.clients import create_http_client
from odp.config import Settings
from odp.errors import AddressBlockedError, ClientError, MethodError
from odp.methods.web import FetchParams, fetch_pages

pytestmark = pytest.mark.integration


def guarded(tmp_path: Path, *allowed: str, resolver=None):  # type: ignore[no-untyped-def]
    settings = Settings(
        state_dir=tmp_path,
        http_block_private=True,
        http_allowed_hosts=list(allowed),
        http_max_retries=0,
    )
    return create_http_client(settings, resolver=resolver)


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


async def test_loopback_is_refused_when_blocking(tmp_path: Path, stubs_url: str) -> None:
    client = guarded(tmp_path)
    port = port_of(stubs_url)
    for url in (
        f"{stubs_url}/healthz",
        f"http://localhost:{port}/healthz",  # resolves to loopback
        f"http://LOCALHOST.:{port}/healthz",
        f"http://2130706433:{port}/healthz",
        f"http://[::ffff:127.0.0.1]:{port}/healthz",
    ):
        with pytest.raises(AddressBlockedError):
            await client.get(url)
    await client.aclose()


async def test_a_name_that_resolves_to_loopback_is_refused_at_connect_time(
    tmp_path: Path, stubs_url: str
) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return {"internal.test": ["127.0.0.1"], "mapped.test": ["::ffff:127.0.0.1"]}[host]

    client = guarded(tmp_path, resolver=resolver)
    for name, address in (("internal.test", "127.0.0.1"), ("mapped.test", "::ffff:7f00:1")):
        url = f"http://{name}:{port_of(stubs_url)}/healthz"
        client.guard.check_url(url)  # the name itself passes the URL check...
        with pytest.raises(AddressBlockedError, match=f"{name} resolves to {address}") as info:
            await client.get(url)  # ...its address does not
        assert info.value.url == url
    await client.aclose()


async def test_allowlisted_name_reaches_the_server(tmp_path: Path, stubs_url: str) -> None:
    client = guarded(tmp_path, "localhost")
    answer = await client.get(f"http://localhost:{port_of(stubs_url)}/healthz")
    assert answer.json()["ok"] is True
    # the name is allowed, not its address
    with pytest.raises(AddressBlockedError):
        await client.get(f"{stubs_url}/healthz")
    await client.aclose()


async def test_redirect_to_loopback_is_refused_on_that_hop(tmp_path: Path, stubs_url: str) -> None:
    client = guarded(tmp_path, "localhost")
    start = f"http://localhost:{port_of(stubs_url)}"
    for target in (
        f"{stubs_url}/healthz",
        f"http://0x7f.1:{port_of(stubs_url)}/healthz",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:a9fe:a9fe]/",
        "file:///etc/passwd",
    ):
        with pytest.raises(AddressBlockedError) as info:
            await client.get(f"{start}/redirect", params={"to": target})
        assert info.value.url.removeprefix("file://localhost") == target.removeprefix("file://")
    # a redirect within the allowed host is followed
    answer = await client.get(f"{start}/redirect", params={"to": "/healthz"})
    assert answer.url == f"{start}/healthz"
    await client.aclose()


async def test_connection_goes_to_the_checked_address(tmp_path: Path, stubs_url: str) -> None:
    answers = [["127.0.0.1"], ["10.9.9.9"]]  # a rebinding resolver: another answer next time
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[min(len(asked) - 1, 1)]

    client = guarded(tmp_path, "127.0.0.1/32", resolver=resolver)
    port = port_of(stubs_url)
    echo = (await client.get(f"http://pinned.test:{port}/echo")).json()
    assert echo["headers"]["host"] == f"pinned.test:{port}"  # the Host header is kept
    again = (await client.get(f"http://pinned.test:{port}/echo")).json()  # pooled connection
    assert again["headers"]["host"] == f"pinned.test:{port}"
    assert asked == ["pinned.test"]  # resolved once, for the one connection made
    await client.aclose()

    rebinding = guarded(tmp_path, "127.0.0.1/32", resolver=resolver)
    with pytest.raises(AddressBlockedError, match=r"pinned.test resolves to 10\.9\.9\.9"):
        await rebinding.get(f"http://pinned.test:{port}/echo")
    await rebinding.aclose()


async def test_unix_sockets_are_refused(tmp_path: Path) -> None:
    from odp.clients import AddressGuard, PinnedBackend

    with pytest.raises(AddressBlockedError, match="unix sockets"):
        await PinnedBackend(AddressGuard()).connect_unix_socket("/tmp/x.sock")


async def test_guard_off_reaches_loopback(tmp_path: Path, stubs_url: str) -> None:
    client = create_http_client(Settings(state_dir=tmp_path))
    assert (await client.get(f"{stubs_url}/healthz")).status == 200
    await client.aclose()


async def test_a_method_with_the_guard_on(
    store: ArtifactStore, tmp_path: Path, stubs_url: str
) -> None:
    settings = Settings(state_dir=tmp_path, http_block_private=True)
    ctx = MethodContext.for_testing(store, settings=settings)
    with pytest.raises(MethodError) as info:
        await fetch_pages(FetchParams(urls=[f"{stubs_url}/articles/news-00001.html"]), ctx)
    assert "127.0.0.1 is a loopback address" in info.value.message
    assert not info.value.retryable
    assert httpx.get(f"{stubs_url}/healthz").status_code == 200


async def test_each_checked_address_is_tried_in_turn(tmp_path: Path, stubs_url: str) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.2", "127.0.0.1"]  # nothing listens on the first

    client = guarded(tmp_path, "127.0.0.0/8", resolver=resolver)
    answer = await client.get(f"http://two.test:{port_of(stubs_url)}/healthz")
    assert answer.json()["ok"] is True
    await client.aclose()

    async def nowhere(host: str, port: int) -> list[str]:
        return ["127.0.0.2", "127.0.0.3"]

    client = guarded(tmp_path, "127.0.0.0/8", resolver=nowhere)
    with pytest.raises(ClientError, match="ConnectError") as info:
        await client.get(f"http://none.test:{port_of(stubs_url)}/healthz")
    assert info.value.retryable
    await client.aclose()


async def test_slow_resolution_is_a_connect_timeout(tmp_path: Path) -> None:
    async def slow(host: str, port: int) -> list[str]:
        await asyncio.sleep(30)
        return ["127.0.0.1"]

    settings = Settings(
        state_dir=tmp_path, http_block_private=True, http_timeout=0.2, http_max_retries=0
    )
    client = create_http_client(settings, resolver=slow)
    with pytest.raises(ClientError, match=r"ConnectTimeout: resolving slow\.test") as info:
        await client.get("http://slow.test/")
    assert info.value.retryable
    await client.aclose()
