"""The embedded server's launcher: a server that dies at once is retried on fresh ports."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from odp.engine import devserver
from odp.engine.devserver import EmbeddedTemporal
from odp.errors import ConfigError


def _fake_binary(tmp_path: Path, script: str) -> Path:
    path = tmp_path / "temporal"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


async def test_a_server_that_keeps_exiting_fails_after_the_last_launch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls"
    binary = _fake_binary(
        tmp_path, f'echo "bind: address already in use" ; echo x >> {calls}; exit 3\n'
    )
    monkeypatch.setattr(devserver, "find_temporal_binary", lambda: binary)
    server = EmbeddedTemporal(tmp_path / ".odp", ui=False)
    with pytest.raises(ConfigError) as caught:
        await server.start(timeout=10, attempts=3)
    assert "exited with code 3 (3 launches)" in caught.value.message
    assert "address already in use" in (caught.value.hint or "")
    assert calls.read_text().count("x") == 3
    assert not server.state_file.exists()


async def test_a_server_that_never_answers_times_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "pid"
    binary = _fake_binary(tmp_path, f"echo $$ > {pid_file}; exec sleep 30\n")
    monkeypatch.setattr(devserver, "find_temporal_binary", lambda: binary)
    server = EmbeddedTemporal(tmp_path / ".odp", ui=False)
    with pytest.raises(ConfigError, match="did not answer within 1s"):
        await server.start(timeout=1)
    with pytest.raises(ProcessLookupError):  # stopped and reaped, not left behind
        os.kill(int(pid_file.read_text()), 0)
