"""A circuit breaker per host: stop calling a host that keeps failing.

States (Nygard, *Release It!*)::

    closed ──N consecutive failures──▶ open ──cool-down elapsed──▶ half-open
      ▲                                  ▲                            │
      └───────────── a trial succeeds ───┼──────── a trial fails ─────┘

While open, calls fail at once with :class:`~odp.errors.CircuitOpenError` instead of
waiting for timeouts. Half-open lets one trial call through at a time.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from odp.errors import CircuitOpenError

__all__ = ["BreakerState", "CircuitBreaker", "CircuitBreakers"]


class BreakerState(enum.StrEnum):
    """Where a breaker is."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass(slots=True)
class CircuitBreaker:
    """The breaker of one host.

    Args:
        host: what the breaker protects (``host:port``), named in its errors.
        failure_threshold: consecutive failures that open it.
        cooldown: seconds it stays open before letting a trial call through.
        clock: a monotonic clock (injectable for tests).
    """

    host: str
    failure_threshold: int = 5
    cooldown: float = 30.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    _trial_running: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def state(self) -> BreakerState:
        """The current state (an open breaker turns half-open when its cool-down ends)."""
        if self.opened_at is None:
            return BreakerState.CLOSED
        if self.clock() - self.opened_at >= self.cooldown:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def before_call(self) -> None:
        """Ask to make a call.

        Raises:
            CircuitOpenError: while the breaker is open, or half-open with a trial call
                already under way.
        """
        with self._lock:
            state = self.state
            if state is BreakerState.CLOSED:
                return
            if state is BreakerState.HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return
            assert self.opened_at is not None
            remaining = max(0.0, self.cooldown - (self.clock() - self.opened_at))
            raise CircuitOpenError(self.host, remaining)

    def record_success(self) -> None:
        """A call succeeded: close the breaker."""
        with self._lock:
            self.failures = 0
            self.opened_at = None
            self._trial_running = False

    def record_failure(self) -> None:
        """A call failed: count it, and open the breaker at the threshold or after a failed trial."""
        with self._lock:
            self.failures += 1
            if self._trial_running or self.failures >= self.failure_threshold:
                self.opened_at = self.clock()
            self._trial_running = False

    def release(self) -> None:
        """A call ended neither in success nor in failure (e.g. cancelled): free the trial slot."""
        with self._lock:
            self._trial_running = False


@dataclass(slots=True)
class CircuitBreakers:
    """One breaker per host, made on first use.

    Args:
        failure_threshold: consecutive failures that open a host's breaker.
        cooldown: seconds a breaker stays open.
        clock: a monotonic clock (injectable for tests).
    """

    failure_threshold: int = 5
    cooldown: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, host: str) -> CircuitBreaker:
        """The breaker of ``host`` (``host:port``)."""
        with self._lock:
            breaker = self._breakers.get(host)
            if breaker is None:
                breaker = CircuitBreaker(
                    host, self.failure_threshold, self.cooldown, clock=self.clock
                )
                self._breakers[host] = breaker
            return breaker
