"""Runs: submit, list, read and cancel (events and outputs have their own modules)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool

from odp.api.deps import CatalogDep, Runner, Runs, State, Viewer
from odp.api.errors import ERROR_RESPONSES
from odp.api.metrics import service_metrics
from odp.api.models import RunCreate, RunPage, RunSubmitted, RunSummary
from odp.api.saved import get_pipeline
from odp.catalog import Catalog
from odp.engine import RunProgress, RunState
from odp.errors import RunNotFoundError, ServiceError
from odp.spec import PipelineInvalid, ValidationResult, compile_plan, validate_data, validate_text

__all__ = ["check_run_id", "router"]

router = APIRouter(prefix="/v1/runs", tags=["runs"], responses=ERROR_RESPONSES)

_RUN_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,254}$")


def check_run_id(run_id: str) -> str:
    """Return ``run_id`` when it could name a run.

    Raises:
        RunNotFoundError: otherwise (an id that cannot exist is answered like a missing one).
    """
    if not _RUN_ID.fullmatch(run_id):
        raise RunNotFoundError(run_id)
    return run_id


def _validate(
    pipeline: str | dict[str, Any], params: dict[str, Any], catalog: Catalog, file: str
) -> ValidationResult:
    if isinstance(pipeline, str):
        return validate_text(pipeline, catalog, file=file, params=params, require_params=True)
    return validate_data(pipeline, catalog, file=file, params=params, require_params=True)


@router.post("", response_model=RunSubmitted, status_code=201)
async def submit(
    body: RunCreate, runner: Runner, runs: Runs, catalog: CatalogDep, state: State
) -> RunSubmitted:
    """Validate a pipeline (inline, or saved by name) and start a run of it.

    A pipeline with errors is refused with 422 and every diagnostic; nothing runs.
    """
    saved_version: int | None = None
    if body.name is not None:

        def load() -> tuple[str, int]:
            with state.database.session() as session:
                saved = get_pipeline(
                    session, workspace=runner.workspace, name=body.name or "", version=body.version
                )
                return saved.source or "", saved.version

        source, saved_version = await run_in_threadpool(load)
        pipeline: str | dict[str, Any] = source
        file = f"{body.name}@{saved_version}"
    else:
        assert body.pipeline is not None
        pipeline, file = body.pipeline, "<request>"
    result = await run_in_threadpool(_validate, pipeline, body.params, catalog, file)
    if not result.ok:
        raise PipelineInvalid(result.diagnostics)
    plan = compile_plan(result, catalog)
    run_id = await runs.submit(plan, workspace=runner.workspace, no_cache=body.no_cache)
    service_metrics().submitted.labels(workspace=runner.workspace).inc()
    return RunSubmitted(
        run_id=run_id,
        pipeline=plan.pipeline,
        workspace=runner.workspace,
        warnings=result.warnings,
        saved_version=saved_version,
    )


def _bind(scope: str, raw: bytes) -> bytes:
    return hashlib.sha256(scope.encode() + b"\0" + raw).digest()[:8]


def _encode_token(scope: str, raw: bytes) -> str:
    """A page token: Temporal's, checked by a digest of it and of the listing's filters."""
    return base64.urlsafe_b64encode(_bind(scope, raw) + raw).decode().rstrip("=")


def _decode_token(scope: str, text: str | None) -> bytes | None:
    """Temporal's page token, when ``text`` is one this listing gave.

    Raises:
        ServiceError: for anything else (it never reaches Temporal).
    """
    if not text:
        return None
    try:
        data = base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        data = b""
    digest, raw = data[:8], data[8:]
    if len(data) <= 8 or not hmac.compare_digest(digest, _bind(scope, raw)):
        raise ServiceError(
            "invalid page token",
            hint="pass the next_page_token of the previous page as it is, with the same filters",
        )
    return raw


@router.get("", response_model=RunPage)
async def list_runs(
    viewer: Viewer,
    runs: Runs,
    state: Annotated[RunState | None, Query(description="Only runs in this state.")] = None,
    pipeline: Annotated[
        str | None, Query(max_length=100, description="Only runs of this pipeline.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Runs per page.")] = 20,
    page_token: Annotated[
        str | None, Query(max_length=4096, description="From the previous page.")
    ] = None,
) -> RunPage:
    """The workspace's runs, newest first, a page at a time."""
    scope = f"{viewer.workspace}|{state}|{pipeline}"
    try:
        found, token = await runs.list_runs_page(
            workspace=viewer.workspace,
            state=state,
            pipeline=pipeline,
            page_size=limit,
            page_token=_decode_token(scope, page_token),
        )
    except ValueError:
        raise ServiceError(
            "invalid page token", hint="pass the next_page_token of the previous page as it is"
        ) from None
    return RunPage(
        runs=[RunSummary.model_validate(info, from_attributes=True) for info in found],
        next_page_token=_encode_token(scope, token) if token else None,
    )


@router.get("/{run_id}", response_model=RunProgress)
async def get_run(run_id: str, viewer: Viewer, runs: Runs) -> RunProgress:
    """A run's state, each step's state, outputs and errors."""
    return await runs.progress(check_run_id(run_id), workspace=viewer.workspace)


@router.post("/{run_id}/cancel", response_model=RunSummary, status_code=202)
async def cancel(run_id: str, runner: Runner, runs: Runs, response: Response) -> RunSummary:
    """Ask a run to stop (202); a run that already ended is answered as it is (200)."""
    check_run_id(run_id)
    info = await runs.describe(run_id, workspace=runner.workspace)
    if info.state is not RunState.RUNNING:
        response.status_code = 200
        return RunSummary.model_validate(info, from_attributes=True)
    await runs.cancel(run_id, workspace=runner.workspace)
    return RunSummary.model_validate(info, from_attributes=True)
