"""What the app holds while it runs, and the settings the service runs with."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from odp.api.database import Database
from odp.catalog import Catalog
from odp.config import Settings
from odp.engine import EngineClient
from odp.events import Event

__all__ = ["EventSource", "ServiceState", "service_settings"]


class EventSource(Protocol):
    """The part of the event bus the API uses (``odp.events.EventBus`` has it)."""

    async def read(self, run_id: str, *, after: int = 0, limit: int | None = None) -> list[Event]:
        """A run's stored events with ``seq`` above ``after``, in order."""
        ...

    def follow(self, run_id: str, *, after: int = 0) -> AsyncIterator[Event]:
        """A run's events from ``after`` on, live, ending after the terminal one."""
        ...

    async def ping(self) -> bool:
        """Whether Redis answers."""
        ...

    async def read_all(self, *, after_id: str = "0-0", count: int = 100) -> list[tuple[str, Event]]:
        """Every run's events after the global stream's entry ``after_id``."""
        ...


@dataclass(slots=True)
class ServiceState:
    """The service's parts, made by the app's lifespan (or passed in by tests)."""

    settings: Settings
    catalog: Catalog
    database: Database
    runs: EngineClient | None = None
    events: EventSource | None = None


def service_settings(settings: Settings) -> Settings:
    """The settings as the service uses them: safer defaults for what users send.

    Unless set explicitly, the HTTP address guard is on (pipelines cannot reach
    loopback, private or metadata addresses) and file methods are confined to
    ``<state_dir>/files``.
    """
    changes: dict[str, object] = {}
    if "http_block_private" not in settings.model_fields_set:
        changes["http_block_private"] = True
    if settings.files_root is None:
        changes["files_root"] = (settings.state_dir / "files").resolve()
    if not changes:
        return settings
    return settings.model_copy(update=changes)
