"""Workspaces and API keys: create, list, revoke, and authenticate a request's key.

A key reads ``odp_<id>_<secret>``: the id finds the row, the secret (32 random bytes)
is checked against its SHA-256, compared in constant time. A fast hash is safe here
because the secret is random and long, not a password; the key itself is shown once,
at creation, and never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from odp.api.tables import ApiKey, Role, Workspace, utcnow
from odp.errors import AuthenticationError, NotFoundError, ServiceError

__all__ = [
    "WORKSPACE_PATTERN",
    "CreatedKey",
    "KeyInfo",
    "Principal",
    "authenticate",
    "check_workspace_name",
    "create_key",
    "ensure_workspace",
    "hash_secret",
    "list_keys",
    "revoke_key",
]

WORKSPACE_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
"""Workspace names: lower-case letters, digits, ``-`` and ``_``, at most 64."""

_KEY_FORMAT: Final = re.compile(r"^odp_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_TOUCH_EVERY: Final = dt.timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the key's id, its workspace and its role."""

    key_id: str
    workspace: str
    role: Role


class KeyInfo(BaseModel):
    """An API key as listings show it (never its secret)."""

    id: str = Field(description="The key's id (the part after `odp_`); revoke by this id.")
    workspace: str
    role: Role
    name: str = Field(default="", description="A label for people.")
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = Field(
        default=None, description="When the key was last used (updated at most once a minute)."
    )

    @property
    def active(self) -> bool:
        """Whether the key is not revoked."""
        return self.revoked_at is None

    @classmethod
    def of(cls, row: ApiKey) -> KeyInfo:
        """The listing form of a row."""
        return cls(
            id=row.id,
            workspace=row.workspace,
            role=Role(row.role),
            name=row.name,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )


class CreatedKey(KeyInfo):
    """A key just created: the only time its full value is shown."""

    key: str = Field(description="The API key itself; store it now, it is not shown again.")


def hash_secret(secret: str) -> str:
    """The stored form of a key's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_workspace_name(name: str) -> str:
    """Return ``name`` when it is a valid workspace name.

    Raises:
        ServiceError: naming the rule it breaks.
    """
    if not WORKSPACE_PATTERN.fullmatch(name):
        raise ServiceError(
            f"invalid workspace name {name!r}",
            hint="use 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit",
        )
    return name


def ensure_workspace(session: Session, name: str) -> Workspace:
    """The workspace of that name, created when it does not exist yet."""
    check_workspace_name(name)
    workspace = session.get(Workspace, name)
    if workspace is None:
        workspace = Workspace(name=name, created_at=utcnow())
        session.add(workspace)
        session.flush()
    return workspace


def create_key(session: Session, *, workspace: str, role: Role | str, name: str = "") -> CreatedKey:
    """Create a key (and its workspace, when new); the result holds the key, shown once."""
    ensure_workspace(session, workspace)
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = ApiKey(
        id=key_id,
        workspace=workspace,
        role=Role(role).value,
        name=name,
        secret_hash=hash_secret(secret),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return CreatedKey(**KeyInfo.of(row).model_dump(), key=f"odp_{key_id}_{secret}")


def list_keys(
    session: Session, *, workspace: str | None = None, include_revoked: bool = True
) -> list[KeyInfo]:
    """Keys, oldest first (of one workspace, when given)."""
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if workspace is not None:
        query = query.where(ApiKey.workspace == workspace)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return [KeyInfo.of(row) for row in session.scalars(query)]


def revoke_key(session: Session, key_id: str, *, workspace: str | None = None) -> KeyInfo:
    """Revoke a key at once (revoking twice keeps the first time).

    Raises:
        NotFoundError: when there is no such key (in ``workspace``, when given).
    """
    row = session.get(ApiKey, key_id)
    if row is None or (workspace is not None and row.workspace != workspace):
        raise NotFoundError(
            f"no API key with id {key_id!r}", hint="`odp keys list` shows the keys and their ids"
        )
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return KeyInfo.of(row)


def authenticate(session: Session, key: str) -> Principal:
    """The principal of an API key.

    Raises:
        AuthenticationError: when the key is malformed, unknown or revoked (the message
            does not say which, so that keys cannot be probed).
    """
    match = _KEY_FORMAT.fullmatch(key.strip())
    row = session.get(ApiKey, match.group(1)) if match else None
    if (
        match is None
        or row is None
        or not hmac.compare_digest(row.secret_hash, hash_secret(match.group(2)))
        or row.revoked_at is not None
    ):
        raise AuthenticationError(
            "invalid or revoked API key",
            hint="send a valid key as `Authorization: Bearer <key>`; `odp keys create` makes one",
        )
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        row.last_used_at = now  # at most once a minute: no write per request
    return Principal(key_id=row.id, workspace=row.workspace, role=Role(row.role))
