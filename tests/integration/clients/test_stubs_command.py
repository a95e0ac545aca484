"""`odp stubs` as a user runs it: a process serving the stand-ins until stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

pytestmark = pytest.mark.integration


def test_odp_stubs_serves_until_stopped() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "odp", "stubs", "--port", "0", "--seed", "7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        serve_and_stop(process)
    assert process.returncode == 0


def serve_and_stop(process: subprocess.Popen[str]) -> None:
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("ODP stand-ins serving on http://127.0.0.1:"), first
        url = first.split()[-1]
        for _ in range(5):
            line = process.stdout.readline()
            if "ODP_CRAWLER_API_URL" in line:
                assert line.strip().endswith(f"ODP_CRAWLER_API_URL={url}")
        # the socket is bound before the banner, so the server answers (or queues) at once
        health = httpx.get(f"{url}/healthz", timeout=30)
        assert health.json() == {"ok": True, "seed": 7}
        found = httpx.post(
            f"{url}/social/twitter/search", json={"query": "football", "max_results": 3}, timeout=30
        )
        assert len(found.json()["results"]) == 3
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.stdout is not None
    assert process.stdout.read().strip().endswith("stopped")
