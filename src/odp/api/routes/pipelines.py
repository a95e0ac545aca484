"""Pipelines: validate one, and save, list, read and delete them by name.

``POST /v1/pipelines/validate`` answers what ``odp validate --json`` prints; saving
(``POST /v1/pipelines``) validates first and keeps each changed text as a new version.
"""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from odp.api.bodies import PIPELINE_BODY, read_pipeline, validate_source
from odp.api.deps import CatalogDep, DbSession, Runner, State, Viewer
from odp.api.errors import ERROR_RESPONSES
from odp.api.models import ValidationReport
from odp.api.saved import (
    MAX_VERSION,
    SavedPipelineInfo,
    delete_pipeline,
    get_pipeline,
    list_pipelines,
    list_versions,
    save_pipeline,
)
from odp.errors import ServiceError
from odp.spec import PipelineInvalid, Severity, parse_param_assignments

__all__ = ["router"]

router = APIRouter(prefix="/v1/pipelines", tags=["pipelines"], responses=ERROR_RESPONSES)


@router.post("/validate", response_model=ValidationReport, openapi_extra=PIPELINE_BODY)
async def validate(
    request: Request,
    catalog: CatalogDep,
    _: Viewer,
    param: Annotated[
        list[str] | None,
        Query(
            max_length=100,
            description="NAME=VALUE, as `odp validate --param` (repeatable): checked as for a run.",
        ),
    ] = None,
) -> ValidationReport:
    """Check a pipeline against the catalog without running it.

    200 with the diagnostics for a document that could be read (``valid`` says whether it
    has errors); 422 with the located diagnostics when the body is not YAML or JSON at
    all, as for every other route. With ``param``, the values are checked against the
    pipeline's params and required params must have one, as when starting a run.
    """
    try:
        params = parse_param_assignments(param or [])
    except ValueError as e:
        raise ServiceError(
            str(e).replace("--param", "param"), hint="write it as NAME=VALUE"
        ) from None
    body = await read_pipeline(request)
    result = await run_in_threadpool(
        functools.partial(validate_source, params=params, require_params=param is not None),
        body,
        catalog,
    )
    if any(d.severity is Severity.ERROR and _unreadable(d.code) for d in result.diagnostics):
        raise PipelineInvalid(result.diagnostics)
    return ValidationReport(
        valid=result.ok,
        pipeline=result.pipeline.name if result.pipeline is not None else None,
        diagnostics=result.diagnostics,
    )


def _unreadable(code: str) -> bool:
    """Whether a diagnostic says the body is not a YAML or JSON document at all."""
    return code in ("yaml-syntax", "invalid-json")


@router.post(
    "",
    response_model=SavedPipelineInfo,
    status_code=201,
    openapi_extra=PIPELINE_BODY,
    responses={200: {"model": SavedPipelineInfo, "description": "Unchanged: the latest version."}},
)
async def save(
    request: Request, response: Response, catalog: CatalogDep, runner: Runner, state: State
) -> SavedPipelineInfo:
    """Save a valid pipeline under its name: 201 with a new version, 200 when unchanged."""
    body = await read_pipeline(request)
    result = await run_in_threadpool(validate_source, body, catalog)
    if not result.ok or result.pipeline is None:
        raise PipelineInvalid(result.diagnostics)
    name = result.pipeline.name
    source = result.source if result.source is not None else ""

    def store() -> tuple[SavedPipelineInfo, bool]:
        with state.database.session() as session:
            return save_pipeline(
                session,
                workspace=runner.workspace,
                name=name,
                source=source,
                created_by=runner.key_id,
            )

    saved, created = await run_in_threadpool(store)
    if not created:
        response.status_code = 200
    return saved


@router.get("", response_model=list[SavedPipelineInfo])
def list_(viewer: Viewer, session: DbSession) -> list[SavedPipelineInfo]:
    """The newest version of every saved pipeline in the workspace."""
    return list_pipelines(session, workspace=viewer.workspace)


@router.get("/{name}", response_model=SavedPipelineInfo)
def get(
    name: str,
    viewer: Viewer,
    session: DbSession,
    version: Annotated[
        int | None, Query(ge=1, le=MAX_VERSION, description="Default: the newest.")
    ] = None,
) -> SavedPipelineInfo:
    """One version of a saved pipeline, with its YAML."""
    return get_pipeline(session, workspace=viewer.workspace, name=name, version=version)


@router.get("/{name}/versions", response_model=list[SavedPipelineInfo])
def versions(name: str, viewer: Viewer, session: DbSession) -> list[SavedPipelineInfo]:
    """Every version of a saved pipeline, newest first."""
    return list_versions(session, workspace=viewer.workspace, name=name)


@router.delete("/{name}", status_code=204, response_class=Response)
def delete(name: str, runner: Runner, session: DbSession) -> Response:
    """Delete a saved pipeline, every version of it."""
    delete_pipeline(session, workspace=runner.workspace, name=name)
    return Response(status_code=204)
