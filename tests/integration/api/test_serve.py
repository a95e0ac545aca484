"""`odp serve` as users run it: a process serving the API with a worker inside."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from odp.engine import ServerInfo
from tests.conftest import ROOT
from tests.integration.api.conftest import TINY

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def served(
    temporal_server: ServerInfo, redis_url: str, tmp_path: Path
) -> Iterator[tuple[str, str, Path]]:
    """`odp serve --port 0` on the session's Temporal and Redis; its URL, a runner key, files."""
    env = {
        **os.environ,
        "ODP_STATE_DIR": str(tmp_path / ".odp"),
        "ODP_TEMPORAL_ADDRESS": temporal_server.address,
        "ODP_REDIS_URL": redis_url,
        "ODP_TASK_QUEUE": f"serve-{uuid.uuid4().hex[:8]}",
        "ODP_LOG_LEVEL": "WARNING",
    }
    env.pop("ODP_HTTP_BLOCK_PRIVATE", None)
    env.pop("ODP_FILES_ROOT", None)
    created = subprocess.run(
        [sys.executable, "-m", "odp", "keys", "create", "-w", "team", "-r", "runner"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    key = created.stdout.strip()
    files = tmp_path / ".odp" / "files"
    files.mkdir(parents=True)
    (files / "orders.csv").write_bytes((ROOT / "examples" / "data" / "orders.csv").read_bytes())
    process = subprocess.Popen(
        [sys.executable, "-m", "odp", "serve", "--port", "0"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line and process.poll() is not None:
                raise AssertionError("odp serve exited at start")
            found = re.search(r"ODP service at (http://\S+)", line)
            url = found.group(1) if found else None
        assert url is not None, "odp serve did not say where it listens"
        # keep reading what it says, so that a full pipe never blocks it
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield url, key, files
    finally:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
            if process.stderr is not None:
                process.stderr.close()


def test_serve_runs_pipelines_streams_events_and_guards_addresses(
    served: tuple[str, str, Path],
) -> None:
    url, key, _ = served
    auth = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=auth, timeout=60) as client:
        assert client.get("/health").json()["status"] == "ok"
        assert client.get("/ready").json()["checks"] == {
            "temporal": "ok",
            "redis": "ok",
            "database": "ok",
        }
        run = client.post("/v1/runs", json={"pipeline": TINY}).json()
        # followed live over a real connection, message by message
        events = []
        with client.stream("GET", f"/v1/runs/{run['run_id']}/events") as stream:
            for line in stream.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert events[-1]["type"] == "pipeline.completed"
        page = client.get(f"/v1/runs/{run['run_id']}/outputs/big", params={"limit": 3}).json()
        assert page["rows"] == 500 and len(page["data"]) == 3

        # the service's defaults: no private addresses, no files outside its folder
        guarded = client.post(
            "/v1/runs",
            json={
                "pipeline": "name: sneaky\nsources:\n  - name: meta\n    method: http.json.get\n"
                "    params: {url: 'http://127.0.0.1:9/latest/meta-data'}\n"
            },
        ).json()
        outside = client.post(
            "/v1/runs",
            json={"pipeline": TINY.replace("orders.csv", "/etc/passwd")},
        ).json()
        for submitted, needle in ((guarded, "refused"), (outside, "outside")):
            for _ in range(300):
                state = client.get(f"/v1/runs/{submitted['run_id']}").json()
                if state["state"] != "running":
                    break
                time.sleep(0.1)
            assert state["state"] == "failed"
            assert needle in state["error"]["message"]
