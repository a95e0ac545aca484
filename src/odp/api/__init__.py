"""The ODP service: a REST API over the engine, with workspaces and API keys."""

from odp.api.accounts import CreatedKey, KeyInfo, Principal
from odp.api.app import create_app
from odp.api.database import Database, database_url
from odp.api.errors import ErrorDetail, ErrorResponse
from odp.api.state import EventSource, ServiceState, service_settings
from odp.api.tables import Role

__all__ = [
    "CreatedKey",
    "Database",
    "ErrorDetail",
    "ErrorResponse",
    "EventSource",
    "KeyInfo",
    "Principal",
    "Role",
    "ServiceState",
    "create_app",
    "database_url",
    "service_settings",
]
