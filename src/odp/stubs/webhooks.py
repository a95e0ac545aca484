"""A webhook receiver that records deliveries and drops repeats of an idempotency key.

``POST /webhooks/{name}`` records a delivery (a repeated ``Idempotency-Key`` is
acknowledged but not recorded again); ``GET /webhooks/{name}`` shows what arrived;
``DELETE /webhooks/{name}`` forgets it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

__all__ = ["Inbox", "webhooks_router"]


@dataclass(slots=True)
class Inbox:
    """What one webhook received."""

    deliveries: list[dict[str, Any]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    duplicates: int = 0

    def summary(self) -> dict[str, Any]:
        """The deliveries, the repeats dropped and the rows received."""
        return {
            "deliveries": self.deliveries,
            "duplicates": self.duplicates,
            "rows": sum(d["rows"] or 0 for d in self.deliveries),
        }


def _rows(body: Any) -> int | None:
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict) and isinstance(body.get("rows"), list):
        return len(body["rows"])
    return None


def webhooks_router() -> APIRouter:
    """The receiver's routes (each router has its own inboxes)."""
    router = APIRouter(tags=["webhooks"])
    inboxes: dict[str, Inbox] = {}

    @router.post("/webhooks/{name}")
    async def receive(name: str, request: Request) -> JSONResponse:
        """Record a delivery, unless its idempotency key was seen before."""
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        inbox = inboxes.setdefault(name, Inbox())
        key = request.headers.get("idempotency-key")
        if key is not None and key in inbox.keys:
            inbox.duplicates += 1
            return JSONResponse({"status": "duplicate", "key": key})
        if key is not None:
            inbox.keys.add(key)
        inbox.deliveries.append(
            {
                "key": key,
                "received_at": dt.datetime.now(dt.UTC).isoformat(),
                "content_type": request.headers.get("content-type"),
                "user_agent": request.headers.get("user-agent"),
                "rows": _rows(body),
                "body": body,
            }
        )
        return JSONResponse({"status": "received", "key": key}, status_code=202)

    @router.get("/webhooks/{name}")
    async def inspect(name: str) -> dict[str, Any]:
        """What the webhook received."""
        return inboxes.get(name, Inbox()).summary()

    @router.delete("/webhooks/{name}")
    async def forget(name: str) -> dict[str, Any]:
        """Forget the webhook's deliveries."""
        inboxes.pop(name, None)
        return {"status": "cleared"}

    return router
