"""An OpenAI-compatible chat endpoint that answers from a script, for tests and demos.

Load a script, then point any OpenAI client at ``<stubs>/v1``::

    POST /_stub/chat/script     {"name": "plan", "responses": ["...", {"status": 429}, ...]}
    POST /v1/chat/completions   {"model": "plan", "messages": [...]}   → the next response
    GET  /v1/models             the scripts, as models
    GET  /_stub/chat/requests?script=plan   the request bodies received, in order
    DELETE /_stub/chat/requests             forget every script and request

A request uses the script named by its ``X-Stub-Script`` header, else by its ``model``.
Responses are served in order; each is a string (the assistant's text), or an object:
``{"content": "..."}``, ``{"json": {...}}`` (sent as JSON text), ``{"tool_calls":
[{"name": ..., "arguments": {...}}]}``, or an error answer to test retries, e.g.
``{"status": 429, "retry_after": "1"}`` or ``{"status": 500, "headers":
{"retry-after-ms": "1"}}``. A spent script answers 410, unless it was loaded with
``"repeat_last": true``. Fault injection (:mod:`odp.stubs.faults`) applies too.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

__all__ = ["ChatScript", "ScriptBody", "chat_router"]

_SCRIPT_HEADER = "x-stub-script"


class ScriptBody(BaseModel):
    """A script to load: the responses to serve, in order."""

    name: str = Field(default="default", min_length=1, description="The script's name.")
    responses: list[str | dict[str, Any]] = Field(description="What to answer, in order.")
    repeat_last: bool = Field(default=False, description="Serve the last response forever.")


@dataclass(slots=True)
class ChatScript:
    """A loaded script and what it has served."""

    responses: list[str | dict[str, Any]]
    repeat_last: bool = False
    served: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)

    def next(self) -> str | dict[str, Any] | None:
        """The next response, or None when the script is spent."""
        if self.served < len(self.responses):
            item = self.responses[self.served]
            self.served += 1
            return item
        if self.repeat_last and self.responses:
            return self.responses[-1]
        return None


def _error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": kind, "code": None}}, status_code=status
    )


def _completion(model: str, message: dict[str, Any], counter: int) -> dict[str, Any]:
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    text = message.get("content") or ""
    return {
        "id": f"chatcmpl-stub-{counter}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": 0,
            "completion_tokens": len(text.split()),
            "total_tokens": len(text.split()),
        },
    }


def _message(item: str | dict[str, Any], counter: int) -> dict[str, Any]:
    if isinstance(item, str):
        return {"role": "assistant", "content": item}
    if "json" in item:
        return {"role": "assistant", "content": json.dumps(item["json"], ensure_ascii=False)}
    if "tool_calls" in item:
        calls = [
            {
                "id": f"call_{counter}_{i}",
                "type": "function",
                "function": {
                    "name": call.get("name", "tool"),
                    "arguments": json.dumps(call.get("arguments", {}), ensure_ascii=False),
                },
            }
            for i, call in enumerate(item["tool_calls"])
        ]
        return {"role": "assistant", "content": None, "tool_calls": calls}
    return {"role": "assistant", "content": str(item.get("content", ""))}


def chat_router() -> APIRouter:
    """The chat endpoint's routes (each router has its own scripts)."""
    router = APIRouter(tags=["chat"])
    scripts: dict[str, ChatScript] = {}
    counter = itertools.count(1)

    @router.post("/_stub/chat/script")
    async def load_script(body: ScriptBody) -> dict[str, Any]:
        """Load (or replace) a script; its recorded requests start afresh."""
        scripts[body.name] = ChatScript(list(body.responses), body.repeat_last)
        return {"name": body.name, "responses": len(body.responses)}

    @router.get("/_stub/chat/requests")
    async def requests(script: str | None = None) -> list[dict[str, Any]]:
        """The request bodies received (for one script, or all), in order."""
        if script is None:
            chosen = list(scripts.values())
        else:
            chosen = [scripts[script]] if script in scripts else []
        return sorted((r for s in chosen for r in s.requests), key=lambda r: int(r["seq"]))

    @router.delete("/_stub/chat/requests")
    async def forget() -> dict[str, Any]:
        """Forget every script and every recorded request."""
        scripts.clear()
        return {"status": "cleared"}

    @router.get("/v1/models")
    async def models() -> dict[str, Any]:
        """The loaded scripts, listed as models."""
        return {
            "object": "list",
            "data": [
                {"id": name, "object": "model", "created": 0, "owned_by": "odp-stubs"}
                for name in sorted(scripts)
            ],
        }

    @router.post("/v1/chat/completions", response_model=None)
    async def completions(request: Request) -> JSONResponse | dict[str, Any]:
        """Answer with the script's next response, recording the request."""
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(400, "the body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return _error(400, "the body must be an object with a `messages` list")
        model = str(body.get("model", ""))
        name = request.headers.get(_SCRIPT_HEADER) or model
        script = scripts.get(name)
        if script is None:
            return _error(
                404,
                f"no chat script named {name!r}: load one with POST /_stub/chat/script",
                "not_found_error",
            )
        seq = next(counter)
        script.requests.append({"seq": seq, "script": name, "body": body})
        if body.get("stream"):
            return _error(400, "the stand-in does not stream; send stream=false")
        item = script.next()
        if item is None:
            return _error(410, f"chat script {name!r} has no responses left")
        if isinstance(item, dict) and "status" in item:
            headers = {str(k): str(v) for k, v in dict(item.get("headers", {})).items()}
            if "retry_after" in item:
                headers["retry-after"] = str(item["retry_after"])
            status = int(item["status"])
            response = _error(status, str(item.get("message", "scripted error")), "server_error")
            response.headers.update(headers)
            return response
        return _completion(model, _message(item, seq), seq)

    return router
