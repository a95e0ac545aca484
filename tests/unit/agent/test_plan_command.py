"""`odp plan` with the offline planner (no LLM configured): output, files, questions, exits."""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from odp.cli import app

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()
ORDERS = "read examples/data/orders.csv, keep the delivered orders and save them to {out}"
POSTS = "find posts about AI on twitter, keep the negative English ones and save them to a CSV"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for name in ("ODP_LLM_PROVIDER", "ODP_LLM_BASE_URL", "ODP_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)


def odp(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += "".join(traceback.format_exception(result.exception))
    return result.exit_code, output


def test_a_plan_is_printed_explained_and_written(tmp_path: Path) -> None:
    out = tmp_path / "pipelines" / "delivered.yaml"
    code, output = odp("plan", ORDERS.format(out="out/delivered.csv"), "--out", str(out))

    assert code == 0, output
    assert "method: file.csv.read" in output and "method: file.csv.write" in output
    assert "Why these steps" in output
    pipeline = yaml.safe_load(out.read_text())
    methods = [s["method"] for section in ("sources", "sinks") for s in pipeline[section]]
    assert methods == ["file.csv.read", "file.csv.write"]


def test_json_output_has_the_result_shape() -> None:
    code, output = odp("plan", ORDERS.format(out="out/delivered.csv"), "--json")

    assert code == 0, output
    result = json.loads(output)
    assert result["status"] == "ok"
    assert result["attempts"][0]["drafter"] == "offline"
    assert yaml.safe_load(result["yaml"]) == result["pipeline"]
    assert len(result["explanation"]) == len(
        [s for section in ("sources", "transforms", "sinks") for s in result["pipeline"][section]]
    )


def test_open_questions_exit_2_without_a_terminal() -> None:
    code, output = odp("plan", POSTS)
    assert code == 2, output
    assert "the request leaves these open" in output and "sink.path" in output
    assert "--yes" in output
    code, output = odp("plan", POSTS, "--json")
    assert code == 2 and json.loads(output)["status"] == "needs_input"


def test_yes_takes_the_defaults() -> None:
    code, output = odp("plan", POSTS, "--yes", "--json")
    assert code == 0, output
    result = json.loads(output)
    assert result["status"] == "ok" and result["questions"] == []


def test_questions_are_asked_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("odp.cli.plan._stdin_is_tty", lambda: True)
    code, output = odp("plan", POSTS, input="out/answered.csv\n")

    assert code == 0, output
    assert "The request leaves some things open" in output
    assert "path: out/answered.csv" in output


def test_answers_on_the_command_line() -> None:
    code, output = odp(
        "plan", POSTS, "--answer", "sink.path=out/given.csv", "--answer", "limit=5", "--json"
    )
    assert code == 0, output
    result = json.loads(output)
    assert result["status"] == "ok" and "out/given.csv" in result["yaml"]


def test_bad_params_and_answers_are_refused() -> None:
    code, output = odp("plan", "anything", "--param", "novalue")
    assert code == 2 and "NAME=VALUE" in output
    code, output = odp("plan", "anything", "--answer", "novalue")
    assert code == 2 and "is not SLOT=VALUE" in output
