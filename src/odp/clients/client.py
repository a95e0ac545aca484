"""The outbound HTTP client every method uses: retries, a breaker per host, the address guard.

Build one with :func:`create_http_client` (tests inject a transport, a sleep and a
random source), or get the process's shared one for some settings with
:func:`http_client`. Nothing is built at import time.
"""

from __future__ import annotations

import asyncio
import json
import random
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from odp import __version__
from odp.clients.breaker import CircuitBreakers
from odp.clients.guard import AddressGuard, Resolver, system_resolver
from odp.clients.retry import RETRYABLE_ERRORS, RetryPolicy, parse_retry_after
from odp.clients.transport import GuardedTransport
from odp.config import Settings
from odp.errors import ClientError, UpstreamError

__all__ = [
    "USER_AGENT",
    "HttpClient",
    "HttpResponse",
    "aclose_shared_clients",
    "create_http_client",
    "http_client",
]

USER_AGENT = f"odp/{__version__}"

Sleep = Callable[[float], Awaitable[None]]

_log = structlog.stdlib.get_logger("odp.clients")


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A response whose body has been read (within the size limit).

    Attributes:
        url: the final URL, after redirects.
        status: the HTTP status.
        headers: the response headers.
        content: the body (decompressed).
    """

    url: str
    status: int
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        """The body as text, in the charset the server declared (UTF-8 otherwise)."""
        charset = httpx.Headers(self.headers).get("content-type", "")
        encoding = "utf-8"
        for part in charset.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                encoding = value.strip('"')
        try:
            return self.content.decode(encoding, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON.

        Raises:
            ClientError: when the body is not JSON (not retryable).
        """
        try:
            return json.loads(self.content)
        except json.JSONDecodeError as e:
            raise ClientError(
                f"{self.url} did not answer JSON ({e.msg} at character {e.pos})",
                hint="check that the URL is a JSON API endpoint",
            ) from None
        except UnicodeDecodeError:
            raise ClientError(
                f"{self.url} did not answer JSON (the body is not text)",
                hint="check that the URL is a JSON API endpoint",
            ) from None

    @property
    def links(self) -> dict[str, str]:
        """The ``Link`` header's targets by ``rel`` (``next``, ``prev``...), as absolute URLs."""
        value = self.headers.get("link")
        if not value:
            return {}
        parsed = httpx.Response(200, headers={"link": value}).links
        base = httpx.URL(self.url)
        return {
            rel: str(base.join(link["url"]))
            for rel, link in parsed.items()
            if rel and "url" in link
        }


@dataclass(slots=True)
class HttpClient:
    """An ``httpx.AsyncClient`` with retries, a circuit breaker per host and the address guard.

    Args:
        http: the underlying httpx client (its transport applies the guard per hop).
        guard: the address guard (checked once more before each request, for a clear error).
        retry: how many attempts and how long to wait between them.
        breakers: the breakers, one per ``host:port``.
        max_response_bytes: bodies larger than this are refused.
        sleep: how to wait between attempts (injectable: tests do not sleep).
        rng: the jitter's random source.
    """

    http: httpx.AsyncClient
    guard: AddressGuard
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breakers: CircuitBreakers = field(default_factory=CircuitBreakers)
    max_response_bytes: int = 50 * 1024 * 1024
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | None = None,
        retry: bool = True,
    ) -> HttpResponse:
        """Send a request, retrying transient failures, and read the answer.

        Args:
            method: ``GET``, ``POST``...
            url: an absolute http(s) URL.
            params: query parameters added to the URL's own.
            headers: request headers.
            json: a body to send as JSON.
            content: a raw body.
            retry: retry connect errors, timeouts, 429 and 5xx (only for requests that
                are safe to repeat: reads, or writes carrying an idempotency key).

        Returns:
            The response, for any status below 400.

        Raises:
            UpstreamError: for a status of 400 or more (after retries for 429 and 5xx).
            AddressBlockedError: when the guard refuses the URL or a redirect.
            CircuitOpenError: when the host's breaker is open.
            ClientError: for transport errors (after retries) and oversized bodies.
        """
        parsed = self.guard.check_url(url)
        host = f"{parsed.host}:{parsed.port or (443 if parsed.scheme == 'https' else 80)}"
        breaker = self.breakers.get(host)
        attempts = self.retry.max_attempts if retry else 1
        for attempt in range(attempts):
            breaker.before_call()
            try:
                response = await self._send(method, parsed, params, headers, json, content)
            except RETRYABLE_ERRORS as e:
                breaker.record_failure()
                error = ClientError(
                    f"{method} {url} failed: {_describe(e)}",
                    retryable=True,
                    hint="check that the service is up and reachable",
                )
                wait = self.retry.delay(attempt, None, self.rng) if retry else None
                if wait is None:
                    raise error from e
                _log.info("http_retry", url=url, attempt=attempt + 1, error=_describe(e), wait=wait)
                await self.sleep(wait)
                continue
            except httpx.HTTPError as e:
                breaker.release()
                raise ClientError(f"{method} {url} failed: {_describe(e)}") from e
            except BaseException:
                breaker.release()
                raise
            if response.status >= 500:
                breaker.record_failure()
            else:
                breaker.record_success()
            if response.status < 400:
                return response
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            error = _upstream_error(url, response, retry_after)
            if not (retry and self.retry.should_retry_status(response.status)):
                raise error
            wait = self.retry.delay(attempt, retry_after, self.rng)
            if wait is None:
                raise error
            _log.info("http_retry", url=url, attempt=attempt + 1, status=response.status, wait=wait)
            await self.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """``GET`` a URL (retried on transient failures)."""
        return await self.request("GET", url, params=params, headers=headers)

    async def _send(
        self,
        method: str,
        url: httpx.URL,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        json: Any,
        content: bytes | None,
    ) -> HttpResponse:
        if params:
            # merged here: httpx would replace the URL's own query with ``params``
            url = url.copy_merge_params(dict(params))
        request = self.http.build_request(method, url, headers=headers, json=json, content=content)
        response = await self.http.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_response_bytes:
                raise _too_large(str(response.url), self.max_response_bytes)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise _too_large(str(response.url), self.max_response_bytes)
                chunks.append(chunk)
        finally:
            await response.aclose()
        return HttpResponse(
            url=str(response.url),
            status=response.status_code,
            headers=response.headers,
            content=b"".join(chunks),
        )

    async def aclose(self) -> None:
        """Close the connections."""
        await self.http.aclose()


