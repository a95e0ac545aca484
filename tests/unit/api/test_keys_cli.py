"""`odp keys create / list / revoke` against the state folder's SQLite database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from odp.api import Database
from odp.api.accounts import authenticate
from odp.cli import app
from odp.config import Settings
from odp.errors import AuthenticationError

runner = CliRunner()


def test_create_list_and_revoke_a_key() -> None:
    created = runner.invoke(app, ["keys", "create", "--workspace", "team", "--role", "runner"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("odp_")
    assert "not shown again" in created.stderr

    database = Database.from_settings(Settings())
    with database.session() as session:
        principal = authenticate(session, key)
    assert (principal.workspace, principal.role.value) == ("team", "runner")

    other = runner.invoke(
        app, ["keys", "create", "-w", "ops", "-r", "admin", "--name", "pager", "--json"]
    )
    assert other.exit_code == 0, other.output
    assert json.loads(other.stdout)["name"] == "pager"

    listed = runner.invoke(app, ["keys", "list", "--workspace", "team", "--json"])
    (info,) = json.loads(listed.stdout)
    assert info["id"] == principal.key_id and "key" not in info and "secret_hash" not in info
    table = runner.invoke(app, ["keys", "list"], env={"COLUMNS": "200"})
    assert principal.key_id in table.stdout and "pager" in table.stdout

    revoked = runner.invoke(app, ["keys", "revoke", principal.key_id])
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    with database.session() as session:
        try:
            authenticate(session, key)
        except AuthenticationError:
            pass
        else:
            raise AssertionError("a revoked key still authenticates")
    database.dispose()


def test_listing_without_keys_says_how_to_make_one() -> None:
    result = runner.invoke(app, ["keys", "list"])
    assert result.exit_code == 0
    assert "odp keys create" in result.stdout


def test_bad_input_is_a_message_not_a_traceback() -> None:
    env = {**os.environ}
    bad_role = runner.invoke(app, ["keys", "create", "-w", "team", "-r", "king"])
    assert bad_role.exit_code == 2 and "king" in bad_role.output
    result = subprocess.run(
        [sys.executable, "-m", "odp", "keys", "create", "-w", "Not Valid", "-r", "viewer"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "invalid workspace name" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "odp", "keys", "revoke", "000000000000"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2 and "no API key" in result.stderr


def test_serve_on_a_taken_port_says_so() -> None:
    from odp.stubs.server import bind

    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "odp", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        taken.close()
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
