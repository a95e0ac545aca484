"""Workspaces, API keys and saved pipelines on SQLite (and PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from odp.api import Database, Role
from odp.api.accounts import (
    authenticate,
    check_workspace_name,
    create_key,
    hash_secret,
    list_keys,
    revoke_key,
)
from odp.api.saved import (
    delete_pipeline,
    get_pipeline,
    list_pipelines,
    list_versions,
    save_pipeline,
)
from odp.api.tables import ApiKey
from odp.config import Settings
from odp.errors import AuthenticationError, ConfigError, NotFoundError, ServiceError


@pytest.fixture
def db(database: Database) -> Database:
    """The service database (SQLite, and PostgreSQL when configured: see conftest)."""
    return database


def test_migrations_create_the_tables_and_run_again_as_a_no_op(db: Database) -> None:
    assert {"workspaces", "api_keys", "saved_pipelines", "alembic_version"} <= set(db.tables())
    db.migrate()  # the second time changes nothing
    with db.engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        )


def test_a_created_key_authenticates_and_only_its_hash_is_stored(db: Database) -> None:
    with db.session() as session:
        created = create_key(session, workspace="team-a", role=Role.RUNNER, name="ci")
    assert created.key.startswith(f"odp_{created.id}_")
    assert created.workspace == "team-a" and created.role is Role.RUNNER
    with db.session() as session:
        row = session.get(ApiKey, created.id)
        assert row is not None
        secret = created.key.split("_", 2)[2]
        assert row.secret_hash == hash_secret(secret)
        assert secret not in row.secret_hash
        principal = authenticate(session, created.key)
    assert (principal.key_id, principal.workspace, principal.role) == (
        created.id,
        "team-a",
        Role.RUNNER,
    )
    with db.session() as session:
        (info,) = list_keys(session, workspace="team-a")
    assert info.last_used_at is not None
    assert info.last_used_at.tzinfo is not None
    assert not hasattr(info, "key")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),  # wrong secret
        lambda k: "odp_000000000000_" + k.split("_", 2)[2],  # unknown id
        lambda k: "not-a-key",
        lambda k: "",
    ],
)
def test_wrong_keys_are_refused_alike(db: Database, mangle: object) -> None:
    with db.session() as session:
        created = create_key(session, workspace="w", role="viewer")
    with db.session() as session, pytest.raises(AuthenticationError) as info:
        authenticate(session, mangle(created.key))  # type: ignore[operator]
    assert info.value.message == "invalid or revoked API key"


def test_a_revoked_key_stops_working_and_revoking_is_idempotent(db: Database) -> None:
    with db.session() as session:
        created = create_key(session, workspace="w", role="admin")
    with db.session() as session:
        first = revoke_key(session, created.id)
    with db.session() as session:
        again = revoke_key(session, created.id)
        assert again.revoked_at == first.revoked_at
        assert not again.active
        with pytest.raises(AuthenticationError):
            authenticate(session, created.key)


def test_revoking_needs_the_key_to_exist_in_the_workspace(db: Database) -> None:
    with db.session() as session:
        created = create_key(session, workspace="w1", role="admin")
    with db.session() as session, pytest.raises(NotFoundError):
        revoke_key(session, created.id, workspace="w2")
    with db.session() as session, pytest.raises(NotFoundError):
        revoke_key(session, "nope")


def test_keys_are_listed_per_workspace(db: Database) -> None:
    with db.session() as session:
        a = create_key(session, workspace="a", role="viewer")
        b = create_key(session, workspace="b", role="runner")
    with db.session() as session:
        assert [k.id for k in list_keys(session, workspace="a")] == [a.id]
        assert {k.id for k in list_keys(session)} >= {a.id, b.id}
        revoke_key(session, a.id)
    with db.session() as session:
        assert list_keys(session, workspace="a", include_revoked=False) == []


@pytest.mark.parametrize("name", ["", "Upper", "-dash", "a" * 65, "sp ace", "x/y"])
def test_bad_workspace_names_are_refused(name: str) -> None:
    with pytest.raises(ServiceError, match="invalid workspace name"):
        check_workspace_name(name)


def test_roles_are_ordered() -> None:
    assert Role.ADMIN.allows(Role.RUNNER) and Role.RUNNER.allows(Role.VIEWER)
    assert not Role.VIEWER.allows(Role.RUNNER) and not Role.RUNNER.allows(Role.ADMIN)


def test_saved_pipelines_keep_versions_per_workspace(db: Database) -> None:
    with db.session() as session:
        first, made = save_pipeline(session, workspace="w", name="p", source="name: p\n")
        assert made and first.version == 1
        same, made_again = save_pipeline(session, workspace="w", name="p", source="name: p\n")
        assert not made_again and same.version == 1
        second, _ = save_pipeline(
            session, workspace="w", name="p", source="name: p\ndescription: x\n", created_by="k1"
        )
        save_pipeline(session, workspace="other", name="p", source="name: p\n")
    assert second.version == 2
    with db.session() as session:
        assert [p.version for p in list_versions(session, workspace="w", name="p")] == [2, 1]
        (latest,) = list_pipelines(session, workspace="w")
        assert (latest.name, latest.version, latest.source) == ("p", 2, None)
        old = get_pipeline(session, workspace="w", name="p", version=1)
        assert old.source == "name: p\n"
        assert get_pipeline(session, workspace="w", name="p").created_by == "k1"
        with pytest.raises(NotFoundError):
            get_pipeline(session, workspace="w", name="p", version=9)
        with pytest.raises(NotFoundError):
            get_pipeline(session, workspace="nobody", name="p")
        assert delete_pipeline(session, workspace="w", name="p") == 2
        with pytest.raises(NotFoundError):
            delete_pipeline(session, workspace="w", name="p")
        with pytest.raises(NotFoundError):
            list_versions(session, workspace="w", name="p")
        assert [p.name for p in list_pipelines(session, workspace="other")] == ["p"]


def test_timestamps_are_read_back_in_utc(db: Database) -> None:
    with db.session() as session:
        created = create_key(session, workspace="w", role="viewer")
    assert created.created_at.utcoffset() == dt.timedelta(0)


def test_the_default_database_lives_in_the_state_folder(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path / "state")
    db = Database.from_settings(settings)
    db.migrate()
    assert (tmp_path / "state" / "service.db").exists()
    db.dispose()


def test_an_unusable_database_url_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot use the service database"):
        Database("nosuchdialect://x")
    broken = Database("postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    assert "secret" not in broken.safe_url
    with pytest.raises(ConfigError, match="cannot migrate") as info:
        broken.migrate()
    assert "secret" not in info.value.message
