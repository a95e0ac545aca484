"""The scripted OpenAI-compatible chat endpoint of `odp stubs`, over real HTTP."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from odp.stubs import create_app, running_server

pytestmark = pytest.mark.integration


@pytest.fixture
def chat() -> Iterator[httpx.Client]:
    """A client of a stand-in server of the test's own (its scripts start empty)."""
    with (
        running_server(create_app(tweets=10, reddit=10, news=10)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        yield client


def ask(client: httpx.Client, model: str, **extra: Any) -> httpx.Response:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]} | extra
    return client.post("/v1/chat/completions", json=body)


def test_a_script_is_served_in_order_and_recorded(chat: httpx.Client) -> None:
    responses: list[Any] = [
        "plain text",
        {"content": "as content"},
        {"json": {"a": 1}},
        {"tool_calls": [{"name": "submit", "arguments": {"b": 2}}]},
        {"status": 429, "retry_after": "1", "message": "slow down"},
    ]
    loaded = chat.post("/_stub/chat/script", json={"name": "m", "responses": responses})
    assert loaded.json() == {"name": "m", "responses": 5}

    first = ask(chat, "m").json()
    assert first["object"] == "chat.completion" and first["model"] == "m"
    assert first["choices"][0]["message"] == {"role": "assistant", "content": "plain text"}
    assert first["choices"][0]["finish_reason"] == "stop"
    assert ask(chat, "m").json()["choices"][0]["message"]["content"] == "as content"
    assert json.loads(ask(chat, "m").json()["choices"][0]["message"]["content"]) == {"a": 1}
    tool = ask(chat, "m").json()["choices"][0]
    assert tool["finish_reason"] == "tool_calls"
    call = tool["message"]["tool_calls"][0]
    assert call["function"]["name"] == "submit"
    assert json.loads(call["function"]["arguments"]) == {"b": 2}
    limited = ask(chat, "m")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert limited.json()["error"]["message"] == "slow down"
    spent = ask(chat, "m")
    assert spent.status_code == 410 and "no responses left" in spent.json()["error"]["message"]

    recorded = chat.get("/_stub/chat/requests", params={"script": "m"}).json()
    assert len(recorded) == 6 and [r["seq"] for r in recorded] == sorted(r["seq"] for r in recorded)
    assert recorded[0]["body"]["messages"] == [{"role": "user", "content": "hi"}]


def test_the_script_header_wins_over_the_model(chat: httpx.Client) -> None:
    chat.post("/_stub/chat/script", json={"name": "s", "responses": ["x"], "repeat_last": True})
    for _ in range(3):
        answer = chat.post(
            "/v1/chat/completions",
            json={"model": "gpt-4o", "messages": []},
            headers={"X-Stub-Script": "s"},
        )
        assert answer.json()["choices"][0]["message"]["content"] == "x"
    assert chat.get("/v1/models").json()["data"][0]["id"] == "s"
    assert len(chat.get("/_stub/chat/requests").json()) == 3
    assert chat.get("/_stub/chat/requests", params={"script": "other"}).json() == []
    assert chat.delete("/_stub/chat/requests").json() == {"status": "cleared"}
    assert chat.get("/v1/models").json() == {"object": "list", "data": []}


def test_bad_requests_get_clear_errors(chat: httpx.Client) -> None:
    unknown = ask(chat, f"nope-{uuid.uuid4().hex[:6]}")
    assert unknown.status_code == 404
    assert "load one with POST /_stub/chat/script" in unknown.json()["error"]["message"]
    not_json = chat.post("/v1/chat/completions", content=b"{", headers={"content-type": "x"})
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["error"]["message"]
    no_messages = chat.post("/v1/chat/completions", json={"model": "m"})
    assert no_messages.status_code == 400 and "messages" in no_messages.json()["error"]["message"]
    chat.post("/_stub/chat/script", json={"name": "m", "responses": ["x"]})
    streamed = ask(chat, "m", stream=True)
    assert streamed.status_code == 400 and "does not stream" in streamed.json()["error"]["message"]
    assert chat.post("/_stub/chat/script", json={"name": "m"}).status_code == 422


def test_fault_injection_applies_to_the_chat_endpoint(chat: httpx.Client) -> None:
    chat.post("/_stub/chat/script", json={"name": "f", "responses": ["ok"]})
    headers = {"X-Stub-Fail-First": "1", "X-Stub-Fail-Key": "chat", "X-Stub-Fail-Status": "500"}
    body = {"model": "f", "messages": []}
    assert chat.post("/v1/chat/completions", json=body, headers=headers).status_code == 500
    answer = chat.post("/v1/chat/completions", json=body, headers=headers)
    assert answer.json()["choices"][0]["message"]["content"] == "ok"
    assert chat.get("/_stub/faults/chat").json() == {"key": "chat", "calls": 2}
