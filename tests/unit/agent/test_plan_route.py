"""``POST /v1/plan`` through the service app, with a real API key."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI

from odp.api import Database, ServiceState, create_app
from odp.api.accounts import create_key
from odp.catalog import Catalog
from odp.config import Settings

POSTS = "find posts about AI on twitter, keep the negative English ones and save them to a CSV"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'service.db'}")
    db.migrate()
    yield db
    db.dispose()


def make_app(settings: Settings, database: Database, catalog: Catalog) -> FastAPI:
    app = create_app(settings, database=database, catalog=catalog)
    app.state.service = ServiceState(settings=settings, catalog=catalog, database=database)
    return app


@pytest.fixture
async def client(
    tmp_path: Path, database: Database, catalog: Catalog
) -> AsyncIterator[httpx.AsyncClient]:
    app = make_app(Settings(state_dir=tmp_path / ".odp"), database, catalog)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://odp.test") as c:
        yield c


@pytest.fixture
def viewer(database: Database) -> dict[str, str]:
    with database.session() as session:
        key = create_key(session, workspace="team", role="viewer").key
    return {"Authorization": f"Bearer {key}"}


async def test_a_viewer_plans_a_pipeline(client: httpx.AsyncClient, viewer: dict[str, str]) -> None:
    body = {"request": "read examples/data/orders.csv and save it to out/orders.parquet"}
    answer = await client.post("/v1/plan", json=body, headers=viewer)

    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["status"] == "ok" and result["request"] == body["request"]
    assert yaml.safe_load(result["yaml"]) == result["pipeline"]
    assert {"explanation", "questions", "diagnostics", "attempts"} <= set(result)
    assert result["attempts"][0]["drafter"] == "offline"


async def test_questions_then_answers_then_defaults(
    client: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    asked = (await client.post("/v1/plan", json={"request": POSTS}, headers=viewer)).json()
    assert asked["status"] == "needs_input"
    slots = {q["slot"]: q for q in asked["questions"]}
    assert "sink.path" in slots

    answers: dict[str, Any] = {"sink.path": "out/answered.csv"}
    body: dict[str, Any] = {"request": POSTS, "answers": answers}
    answered = (await client.post("/v1/plan", json=body, headers=viewer)).json()
    assert answered["status"] == "ok"
    assert "out/answered.csv" in answered["yaml"]

    body = {"request": POSTS, "assume_defaults": True}
    defaulted = (await client.post("/v1/plan", json=body, headers=viewer)).json()
    assert defaulted["status"] == "ok" and defaulted["questions"] == []


async def test_planning_needs_a_key_and_a_good_body(
    client: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    anonymous = await client.post("/v1/plan", json={"request": POSTS})
    assert anonymous.status_code == 401
    empty = await client.post("/v1/plan", json={"request": ""}, headers=viewer)
    assert empty.status_code == 422
    extra = await client.post("/v1/plan", json={"request": "x", "nope": 1}, headers=viewer)
    assert extra.status_code == 422


async def test_an_incomplete_llm_setting_is_503_with_a_hint(
    tmp_path: Path, database: Database, catalog: Catalog, viewer: dict[str, str]
) -> None:
    settings = Settings(state_dir=tmp_path / ".odp", llm_provider="openai")
    transport = httpx.ASGITransport(app=make_app(settings, database, catalog))
    async with httpx.AsyncClient(transport=transport, base_url="http://odp.test") as c:
        answer = await c.post("/v1/plan", json={"request": POSTS}, headers=viewer)
    assert answer.status_code == 503
    assert "no model is named" in answer.text and "ODP_LLM_MODEL" in answer.text
