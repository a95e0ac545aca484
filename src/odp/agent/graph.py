"""The planning graph: understand → retrieve → draft → validate → (repair → validate)* → done.

Built as in langchain-ai/react-agent: :func:`build_graph` gives the compiled graph for a
drafter and a catalog (compiled on first use per catalog; nothing at import time), the
drafter travelling in the run's config.
"""

from __future__ import annotations

import weakref
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from odp.agent.drafting import Drafter
from odp.agent.nodes import PlanningNodes
from odp.agent.retrieval import EmbeddingMode
from odp.agent.state import PlanState
from odp.catalog import Catalog

__all__ = ["DEFAULT_MAX_REPAIRS", "CompiledGraph", "build_graph", "recursion_limit"]

DEFAULT_MAX_REPAIRS = 3


def recursion_limit(max_repairs: int) -> int:
    """Steps the graph can take with ``max_repairs`` rounds, with room to spare.

    understand, retrieve, draft, validate, one redraft with defaults (assume_defaults,
    draft, validate), two steps per repair round, done.
    """
    return 8 + 2 * max_repairs + 4


CompiledGraph = CompiledStateGraph[Any, Any, Any, Any]
_COMPILED: weakref.WeakKeyDictionary[Catalog, dict[int, CompiledGraph]] = (
    weakref.WeakKeyDictionary()
)
"""Compiled graphs by catalog and repair bound (filled on first use, never at import)."""


def _compile(catalog: Catalog, max_repairs: int) -> CompiledGraph:
    nodes = PlanningNodes(catalog, max_repairs=max_repairs)
    graph = StateGraph(PlanState)
    graph.add_node("understand", nodes.understand)
    graph.add_node("retrieve", nodes.retrieve)
    graph.add_node("draft", nodes.draft)
    graph.add_node("validate", nodes.validate)
    graph.add_node("repair", nodes.repair)
    graph.add_node("assume_defaults", nodes.assume_defaults)
    graph.add_node("done", nodes.done)
    graph.add_edge(START, "understand")
    graph.add_conditional_edges(
        "understand",
        lambda state: "done" if state.error is not None else "retrieve",
        ["retrieve", "done"],
    )
    graph.add_edge("retrieve", "draft")
    graph.add_conditional_edges("draft", nodes.after_draft, ["validate", "done"])
    graph.add_conditional_edges("repair", nodes.after_draft, ["validate", "done"])
    graph.add_conditional_edges(
        "validate", nodes.after_validate, ["repair", "assume_defaults", "done"]
    )
    graph.add_edge("assume_defaults", "draft")
    graph.add_edge("done", END)
    return graph.compile(name="odp-planner")


def build_graph(
    drafter: Drafter,
    catalog: Catalog,
    *,
    max_repairs: int = DEFAULT_MAX_REPAIRS,
    embeddings: EmbeddingMode | None = None,
) -> CompiledGraph:
    """The compiled planning graph for one drafter and catalog.

    The graph is compiled once per catalog and repair bound (on first use) and bound to
    the drafter through its config, so that a service making a drafter per request does
    not compile a graph per request. It carries ``recursion_limit(max_repairs)``: the
    repair loop ends by itself after ``max_repairs`` rounds, so the limit is never hit.

    Args:
        drafter: who writes and repairs drafts (the LLM drafter or the offline planner).
        catalog: the methods the pipeline may use; the validator checks against it.
        max_repairs: the most repair rounds after the first draft (0: no repair).
        embeddings: whether retrieval uses sentence embeddings (``auto``, ``on``,
            ``off``; None: ``ODP_AGENT_EMBEDDINGS``).

    Raises:
        ValueError: for a negative ``max_repairs``.
    """
    if max_repairs < 0:
        raise ValueError(f"max_repairs must be 0 or more, not {max_repairs}")
    by_bound = _COMPILED.setdefault(catalog, {})
    compiled = by_bound.get(max_repairs)
    if compiled is None:
        compiled = by_bound[max_repairs] = _compile(catalog, max_repairs)
    return compiled.with_config(
        configurable={"drafter": drafter, "embeddings": embeddings},
        recursion_limit=recursion_limit(max_repairs),
    )
