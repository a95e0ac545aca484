"""Issue 3's figures: orchestration overhead and the data plane.

1. Orchestration: a 20-step chain and a 100-wide fan-out with a join, as ODP pipelines of
   no-op steps, against the same shapes written directly with the temporalio SDK, in the
   same run against the same embedded server and the same worker settings.
2. Data plane: 1,000,000 rows (id, ~80-char text, score, one of 20 categories) in Parquet;
   an ODP pipeline reads it, filters ``score > 0.5``, aggregates count and mean per
   category with ``data.sql.query`` and writes Parquet, against a hand-written polars
   script doing the same. Wall time from submission to result against the script's own
   wall time; peak RSS of the ODP worker process against the script's process.

Run: ``python -m bench engine`` (or ``make bench``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from pydantic import Field
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from odp.catalog import (
    Catalog,
    MethodContext,
    MethodKind,
    MethodOutput,
    MethodParams,
    load_catalog,
    method,
)
from odp.config import Settings
from odp.engine import EmbeddedTemporal, EngineClient, connect, create_workers
from odp.engine.worker import PASSTHROUGH
from odp.events import EmbeddedRedis, EventBus, EventPublisher
from odp.logs import configure_logging
from odp.spec import compile_plan, validate_text

ROOT = Path(__file__).resolve().parents[1]
REPEAT = int(os.environ.get("ODP_BENCH_REPEAT", "5"))
CONCURRENCY = 100


# ---------------------------------------------------------------------- no-op steps
class NoopParams(MethodParams):
    after: list[Any] = Field(default_factory=list, description="Values that order the step.")


class NoopOutput(MethodOutput):
    ok: bool = Field(description="Always true.")


@method("bench.noop.run", kind=MethodKind.TRANSFORM, summary="Do nothing")
async def noop(params: NoopParams, ctx: MethodContext) -> NoopOutput:
    """Nothing at all: measures orchestration only."""
    return NoopOutput(ok=True)


def chain_yaml(n: int) -> str:
    steps = ["  - {name: s0, method: bench.noop.run}"]
    for i in range(1, n):
        steps.append(
            f'  - {{name: s{i}, method: bench.noop.run, params: {{after: ["{{{{ s{i - 1}.ok }}}}"]}}}}'
        )
    return "name: chain\ntransforms:\n" + "\n".join(steps) + "\n"


def fanout_yaml(width: int) -> str:
    steps = ["  - {name: root, method: bench.noop.run}"]
    for i in range(width):
        steps.append(
            f'  - {{name: f{i}, method: bench.noop.run, params: {{after: ["{{{{ root.ok }}}}"]}}}}'
        )
    joined = ", ".join(f'"{{{{ f{i}.ok }}}}"' for i in range(width))
    steps.append(f"  - {{name: join, method: bench.noop.run, params: {{after: [{joined}]}}}}")
    return "name: fanout\ntransforms:\n" + "\n".join(steps) + "\n"


# ---------------------------------------------------------------------- raw SDK shapes
@activity.defn(name="raw_noop")
async def raw_noop(value: list[bool]) -> bool:
    return True


_OPTS: dict[str, Any] = {
    "start_to_close_timeout": dt.timedelta(minutes=10),
    "heartbeat_timeout": dt.timedelta(seconds=15),
    "retry_policy": RetryPolicy(maximum_attempts=3),
}


@workflow.defn(name="RawChain")
class RawChain:
    @workflow.run
    async def run(self, n: int) -> bool:
        value = True
        for _ in range(n):
            value = await workflow.execute_activity(raw_noop, [value], **_OPTS)
        return value


@workflow.defn(name="RawFanout")
class RawFanout:
    @workflow.run
    async def run(self, width: int) -> bool:
        root = await workflow.execute_activity(raw_noop, [True], **_OPTS)
        results = await asyncio.gather(
            *(workflow.execute_activity(raw_noop, [root], **_OPTS) for _ in range(width))
        )
        return await workflow.execute_activity(raw_noop, list(results), **_OPTS)


# ---------------------------------------------------------------------- helpers
async def in_turns(fns: dict[str, Any], repeat: int = REPEAT) -> dict[str, float]:
    """Median seconds of each function, run in turns so that all see the same load."""
    for fn in fns.values():
        await fn()  # warm-up: caches, sticky workflow state, imports
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            started = time.perf_counter()
            await fn()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def row(name: str, odp_s: float, raw_s: float, target: str) -> None:
    print(f"{name:<34}{odp_s * 1000:>10.1f}{raw_s * 1000:>10.1f}{odp_s / raw_s:>9.2f}   {target}")


async def orchestration(client: Client, tmp: Path, publisher: EventPublisher) -> float:
    """ODP against the raw SDK, ODP with its lifecycle events (``publisher``) and without.

    Returns:
        the floor: seconds from start to result of an empty raw workflow on this server.
    """
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    catalog = Catalog(load_catalog())
    catalog.register(noop)
    engines, workers = {}, []
    for name, pub in (("events", publisher), ("plain", None)):
        settings = Settings(
            state_dir=tmp / ".odp", task_queue=f"{queue}-{name}", worker_max_activities=CONCURRENCY
        )
        engines[name] = EngineClient(client, task_queue=settings.task_queue, publisher=pub)
        workers += create_workers(client, settings, catalog, publisher=pub)
    raw_queue = f"{queue}-raw"
    workers.append(
        Worker(
            client,
            task_queue=raw_queue,
            workflows=[RawChain, RawFanout],
            activities=[raw_noop],
            max_concurrent_activities=CONCURRENCY,
            # the same sandbox as ODP's workers (the bench module itself passes through)
            workflow_runner=SandboxedWorkflowRunner(
                restrictions=SandboxRestrictions.default.with_passthrough_modules(
                    *PASSTHROUGH, "bench"
                )
            ),
        )
    )
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        chain = compile_plan(validate_text(chain_yaml(20), catalog), catalog)
        fan = compile_plan(validate_text(fanout_yaml(100), catalog), catalog)

        def odp_run(engine: EngineClient, plan: Any) -> Any:
            async def run() -> None:
                await engine.result(await engine.submit(plan, no_cache=True))

            return run

        def raw_run(wf: Any, arg: int) -> Any:
            async def run() -> None:
                await client.execute_workflow(
                    wf, arg, id=f"raw-{uuid.uuid4().hex}", task_queue=raw_queue
                )

            return run

        print(f"{'shape':<34}{'ODP ms':>10}{'raw ms':>10}{'ratio':>9}   target")
        for label, plan, raw in (
            ("20-step chain", chain, raw_run(RawChain.run, 20)),
            ("100-wide fan-out + join", fan, raw_run(RawFanout.run, 100)),
        ):
            times = await in_turns(
                {
                    "events": odp_run(engines["events"], plan),
                    "plain": odp_run(engines["plain"], plan),
                    "raw": raw,
                }
            )
            row(label, times["events"], times["raw"], "<= 1.15")
            row("  the same, events off", times["plain"], times["raw"], "")
        floor = (await in_turns({"floor": raw_run(RawChain.run, 0)}))["floor"]
        print(f"{'empty raw workflow (the floor)':<34}{'':>10}{floor * 1000:>10.1f}")
        return floor
    finally:
        for w in workers:
            await w.shutdown()
        for task in tasks:
            await task


# ---------------------------------------------------------------------- data plane
POLARS_SCRIPT = """
import resource, sys, time
import polars as pl
started = time.perf_counter()
(
    pl.scan_parquet(sys.argv[1])
    .filter(pl.col("score") > 0.5)
    .group_by("category")
    .agg(pl.len().alias("n"), pl.col("score").mean().alias("mean_score"))
    .sort("category")
    .collect()
    .write_parquet(sys.argv[2])
)
elapsed = time.perf_counter() - started
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""

