"""Alembic migrations of the service's tables (run by ``Database.migrate``)."""
