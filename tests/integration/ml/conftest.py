"""Fixtures of the model integration tests: the session's MLflow store, a real HTTP server."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from tests.unit.ml.conftest import _shared_registry, churn, mlflow_dir, model_name, prices

__all__ = ["_shared_registry", "churn", "mlflow_dir", "model_name", "prices", "serve"]


@contextlib.contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port in a thread of its own; yield its URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    try:
        for _ in range(1000):  # bounded wait for the socket (at most ~10 s)
            if server.started:
                break
            time.sleep(0.01)
        assert server.started, "the test server did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