DATA_PIPELINE = """
name: dataplane
params:
  src: {type: string}
  out: {type: string}
sources:
  - {name: events, method: file.parquet.read, params: {path: "{{ params.src }}"}}
transforms:
  - name: high
    method: data.rows.filter
    params: {data: "{{ events.data }}", where: "score > 0.5"}
  - name: per_category
    method: data.sql.query
    params:
      inputs: {e: "{{ high.data }}"}
      query: "SELECT category, count(*) AS n, avg(score) AS mean_score FROM e GROUP BY category ORDER BY category"
sinks:
  - {name: save, method: file.parquet.write, params: {data: "{{ per_category.data }}", path: "{{ params.out }}"}}
"""


def make_data(path: Path, rows: int = 1_000_000) -> None:
    rng = np.random.default_rng(42)
    words = np.array(
        [
            "data",
            "pipeline",
            "engine",
            "worker",
            "stream",
            "batch",
            "query",
            "filter",
            "table",
            "column",
            "model",
            "vector",
            "record",
            "schema",
            "parquet",
            "arrow",
            "event",
            "signal",
            "metric",
            "window",
        ]
    )
    # ~80-character texts: 12 random words each
    picks = words[rng.integers(0, len(words), size=(rows, 12))]
    text = pl.Series("text", [" ".join(p) for p in picks])
    pl.DataFrame(
        {
            "id": np.arange(rows, dtype=np.int64),
            "text": text,
            "score": rng.random(rows),
            "category": pl.Series([f"category_{i:02d}" for i in rng.integers(0, 20, rows)]),
        }
    ).write_parquet(path)


