"""The LLM drafter over real HTTP, against the scripted OpenAI-compatible stand-in."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from odp.agent import PlanStatus, llm_drafter, plan_request
from odp.catalog import Catalog
from odp.config import Settings
from tests.unit.agent.scripted import REQUEST, valid, with_unknown_method

pytestmark = pytest.mark.integration


def load_script(stubs_url: str, responses: list[Any], **options: Any) -> str:
    name = f"model-{uuid.uuid4().hex[:8]}"
    body = {"name": name, "responses": responses, **options}
    httpx.post(f"{stubs_url}/_stub/chat/script", json=body).raise_for_status()
    return name


def received(stubs_url: str, script: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{stubs_url}/_stub/chat/requests", params={"script": script})
    return [r["body"] for r in answer.json()]


def llm_settings(stubs_url: str, model: str, **extra: Any) -> Settings:
    return Settings(
        llm_provider="openai",
        llm_base_url=f"{stubs_url}/v1",
        llm_model=model,
        llm_api_key=SecretStr("sk-test"),
        llm_timeout=10,
        **extra,
    )


def draft(pipeline: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"json": {"pipeline": pipeline, "notes": [], "questions": []} | extra}


async def test_a_valid_first_draft_over_http(stubs_url: str, catalog: Catalog) -> None:
    notes = [{"step": "posts", "note": "Twitter is where the posts are"}]
    model = load_script(stubs_url, [draft(valid(), notes=notes)])
    result = await plan_request(REQUEST, catalog=catalog, settings=llm_settings(stubs_url, model))

    assert result.status is PlanStatus.OK, result.diagnostics
    assert result.pipeline == valid()
    assert result.attempts[0].drafter == f"llm:openai/{model}"
    assert json.loads(result.attempts[0].raw)["pipeline"] == valid()
    assert result.explanation[0].note == "Twitter is where the posts are"

    (body,) = received(stubs_url, model)
    assert body["model"] == model and body["temperature"] == 0
    assert body["messages"][0]["role"] == "system"
    assert body["messages"][1]["content"].startswith(f"Request: {REQUEST}")
    response_format = body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "pipeline_draft"
    steps = response_format["json_schema"]["schema"]["properties"]["pipeline"]["properties"]
    methods = {
        branch["properties"]["method"]["const"]
        for section in ("sources", "transforms", "sinks")
        for branch in steps[section]["items"]["anyOf"]
    }
    assert {"social.twitter.search", "nlp.text.sentiment", "file.csv.write"} <= methods
    assert methods <= set(catalog.ids())


async def test_an_invalid_draft_repaired_over_http(stubs_url: str, catalog: Catalog) -> None:
    fenced = "```json\n" + json.dumps({"pipeline": with_unknown_method()}) + "\n```"
    model = load_script(stubs_url, [fenced, draft(valid())])
    result = await plan_request(REQUEST, catalog=catalog, settings=llm_settings(stubs_url, model))

    assert result.status is PlanStatus.OK
    assert result.attempts[0].raw == fenced
    assert result.attempts[0].diagnostics[0].code == "unknown-method"
    first, repair = received(stubs_url, model)
    prompt = repair["messages"][-1]["content"]
    assert "Your previous draft:" in prompt and "method: social.twitter.find" in prompt
    assert "[unknown-method] error at <draft>:4:11" in prompt
    assert "unknown method 'social.twitter.find'" in prompt
    assert "hint: did you mean" in prompt
    assert repair["response_format"] == first["response_format"]


async def test_a_draft_never_valid_over_http_is_bounded(stubs_url: str, catalog: Catalog) -> None:
    model = load_script(stubs_url, [draft(with_unknown_method())], repeat_last=True)
    result = await plan_request(
        REQUEST, catalog=catalog, settings=llm_settings(stubs_url, model), max_repairs=2
    )
    assert result.status is PlanStatus.FAILED
    assert len(result.attempts) == 3 and len(received(stubs_url, model)) == 3


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "headers": {"retry-after-ms": "1"}},
        {"status": 429, "headers": {"retry-after-ms": "1"}, "message": "rate limited"},
    ],
)
async def test_a_failing_endpoint_is_retried_then_succeeds(
    stubs_url: str, catalog: Catalog, failure: dict[str, Any]
) -> None:
    model = load_script(stubs_url, [failure, failure, draft(valid())])
    settings = llm_settings(stubs_url, model, llm_max_retries=2)
    result = await plan_request(REQUEST, catalog=catalog, settings=settings)

    assert result.status is PlanStatus.OK
    assert len(result.attempts) == 1  # the retries are the client's, not new drafts
    assert len(received(stubs_url, model)) == 3


async def test_an_endpoint_failing_past_the_retries_ends_in_failed(
    stubs_url: str, catalog: Catalog
) -> None:
    failure = {"status": 503, "headers": {"retry-after-ms": "1"}, "message": "overloaded"}
    model = load_script(stubs_url, [failure], repeat_last=True)
    settings = llm_settings(stubs_url, model, llm_max_retries=1)
    result = await plan_request(REQUEST, catalog=catalog, settings=settings)

    assert result.status is PlanStatus.FAILED
    (error,) = result.diagnostics
    assert error.code == "drafter-error" and "overloaded" in error.message
    assert len(received(stubs_url, model)) == 2


async def test_a_model_the_endpoint_does_not_know(stubs_url: str, catalog: Catalog) -> None:
    settings = llm_settings(stubs_url, "no-such-model", llm_max_retries=0)
    result = await plan_request(REQUEST, catalog=catalog, settings=settings)

    assert result.status is PlanStatus.FAILED
    assert "no chat script named 'no-such-model'" in result.diagnostics[0].message


def test_one_drafter_serves_several_event_loops(stubs_url: str, catalog: Catalog) -> None:
    """A drafter made once and used under ``asyncio.run`` per request (as the bench does)."""
    model = load_script(stubs_url, [draft(valid())], repeat_last=True)
    settings = llm_settings(stubs_url, model, llm_max_retries=0)
    drafter = llm_drafter(settings)
    for _ in range(3):
        result = asyncio.run(
            plan_request(REQUEST, catalog=catalog, settings=settings, drafter=drafter)
        )
        assert result.status is PlanStatus.OK, result.diagnostics
    assert len(received(stubs_url, model)) == 3
