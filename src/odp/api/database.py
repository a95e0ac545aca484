"""The service's database: an engine, sessions, and the migrations run at startup.

SQLite under the state folder by default (``<state_dir>/service.db``);
``ODP_DATABASE_URL`` selects another database (``postgresql+psycopg://...``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import structlog
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from odp.config import Settings
from odp.errors import ConfigError

__all__ = ["MIGRATIONS", "Database", "database_url"]

MIGRATIONS = Path(__file__).parent / "migrations"
"""The Alembic scripts shipped inside the package."""

_log = structlog.stdlib.get_logger("odp.api")


def database_url(settings: Settings) -> str:
    """The configured database URL, or the SQLite file under the state folder."""
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{(settings.state_dir / 'service.db').resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Database:
    """Connections to the service's tables.

    Args:
        url: a SQLAlchemy URL.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.safe_url = make_url(url).render_as_string(hide_password=True)
        except ArgumentError:
            self.safe_url = url.rsplit("@", 1)[-1]
        try:
            if url.startswith("sqlite"):
                path = url.split(":///", 1)[1] if ":///" in url else ""
                if path and path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                self.engine: Engine = create_engine(
                    url, connect_args={"check_same_thread": False, "timeout": 10}
                )
                event.listen(self.engine, "connect", _sqlite_pragmas)
            else:
                self.engine = create_engine(url, pool_pre_ping=True)
        except (SQLAlchemyError, ImportError, ValueError) as e:
            raise ConfigError(
                f"cannot use the service database {self.safe_url}: {e}",
                hint="check ODP_DATABASE_URL (PostgreSQL needs `pip install 'odp[postgres]'`)",
            ) from e
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database the settings name (SQLite under the state folder by default)."""
        return cls(database_url(settings))

    def migrate(self) -> None:
        """Bring the tables up to the newest migration (a no-op when they are).

        Raises:
            ConfigError: when the database cannot be reached or migrated.
        """
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except SQLAlchemyError as e:
            raise ConfigError(
                f"cannot migrate the service database {self.safe_url}: {e.__class__.__name__}: {e}",
                hint="check ODP_DATABASE_URL and that the database server is up",
            ) from e
        _log.debug("database_migrated", url=self.safe_url)

    def tables(self) -> list[str]:
        """The tables that exist now."""
        return sorted(inspect(self.engine).get_table_names())

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed at the end of the block (rolled back on error)."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
