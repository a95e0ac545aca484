"""The offline planner: a pipeline from a request with no model, only the catalog and rules.

It reads the request (:mod:`~odp.agent.offline.clauses`), finds what each clause asks
for (:mod:`~odp.agent.offline.intents`), fills params from the words
(:mod:`~odp.agent.offline.slots`) and chains the steps
(:mod:`~odp.agent.offline.chain`). Every method comes from the catalog; a clause the
rules do not understand falls back on the catalog's ranked search. It is deterministic:
the same request and answers give the same YAML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from odp.agent.drafting import Draft
from odp.agent.offline.chain import Builder
from odp.agent.offline.clauses import Clause, Request, read_request
from odp.agent.offline.columns import ColumnBook
from odp.agent.offline.intents import clause_intents
from odp.agent.offline.repair import repair_pipeline
from odp.agent.retrieval import EmbeddingMode, MethodRetriever
from odp.catalog import Catalog, MethodSpec
from odp.spec import Diagnostic

__all__ = ["OfflinePlanner", "dump_pipeline"]


def dump_pipeline(pipeline: Mapping[str, Any]) -> str:
    """A pipeline as YAML, keys in the order written."""
    return yaml.safe_dump(dict(pipeline), sort_keys=False, allow_unicode=True, width=100)


def _stands_alone(clause: Clause, request: Request) -> bool:
    return bool(clause_intents(clause, request))


class OfflinePlanner:
    """Drafts pipelines with rules over the catalog: the drafter used without an LLM.

    Args:
        catalog: the methods a draft may use.
        embeddings: whether the search for clauses no rule reads uses sentence
            embeddings (``auto``, ``on``, ``off``; None: ``ODP_AGENT_EMBEDDINGS``).
    """

    uses_candidates = False
    """The planner retrieves per clause itself: the graph's candidates are not read, so the
    graph need not pay for embedding them."""

    def __init__(self, catalog: Catalog, *, embeddings: EmbeddingMode | None = None) -> None:
        self.catalog = catalog
        self.columns = ColumnBook(catalog)
        self.retriever = MethodRetriever(catalog, embeddings=embeddings)

    @property
    def name(self) -> str:
        """``offline``."""
        return "offline"

    def plan(self, request: str, answers: Mapping[str, Any] | None = None) -> Draft:
        """A draft for a request (the synchronous core of :meth:`draft`)."""
        builder = Builder(self.catalog, self.columns, answers or {}, retriever=self.retriever)
        builder.build(read_request(request, stands_alone=_stands_alone))
        pipeline = builder.pipeline()
        return Draft(
            pipeline=pipeline,
            raw=dump_pipeline(pipeline),
            notes=builder.notes(),
            questions=tuple(builder.questions),
        )

    async def draft(
        self,
        request: str,
        candidates: Sequence[MethodSpec[Any, Any]],
        *,
        answers: Mapping[str, Any],
    ) -> Draft:
        """A first draft; the candidates are not needed (the rules retrieve their own)."""
        return self.plan(request, answers)

    async def repair(
        self,
        request: str,
        previous: Draft,
        diagnostics: Sequence[Diagnostic],
        candidates: Sequence[MethodSpec[Any, Any]],
        *,
        answers: Mapping[str, Any],
    ) -> Draft:
        """A draft with the fixes the diagnostics allow, or ``previous`` when none applies."""
        if previous.pipeline is None:
            return self.plan(request, answers)
        fixed, questions = repair_pipeline(previous.pipeline, diagnostics, self.catalog)
        known = {q.slot for q in previous.questions}
        asked = previous.questions + tuple(q for q in questions if q.slot not in known)
        if fixed is None:
            if len(asked) == len(previous.questions):
                return previous
            return Draft(previous.pipeline, previous.raw, previous.notes, asked)
        return Draft(fixed, dump_pipeline(fixed), previous.notes, asked)
