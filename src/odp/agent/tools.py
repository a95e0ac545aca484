"""The agent's tools: catalog search, as a LangChain tool the graph (or a model) can call.

The search is the :class:`~odp.agent.retrieval.MethodRetriever`'s: BM25, fused with
sentence embeddings when the ``ml`` extra is installed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from odp.agent.retrieval import MethodRetriever
from odp.catalog import Catalog, MethodKind

__all__ = ["SearchMethodsArgs", "search_methods_tool"]


class SearchMethodsArgs(BaseModel):
    """What to look for in the catalog."""

    query: str = Field(description="Plain words describing the step, e.g. 'save as csv'.")
    kind: MethodKind | None = Field(default=None, description="source, transform or sink.")
    limit: int = Field(default=5, ge=1, le=50, description="The most methods to return.")


def search_methods_tool(catalog: Catalog, retriever: MethodRetriever | None = None) -> BaseTool:
    """A tool that searches ``catalog`` and returns its best methods as small records.

    Each record has the method's ``id``, ``kind``, ``summary`` and search ``score``.

    Args:
        catalog: the methods to search.
        retriever: how to rank them (default: a retriever over ``catalog`` following
            ``ODP_AGENT_EMBEDDINGS``).
    """
    ranker = retriever if retriever is not None else MethodRetriever(catalog)

    async def search_methods(
        query: str, kind: MethodKind | None = None, limit: int = 5
    ) -> list[dict[str, Any]]:
        # in a thread: the first search with embeddings loads the model (seconds)
        hits = await asyncio.to_thread(ranker.hits, query, kind=kind, limit=limit)
        return [
            {
                "id": hit.spec.id,
                "kind": hit.spec.kind.value,
                "summary": hit.spec.summary,
                "score": round(hit.score, 4) if hit.score != float("inf") else 1e9,
            }
            for hit in hits
        ]

    return StructuredTool.from_function(
        coroutine=search_methods,
        name="search_methods",
        description="Search the ODP method catalog for the methods that fit a task.",
        args_schema=SearchMethodsArgs,
    )
