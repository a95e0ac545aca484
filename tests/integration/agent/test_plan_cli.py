"""`odp plan` with the LLM settings pointing at the scripted chat stand-in."""

from __future__ import annotations

import json
import traceback
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from odp.cli import app
from tests.unit.agent.scripted import PATH_QUESTION, QUERY_QUESTION, valid, with_bad_param

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()
REQUEST = "negative English posts about AI from twitter, saved as CSV"


def odp(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += "".join(traceback.format_exception(result.exception))
    return result.exit_code, output


def answer(pipeline: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"json": {"pipeline": pipeline, "notes": [], "questions": []} | extra}


@pytest.fixture
def script(stubs_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Load a chat script and point ODP_LLM_* at it."""

    def load(*responses: Any) -> str:
        name = f"cli-{uuid.uuid4().hex[:8]}"
        body = {"name": name, "responses": list(responses)}
        httpx.post(f"{stubs_url}/_stub/chat/script", json=body).raise_for_status()
        monkeypatch.setenv("ODP_LLM_PROVIDER", "openai")
        monkeypatch.setenv("ODP_LLM_BASE_URL", f"{stubs_url}/v1")
        monkeypatch.setenv("ODP_LLM_MODEL", name)
        monkeypatch.setenv("ODP_LLM_API_KEY", "sk-test")
        monkeypatch.setenv("ODP_LLM_MAX_RETRIES", "0")
        return name

    return load


def test_plan_prints_the_yaml_and_the_explanation(script: Any, tmp_path: Path) -> None:
    notes = [{"step": "posts", "note": "Twitter has the posts"}]
    script(answer(valid(), notes=notes))
    out = tmp_path / "plans" / "neg.yaml"
    code, output = odp("plan", REQUEST, "--out", str(out))

    assert code == 0, output
    assert "name: negative-ai-posts" in output and "method: social.twitter.search" in output
    assert "Why these steps" in output
    assert "posts (social.twitter.search): Twitter has the posts" in output
    assert "save (file.csv.write): Write a dataset to a CSV file" in output
    assert yaml.safe_load(out.read_text()) == valid()
    assert "wrote" in output


def test_plan_json_has_the_result_shape(script: Any) -> None:
    script(answer(with_bad_param()), answer(valid()))
    code, output = odp("plan", REQUEST, "--json")

    assert code == 0, output
    result = json.loads(output)
    assert {"status", "yaml", "pipeline", "explanation", "questions", "diagnostics"} <= set(result)
    assert result["status"] == "ok" and result["pipeline"] == valid()
    assert [a["round"] for a in result["attempts"]] == [0, 1]
    assert result["attempts"][0]["diagnostics"][0]["code"] == "unknown-param"


def test_plan_that_never_validates_exits_1_with_the_problems(script: Any) -> None:
    script(*[answer(with_bad_param())] * 4)
    code, output = odp("plan", REQUEST)
    assert code == 1, output
    assert "could not plan a valid pipeline (4 attempts)" in output
    assert "unknown-param" in output and "colour" in output

    script(*[answer(with_bad_param())] * 4)
    code, output = odp("plan", REQUEST, "--json")
    assert code == 1 and json.loads(output)["status"] == "failed"


def test_questions_without_a_terminal_exit_2(script: Any) -> None:
    asks = answer(valid(), questions=[PATH_QUESTION.model_dump(), QUERY_QUESTION.model_dump()])
    script(asks)
    code, output = odp("plan", REQUEST)
    assert code == 2, output
    assert "sink.path: Where should the CSV be written?" in output
    assert "(default: 'out/negative.csv')" in output
    assert "query: What should the posts be about?" in output
    assert "--yes" in output

    script(asks)
    code, output = odp("plan", REQUEST, "--json")
    assert code == 2 and json.loads(output)["status"] == "needs_input"


def test_yes_takes_the_defaults(script: Any, stubs_url: str) -> None:
    name = script(answer(valid(), questions=[PATH_QUESTION.model_dump()]), answer(valid()))
    code, output = odp("plan", REQUEST, "--yes", "--json")

    assert code == 0, output
    assert json.loads(output)["status"] == "ok"
    bodies = httpx.get(f"{stubs_url}/_stub/chat/requests", params={"script": name}).json()
    assert '- sink.path: "out/negative.csv"' in bodies[1]["body"]["messages"][-1]["content"]


def test_questions_are_asked_in_a_terminal(
    script: Any, stubs_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("odp.cli.plan._stdin_is_tty", lambda: True)
    asks = answer(valid(), questions=[PATH_QUESTION.model_dump(), QUERY_QUESTION.model_dump()])
    name = script(asks, answer(valid()))
    code, output = odp("plan", REQUEST, input="\nclimate\n")

    assert code == 0, output
    assert "Where should the CSV be written? [out/negative.csv]:" in output
    assert "What should the posts be about?:" in output
    bodies = httpx.get(f"{stubs_url}/_stub/chat/requests", params={"script": name}).json()
    prompt = bodies[1]["body"]["messages"][-1]["content"]
    assert '- sink.path: "out/negative.csv"' in prompt and '- query: "climate"' in prompt


def test_incomplete_llm_settings_are_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODP_LLM_PROVIDER", "anthropic")
    monkeypatch.delenv("ODP_LLM_MODEL", raising=False)
    code, output = odp("plan", REQUEST)
    assert code == 1
    assert "error: an LLM is configured but no model is named" in output
    assert "ODP_LLM_MODEL" in output


def test_an_endpoint_that_fails_exits_1(script: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    script(answer(valid()))
    monkeypatch.setenv("ODP_LLM_MODEL", "no-such-script")
    code, output = odp("plan", REQUEST)
    assert code == 1, output
    assert "could not plan a valid pipeline (0 attempts)" in output
    assert "drafter-error" in output and "no chat script named 'no-such-script'" in output


def test_run_and_json_do_not_go_together() -> None:
    code, output = odp("plan", REQUEST, "--run", "--json")
    assert code == 2 and "leave out --json" in output


def test_plan_and_run(script: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("ODP_TEMPORAL_ADDRESS", raising=False)
    out = tmp_path / "delivered.csv"
    pipeline = {
        "name": "delivered-orders",
        "sources": [
            {
                "name": "orders",
                "method": "file.csv.read",
                "params": {"path": "examples/data/orders.csv"},
            }
        ],
        "transforms": [
            {
                "name": "delivered",
                "method": "data.rows.filter",
                "params": {"data": "{{ orders.data }}", "where": "status = 'delivered'"},
            }
        ],
        "sinks": [
            {
                "name": "save",
                "method": "file.csv.write",
                "params": {"data": "{{ delivered.data }}", "path": "{{ params.out }}"},
            }
        ],
        "params": {"out": {"type": "string", "required": True}},
    }
    script(answer(pipeline))
    code, output = odp(
        "plan", "keep the delivered orders and save them", "--run", "--param", f"out={out}"
    )

    assert code == 0, output
    assert "name: delivered-orders" in output and "completed" in output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("order_id,") and len(lines) > 1
    assert all(line.endswith(",delivered") for line in lines[1:])


def test_run_refuses_a_plan_with_a_parameter_left_unset(script: Any) -> None:
    pipeline = valid(params={"out": {"type": "string", "required": True}})
    pipeline["sinks"][0]["params"]["path"] = "{{ params.out }}"
    script(answer(pipeline))
    code, output = odp("plan", REQUEST, "--run")

    assert code == 1, output
    assert "error[missing-pipeline-param]" in output or "missing-pipeline-param" in output
    assert "the pipeline needs a value for parameter 'out'" in output

    code, output = odp("plan", REQUEST, "--run", "--param", "broken")
    assert code == 2 and "NAME=VALUE" in output
