"""Methods for engine tests: retries, failures, sleeps, barriers, big outputs, secrets.

Loaded into worker subprocesses with ``ODP_PLUGINS=tests.plugins.engine_methods``.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import Field

from odp.catalog import MethodContext, MethodKind, MethodOutput, MethodParams, method
from odp.errors import MethodError
from odp.methods.tabular import RowsOutput, rows_output


class ValueParams(MethodParams):
    value: Any = Field(description="Any value.")


class ValueOutput(MethodOutput):
    value: Any = Field(description="The same value.")


@method("test.echo.value", kind=MethodKind.TRANSFORM, summary="Return the value given")
async def echo(params: ValueParams, ctx: MethodContext) -> ValueOutput:
    """Echo."""
    return ValueOutput(value=params.value)


class MakeParams(MethodParams):
    n: int = Field(description="A number.")


class MakeOutput(MethodOutput):
    n: int = Field(description="The number.")
    text: str = Field(description="The number as words.")
    items: list[int] = Field(description="0..n-1.")


@method("test.values.make", kind=MethodKind.SOURCE, summary="Make typed values")
async def make(params: MakeParams, ctx: MethodContext) -> MakeOutput:
    """Typed values for template tests."""
    return MakeOutput(n=params.n, text=f"n is {params.n}", items=list(range(params.n)))


class TypedParams(MethodParams):
    n: int = Field(description="An integer.")
    label: str = Field(description="Text.")
    items: list[int] = Field(description="Integers.")


class TypedOutput(MethodOutput):
    summary: str = Field(description="What was received, with Python type names.")


@method("test.values.check", kind=MethodKind.TRANSFORM, summary="Report received types")
async def check(params: TypedParams, ctx: MethodContext) -> TypedOutput:
    """Say what arrived and with which types."""
    return TypedOutput(
        summary=f"{type(params.n).__name__}:{params.n}|{params.label}|{params.items}"
    )


class RowsParams(MethodParams):
    n: int = Field(description="How many rows.")
    counter: str | None = Field(default=None, description="A file counting executions.")


def _bump(path: str | None) -> int:
    if path is None:
        return 0
    file = Path(path)
    count = int(file.read_text()) + 1 if file.exists() else 1
    file.write_text(str(count))
    return count


@method("test.rows.make", kind=MethodKind.SOURCE, summary="Make n rows")
async def make_rows(params: RowsParams, ctx: MethodContext) -> RowsOutput:
    """Rows 0..n-1, counting executions in a file."""
    _bump(params.counter)
    return rows_output(ctx.store, pl.DataFrame({"i": list(range(params.n))}))


class FlakyParams(MethodParams):
    failures: int = Field(description="How many attempts fail before one succeeds.")
    counter: str = Field(description="A file counting attempts.")


class AttemptsOutput(MethodOutput):
    attempts: int = Field(description="Attempts counted.")
    ctx_attempt: int = Field(description="The attempt number the context reported.")


@method("test.flaky.run", kind=MethodKind.TRANSFORM, summary="Fail a few times, then succeed")
async def flaky(params: FlakyParams, ctx: MethodContext) -> AttemptsOutput:
    """Fail with a retryable error ``failures`` times."""
    count = _bump(params.counter)
    if count <= params.failures:
        raise MethodError(f"transient failure {count}", retryable=True, hint="it will pass")
    return AttemptsOutput(attempts=count, ctx_attempt=ctx.attempt)


class FailParams(MethodParams):
    message: str = Field(default="bad input", description="The error message.")
    counter: str | None = Field(default=None, description="A file counting attempts.")
    unexpected: bool = Field(default=False, description="Raise a plain RuntimeError instead.")


@method("test.fail.run", kind=MethodKind.TRANSFORM, summary="Always fail")
async def fail(params: FailParams, ctx: MethodContext) -> ValueOutput:
    """Fail with a permanent error (or an unexpected one)."""
    _bump(params.counter)
    if params.unexpected:
        raise RuntimeError(params.message)
    raise MethodError(params.message, hint="fix the input", field="message")


class SleepParams(MethodParams):
    seconds: float = Field(description="How long to sleep.")
    marker_dir: str | None = Field(default=None, description="Where to record start/cancel.")


class SleepOutput(MethodOutput):
    slept: float = Field(description="Seconds slept.")


@method("test.sleep.run", kind=MethodKind.TRANSFORM, summary="Sleep, heartbeating")
async def sleep(params: SleepParams, ctx: MethodContext) -> SleepOutput:
    """Sleep in small steps; record start and cancellation in marker files."""
    marker = Path(params.marker_dir) if params.marker_dir else None
    if marker is not None:
        marker.mkdir(parents=True, exist_ok=True)
        (marker / f"started-{ctx.step}-{ctx.attempt}").touch()
    started = time.monotonic()
    try:
        while time.monotonic() - started < params.seconds:
            ctx.heartbeat()
            await asyncio.sleep(0.05)
    except asyncio.CancelledError:
        if marker is not None:
            (marker / f"cancelled-{ctx.step}").touch()
        raise
    return SleepOutput(slept=time.monotonic() - started)


class BarrierParams(MethodParams):
    dir: str = Field(description="A shared folder.")
    peers: list[str] = Field(description="Step names that must be running at the same time.")
    timeout: float = Field(default=30.0, description="How long to wait for the peers.")


class BarrierOutput(MethodOutput):
    met: list[str] = Field(description="The peers seen.")


class ThreadBeatParams(MethodParams):
    beats: int = Field(default=3, description="Heartbeats to send from a thread.")


@method("test.thread.beat", kind=MethodKind.TRANSFORM, summary="Heartbeat from a thread")
async def thread_beat(params: ThreadBeatParams, ctx: MethodContext) -> SleepOutput:
    """Blocking work in a thread that heartbeats, as in_thread methods do."""

    def work() -> float:
        for _ in range(params.beats):
            ctx.heartbeat({"progress": 1})
            time.sleep(0.01)
        return 0.01 * params.beats

    return SleepOutput(slept=await asyncio.to_thread(work))


@method("test.barrier.wait", kind=MethodKind.TRANSFORM, summary="Wait until peers are running")
async def barrier(params: BarrierParams, ctx: MethodContext) -> BarrierOutput:
    """Only completes if every peer step runs concurrently with this one."""
    folder = Path(params.dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ctx.step).touch()
    deadline = time.monotonic() + params.timeout
    while not all((folder / p).exists() for p in params.peers):
        if time.monotonic() > deadline:
            raise MethodError("peers never arrived: steps did not run concurrently")
        ctx.heartbeat()
        await asyncio.sleep(0.05)
    return BarrierOutput(met=sorted(params.peers))


class BigParams(MethodParams):
    kib: int = Field(description="Size of the output in KiB.")


class BigOutput(MethodOutput):
    text: str = Field(description="Filler.")


@method("test.big.run", kind=MethodKind.TRANSFORM, summary="Return a big output")
async def big(params: BigParams, ctx: MethodContext) -> BigOutput:
    """An output of about ``kib`` KiB (to trip the history guard)."""
    return BigOutput(text="x" * (params.kib * 1024))


class SecretParams(MethodParams):
    token: str = Field(description="A secret.")
    url: str = Field(default="", description="Text that may embed the secret.")
    fail: bool = Field(default=False, description="Fail with a message quoting the secret.")


class SecretOutput(MethodOutput):
    sha256: str = Field(description="Hash of the token received.")
    where: str = Field(default="", description="The url, as a careless method returns it.")


@method("test.secret.use", kind=MethodKind.TRANSFORM, summary="Use a secret")
async def use_secret(params: SecretParams, ctx: MethodContext) -> SecretOutput:
    """Hash the secret (never return it)."""
    ctx.log.info("using_secret", url=params.url.replace(params.token, "***"))
    if params.fail:
        raise MethodError(f"could not log in with {params.token} at {params.url}")
    return SecretOutput(sha256=hashlib.sha256(params.token.encode()).hexdigest(), where=params.url)


class AppendParams(MethodParams):
    path: str = Field(description="A file to append one line to.")
    line: str = Field(description="The line.")
    pause: float = Field(default=0.0, description="Seconds to wait before writing.")
    pause_after: float = Field(default=0.0, description="Seconds to wait after writing.")
    marker_dir: str | None = Field(default=None, description="Where to record the write.")


class AppendOutput(MethodOutput):
    path: str = Field(description="The file.")
    rows_written: int = Field(description="Lines written (0 when already written).")


@method("test.file.append", kind=MethodKind.SINK, summary="Append a line once per run and step")
async def append(params: AppendParams, ctx: MethodContext) -> AppendOutput:
    """Append a line keyed by the idempotency key; a retry does not append twice."""
    for _ in range(int(params.pause * 20)):
        ctx.heartbeat()
        await asyncio.sleep(0.05)
    file = Path(params.path)
    key = ctx.idempotency_key
    existing = file.read_text().splitlines() if file.exists() else []
    if any(line.startswith(f"{key} ") for line in existing):
        return AppendOutput(path=str(file), rows_written=0)
    with file.open("a") as fh:
        fh.write(f"{key} {params.line}\n")
    if params.marker_dir:
        Path(params.marker_dir).mkdir(parents=True, exist_ok=True)
        (Path(params.marker_dir) / f"written-{ctx.run_id}-{ctx.attempt}").touch()
    # a crash here leaves the line written but the step unfinished: the retry must not
    # write it again
    for _ in range(int(params.pause_after * 20)):
        ctx.heartbeat()
        await asyncio.sleep(0.05)
    return AppendOutput(path=str(file), rows_written=1)


# the same behaviours as local activities (short in-process methods)
flaky_local = method(
    "test.flaky.local",
    kind=MethodKind.TRANSFORM,
    summary="Fail a few times, then succeed (a local step)",
    local=True,
)(flaky.impl)
fail_local = method(
    "test.fail.local", kind=MethodKind.TRANSFORM, summary="Always fail (a local step)", local=True
)(fail.impl)
sleep_local = method(
    "test.sleep.local", kind=MethodKind.TRANSFORM, summary="Sleep (a local step)", local=True
)(sleep.impl)
