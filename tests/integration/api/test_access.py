"""Every route, with every role, another workspace's key and no key: the status codes.

A key never sees another workspace's runs, events, outputs, pipelines or keys: those
answer 404 exactly like ids that do not exist.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute

from odp.api.accounts import create_key
from odp.api.saved import save_pipeline
from odp.events import EventBus, PipelineCompleted
from tests.integration.api.conftest import TINY, Service

pytestmark = pytest.mark.integration

WHO = ("anonymous", "viewer", "runner", "admin", "foreign")


@dataclass(frozen=True)
class Row:
    """One request and the status each caller gets."""

    method: str
    route: str  # the route's template, to check that every route is walked
    path: str  # may hold {run}, {who}
    expect: tuple[int | frozenset[int], ...]  # in the order of WHO
    body: str | None = None  # "yaml" (TINY) or a JSON text

    def allowed(self, who: str) -> frozenset[int]:
        code = self.expect[WHO.index(who)]
        return code if isinstance(code, frozenset) else frozenset({code})


SAVED = frozenset({200, 201})
R = "/v1/runs/{run_id}"
ROWS = [
    Row("GET", "/health", "/health", (200, 200, 200, 200, 200)),
    Row("GET", "/ready", "/ready", (401, 200, 200, 200, 200)),
    Row("GET", "/metrics", "/metrics", (401, 200, 200, 200, 200)),
    Row(
        "POST",
        "/v1/pipelines/validate",
        "/v1/pipelines/validate",
        (401, 200, 200, 200, 200),
        "yaml",
    ),
    Row("POST", "/v1/pipelines", "/v1/pipelines", (401, 403, SAVED, SAVED, SAVED), "yaml"),
    Row("GET", "/v1/pipelines", "/v1/pipelines", (401, 200, 200, 200, 200)),
    Row("GET", "/v1/pipelines/{name}", "/v1/pipelines/team-only", (401, 200, 200, 200, 404)),
    Row("GET", "/v1/pipelines/{name}", "/v1/pipelines/nope", (401, 404, 404, 404, 404)),
    Row(
        "GET",
        "/v1/pipelines/{name}/versions",
        "/v1/pipelines/team-only/versions",
        (401, 200, 200, 200, 404),
    ),
    Row("DELETE", "/v1/pipelines/{name}", "/v1/pipelines/del-{who}", (401, 403, 204, 204, 404)),
    Row("POST", "/v1/runs", "/v1/runs", (401, 403, 201, 201, 404), '{"name": "team-only"}'),
    Row("GET", "/v1/runs", "/v1/runs", (401, 200, 200, 200, 200)),
    Row("GET", R, "/v1/runs/{run}", (401, 200, 200, 200, 404)),
    Row("GET", R, "/v1/runs/no-such-run", (401, 404, 404, 404, 404)),
    Row("GET", R, "/v1/runs/bad%20id%00", (401, 404, 404, 404, 404)),
    Row("POST", R + "/cancel", "/v1/runs/{run}/cancel", (401, 403, 200, 200, 404)),
    Row("POST", R + "/cancel", "/v1/runs/no-such-run/cancel", (401, 403, 404, 404, 404)),
    Row("GET", R + "/events", "/v1/runs/{run}/events", (401, 200, 200, 200, 404)),
    Row("GET", R + "/events", "/v1/runs/no-such-run/events", (401, 404, 404, 404, 404)),
    Row("GET", R + "/outputs/{step}", "/v1/runs/{run}/outputs/big", (401, 200, 200, 200, 404)),
    Row(
        "GET",
        R + "/outputs/{step}",
        "/v1/runs/{run}/outputs/big?format=csv",
        (401, 200, 200, 200, 404),
    ),
    Row(
        "GET",
        R + "/outputs/{step}",
        "/v1/runs/{run}/outputs/big?format=parquet",
        (401, 200, 200, 200, 404),
    ),
    Row("GET", R + "/outputs/{step}", "/v1/runs/{run}/outputs/nope", (401, 404, 404, 404, 404)),
    Row("GET", "/v1/methods", "/v1/methods", (401, 200, 200, 200, 200)),
    Row("GET", "/v1/methods/search", "/v1/methods/search?q=csv", (401, 200, 200, 200, 200)),
    Row("GET", "/v1/methods/{method_id}", "/v1/methods/file.csv.read", (401, 200, 200, 200, 200)),
    Row("GET", "/v1/methods/{method_id}", "/v1/methods/no.such.thing", (401, 404, 404, 404, 404)),
    Row("POST", "/v1/keys", "/v1/keys", (401, 403, 403, 201, 201), '{"role": "viewer"}'),
    Row("GET", "/v1/keys", "/v1/keys", (401, 403, 403, 200, 200)),
    Row("DELETE", "/v1/keys/{key_id}", "/v1/keys/{key}", (401, 403, 403, 200, 404)),
    Row("DELETE", "/v1/keys/{key_id}", "/v1/keys/000000000000", (401, 403, 403, 404, 404)),
]
OWNED_ELSEWHERE = {"/v1/plan"}  # the agent's route has its own tests


async def test_every_route_with_every_role(service: Service, event_bus: EventBus) -> None:
    # a finished run of the team, with its events on the bus
    service.app.state.service.events = event_bus
    started = await service.client.post(
        "/v1/runs", json={"pipeline": TINY}, headers=service.auth("runner")
    )
    run_id = started.json()["run_id"]
    for _ in range(300):
        info = await service.client.get(f"/v1/runs/{run_id}", headers=service.auth("viewer"))
        if info.json()["state"] != "running":
            break
        await asyncio.sleep(0.1)
    assert info.json()["state"] == "completed"
    await event_bus.publish(
        PipelineCompleted(
            run_id=run_id, workflow_id=run_id, pipeline="api-tiny", workspace="team", duration_s=1
        )
    )
    # what the rows act on: a team pipeline, one deletable pipeline and key per caller
    revocable: dict[str, str] = {}
    with service.database.session() as session:
        save_pipeline(
            session,
            workspace="team",
            name="team-only",
            source=TINY.replace("api-tiny", "team-only"),
        )
        for who in WHO:
            save_pipeline(session, workspace="team", name=f"del-{who}", source=TINY)
            revocable[who] = create_key(session, workspace="team", role="viewer").id

    failures = []
    for row in ROWS:
        for who in WHO:
            path = row.path.replace("{run}", run_id).replace("{who}", who)
            path = path.replace("{key}", revocable[who])
            headers = {} if who == "anonymous" else service.auth(who)
            content: str | None = None
            if row.body == "yaml":
                headers["Content-Type"] = "application/yaml"
                content = TINY
            elif row.body is not None:
                headers["Content-Type"] = "application/json"
                content = row.body
            response = await service.client.request(
                row.method, path, headers=headers, content=content
            )
            if response.status_code not in row.allowed(who):
                failures.append(
                    f"{row.method} {path} as {who}: {response.status_code} {response.text[:200]}"
                )
            elif response.status_code >= 400:
                error = response.json()["error"]
                assert error["code"] and error["message"], (row, who)
    assert not failures, "\n".join(failures)

    walked = {(row.method, row.route) for row in ROWS}
    routes = {
        (method, route.path)
        for route in service.app.routes
        if isinstance(route, APIRoute) and route.path not in OWNED_ELSEWHERE
        for method in route.methods
    }
    assert routes <= walked, f"routes not walked: {sorted(routes - walked)}"


async def test_foreign_ids_look_exactly_like_missing_ones(service: Service) -> None:
    started = await service.client.post(
        "/v1/runs", json={"pipeline": TINY}, headers=service.auth("runner")
    )
    run_id = started.json()["run_id"]
    foreign = await service.client.get(f"/v1/runs/{run_id}", headers=service.auth("foreign"))
    missing = await service.client.get("/v1/runs/zz-no-such", headers=service.auth("foreign"))
    assert foreign.status_code == missing.status_code == 404
    shape = {k: v for k, v in foreign.json()["error"].items() if k != "message"}
    assert shape == {k: v for k, v in missing.json()["error"].items() if k != "message"}
    assert run_id in foreign.json()["error"]["message"]  # it names what was asked, nothing more
