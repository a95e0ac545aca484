from __future__ import annotations

import socket

from typer.testing import CliRunner

from odp.cli import app

runner = CliRunner()


def test_stubs_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["stubs", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "--port" in result.output


def test_stubs_help() -> None:
    result = runner.invoke(app, ["stubs", "--help"])
    assert result.exit_code == 0
    assert "crawler API" in result.output
