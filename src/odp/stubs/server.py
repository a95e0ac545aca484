"""Run the stand-ins with uvicorn: in the foreground, or in a background thread for tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

__all__ = ["RunningServer", "bind", "running_server", "url_of"]


def bind(host: str, port: int) -> socket.socket:
    """Bind a listening socket (port 0 picks a free port).

    Raises:
        OSError: when the address is in use or cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    """The base URL of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass(frozen=True, slots=True)
class RunningServer:
    """A stand-in server running in a background thread."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread


@contextlib.contextmanager
def running_server(
    app: FastAPI, host: str = "127.0.0.1", port: int = 0, *, startup_timeout: float = 30.0
) -> Iterator[RunningServer]:
    """Serve ``app`` in a background thread for the duration of the block.

    Raises:
        RuntimeError: when the server does not start within ``startup_timeout`` seconds.
    """
    sock = bind(host, port)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the stand-in server on {url_of(sock)} did not start")
            time.sleep(0.01)
        yield RunningServer(url_of(sock), server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
