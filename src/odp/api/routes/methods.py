"""``GET /v1/methods``, ``/v1/methods/search?q=`` and ``/v1/methods/{id}``: the catalog."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from odp.api.deps import CatalogDep, Viewer
from odp.api.errors import ERROR_RESPONSES
from odp.api.models import MethodSummary
from odp.catalog import MethodInfo, MethodKind, MethodSpec
from odp.errors import UnknownMethodError

__all__ = ["router"]

router = APIRouter(prefix="/v1/methods", tags=["methods"], responses=ERROR_RESPONSES)


def _summary(spec: MethodSpec[Any, Any]) -> MethodSummary:
    return MethodSummary(
        id=spec.id,
        kind=spec.kind,
        version=spec.version,
        summary=spec.summary,
        tags=list(spec.tags),
        available=spec.unavailable_reason is None,
    )


@router.get("", response_model=list[MethodSummary])
def list_methods(
    catalog: CatalogDep,
    _: Viewer,
    kind: Annotated[MethodKind | None, Query(description="Only methods of this kind.")] = None,
) -> list[MethodSummary]:
    """Every method in the catalog, by id."""
    return [_summary(spec) for spec in catalog if kind is None or spec.kind == kind]


@router.get("/search", response_model=list[MethodSummary])
def search_methods(
    catalog: CatalogDep,
    _: Viewer,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Free text.")],
    kind: Annotated[MethodKind | None, Query(description="Only methods of this kind.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[MethodSummary]:
    """Methods matching free text, best first."""
    return [_summary(hit.spec) for hit in catalog.search(q, kind=kind, limit=limit)]


@router.get("/{method_id}", response_model=MethodInfo)
def get_method(catalog: CatalogDep, _: Viewer, method_id: str) -> MethodInfo:
    """One method: params and output schemas, examples, retry and timeout defaults."""
    spec = catalog.find(method_id)
    if spec is None:
        raise UnknownMethodError(method_id, catalog.suggest(method_id))
    return spec.info()
