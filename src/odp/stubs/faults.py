"""Fault injection for the stand-ins, set per request by headers or query parameters.

Each fault is read from a header ``X-Stub-<Name>`` or a query parameter ``stub_<name>``
(the query wins), so a client whose headers cannot be set (a base URL in settings) can
still ask for faults::

    latency_ms=250            wait before answering
    status=503                answer this status to every such request
    fail_first=2 fail_key=k   the first 2 requests carrying key k fail, later ones pass
    fail_status=429           the status of fail_first failures (default 503)
    error_rate=0.3 seed=7     fail 30% of requests, deterministically for a seed
    error_status=500          the status of error_rate failures (default 503)
    retry_after=1             add Retry-After (seconds or an HTTP date) to injected failures

``GET /_stub/faults/{key}`` tells how many requests carried a ``fail_key``, so a test
can check how many attempts a client made.
"""

from __future__ import annotations

import asyncio
import json
import random
import urllib.parse
from collections import Counter
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["FaultInjector", "Faults", "read_faults"]

MAX_LATENCY_MS = 30_000

_FIELDS = {
    "latency_ms": int,
    "status": int,
    "fail_first": int,
    "fail_key": str,
    "fail_status": int,
    "error_rate": float,
    "seed": str,
    "error_status": int,
    "retry_after": str,
}


@dataclass(frozen=True, slots=True)
class Faults:
    """The faults one request asks for."""

    latency_ms: int = 0
    status: int | None = None
    fail_first: int = 0
    fail_key: str = "default"
    fail_status: int = 503
    error_rate: float = 0.0
    seed: str = "0"
    error_status: int = 503
    retry_after: str | None = None


class FaultError(ValueError):
    """A fault parameter that cannot be read."""


def read_faults(headers: dict[str, str], query: dict[str, str]) -> Faults | None:
    """The faults a request asks for, or None when it asks for none.

    Raises:
        FaultError: for a value of the wrong type or out of range.
    """
    values: dict[str, object] = {}
    for name, kind in _FIELDS.items():
        raw = query.get(f"stub_{name}", headers.get(f"x-stub-{name.replace('_', '-')}"))
        if raw is None:
            continue
        try:
            values[name] = kind(raw)
        except ValueError:
            raise FaultError(f"stub_{name}={raw!r} is not a valid {kind.__name__}") from None
    if not values:
        return None
    faults = Faults(**values)  # type: ignore[arg-type]  # types checked by the loop above
    if not 0 <= faults.latency_ms <= MAX_LATENCY_MS:
        raise FaultError(f"stub_latency_ms must be between 0 and {MAX_LATENCY_MS}")
    if not 0.0 <= faults.error_rate <= 1.0:
        raise FaultError("stub_error_rate must be between 0 and 1")
    for status in (faults.status, faults.fail_status, faults.error_status):
        if status is not None and not 100 <= status <= 599:
            raise FaultError(f"status {status} is not an HTTP status")
    return faults


class FaultInjector:
    """ASGI middleware that applies the faults a request asks for.

    Args:
        app: the application behind it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.calls: Counter[str] = Counter()  # requests seen per fail_key
        self._rate_calls: Counter[str] = Counter()  # requests seen per error_rate seed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Delay or fail the request as asked, or pass it on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/_stub/faults/"):
            key = urllib.parse.unquote(scope["path"].removeprefix("/_stub/faults/"))
            await _answer(send, 200, {"key": key, "calls": self.calls[key]})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        try:
            faults = read_faults(headers, query)
        except FaultError as e:
            await _answer(send, 400, {"error": str(e)})
            return
        if faults is None:
            await self.app(scope, receive, send)
            return
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        status = self._decide(faults)
        if status is None:
            await self.app(scope, receive, send)
            return
        extra = {"retry-after": faults.retry_after} if faults.retry_after is not None else {}
        await _answer(send, status, {"error": "injected fault", "status": status}, extra)

    def _decide(self, faults: Faults) -> int | None:
        if faults.status is not None:
            return faults.status
        if faults.fail_first:
            self.calls[faults.fail_key] += 1
            if self.calls[faults.fail_key] <= faults.fail_first:
                return faults.fail_status
        if faults.error_rate:
            self._rate_calls[faults.seed] += 1
            draw = random.Random(f"{faults.seed}:{self._rate_calls[faults.seed]}").random()
            if draw < faults.error_rate:
                return faults.error_status
        return None


async def _answer(
    send: Send, status: int, body: dict[str, object], headers: dict[str, str] | None = None
) -> None:
    payload = json.dumps(body).encode()
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.encode(), v.encode("latin-1")) for k, v in (headers or {}).items()),
    ]
    start: Message = {"type": "http.response.start", "status": status, "headers": raw}
    await send(start)
    await send({"type": "http.response.body", "body": payload})
