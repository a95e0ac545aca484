"""``GET /v1/runs/{id}/outputs/{step}``: a step's dataset as JSON pages, CSV or Parquet."""

from __future__ import annotations

import io
import json
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Header, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from odp.api.deps import Runs, SettingsDep, Viewer
from odp.api.errors import ERROR_RESPONSES, ErrorResponse
from odp.api.models import OutputPage
from odp.api.routes.runs import check_run_id
from odp.artifacts import ArtifactStore, DatasetRef
from odp.engine import RunState
from odp.errors import ArtifactNotFoundError, ConflictError, NotFoundError, ServiceError

__all__ = ["router"]

router = APIRouter(prefix="/v1/runs", tags=["runs"], responses=ERROR_RESPONSES)

Format = Literal["json", "csv", "parquet"]
PARQUET: Final = "application/vnd.apache.parquet"
_ACCEPT: Final[dict[str, Format]] = {
    "text/csv": "csv",
    PARQUET: "parquet",
    "application/x-parquet": "parquet",
    "application/parquet": "parquet",
    "application/json": "json",
}


def _negotiate(format: Format | None, accept: str | None) -> Format:
    if format is not None:
        return format
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in _ACCEPT:
            return _ACCEPT[media]
    return "json"


def _dataset_field(output: dict[str, Any], field: str | None) -> tuple[str, DatasetRef]:
    datasets = {
        name: value
        for name, value in output.items()
        if isinstance(value, dict) and "uri" in value and "sha256" in value
    }
    if field is None:
        field = "data" if "data" in datasets else next(iter(datasets), None)
    if field is None or field not in datasets:
        raise NotFoundError(
            f"this step's output has no dataset{f' {field!r}' if field else ''}",
            hint=(
                f"its datasets: {', '.join(datasets)}"
                if datasets
                else "GET /v1/runs/{id} shows the step's other outputs"
            ),
        )
    return field, DatasetRef.model_validate(datasets[field])


def _json_page(
    store: ArtifactStore, ref: DatasetRef, offset: int, limit: int
) -> list[dict[str, Any]]:
    frame = store.scan(ref).slice(offset, limit).collect()
    rows: list[dict[str, Any]] = json.loads(frame.write_json())
    return rows


def _csv(store: ArtifactStore, ref: DatasetRef) -> bytes:
    frame = store.read(ref)
    nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
    if nested:
        raise ServiceError(
            f"CSV cannot hold the nested columns {', '.join(nested)}",
            hint="ask for format=json or format=parquet",
        )
    return frame.write_csv().encode()


def _parquet(store: ArtifactStore, ref: DatasetRef) -> bytes:
    buffer = io.BytesIO()
    store.read(ref).write_parquet(buffer)
    return buffer.getvalue()


@router.get(
    "/{run_id}/outputs/{step}",
    response_model=OutputPage,
    responses={
        200: {
            "description": "JSON pages (offset, limit), the whole dataset as CSV, or as Parquet.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                PARQUET: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        409: {"model": ErrorResponse, "description": "The step has not finished yet."},
        410: {"model": ErrorResponse, "description": "The dataset was removed from the store."},
    },
)
async def output(
    run_id: str,
    step: str,
    viewer: Viewer,
    runs: Runs,
    settings: SettingsDep,
    format: Annotated[
        Format | None, Query(description="json (default), csv or parquet; or use Accept.")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=2**53, description="First row of a JSON page.")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000, description="Rows in a JSON page.")] = 100,
    field: Annotated[
        str | None, Query(max_length=100, description="The output field (default: data).")
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response | OutputPage:
    """A finished step's dataset: JSON pages, or the whole of it as CSV or Parquet."""
    progress = await runs.progress(check_run_id(run_id), workspace=viewer.workspace)
    try:
        state = progress.step(step)
    except KeyError:
        raise NotFoundError(
            f"run {run_id} has no step {step!r}",
            hint=f"its steps: {', '.join(s.name for s in progress.steps) or 'none yet'}",
        ) from None
    if state.output is None:
        if progress.state is RunState.RUNNING:
            raise ConflictError(
                f"step {step!r} has not finished yet", hint="follow GET /v1/runs/{id}/events"
            )
        raise NotFoundError(f"step {step!r} produced no output ({state.status.value})")
    name, ref = _dataset_field(state.output, field)
    store = ArtifactStore(settings.artifacts_root, workspace=viewer.workspace)
    if not all(store.owns(uri) for uri in (ref.bases if ref.is_view else [ref.uri])):
        raise NotFoundError(f"run {run_id} has no dataset for step {step!r} in this workspace")
    chosen = _negotiate(format, accept)
    if chosen == "json":
        rows = await run_in_threadpool(_json_page, store, ref, offset, limit)
        following = offset + len(rows)
        return OutputPage(
            run_id=run_id,
            step=step,
            field=name,
            rows=ref.rows,
            offset=offset,
            limit=limit,
            columns=[{"name": c.name, "type": c.type} for c in ref.columns],
            data=rows,
            next_offset=following if following < ref.rows else None,
        )
    filename = f"{run_id}-{step}.{chosen}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if chosen == "parquet" and store.local and not ref.is_view:
        if not store.exists(ref):
            raise ArtifactNotFoundError(ref.uri)
        return FileResponse(ref.uri, media_type=PARQUET, headers=disposition)
    if chosen == "csv":
        return Response(
            await run_in_threadpool(_csv, store, ref), media_type="text/csv", headers=disposition
        )
    return Response(
        await run_in_threadpool(_parquet, store, ref), media_type=PARQUET, headers=disposition
    )
