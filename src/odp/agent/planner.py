"""The public entry point of planning: a request in plain language → a :class:`PlanResult`."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from langchain_core.runnables import RunnableConfig

from odp.agent.drafting import Drafter
from odp.agent.graph import DEFAULT_MAX_REPAIRS, build_graph, recursion_limit
from odp.agent.models import PlanResult
from odp.agent.state import PlanState
from odp.catalog import Catalog
from odp.config import Settings
from odp.errors import PlanningError

__all__ = ["default_drafter", "plan_request"]


def default_drafter(settings: Settings, catalog: Catalog) -> Drafter:
    """The LLM drafter when an LLM is configured (``ODP_LLM_PROVIDER`` or ``ODP_LLM_BASE_URL``),
    else the offline planner.

    Raises:
        ConfigError: when the LLM settings are incomplete (no model named).
    """  # noqa: D205
    if settings.llm_provider or settings.llm_base_url:
        from odp.agent.llm import llm_drafter

        return llm_drafter(settings)
    # imported by name: the offline planner is its own package, loaded only when used
    offline = importlib.import_module("odp.agent.offline")
    planner: Drafter = offline.OfflinePlanner(catalog, embeddings=settings.agent_embeddings)
    return planner


async def plan_request(
    request: str,
    *,
    catalog: Catalog,
    settings: Settings,
    drafter: Drafter | None = None,
    answers: Mapping[str, Any] | None = None,
    assume_defaults: bool = False,
    max_repairs: int = DEFAULT_MAX_REPAIRS,
) -> PlanResult:
    """Plan a pipeline for a request: retrieve methods, draft, validate, repair (bounded).

    Args:
        request: what the pipeline should do, in plain language.
        catalog: the methods the pipeline may use.
        settings: ODP's settings (the LLM provider, when one is configured; whether
            retrieval uses embeddings).
        drafter: who drafts; by default the LLM drafter when an LLM is configured,
            else the offline planner.
        answers: answers to questions of an earlier ``needs_input`` result, by slot.
        assume_defaults: take the questions' defaults instead of asking.
        max_repairs: the most repair rounds after the first draft.

    Returns:
        ``ok`` with a valid pipeline, ``needs_input`` with questions, or ``failed`` with
        the last draft, its diagnostics and every attempt. Never None.

    Raises:
        ConfigError: when the LLM settings are incomplete.
        ValueError: for a negative ``max_repairs``.
    """
    chosen = drafter if drafter is not None else default_drafter(settings, catalog)
    # a drafter that does not read the candidates (the offline planner) gets them from
    # BM25 alone: loading the embedding model would cost seconds for nothing
    retrieval = settings.agent_embeddings if getattr(chosen, "uses_candidates", True) else "off"
    graph = build_graph(chosen, catalog, max_repairs=max_repairs, embeddings=retrieval)
    state = PlanState(request=request, answers=dict(answers or {}), assume_defaults=assume_defaults)
    config: RunnableConfig = {"recursion_limit": recursion_limit(max_repairs)}
    out = await graph.ainvoke(state, config=config)
    result = out.get("result") if isinstance(out, Mapping) else getattr(out, "result", None)
    if not isinstance(result, PlanResult):  # pragma: no cover - the graph always ends in done
        raise PlanningError(
            "the planning graph ended without a result", hint="this is a bug in ODP"
        )
    return result
