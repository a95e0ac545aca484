"""Fixtures of the API's integration tests: the app on the session's Temporal server."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from odp.api import Database, ServiceState, create_app, service_settings
from odp.api.accounts import create_key
from odp.catalog import Catalog
from odp.config import Settings
from odp.engine import EngineClient
from tests.conftest import ROOT
from tests.fixtures.temporal import WorkerFactory

TINY = """\
name: api-tiny
params:
  min_quantity: {type: integer, default: 1}
sources:
  - name: orders
    method: file.csv.read
    params: {path: orders.csv}
transforms:
  - name: big
    method: data.rows.filter
    params:
      data: "{{ orders.data }}"
      where: "quantity >= {{ params.min_quantity }}"
"""
"""A two-step pipeline over the example orders (500 rows) in the service's files folder."""

ROLES = ("viewer", "runner", "admin")


@dataclass
class Service:
    """The app, an in-process client, and keys by role (plus another workspace's admin)."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    database: Database
    keys: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        """The Authorization header of a role's key (or "foreign": another workspace's admin)."""
        return {"Authorization": f"Bearer {self.keys[who]}"}


@pytest.fixture
def api_settings(engine_settings: Settings, tmp_path: Path) -> Settings:
    """The service's settings on the test's task queue, with the example data to read."""
    files = tmp_path / "files"
    files.mkdir()
    shutil.copy(ROOT / "examples" / "data" / "orders.csv", files / "orders.csv")
    return service_settings(engine_settings.model_copy(update={"files_root": files}))


@pytest.fixture
async def service(
    api_settings: Settings,
    engine: EngineClient,
    worker: WorkerFactory,
    engine_catalog: Catalog,
    tmp_path: Path,
) -> AsyncIterator[Service]:
    """The service with a worker on the test's queue; keys for team (by role) and others."""
    database = Database(f"sqlite:///{tmp_path / 'service.db'}")
    database.migrate()
    app = create_app(api_settings, engine=engine, catalog=engine_catalog, database=database)
    app.state.service = ServiceState(
        settings=api_settings, catalog=engine_catalog, database=database, runs=engine
    )
    keys: dict[str, str] = {}
    with database.session() as session:
        for role in ROLES:
            keys[role] = create_key(session, workspace="team", role=role).key
        keys["foreign"] = create_key(session, workspace="others", role="admin").key
    transport = httpx.ASGITransport(app=app)
    async with (
        worker(settings=api_settings),
        httpx.AsyncClient(transport=transport, base_url="http://odp.test", timeout=60) as client,
    ):
        yield Service(app, client, api_settings, database, keys)
    database.dispose()
