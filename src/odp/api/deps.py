"""Dependencies of the routes, as ``Annotated`` aliases.

``Viewer``, ``Runner`` and ``Admin`` authenticate the request's API key
(``Authorization: Bearer <key>`` or ``X-API-Key: <key>``) and check its role; each
gives the :class:`~odp.api.accounts.Principal` (key id, workspace, role).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from odp.api.accounts import Principal, authenticate
from odp.api.state import EventSource, ServiceState
from odp.api.tables import Role
from odp.catalog import Catalog
from odp.config import Settings
from odp.engine import EngineClient
from odp.errors import AuthenticationError, EventsError, ExecutionError, PermissionDeniedError

__all__ = [
    "Admin",
    "CatalogDep",
    "DbSession",
    "Events",
    "Runner",
    "Runs",
    "SettingsDep",
    "State",
    "Viewer",
]

_bearer = HTTPBearer(auto_error=False, description="An ODP API key: `Authorization: Bearer <key>`.")
_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An ODP API key, in its own header."
)


def get_state(request: Request) -> ServiceState:
    """The app's service state."""
    state: ServiceState = request.app.state.service
    return state


State = Annotated[ServiceState, Depends(get_state)]


def get_settings(state: State) -> Settings:
    """The service's settings."""
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_catalog(state: State) -> Catalog:
    """The method catalog."""
    return state.catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


def get_session(state: State) -> Iterator[Session]:
    """A database session for the request, committed when the route returns."""
    with state.database.session() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


def get_runs(state: State) -> EngineClient:
    """The engine client.

    Raises:
        ExecutionError: when the service has no connection to Temporal.
    """
    if state.runs is None:
        raise ExecutionError("the service is not connected to Temporal", hint="see GET /ready")
    return state.runs


Runs = Annotated[EngineClient, Depends(get_runs)]


def get_events(state: State) -> EventSource:
    """The event bus.

    Raises:
        EventsError: when the service has no event bus.
    """
    if state.events is None:
        raise EventsError(
            "live events are not available on this service",
            hint="configure ODP_REDIS_URL (or run `odp serve` with the embedded Redis)",
        )
    return state.events


Events = Annotated[EventSource, Depends(get_events)]


def get_principal(
    state: State,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> Principal:
    """Who sent the request.

    Raises:
        AuthenticationError: without a key, or with an invalid or revoked one.
    """
    key = bearer.credentials if bearer is not None else header
    if not key:
        raise AuthenticationError(
            "this route needs an API key",
            hint="send `Authorization: Bearer <key>` (or `X-API-Key: <key>`); "
            "`odp keys create` makes one",
        )
    with state.database.session() as session:
        return authenticate(session, key)


def _role(needed: Role) -> Callable[[Principal], Principal]:
    def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not principal.role.allows(needed):
            raise PermissionDeniedError(
                f"a {principal.role.value} key cannot do this; it needs the {needed.value} role",
                hint=f"use a key created with `odp keys create --role {needed.value}`",
            )
        return principal

    return check


Viewer = Annotated[Principal, Depends(_role(Role.VIEWER))]
"""Any valid key: reading."""
Runner = Annotated[Principal, Depends(_role(Role.RUNNER))]
"""A runner or admin key: submitting, cancelling, saving."""
Admin = Annotated[Principal, Depends(_role(Role.ADMIN))]
"""An admin key: managing the workspace's keys."""
