"""Alembic's environment: migrate the connection that ``Database.migrate`` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from odp.api.tables import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):  # pragma: no cover - only `alembic` by hand
    raise RuntimeError("run migrations through odp.api.database.Database.migrate")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
