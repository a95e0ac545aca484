"""Issue 5's figures: runs submitted through the API against runs started directly.

200 runs of a tiny pipeline (read a 5-row CSV) are submitted at once through the REST
API (``odp serve`` in its own process: key check, validation, compilation, submit) and,
in the same run against the same Temporal server and the same worker (the one inside
``odp serve``), 200 more are started directly with ``EngineClient.submit``. Every run
must complete. Printed: p50/p95 submit latency, end-to-end runs per second (first
submit to last completion, awaited the same way for both), and the ratios API/direct.

Run: ``python -m bench api`` (``ODP_BENCH_RUNS`` changes the 200).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from odp.api import Database
from odp.api.accounts import create_key
from odp.catalog import load_catalog
from odp.engine import EmbeddedTemporal, EngineClient, PipelineResult, connect
from odp.logs import configure_logging
from odp.spec import compile_plan, validate_text

RUNS = int(os.environ.get("ODP_BENCH_RUNS", "200"))
QUEUE = "bench-api"
TINY = """\
name: bench-tiny
sources:
  - name: rows
    method: file.csv.read
    params: {path: tiny.csv}
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _batch(
    engine: EngineClient, submit: Callable[[], Awaitable[str]], n: int
) -> tuple[list[float], float]:
    """Submit ``n`` runs at once; their submit latencies, and runs/s to the last completion."""
    latencies: list[float] = []

    async def one() -> str:
        started = time.perf_counter()
        run_id = await submit()
        latencies.append(time.perf_counter() - started)
        return run_id

    begin = time.perf_counter()
    run_ids = await asyncio.gather(*(one() for _ in range(n)))
    results: list[PipelineResult] = await asyncio.gather(*(engine.result(r) for r in run_ids))
    elapsed = time.perf_counter() - begin
    done = sum(r.state.value == "completed" for r in results)
    assert done == n, f"only {done} of {n} runs completed"
    return latencies, n / elapsed


def _start_service(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "odp", "serve", "--port", "0"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        found = re.search(r"ODP service at (http://\S+)", line)
        if found:
            # keep reading what it says, so that a full pipe never blocks it
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process, found.group(1)
        if not line and process.poll() is not None:
            break
    process.kill()
    raise RuntimeError("odp serve did not start")


async def run() -> None:
    with tempfile.TemporaryDirectory(prefix="odp-bench-api-") as tmp:
        state = Path(tmp) / ".odp"
        files = state / "files"
        files.mkdir(parents=True)
        (files / "tiny.csv").write_text("id,name\n1,a\n2,b\n3,c\n4,d\n5,e\n")
        server = EmbeddedTemporal(Path(tmp) / "temporal", ui=False)
        info = await server.start()
        env = {
            **os.environ,
            "ODP_STATE_DIR": str(state),
            "ODP_TEMPORAL_ADDRESS": info.address,
            "ODP_TASK_QUEUE": QUEUE,
            "ODP_LOG_LEVEL": "WARNING",
            "ODP_FILES_ROOT": str(files),
        }
        env.pop("ODP_REDIS_URL", None)  # events off for both paths: the submit path is measured
        database = Database(f"sqlite:///{state / 'service.db'}")
        database.migrate()
        with database.session() as session:
            key = create_key(session, workspace="bench", role="runner").key
        database.dispose()
        service, url = _start_service(env)
        try:
            catalog = load_catalog()
            plan = compile_plan(validate_text(TINY, catalog, require_params=True), catalog)
            engine = EngineClient(await connect(info.address), task_queue=QUEUE)
            limits = httpx.Limits(max_connections=RUNS, max_keepalive_connections=RUNS)
            async with httpx.AsyncClient(
                base_url=url,
                headers={"Authorization": f"Bearer {key}"},
                timeout=120,
                limits=limits,
            ) as http:

                async def via_api() -> str:
                    response = await http.post(
                        "/v1/runs", json={"pipeline": TINY, "no_cache": True}
                    )
                    response.raise_for_status()
                    return str(response.json()["run_id"])

                async def direct() -> str:
                    return await engine.submit(plan, workspace="bench", no_cache=True)

                # warm both paths (connections, worker caches, the service's catalog)
                await _batch(engine, via_api, 10)
                await _batch(engine, direct, 10)
                direct_lat, direct_rps = await _batch(engine, direct, RUNS)
                api_lat, api_rps = await _batch(engine, via_api, RUNS)
        finally:
            service.send_signal(signal.SIGINT)
            service.wait(timeout=30)
            if service.stderr is not None:
                service.stderr.close()
            server.stop()

    rows = [
        ("submit p50 (ms)", _percentile(direct_lat, 0.5) * 1e3, _percentile(api_lat, 0.5) * 1e3),
        ("submit p95 (ms)", _percentile(direct_lat, 0.95) * 1e3, _percentile(api_lat, 0.95) * 1e3),
        ("submit mean (ms)", statistics.fmean(direct_lat) * 1e3, statistics.fmean(api_lat) * 1e3),
        ("end-to-end runs/s", direct_rps, api_rps),
    ]
    print(f"{RUNS} runs submitted at once, each path; all completed")
    print(f"{'':22}{'direct':>12}{'API':>12}{'API/direct':>12}")
    for name, d, a in rows:
        print(f"{name:22}{d:12.1f}{a:12.1f}{a / d:12.2f}")


def main() -> None:
    configure_logging("WARNING")
    asyncio.run(run())


if __name__ == "__main__":
    main()
