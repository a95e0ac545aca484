from __future__ import annotations

import datetime as dt
import random

import pytest

from odp.clients import (
    BreakerState,
    CircuitBreaker,
    CircuitBreakers,
    RetryPolicy,
    parse_retry_after,
)
from odp.errors import CircuitOpenError

NOW = dt.datetime(2025, 6, 1, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        ("0", 0.0),
        (" 2.5 ", 2.5),
        ("-4", 0.0),
        ("Sun, 01 Jun 2025 12:00:30 GMT", 30.0),
        ("Sun, 01 Jun 2025 11:59:00 GMT", 0.0),  # in the past: retry now
        ("Sunday, 01-Jun-25 12:01:00 GMT", 60.0),  # RFC 850
        ("Sun Jun  1 12:00:10 2025", 10.0),  # asctime
        (None, None),
        ("", None),
        ("soon", None),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=lambda: NOW) == seconds


def test_parse_retry_after_uses_the_clock_by_default() -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=100)).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )
    wait = parse_retry_after(later)
    assert wait is not None and 90 < wait <= 100


def test_backoff_is_full_jitter_under_an_exponential_cap() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay=0.5, max_delay=4.0)
    rng = random.Random(1)
    for retry, cap in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 4.0), (8, 4.0)]:
        waits = [policy.backoff(retry, rng) for _ in range(200)]
        assert all(0.0 <= w <= cap for w in waits)
        assert max(waits) > cap * 0.8  # spread over the whole range, not a fixed value
        assert min(waits) < cap * 0.2


def test_delay_stops_after_the_last_attempt_and_honours_retry_after() -> None:
    policy = RetryPolicy(max_attempts=3, base_delay=1.0, max_delay=10.0)
    rng = random.Random(0)
    assert policy.delay(0, None, rng) is not None
    assert policy.delay(1, None, rng) is not None
    assert policy.delay(2, None, rng) is None  # the third attempt was the last
    assert policy.delay(0, 7.0, rng) == 7.0
    assert policy.delay(0, 11.0, rng) is None  # longer than max_delay: give up here
    assert RetryPolicy(max_attempts=1).delay(0, None) is None
    assert policy.should_retry_status(429) and policy.should_retry_status(503)
    assert not policy.should_retry_status(404) and not policy.should_retry_status(501)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_consecutive_failures() -> None:
    clock = Clock()
    breaker = CircuitBreaker("api.test:443", failure_threshold=3, cooldown=30.0, clock=clock)
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure()
    breaker.before_call()
    breaker.record_success()  # a success resets the count
    assert breaker.failures == 0
    for _ in range(3):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    clock.now += 10
    with pytest.raises(CircuitOpenError) as info:
        breaker.before_call()
    assert info.value.host == "api.test:443"
    assert info.value.retry_in == pytest.approx(20.0)
    assert info.value.retryable
    assert "circuit open" in info.value.message


def test_breaker_half_open_lets_one_trial_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker("h:80", failure_threshold=1, cooldown=5.0, clock=clock)
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    clock.now += 5
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.before_call()  # the trial
    with pytest.raises(CircuitOpenError):
        breaker.before_call()  # a second caller while the trial runs
    breaker.record_failure()  # the trial failed: open again for a full cool-down
    assert breaker.state is BreakerState.OPEN
    clock.now += 5
    breaker.before_call()
    breaker.release()  # cancelled: the slot is free again
    breaker.before_call()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    breaker.before_call()


def test_breakers_are_per_host() -> None:
    clock = Clock()
    breakers = CircuitBreakers(failure_threshold=1, cooldown=1.0, clock=clock)
    a = breakers.get("a:80")
    assert breakers.get("a:80") is a
    a.record_failure()
    with pytest.raises(CircuitOpenError):
        a.before_call()
    breakers.get("b:80").before_call()