def rss_peak(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def rss_now(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def data_plane(client: Client, address: str, tmp: Path, floor: float) -> None:
    src = tmp / "events.parquet"
    make_data(src)
    text_len = pl.scan_parquet(src).select(pl.col("text").str.len_chars().mean()).collect().item()
    print(
        f"\ndata: {src.stat().st_size / 1e6:.1f} MB Parquet, 1,000,000 rows, mean text {text_len:.0f} chars"
    )

    polars_walls, polars_peaks = [], []

    def polars(i: int) -> None:
        out = subprocess.run(
            [sys.executable, "-c", POLARS_SCRIPT, str(src), str(tmp / f"polars-{i}.parquet")],
            capture_output=True,
            text=True,
            check=True,
        )
        wall, peak = out.stdout.split()
        polars_walls.append(float(wall))
        polars_peaks.append(int(peak))

    queue = f"bench-dp-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "ODP_TEMPORAL_ADDRESS": address,
        "ODP_TASK_QUEUE": queue,
        "ODP_STATE_DIR": str(tmp / ".odp-dp"),
        "ODP_LOG_LEVEL": "WARNING",
    }
    with (tmp / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "odp", "worker"], env=env, stdout=log, stderr=log
        )
    try:
        catalog = load_catalog()
        engine = EngineClient(client, task_queue=queue)
        await asyncio.sleep(3)  # let the worker connect
        baseline = rss_now(worker.pid)
        walls = []
        for i in range(REPEAT + 1):
            result = validate_text(
                DATA_PIPELINE,
                catalog,
                params={"src": str(src), "out": str(tmp / f"odp-{i}.parquet")},
            )
            plan = compile_plan(result, catalog)
            started = time.perf_counter()
            await engine.result(await engine.submit(plan, no_cache=True))
            if i:  # the first run warms the worker up; polars runs in turn, under the same load
                walls.append(time.perf_counter() - started)
                polars(i - 1)
        peak = rss_peak(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    check = pl.read_parquet(tmp / "odp-1.parquet").sort("category")
    expected = pl.read_parquet(tmp / "polars-0.parquet").sort("category")
    assert check["n"].to_list() == expected["n"].to_list(), "ODP and polars disagree"

    odp_wall, pl_wall = statistics.median(walls), statistics.median(polars_walls)
    pl_peak = max(polars_peaks)
    print(f"{'measure':<34}{'ODP':>10}{'polars':>10}{'ratio':>9}   target")
    print(
        f"{'wall time (ms)':<34}{odp_wall * 1000:>10.1f}{pl_wall * 1000:>10.1f}{odp_wall / pl_wall:>9.2f}   <= 1.5"
    )
    print(
        f"{'peak RSS (MiB)':<34}{peak / 2**20:>10.0f}{pl_peak / 2**20:>10.0f}{peak / pl_peak:>9.2f}   <= 1.5"
    )
    print(f"(ODP worker RSS before the runs: {baseline / 2**20:.0f} MiB, of which imports)")
    print(
        f"(an empty Temporal workflow alone takes {floor * 1000:.1f} ms from start to result, "
        f"{floor / pl_wall:.2f}x polars' whole job; ODP's time above that floor is "
        f"{(odp_wall - floor) / pl_wall:.2f}x polars')"
    )


async def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        server = EmbeddedTemporal(tmp / "server", ui=False)
        info = await server.start()
        redis = EmbeddedRedis(tmp / "server")
        bus = EventBus.from_url((await redis.start()).url)
        publisher = EventPublisher(bus)
        try:
            client = await connect(info.address)
            print("(ODP with lifecycle events on the embedded Redis)")
            floor = await orchestration(client, tmp, publisher)
            print(
                f"(events delivered {publisher.stats().delivered}, dropped {publisher.stats().dropped})"
            )
            await data_plane(client, info.address, tmp, floor)
        finally:
            await publisher.aclose()
            await bus.aclose()
            redis.stop()
            server.stop()


def main() -> None:
    configure_logging("WARNING")
    asyncio.run(run())


if __name__ == "__main__":
    main()
