"""The app without Temporal: auth, roles, keys, saved pipelines, methods, bad input."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from odp.api import Database
from odp.api.accounts import list_keys

VALID = """\
name: tiny
sources:
  - name: orders
    method: file.csv.read
    params: {path: orders.csv}
"""

BROKEN_YAML = "name: tiny\nsources:\n  - name: [unclosed\n"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert error["message"]
    return error  # type: ignore[no-any-return]


async def test_health_is_the_only_anonymous_route(client: httpx.AsyncClient) -> None:
    health = await client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    for path in ("/ready", "/metrics", "/v1/methods", "/v1/runs", "/v1/keys", "/v1/pipelines"):
        error = assert_error(await client.get(path), 401, "unauthenticated")
        assert "API key" in str(error["message"])


async def test_keys_work_as_bearer_or_x_api_key(
    client: httpx.AsyncClient, make_key: Callable[..., str]
) -> None:
    key = make_key("viewer")
    assert (await client.get("/v1/methods", headers=bearer(key))).status_code == 200
    assert (await client.get("/v1/methods", headers={"X-API-Key": key})).status_code == 200
    bad = await client.get("/v1/methods", headers=bearer(key + "x"))
    assert_error(bad, 401, "unauthenticated")
    assert bad.headers["www-authenticate"] == "Bearer"


async def test_admins_manage_their_workspace_keys(
    client: httpx.AsyncClient, make_key: Callable[..., str], database: Database
) -> None:
    admin = make_key("admin")
    foreign_admin = make_key("admin", workspace="other")
    created = await client.post(
        "/v1/keys", json={"role": "runner", "name": "ci"}, headers=bearer(admin)
    )
    assert created.status_code == 201
    new = created.json()
    assert new["workspace"] == "team" and new["role"] == "runner" and new["key"].startswith("odp_")
    listed = (await client.get("/v1/keys", headers=bearer(admin))).json()
    assert new["id"] in [k["id"] for k in listed]
    assert all("key" not in k and "secret_hash" not in k for k in listed)
    # the new key works, and another workspace's admin cannot see or revoke it
    assert (await client.get("/v1/runs/x/outputs/y", headers=bearer(new["key"]))).status_code in (
        404,
        503,
    )
    assert_error(
        await client.delete(f"/v1/keys/{new['id']}", headers=bearer(foreign_admin)),
        404,
        "not-found",
    )
    revoked = await client.delete(f"/v1/keys/{new['id']}", headers=bearer(admin))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert_error(
        await client.get("/v1/methods", headers=bearer(new["key"])), 401, "unauthenticated"
    )
    with database.session() as session:
        assert not next(k for k in list_keys(session) if k.id == new["id"]).active


@pytest.mark.parametrize("role", ["viewer", "runner"])
async def test_only_admins_manage_keys(
    client: httpx.AsyncClient, make_key: Callable[..., str], role: str
) -> None:
    key = make_key(role)
    error = assert_error(await client.get("/v1/keys", headers=bearer(key)), 403, "forbidden")
    assert "admin" in str(error["message"])
    assert_error(
        await client.post("/v1/keys", json={"role": "admin"}, headers=bearer(key)), 403, "forbidden"
    )


async def test_validate_answers_the_cli_diagnostics(
    client: httpx.AsyncClient, make_key: Callable[..., str]
) -> None:
    key = make_key("viewer")
    ok = await client.post(
        "/v1/pipelines/validate",
        content=VALID,
        headers={**bearer(key), "Content-Type": "application/yaml"},
    )
    assert ok.status_code == 200
    assert ok.json()["valid"] is True and ok.json()["pipeline"] == "tiny"
    broken = await client.post(
        "/v1/pipelines/validate",
        content=BROKEN_YAML,
        headers={**bearer(key), "Content-Type": "application/yaml"},
    )
    assert broken.status_code == 422  # not YAML at all: refused like any malformed body
    error = broken.json()["error"]
    assert error["code"] == "invalid-pipeline"
    first = error["diagnostics"][0]
    assert first["code"] == "yaml-syntax"
    assert first["file"] == "<request>" and first["line"] >= 3 and first["column"]
    unknown = await client.post(
        "/v1/pipelines/validate",
        json={"name": "x", "sources": [{"name": "a", "method": "file.csv.reed", "params": {}}]},
        headers=bearer(key),
    )
    (diagnostic,) = [d for d in unknown.json()["diagnostics"] if d["code"] == "unknown-method"]
    assert "file.csv.read" in diagnostic["hint"]
    bad_json = await client.post(
        "/v1/pipelines/validate",
        content='{"name": ',
        headers={**bearer(key), "Content-Type": "application/json"},
    )
    assert bad_json.status_code == 422
    (diagnostic,) = bad_json.json()["error"]["diagnostics"]
    assert diagnostic["code"] == "invalid-json" and diagnostic["line"] == 1


async def test_validate_refuses_other_media_types(
    client: httpx.AsyncClient, make_key: Callable[..., str]
) -> None:
    response = await client.post(
        "/v1/pipelines/validate",
        content=b"\x00\x01",
        headers={**bearer(make_key("viewer")), "Content-Type": "application/octet-stream"},
    )
    assert_error(response, 415, "unsupported-media-type")


async def test_bodies_over_the_limit_are_refused_declared_or_streamed(
    client: httpx.AsyncClient, make_key: Callable[..., str]
) -> None:
    key = make_key("viewer")
    big = "#" * 5000 + "\n" + VALID
    declared = await client.post(
        "/v1/pipelines/validate",
        content=big,
        headers={**bearer(key), "Content-Type": "application/yaml"},
    )
    assert_error(declared, 413, "payload-too-large")

    async def chunks():  # no Content-Length: counted as it streams
        for _ in range(10):
            yield b"#" * 1000

    streamed = await client.post(
        "/v1/pipelines/validate",
        content=chunks(),
        headers={**bearer(key), "Content-Type": "application/yaml"},
    )
    assert_error(streamed, 413, "payload-too-large")

    async def small():
        yield VALID.encode()

    fine = await client.post(
        "/v1/pipelines/validate",
        content=small(),
        headers={**bearer(key), "Content-Type": "application/yaml"},
    )
    assert fine.status_code == 200 and fine.json()["valid"] is True


async def test_saved_pipelines_by_role_and_workspace(
    client: httpx.AsyncClient, make_key: Callable[..., str]
) -> None:
    runner, viewer, foreign = make_key("runner"), make_key("viewer"), make_key("admin", "other")
    yaml_headers = {"Content-Type": "application/yaml"}
    assert_error(
        await client.post(
            "/v1/pipelines", content=VALID, headers={**bearer(viewer), **yaml_headers}
        ),
        403,
        "forbidden",
    )
    saved = await client.post(
        "/v1/pipelines", content=VALID, headers={**bearer(runner), **yaml_headers}
    )
    assert saved.status_code == 201 and saved.json()["version"] == 1
    again = await client.post(
        "/v1/pipelines", content=VALID, headers={**bearer(runner), **yaml_headers}
    )
    assert again.status_code == 200 and again.json()["version"] == 1
    changed = await client.post(
        "/v1/pipelines",
        json={
            "name": "tiny",
            "description": "v2",
            "sources": [
                {"name": "orders", "method": "file.csv.read", "params": {"path": "orders.csv"}}
            ],
        },
        headers=bearer(runner),
    )
    assert changed.status_code == 201 and changed.json()["version"] == 2
    invalid = await client.post(
        "/v1/pipelines", content=BROKEN_YAML, headers={**bearer(runner), **yaml_headers}
    )
    error = assert_error(invalid, 422, "invalid-pipeline")
    assert error["diagnostics"][0]["line"] >= 3  # type: ignore[index]

    listed = (await client.get("/v1/pipelines", headers=bearer(viewer))).json()
    assert [(p["name"], p["version"]) for p in listed] == [("tiny", 2)]
    one = (await client.get("/v1/pipelines/tiny?version=1", headers=bearer(viewer))).json()
    assert one["source"] == VALID
    latest = (await client.get("/v1/pipelines/tiny", headers=bearer(viewer))).json()
    assert "description: v2" in latest["source"]
    versions = (await client.get("/v1/pipelines/tiny/versions", headers=bearer(viewer))).json()
    assert [v["version"] for v in versions] == [2, 1]

    for path in ("/v1/pipelines/tiny", "/v1/pipelines/tiny/versions"):
        assert_error(await client.get(path, headers=bearer(foreign)), 404, "not-found")
    assert (await client.get("/v1/pipelines", headers=bearer(foreign))).json() == []
    assert_error(
        await client.delete("/v1/pipelines/tiny", headers=bearer(foreign)), 404, "not-found"
    )
    assert_error(
        await client.delete("/v1/pipelines/tiny", headers=bearer(viewer)), 403, "forbidden"
    )
    assert (await client.delete("/v1/pipelines/tiny", headers=bearer(runner))).status_code == 204
    assert_error(await client.get("/v1/pipelines/tiny", headers=bearer(viewer)), 404, "not-found")


async def test_methods_list_show_and_search(
    client: httpx.AsyncClient, make_key: Callable[..., str]
) -> None:
    key = bearer(make_key("viewer"))
    listed = (await client.get("/v1/methods", headers=key)).json()
    assert "file.csv.read" in [m["id"] for m in listed]
    sources = (await client.get("/v1/methods?kind=source", headers=key)).json()
    assert sources and {m["kind"] for m in sources} == {"source"}
    shown = (await client.get("/v1/methods/file.csv.read", headers=key)).json()
    assert shown["id"] == "file.csv.read" and "path" in shown["params_schema"]["properties"]
    found = (await client.get("/v1/methods/search", params={"q": "read csv"}, headers=key)).json()
    assert found[0]["id"] == "file.csv.read"
    error = assert_error(
        await client.get("/v1/methods/file.csv.reed", headers=key), 404, "not-found"
    )
    assert "file.csv.read" in str(error["hint"])
    assert_error(await client.get("/v1/methods/search?q=", headers=key), 422, "invalid-request")


async def test_routes_that_need_temporal_say_it_is_unavailable(
    client: httpx.AsyncClient, make_key: Callable[..., str]
) -> None:
    key = bearer(make_key("runner"))
    error = assert_error(await client.get("/v1/runs", headers=key), 503, "engine-unavailable")
    assert "Temporal" in str(error["message"])
    ready = await client.get("/ready", headers=key)
    error = assert_error(ready, 503, "not-ready")
    assert "temporal" in str(error["message"]) and "database" not in str(error["message"])


async def test_request_errors_share_the_error_shape(
    client: httpx.AsyncClient, make_key: Callable[..., str]
) -> None:
    key = bearer(make_key("admin"))
    wrong = await client.post("/v1/keys", json={"role": "king"}, headers=key)
    error = assert_error(wrong, 422, "invalid-request")
    assert "body.role" in str(error["message"])
    assert error["diagnostics"][0]["field"] == "body.role"  # type: ignore[index]
    assert_error(await client.get("/v1/nothing", headers=key), 404, "not-found")
    assert_error(await client.put("/health"), 405, "method-not-allowed")
    bad_length = await client.post(
        "/v1/pipelines/validate", headers={**key, "Content-Length": "many"}, content=b""
    )
    assert bad_length.status_code in (400, 422)


async def test_metrics_show_request_counts(
    client: httpx.AsyncClient, make_key: Callable[..., str]
) -> None:
    key = bearer(make_key("viewer"))
    await client.get("/v1/methods", headers=key)
    text = (await client.get("/metrics", headers=key)).text
    assert 'odp_api_requests_total{method="GET",route="/v1/methods",status="200"}' in text
    assert "odp_step_duration_seconds" in text


async def test_json_pipelines_are_located_too(
    client: httpx.AsyncClient, make_key: Callable[..., str]
) -> None:
    text = (
        '{\n  "name": "x",\n  "sources": [\n'
        '    {"name": "a", "method": "file.csv.reed", "params": {}}\n  ]\n}\n'
    )
    report = await client.post(
        "/v1/pipelines/validate",
        content=text,
        headers={**bearer(make_key("viewer")), "Content-Type": "application/json"},
    )
    (unknown,) = [d for d in report.json()["diagnostics"] if d["code"] == "unknown-method"]
    assert (unknown["line"], unknown["step"]) == (4, "a")
    escaped = await client.post(  # a surrogate pair is JSON but not YAML: validated as data
        "/v1/pipelines/validate",
        content='{"name": "xyz", "description": "\\ud83d\\ude00", "sources": [{"name": "a", '
        '"method": "file.csv.read", "params": {"path": "x.csv"}}]}',
        headers={**bearer(make_key("viewer")), "Content-Type": "application/json"},
    )
    assert escaped.json()["valid"] is True, escaped.text


async def test_validate_checks_params_like_the_cli(
    client: httpx.AsyncClient, make_key: Callable[..., str]
) -> None:
    key = make_key("viewer")
    text = VALID.replace("name: tiny\n", "name: tiny\nparams:\n  n: {type: integer}\n")
    headers = {**bearer(key), "Content-Type": "application/yaml"}
    plain = await client.post("/v1/pipelines/validate", content=text, headers=headers)
    assert plain.json()["valid"] is True  # without params, a required one may stay unset
    bad = await client.post(
        "/v1/pipelines/validate", params={"param": "n=many"}, content=text, headers=headers
    )
    assert "invalid-param-value" in [d["code"] for d in bad.json()["diagnostics"]]
    good = await client.post(
        "/v1/pipelines/validate", params={"param": "n=3"}, content=text, headers=headers
    )
    assert good.json()["valid"] is True
    malformed = await client.post(
        "/v1/pipelines/validate", params={"param": "novalue"}, content=text, headers=headers
    )
    assert_error(malformed, 400, "bad-request")
