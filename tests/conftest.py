"""Fixtures shared by every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from odp.artifacts import ArtifactStore
from odp.catalog import Catalog, MethodContext, load_catalog
from odp.config import Settings

ROOT = Path(__file__).resolve().parents[1]

pytest_plugins = ["tests.fixtures.redis", "tests.fixtures.stubs", "tests.fixtures.temporal"]


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep every test's state folder and artifacts apart from the developer's."""
    monkeypatch.setenv("ODP_STATE_DIR", str(tmp_path / ".odp"))
    yield


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The real catalog: built-in methods and installed plugins."""
    return load_catalog()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with state under the test's temporary folder."""
    return Settings(state_dir=tmp_path / ".odp")


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    """An artifact store in the test's temporary folder."""
    return ArtifactStore(tmp_path / "artifacts")


@pytest.fixture
def ctx(store: ArtifactStore, settings: Settings) -> MethodContext:
    """A method context over the test's store."""
    return MethodContext.for_testing(store, settings=settings)
