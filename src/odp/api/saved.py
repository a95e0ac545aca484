"""Saved pipelines: YAML kept by name in a workspace, every save a new version."""

from __future__ import annotations

import datetime as dt
import hashlib

from pydantic import BaseModel, Field
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from odp.api.accounts import ensure_workspace
from odp.api.tables import SavedPipeline, utcnow
from odp.errors import ConflictError, NotFoundError

__all__ = [
    "MAX_VERSION",
    "SavedPipelineInfo",
    "delete_pipeline",
    "get_pipeline",
    "list_pipelines",
    "list_versions",
    "save_pipeline",
]


MAX_VERSION = 2**31 - 1
"""The highest version a saved pipeline can have (the column is a 32-bit integer)."""


class SavedPipelineInfo(BaseModel):
    """One version of a saved pipeline."""

    name: str
    version: int = Field(ge=1, description="1 for the first save; each changed save adds one.")
    sha256: str = Field(description="SHA-256 of the YAML text.")
    created_at: dt.datetime
    created_by: str | None = Field(default=None, description="The id of the key that saved it.")
    source: str | None = Field(default=None, description="The YAML text (when asked for one).")

    @classmethod
    def of(cls, row: SavedPipeline, *, with_source: bool = False) -> SavedPipelineInfo:
        """The API form of a row."""
        return cls(
            name=row.name,
            version=row.version,
            sha256=row.sha256,
            created_at=row.created_at,
            created_by=row.created_by,
            source=row.source if with_source else None,
        )


def _latest(session: Session, workspace: str, name: str) -> SavedPipeline | None:
    query = (
        select(SavedPipeline)
        .where(SavedPipeline.workspace == workspace, SavedPipeline.name == name)
        .order_by(SavedPipeline.version.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def save_pipeline(
    session: Session, *, workspace: str, name: str, source: str, created_by: str | None = None
) -> tuple[SavedPipelineInfo, bool]:
    """Save YAML under ``name``; unchanged text keeps the latest version.

    Returns:
        The version saved (or kept) and whether a new version was made.

    Raises:
        ConflictError: when another save of the same name won a race (try again).
    """
    ensure_workspace(session, workspace)
    sha = hashlib.sha256(source.encode()).hexdigest()
    latest = _latest(session, workspace, name)
    if latest is not None and latest.sha256 == sha:
        return SavedPipelineInfo.of(latest), False
    row = SavedPipeline(
        workspace=workspace,
        name=name,
        version=(latest.version + 1) if latest else 1,
        source=source,
        sha256=sha,
        created_at=utcnow(),
        created_by=created_by,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise ConflictError(
            f"pipeline {name!r} was saved by someone else at the same moment",
            hint="send the request again",
        ) from None
    return SavedPipelineInfo.of(row), True


def list_pipelines(session: Session, *, workspace: str) -> list[SavedPipelineInfo]:
    """The newest version of every saved pipeline of a workspace, by name."""
    newest = (
        select(SavedPipeline.name, func.max(SavedPipeline.version).label("version"))
        .where(SavedPipeline.workspace == workspace)
        .group_by(SavedPipeline.name)
        .subquery()
    )
    query = (
        select(SavedPipeline)
        .join(
            newest,
            (SavedPipeline.name == newest.c.name) & (SavedPipeline.version == newest.c.version),
        )
        .where(SavedPipeline.workspace == workspace)
        .order_by(SavedPipeline.name)
    )
    return [SavedPipelineInfo.of(row) for row in session.scalars(query)]


def list_versions(session: Session, *, workspace: str, name: str) -> list[SavedPipelineInfo]:
    """Every version of one saved pipeline, newest first.

    Raises:
        NotFoundError: when the workspace has no pipeline of that name.
    """
    query = (
        select(SavedPipeline)
        .where(SavedPipeline.workspace == workspace, SavedPipeline.name == name)
        .order_by(SavedPipeline.version.desc())
    )
    found = [SavedPipelineInfo.of(row) for row in session.scalars(query)]
    if not found:
        raise _missing(name)
    return found


def get_pipeline(
    session: Session, *, workspace: str, name: str, version: int | None = None
) -> SavedPipelineInfo:
    """One version (the newest by default), with its YAML.

    Raises:
        NotFoundError: when there is no such pipeline or version in the workspace.
    """
    if version is None:
        row = _latest(session, workspace, name)
    else:
        row = session.scalars(
            select(SavedPipeline).where(
                SavedPipeline.workspace == workspace,
                SavedPipeline.name == name,
                SavedPipeline.version == version,
            )
        ).first()
    if row is None:
        raise _missing(name, version)
    return SavedPipelineInfo.of(row, with_source=True)


def delete_pipeline(session: Session, *, workspace: str, name: str) -> int:
    """Delete every version of a saved pipeline; returns how many there were.

    Raises:
        NotFoundError: when the workspace has no pipeline of that name.
    """
    result = session.execute(
        delete(SavedPipeline).where(
            SavedPipeline.workspace == workspace, SavedPipeline.name == name
        )
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count == 0:
        raise _missing(name)
    return count


def _missing(name: str, version: int | None = None) -> NotFoundError:
    what = (
        f"version {version} of saved pipeline {name!r}" if version else f"saved pipeline {name!r}"
    )
    return NotFoundError(f"no {what}", hint="GET /v1/pipelines lists the saved pipelines")
