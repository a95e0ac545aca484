"""Kill a worker with SIGKILL mid-step: every run completes, every sink's effect happens once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.client import Client

from odp.catalog import Catalog
from odp.engine import EngineClient, RunState, ServerInfo
from tests.fixtures.temporal import compile_source

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]


class Workers:
    """Worker subprocesses (`odp worker`) on one task queue."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        with (self.cwd / f"worker-{len(self.procs)}.log").open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "odp", "worker"],
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def workers(tmp_path: Path, temporal_server: ServerInfo, engine: EngineClient) -> Iterator[Workers]:
    env = {
        **os.environ,
        "ODP_TEMPORAL_ADDRESS": temporal_server.address,
        "ODP_TASK_QUEUE": engine.task_queue,
        "ODP_STATE_DIR": str(tmp_path / ".odp"),
        "ODP_PLUGINS": "tests.plugins.engine_methods",
        "ODP_LOG_FORMAT": "json",
        "PYTHONPATH": str(ROOT),
    }
    pool = Workers(env, tmp_path)
    yield pool
    pool.stop_all()


async def wait_for(predicate: object, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for a condition")
        await asyncio.sleep(0.1)


def pipeline(tmp: Path, index: int) -> str:
    return f"""
name: crash-{index}
sources:
  - {{name: rows, method: test.rows.make, params: {{n: {10 + index}}}}}
transforms:
  - name: slow
    method: test.sleep.run
    params: {{seconds: 4, marker_dir: "{tmp}/markers/{index}"}}
    depends_on: [rows]
sinks:
  - name: table
    method: file.csv.write
    params: {{data: "{{{{ rows.data }}}}", path: "{tmp}/out/rows-{index}.csv"}}
    depends_on: [slow]
  - name: journal
    method: test.file.append
    params: {{path: "{tmp}/journal.txt", line: "run {index}", pause_after: 4, marker_dir: "{tmp}/written"}}
    depends_on: [table]
"""


async def test_runs_survive_killed_workers(
    engine: EngineClient,
    engine_catalog: Catalog,
    temporal_client: Client,
    workers: Workers,
    tmp_path: Path,
) -> None:
    engine.heartbeat_timeout = 3.0
    plans = [compile_source(pipeline(tmp_path, i), engine_catalog) for i in range(3)]
    first = workers.start()
    run_ids = [await engine.submit(plan) for plan in plans]

    # 1. kill the worker while every run is in the middle of its slow step
    started = [tmp_path / "markers" / str(i) / "started-slow-1" for i in range(3)]
    await wait_for(lambda: all(p.exists() for p in started), timeout=90)
    first.send_signal(signal.SIGKILL)
    first.wait()
    second = workers.start()

    # 2. kill the next worker after a sink wrote its effect but before it reported back
    written = tmp_path / "written"
    await wait_for(lambda: written.exists() and any(written.iterdir()), timeout=90)
    second.send_signal(signal.SIGKILL)
    second.wait()
    workers.start()

    results = await asyncio.wait_for(
        asyncio.gather(*(engine.result(rid) for rid in run_ids)), timeout=180
    )
    assert [r.state for r in results] == [RunState.COMPLETED] * 3

    # the slow steps really were interrupted and retried on a new worker
    for i in range(3):
        assert (tmp_path / "markers" / str(i) / "started-slow-2").exists()
    # at least one sink crashed after writing its effect and was retried: the retry
    # found the effect and did not repeat it
    journals = [r.step("journal") for r in results]
    retried = [s for s in journals if s.attempt >= 2]
    assert retried, [(s.attempt, s.output) for s in journals]
    skipped = {"path": str(tmp_path / "journal.txt"), "rows_written": 0}
    assert any(s.output == skipped for s in retried), [(s.attempt, s.output) for s in journals]

    # exactly one effect per sink and run
    journal = (tmp_path / "journal.txt").read_text().splitlines()
    assert sorted(journal) == sorted(f"{rid}:journal run {i}" for i, rid in enumerate(run_ids))
    for i in range(3):
        lines = (tmp_path / "out" / f"rows-{i}.csv").read_text().splitlines()
        assert lines == ["i", *(str(n) for n in range(10 + i))]
    leftovers = [p.name for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
