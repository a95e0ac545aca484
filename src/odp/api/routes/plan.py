"""``POST /v1/plan``: a request in plain language → a :class:`~odp.agent.PlanResult`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from odp.agent import PlanResult, plan_request
from odp.api.deps import CatalogDep, SettingsDep, Viewer
from odp.api.errors import ERROR_RESPONSES

__all__ = ["PlanBody", "router"]

router = APIRouter(prefix="/v1/plan", tags=["plan"], responses=ERROR_RESPONSES)


class PlanBody(BaseModel):
    """What to plan, and the answers to an earlier plan's questions."""

    model_config = ConfigDict(extra="forbid")

    request: str = Field(
        min_length=1,
        max_length=4000,
        description="What the pipeline should do, in plain language.",
        examples=["find posts about AI on twitter, keep the negative ones and save them as CSV"],
    )
    answers: dict[str, Any] = Field(
        default_factory=dict,
        description="Answers to the questions of a `needs_input` result, by their `slot`.",
    )
    assume_defaults: bool = Field(
        default=False, description="Take each question's default instead of asking."
    )


@router.post("", response_model=PlanResult)
async def plan(body: PlanBody, catalog: CatalogDep, settings: SettingsDep, _: Viewer) -> PlanResult:
    """Plan a pipeline: `ok` with valid YAML, `needs_input` with questions, or `failed`.

    Every draft goes through the same validator as hand-written YAML; `attempts` keeps
    each draft with its diagnostics. Uses the LLM in the service's ODP_LLM_* settings,
    else the offline planner. Any valid key may plan (nothing runs).
    """
    return await plan_request(
        body.request,
        catalog=catalog,
        settings=settings,
        answers=body.answers,
        assume_defaults=body.assume_defaults,
    )
