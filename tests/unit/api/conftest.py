"""Fixtures of the API's unit tests: a migrated database and an app without Temporal."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from odp.api import Database, ServiceState, create_app
from odp.api.accounts import create_key
from odp.catalog import Catalog
from odp.config import Settings

POSTGRES_URL = os.environ.get("ODP_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The service database, migrated: SQLite, and PostgreSQL when ODP_TEST_POSTGRES_URL is set.

    Each PostgreSQL test gets a schema of its own, dropped afterwards.
    """
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'service.db'}")
        db.migrate()
        yield db
        db.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("ODP_TEST_POSTGRES_URL is not set")
    schema = f"odp_test_{uuid.uuid4().hex[:10]}"
    admin = Database(POSTGRES_URL)
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    db = Database(f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}")
    try:
        db.migrate()
        yield db
    finally:
        db.dispose()
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    """Service settings with a small body limit."""
    return Settings(state_dir=tmp_path / ".odp", max_body_bytes=4096)


@pytest.fixture
def app(api_settings: Settings, database: Database, catalog: Catalog) -> FastAPI:
    """The app with its state set by hand (no lifespan: no Temporal, no Redis)."""
    app = create_app(api_settings, database=database, catalog=catalog)
    app.state.service = ServiceState(settings=api_settings, catalog=catalog, database=database)
    return app


@pytest.fixture
def make_key(database: Database) -> Callable[..., str]:
    """``make_key(role, workspace="team")`` creates a key and returns its value."""

    def make(role: str, workspace: str = "team") -> str:
        with database.session() as session:
            return create_key(session, workspace=workspace, role=role).key

    return make


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://odp.test") as c:
        yield c
