"""The offline planner over the real catalog, and a helper that plans and validates."""

from __future__ import annotations

from typing import Any

import pytest

from odp.agent.drafting import Draft
from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from odp.spec import ValidationResult, validate_data


@pytest.fixture(scope="session")
def planner(catalog: Catalog) -> OfflinePlanner:
    """One planner for every test (its indexes are built once)."""
    return OfflinePlanner(catalog)


def steps(draft: Draft) -> list[dict[str, Any]]:
    """Every step of a draft, in section order."""
    assert draft.pipeline is not None
    return [s for sec in ("sources", "transforms", "sinks") for s in draft.pipeline.get(sec, [])]


def methods(draft: Draft) -> list[str]:
    """The method ids of a draft's steps."""
    return [s["method"] for s in steps(draft)]


def step(draft: Draft, method: str) -> dict[str, Any]:
    """The params of the first step using ``method``."""
    return next(s["params"] for s in steps(draft) if s["method"] == method)


def plan_with_defaults(planner: OfflinePlanner, request: str) -> Draft:
    """Draft, then draft again with every question's default taken (as `--yes` does)."""
    draft = planner.plan(request)
    if draft.questions:
        draft = planner.plan(request, {q.slot: q.default for q in draft.questions})
    return draft


def validate(draft: Draft, catalog: Catalog) -> ValidationResult:
    """The validator's verdict on a draft."""
    return validate_data(draft.pipeline, catalog)
