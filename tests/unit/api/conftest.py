"""Fixtures of the API's unit tests: a migrated SQLite database and an app without Temporal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from odp.api import Database, ServiceState, create_app
from odp.api.accounts import create_key
from odp.catalog import Catalog
from odp.config import Settings


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database in the test's folder."""
    db = Database(f"sqlite:///{tmp_path / 'service.db'}")
    db.migrate()
    yield db
    db.dispose()


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