def _describe(e: Exception) -> str:
    text = str(e) or type(e).__name__
    return f"{type(e).__name__}: {text}" if text != type(e).__name__ else text


def _too_large(url: str, limit: int) -> ClientError:
    return ClientError(
        f"{url} answered more than {limit} bytes",
        hint="raise ODP_HTTP_MAX_RESPONSE_BYTES, or fetch less at once (smaller pages)",
    )


def _upstream_error(url: str, response: HttpResponse, retry_after: float | None) -> UpstreamError:
    status = response.status
    if status == 429:
        hint = "the service is rate limiting; lower the request rate or retry later"
        if retry_after is not None:
            hint += f" (it asked to wait {retry_after:.0f}s)"
    elif status >= 500:
        hint = "the service failed; a later retry may succeed"
    elif status in (401, 403):
        hint = "check the credentials (headers, tokens) sent to the service"
    elif status == 404:
        hint = "check the URL"
    else:
        hint = "check the request's parameters"
    detail = response.text[:300].strip()
    return UpstreamError(url, status, detail, retry_after=retry_after, hint=hint)


def create_http_client(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    breakers: CircuitBreakers | None = None,
    sleep: Sleep | None = None,
    rng: random.Random | None = None,
    resolver: Resolver | None = None,
) -> HttpClient:
    """Make an HTTP client from the settings.

    Args:
        settings: timeouts, retries, breaker, guard and limits (``ODP_HTTP_*``).
        transport: replaces the network transport (tests pass ``httpx.MockTransport``).
        breakers: share breakers between clients (default: new ones).
        sleep: how to wait between retries (default ``asyncio.sleep``).
        rng: the jitter's random source.
        resolver: how to resolve host names for the guard (default ``getaddrinfo``).
    """
    guard = AddressGuard(
        block_private=settings.http_block_private,
        allowed_hosts=tuple(settings.http_allowed_hosts),
        resolver=resolver or system_resolver,
    )
    limits = httpx.Limits(
        max_connections=settings.http_max_connections,
        max_keepalive_connections=min(20, settings.http_max_connections),
    )
    http = httpx.AsyncClient(
        transport=transport or GuardedTransport(guard, limits=limits),
        timeout=httpx.Timeout(settings.http_timeout, connect=min(10.0, settings.http_timeout)),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
        max_redirects=10,
        trust_env=False,
    )
    return HttpClient(
        http=http,
        guard=guard,
        retry=RetryPolicy(
            max_attempts=settings.http_max_retries + 1,
            base_delay=settings.http_retry_base_delay,
            max_delay=settings.http_retry_max_delay,
        ),
        breakers=breakers
        or CircuitBreakers(settings.http_breaker_threshold, settings.http_breaker_cooldown),
        max_response_bytes=settings.http_max_response_bytes,
        sleep=sleep or asyncio.sleep,
        rng=rng or random.Random(),
    )


def _fingerprint(settings: Settings) -> tuple[Any, ...]:
    return (
        settings.http_timeout,
        settings.http_max_retries,
        settings.http_block_private,
        tuple(settings.http_allowed_hosts),
        settings.http_retry_base_delay,
        settings.http_retry_max_delay,
        settings.http_breaker_threshold,
        settings.http_breaker_cooldown,
        settings.http_max_connections,
        settings.http_max_response_bytes,
    )


# connections belong to an event loop, breakers to the process
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[Any, ...], HttpClient]]
_clients = weakref.WeakKeyDictionary()
_breakers: dict[tuple[Any, ...], CircuitBreakers] = {}


def http_client(settings: Settings) -> HttpClient:
    """The process's shared client for these settings, on the running event loop.

    Clients with the same ``ODP_HTTP_*`` settings share their breakers across event
    loops, so a failing host fails fast for every step of the process.
    """
    loop = asyncio.get_running_loop()
    key = _fingerprint(settings)
    per_loop = _clients.setdefault(loop, {})
    client = per_loop.get(key)
    if client is None:
        breakers = _breakers.setdefault(
            key, CircuitBreakers(settings.http_breaker_threshold, settings.http_breaker_cooldown)
        )
        client = create_http_client(settings, breakers=breakers)
        per_loop[key] = client
    return client


async def aclose_shared_clients() -> None:
    """Close the shared clients of the running event loop (at worker or test shutdown)."""
    loop = asyncio.get_running_loop()
    for client in _clients.pop(loop, {}).values():
        await client.aclose()
