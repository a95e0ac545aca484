"""Runs over HTTP on the real Temporal dev server: submit, follow, outputs, cancel, list."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import polars as pl
import pytest

from tests.integration.api.conftest import TINY, Service

pytestmark = pytest.mark.integration


async def wait_done(service: Service, run_id: str, who: str = "viewer") -> dict[str, Any]:
    for _ in range(600):
        response = await service.client.get(f"/v1/runs/{run_id}", headers=service.auth(who))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["state"] != "running":
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish")


async def test_submit_poll_and_fetch_outputs_in_every_format(service: Service) -> None:
    submitted = await service.client.post(
        "/v1/runs",
        json={"pipeline": TINY, "params": {"min_quantity": 3}},
        headers=service.auth("runner"),
    )
    assert submitted.status_code == 201, submitted.text
    run = submitted.json()
    assert run["workspace"] == "team" and run["pipeline"] == "api-tiny"
    done = await wait_done(service, run["run_id"])
    assert done["state"] == "completed"
    assert [s["status"] for s in done["steps"]] == ["completed", "completed"]

    expected = pl.read_csv(service.settings.files_root / "orders.csv").filter(  # type: ignore[operator]
        pl.col("quantity") >= 3
    )
    base = f"/v1/runs/{run['run_id']}/outputs/big"
    first = (
        await service.client.get(base, params={"limit": 50}, headers=service.auth("viewer"))
    ).json()
    assert first["rows"] == expected.height and len(first["data"]) == 50
    assert first["next_offset"] == 50
    assert [c["name"] for c in first["columns"]] == expected.columns
    rows: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        page = (
            await service.client.get(
                base, params={"offset": offset, "limit": 100}, headers=service.auth("viewer")
            )
        ).json()
        rows += page["data"]
        offset = page["next_offset"]
    assert [r["order_id"] for r in rows] == expected["order_id"].to_list()

    csv = await service.client.get(base, params={"format": "csv"}, headers=service.auth("viewer"))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert (
        pl.read_csv(io.BytesIO(csv.content))["order_id"].to_list() == expected["order_id"].to_list()
    )
    by_accept = await service.client.get(
        base, headers={**service.auth("viewer"), "Accept": "text/csv"}
    )
    assert by_accept.content == csv.content

    parquet = await service.client.get(
        base, headers={**service.auth("viewer"), "Accept": "application/vnd.apache.parquet"}
    )
    assert parquet.status_code == 200
    frame = pl.read_parquet(io.BytesIO(parquet.content))
    assert frame.height == expected.height and frame.columns == expected.columns

    # the source step's rows are a lazy view over Parquet: served the same way
    source = await service.client.get(
        f"/v1/runs/{run['run_id']}/outputs/orders",
        params={"format": "parquet"},
        headers=service.auth("viewer"),
    )
    assert source.status_code == 200
    assert pl.read_parquet(io.BytesIO(source.content)).height == 500

    # and nobody else sees any of it
    for path in (f"/v1/runs/{run['run_id']}", base):
        response = await service.client.get(path, headers=service.auth("foreign"))
        assert response.status_code == 404 and response.json()["error"]["code"] == "not-found"
    missing_step = await service.client.get(
        f"/v1/runs/{run['run_id']}/outputs/nope", headers=service.auth("viewer")
    )
    assert missing_step.status_code == 404
    assert "orders, big" in missing_step.json()["error"]["hint"]


async def test_invalid_pipelines_are_refused_with_located_diagnostics(service: Service) -> None:
    broken = await service.client.post(
        "/v1/runs",
        json={"pipeline": TINY.replace("data.rows.filter", "data.rows.filtr")},
        headers=service.auth("runner"),
    )
    assert broken.status_code == 422
    error = broken.json()["error"]
    assert error["code"] == "invalid-pipeline"
    (unknown,) = [d for d in error["diagnostics"] if d["code"] == "unknown-method"]
    assert (unknown["line"], unknown["step"]) == (10, "big")
    malformed = await service.client.post(
        "/v1/runs", json={"pipeline": "name: x\nsources: [\n"}, headers=service.auth("runner")
    )
    assert malformed.status_code == 422
    assert malformed.json()["error"]["diagnostics"][0]["line"] is not None
    bad_param = await service.client.post(
        "/v1/runs",
        json={"pipeline": TINY, "params": {"min_quantity": "many"}},
        headers=service.auth("runner"),
    )
    assert bad_param.status_code == 422
    both = await service.client.post(
        "/v1/runs", json={"pipeline": TINY, "name": "x"}, headers=service.auth("runner")
    )
    assert both.status_code == 422 and both.json()["error"]["code"] == "invalid-request"


async def test_saved_pipelines_run_by_name_within_their_workspace(service: Service) -> None:
    saved = await service.client.post(
        "/v1/pipelines",
        content=TINY,
        headers={**service.auth("runner"), "Content-Type": "application/yaml"},
    )
    assert saved.status_code == 201
    started = await service.client.post(
        "/v1/runs",
        json={"name": "api-tiny", "params": {"min_quantity": 5}},
        headers=service.auth("runner"),
    )
    assert started.status_code == 201, started.text
    assert started.json()["saved_version"] == 1
    assert (await wait_done(service, started.json()["run_id"]))["state"] == "completed"
    foreign = await service.client.post(
        "/v1/runs", json={"name": "api-tiny"}, headers=service.auth("foreign")
    )
    assert foreign.status_code == 404


async def test_runs_are_listed_per_workspace_with_filters_and_pages(service: Service) -> None:
    ids = []
    for minimum in (1, 2, 3):
        response = await service.client.post(
            "/v1/runs",
            json={"pipeline": TINY, "params": {"min_quantity": minimum}},
            headers=service.auth("runner"),
        )
        ids.append(response.json()["run_id"])
    for run_id in ids:
        await wait_done(service, run_id)
    seen: list[str] = []
    token: str | None = None
    for _ in range(20):  # visibility is eventually consistent: wait for all three
        seen, token = [], None
        while True:
            params: dict[str, Any] = {"limit": 2, "pipeline": "api-tiny", "state": "completed"}
            if token:
                params["page_token"] = token
            page = (
                await service.client.get("/v1/runs", params=params, headers=service.auth("viewer"))
            ).json()
            assert len(page["runs"]) <= 2
            seen += [r["run_id"] for r in page["runs"]]
            token = page["next_page_token"]
            if not token:
                break
        if set(ids) <= set(seen):
            break
        await asyncio.sleep(0.5)
    assert set(ids) <= set(seen)
    others = (await service.client.get("/v1/runs", headers=service.auth("foreign"))).json()
    assert not set(ids) & {r["run_id"] for r in others["runs"]}
    bad = await service.client.get(
        "/v1/runs", params={"page_token": "not-a-token!"}, headers=service.auth("viewer")
    )
    assert bad.status_code == 400
    first = (
        await service.client.get("/v1/runs", params={"limit": 1}, headers=service.auth("viewer"))
    ).json()
    assert first["next_page_token"]
    other_filters = await service.client.get(
        "/v1/runs",
        params={"limit": 1, "state": "failed", "page_token": first["next_page_token"]},
        headers=service.auth("viewer"),
    )
    assert other_filters.status_code == 400
    other_workspace = await service.client.get(
        "/v1/runs",
        params={"limit": 1, "page_token": first["next_page_token"]},
        headers=service.auth("foreign"),
    )
    assert other_workspace.status_code == 400


async def test_cancel_stops_a_running_run(service: Service) -> None:
    slow = """\
name: api-slow
sources:
  - name: rows
    method: test.rows.make
    params: {n: 1}
transforms:
  - name: wait
    method: test.sleep.run
    depends_on: [rows]
    params: {seconds: 30}
"""
    started = await service.client.post(
        "/v1/runs", json={"pipeline": slow}, headers=service.auth("runner")
    )
    assert started.status_code == 201, started.text
    run_id = started.json()["run_id"]
    viewer = await service.client.post(f"/v1/runs/{run_id}/cancel", headers=service.auth("viewer"))
    assert viewer.status_code == 403
    foreign = await service.client.post(
        f"/v1/runs/{run_id}/cancel", headers=service.auth("foreign")
    )
    assert foreign.status_code == 404
    cancelled = await service.client.post(
        f"/v1/runs/{run_id}/cancel", headers=service.auth("runner")
    )
    assert cancelled.status_code == 202
    assert (await wait_done(service, run_id))["state"] == "cancelled"
    again = await service.client.post(f"/v1/runs/{run_id}/cancel", headers=service.auth("admin"))
    assert again.status_code == 200 and again.json()["state"] == "cancelled"
