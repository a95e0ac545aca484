"""When to retry an outbound request, and how long to wait first.

Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
Jitter"): the n-th retry waits a uniform random time in ``[0, min(max_delay, base * 2**n)]``,
which spreads clients that failed together. A ``Retry-After`` header (seconds or an
HTTP date) replaces the computed delay; when it asks for more than ``max_delay`` the
request is not retried here (waiting that long belongs to the step's own retry policy).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass

import httpx

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Statuses worth retrying: rate limiting and server-side failures."""

RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
"""Transport errors worth retrying: connect and read failures, timeouts, cut connections."""


def parse_retry_after(
    value: str | None, *, now: Callable[[], dt.datetime] | None = None
) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, or None when absent or unreadable.

    Args:
        value: the header, as delta-seconds (``"120"``) or an HTTP date
            (``"Wed, 21 Oct 2015 07:28:00 GMT"``).
        now: the current UTC time (injectable for tests).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    current = now() if now is not None else dt.datetime.now(dt.UTC)
    return max(0.0, (when - current).total_seconds())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times to try a request and how long to wait between tries.

    Attributes:
        max_attempts: tries in total (1 = no retry).
        base_delay: the cap of the first retry's random wait, in seconds.
        max_delay: no wait is longer than this, in seconds.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """The wait before retry number ``retry`` (0 for the first retry), with full jitter."""
        cap = min(self.max_delay, self.base_delay * (2**retry))
        return (rng or random).uniform(0.0, cap)

    def delay(
        self,
        retry: int,
        retry_after: float | None,
        rng: random.Random | None = None,
    ) -> float | None:
        """The wait before retry number ``retry``, or None when the request should not be retried.

        Args:
            retry: 0 for the first retry.
            retry_after: seconds the server asked for (``Retry-After``), if it did.
            rng: the random source for the jitter (injectable for tests).
        """
        if retry + 1 >= self.max_attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_delay else None
        return self.backoff(retry, rng)

    def should_retry_status(self, status: int) -> bool:
        """Whether an answer with this status is worth another try."""
        return status in RETRYABLE_STATUSES
