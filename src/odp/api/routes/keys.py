"""``POST/GET /v1/keys`` and ``DELETE /v1/keys/{id}``: an admin manages its workspace's keys."""

from __future__ import annotations

from fastapi import APIRouter

from odp.api.accounts import CreatedKey, KeyInfo, create_key, list_keys, revoke_key
from odp.api.deps import Admin, DbSession
from odp.api.errors import ERROR_RESPONSES
from odp.api.models import KeyCreate

__all__ = ["router"]

router = APIRouter(prefix="/v1/keys", tags=["keys"], responses=ERROR_RESPONSES)


@router.post("", response_model=CreatedKey, status_code=201)
def create(body: KeyCreate, admin: Admin, session: DbSession) -> CreatedKey:
    """Create a key in the admin's workspace; the answer is the only time it is shown."""
    return create_key(session, workspace=admin.workspace, role=body.role, name=body.name)


@router.get("", response_model=list[KeyInfo])
def list_(admin: Admin, session: DbSession) -> list[KeyInfo]:
    """The workspace's keys (never their secrets), revoked ones included."""
    return list_keys(session, workspace=admin.workspace)


@router.delete("/{key_id}", response_model=KeyInfo)
def revoke(key_id: str, admin: Admin, session: DbSession) -> KeyInfo:
    """Revoke a key of the workspace at once."""
    return revoke_key(session, key_id, workspace=admin.workspace)
