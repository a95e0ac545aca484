"""`odp run`, `runs`, `status`, `result`, `cancel`, `dev`, `worker` on the embedded server."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from odp.cli import app, main

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("ODP_TEMPORAL_ADDRESS", raising=False)


def odp(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # an exception escaping the command is a bug: show it in the assertion message
        output += "".join(traceback.format_exception(result.exception))
    return result.exit_code, output


def test_run_the_quickstart_on_the_embedded_server(tmp_path: Path) -> None:
    out = tmp_path / "revenue.csv"
    code, output = odp("run", "examples/quickstart.yaml", "--param", f"out={out}")
    assert code == 0, output
    assert "completed" in output
    assert f"save wrote 6 rows to {out}" in output
    assert "electronics" in output  # the preview of the last dataset
    assert out.read_text().startswith("category,orders,revenue")

    # the server keeps its state in SQLite under the state folder, in write-ahead-log mode
    database = Path(os.environ["ODP_STATE_DIR"]) / "temporal.db"
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as con:
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    # the server's state survives: a new server process sees the finished run
    code, output = odp("runs", "--json")
    assert code == 0, output
    runs = json.loads(output)
    assert [r["state"] for r in runs] == ["completed"]
    run_id = runs[0]["run_id"]

    code, output = odp("status", run_id, "--json")
    assert code == 0, output
    status = json.loads(output)
    assert [s["status"] for s in status["steps"]] == ["completed"] * 4

    code, output = odp("status", run_id)
    assert "completed" in output and "revenue" in output

    code, output = odp("result", run_id, "--step", "revenue", "--rows", "3")
    assert code == 0, output
    assert "electronics" in output and "3 of 6 rows" in output
    code, output = odp("result", run_id, "--json")
    assert json.loads(output)["save"]["rows_written"] == 6
    code, output = odp("result", run_id, "--step", "nope")
    assert code == 1 and "has no step 'nope'" in output

    code, output = odp("run", "examples/quickstart.yaml", "--param", f"out={out}")
    assert code == 0, output
    assert "reused cached outputs of 3 step(s)" in output
    code, output = odp("runs", "--json")
    assert [r["pipeline"] for r in json.loads(output)] == ["quickstart-revenue"] * 2
    code, output = odp("runs", "--state", "completed", "--pipeline", "quickstart-revenue")
    assert code == 0 and "quickstart" in output


def test_an_invalid_pipeline_is_not_submitted(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad-one\nsources:\n  - {name: a, method: file.csv.reed, params: {}}\n")
    code, output = odp("run", str(bad))
    assert code == 1
    assert "unknown-method" in output
    code, output = odp("runs", "--json")
    assert json.loads(output) == []
    code, output = odp("run", "examples/quickstart.yaml", "--param", "min_quantity=lots")
    assert code == 1
    assert "invalid-param-value" in output


def test_a_failed_run_exits_non_zero_with_the_step_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODP_PLUGINS", "tests.plugins.engine_methods")
    failing = tmp_path / "failing.yaml"
    failing.write_text(
        "name: failing\ntransforms:\n"
        "  - {name: bad, method: test.fail.run, params: {message: the file is empty}}\n"
    )
    code, output = odp("run", str(failing))
    assert code == 1
    assert "failed" in output
    assert "step 'bad' (test.fail.run) failed after 1 attempt: the file is empty" in output
    assert "hint: fix the input" in output


@pytest.fixture
def background_dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ODP_PLUGINS", "tests.plugins.engine_methods")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    state = Path(os.environ["ODP_STATE_DIR"])
    yield state
    marker = state / "dev.json"
    if marker.exists():
        pid = json.loads(marker.read_text())["pid"]
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not marker.exists():
                break
            time.sleep(0.1)


def test_detach_status_and_cancel(background_dev: Path, tmp_path: Path) -> None:
    long = tmp_path / "long.yaml"
    long.write_text(
        "name: long-one\ntransforms:\n"
        f"  - {{name: nap, method: test.sleep.run, params: {{seconds: 300, marker_dir: '{tmp_path}/m'}}}}\n"
    )
    result = runner.invoke(app, ["run", str(long), "--detach"])
    assert result.exit_code == 0, result.output
    run_id = result.stdout.strip().splitlines()[-1].strip()
    assert (background_dev / "dev.json").exists()
    assert run_id.startswith("long-one-")
    for _ in range(300):
        if (tmp_path / "m" / "started-nap-1").exists():
            break
        time.sleep(0.1)
    code, output = odp("status", run_id)
    assert code == 0 and "running" in output, output
    code, output = odp("cancel", run_id)
    assert code == 0 and "cancellation requested" in output
    for _ in range(300):
        code, output = odp("status", run_id, "--json")
        if json.loads(output)["state"] == "cancelled":
            break
        time.sleep(0.1)
    assert json.loads(output)["state"] == "cancelled"
    assert (tmp_path / "m" / "cancelled-nap").exists()
    code, output = odp("result", run_id)
    assert code == 1 and "cancelled" in output


def test_worker_needs_a_server(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.argv", ["odp", "worker"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "no Temporal server to connect to" in err
    assert "odp dev" in err


def test_bad_settings_are_reported(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODP_HEARTBEAT_TIMEOUT", "soon")
    monkeypatch.setattr("sys.argv", ["odp", "runs"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    assert "ODP_HEARTBEAT_TIMEOUT" in capsys.readouterr().err
