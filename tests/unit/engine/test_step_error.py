from __future__ import annotations

import datetime as dt

from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    RetryState,
    TimeoutError,
    TimeoutType,
)

from odp.catalog import MethodKind
from odp.engine.workflows import _step_error
from odp.spec import PlannedStep, RetryPolicy, Section

STEP = PlannedStep(
    name="s",
    method="a.b.c",
    method_version="1",
    kind=MethodKind.TRANSFORM,
    section=Section.TRANSFORMS,
    params={},
    retry=RetryPolicy(max_attempts=4),
    timeout=dt.timedelta(seconds=90),
)


def activity_error(cause: BaseException, state: RetryState) -> ActivityError:
    error = ActivityError(
        "activity failed",
        scheduled_event_id=1,
        started_event_id=2,
        identity="w",
        activity_type="run_step",
        activity_id="s",
        retry_state=state,
    )
    error.__cause__ = cause
    return error


def test_application_errors_carry_attempts_and_hints() -> None:
    cause = ApplicationError(
        "bad", {"attempt": 2, "hint": "fix it"}, type="MethodError", non_retryable=True
    )
    error = _step_error(STEP, activity_error(cause, RetryState.NON_RETRYABLE_FAILURE))
    assert (error.message, error.error_type, error.attempts, error.hint, error.retryable) == (
        "bad",
        "MethodError",
        2,
        "fix it",
        False,
    )
    bare = _step_error(
        STEP, activity_error(ApplicationError("x"), RetryState.NON_RETRYABLE_FAILURE)
    )
    assert (bare.attempts, bare.error_type) == (1, "ApplicationError")


def test_timeouts_are_explained() -> None:
    for kind, words in (
        (TimeoutType.HEARTBEAT, "stopped heartbeating"),
        (TimeoutType.START_TO_CLOSE, "within its timeout of 90s"),
        (TimeoutType.SCHEDULE_TO_START, "no worker picked it up"),
        (TimeoutType.SCHEDULE_TO_CLOSE, "timed out"),
    ):
        cause = TimeoutError("t", type=kind, last_heartbeat_details=[])
        error = _step_error(STEP, activity_error(cause, RetryState.MAXIMUM_ATTEMPTS_REACHED))
        assert words in error.message
        assert error.error_type == "Timeout"
        assert error.attempts == 4


def test_cancellation_and_anything_else() -> None:
    cancelled = _step_error(STEP, activity_error(CancelledError("c"), RetryState.CANCEL_REQUESTED))
    assert cancelled.error_type == "Cancelled"
    other = _step_error(STEP, RuntimeError("odd"))
    assert (other.message, other.error_type) == ("odd", "RuntimeError")
