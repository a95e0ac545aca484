"""The planning graph's nodes: understand, retrieve, draft, validate, repair, done.

Each node takes the :class:`~odp.agent.state.PlanState` and returns the fields it
changes. The drafter and the catalog are bound when the graph is built; nothing of them
enters the state but method ids, drafts and diagnostics.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, Literal, cast

import structlog
import yaml
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool

from odp.agent.drafting import Draft, Drafter
from odp.agent.explain import explain
from odp.agent.models import PlanAttempt, PlanResult, PlanStatus
from odp.agent.retrieval import EmbeddingMode, MethodRetriever
from odp.agent.review import DRAFT_FILE, draft_yaml, review_draft, unanswered
from odp.agent.state import PlanState
from odp.agent.tools import search_methods_tool
from odp.catalog import Catalog, MethodSpec
from odp.errors import PlanningError
from odp.spec import Diagnostic, has_errors

__all__ = ["MAX_CANDIDATES", "PlanningNodes", "drafter_of", "split_clauses"]

MAX_CANDIDATES: Final = 12
"""The most methods handed to the drafter (and so put in an LLM's output schema)."""

_PER_QUERY: Final = 4
_MAX_QUERIES: Final = 16  # the request and its first clauses: a long text costs no more
_CLAUSE: Final = re.compile(
    r"\s*(?:[,;]\s*|\.\s+|\band then\b|\bthen\b|\band\b|\bafterwards\b|\bafter that\b)\s*", re.I
)
_log = structlog.stdlib.get_logger("odp.agent")

Route = Literal["validate", "repair", "assume_defaults", "done"]


def split_clauses(request: str) -> list[str]:
    """The request's clauses (split at commas, ``and``, ``then``), for retrieval."""
    return [c for c in (part.strip() for part in _CLAUSE.split(request)) if len(c) > 1]


class PlanningNodes:
    """The nodes of a planning graph, bound to a catalog; the drafter comes with each run.

    The drafter is read from the run's config (``configurable.drafter``, set by
    :func:`~odp.agent.graph.build_graph`), so that one compiled graph serves every drafter.

    Args:
        catalog: the methods a pipeline may use; the validator's reference.
        max_repairs: the most repair rounds after the first draft.
    """

    def __init__(self, catalog: Catalog, *, max_repairs: int) -> None:
        self.catalog = catalog
        self.max_repairs = max_repairs
        self._searches: dict[EmbeddingMode | None, BaseTool] = {}

    # ------------------------------------------------------------------ nodes
    async def understand(self, state: PlanState) -> dict[str, Any]:
        """Normalise the request and split it into the clauses searched for methods."""
        request = " ".join(state.request.split())
        if not request:
            return {
                "request": request,
                "error": Diagnostic(
                    code="empty-request",
                    message="the request is empty",
                    hint='say what the pipeline should do, e.g. "read orders.csv and keep '
                    'the delivered ones"',
                ),
            }
        clauses = split_clauses(request)
        queries = list(dict.fromkeys([request, *clauses]))[:_MAX_QUERIES]
        return {"request": request, "queries": queries}

    def search(self, embeddings: EmbeddingMode | None = None) -> BaseTool:
        """The search tool for an embedding mode (None: ``ODP_AGENT_EMBEDDINGS``)."""
        tool = self._searches.get(embeddings)
        if tool is None:
            retriever = MethodRetriever(self.catalog, embeddings=embeddings)
            tool = self._searches[embeddings] = search_methods_tool(self.catalog, retriever)
        return tool

    async def retrieve(self, state: PlanState, config: RunnableConfig) -> dict[str, Any]:
        """Search the catalog for each clause (through the search tool); best first.

        The embedding mode is the run's ``configurable.embeddings`` (see
        :func:`~odp.agent.graph.build_graph`).
        """
        search = self.search(config.get("configurable", {}).get("embeddings"))
        ids: list[str] = []
        for position, query in enumerate(state.queries):
            limit = 2 * _PER_QUERY if position == 0 else _PER_QUERY
            hits = cast(
                "list[dict[str, Any]]",
                await search.ainvoke({"query": query, "limit": limit}),
            )
            ids.extend(hit["id"] for hit in hits)
        candidates = list(dict.fromkeys(ids))[:MAX_CANDIDATES] or self.catalog.ids()
        return {"candidates": candidates}

    async def draft(self, state: PlanState, config: RunnableConfig) -> dict[str, Any]:
        """Ask the drafter for a first draft."""
        drafter = drafter_of(config)
        return await self._attempt(
            state,
            drafter,
            lambda: drafter.draft(state.request, self._specs(state), answers=dict(state.answers)),
            round=0,
        )

    async def repair(self, state: PlanState, config: RunnableConfig) -> dict[str, Any]:
        """Ask the drafter to fix the latest draft from the validator's diagnostics."""
        drafter = drafter_of(config)
        previous = state.draft
        assert previous is not None  # the graph repairs only after a draft
        round_ = state.repairs + 1
        update = await self._attempt(
            state,
            drafter,
            lambda: drafter.repair(
                state.request,
                previous,
                state.diagnostics,
                self._specs(state),
                answers=dict(state.answers),
            ),
            round=round_,
        )
        return update | {"repairs": round_}

    async def validate(self, state: PlanState) -> dict[str, Any]:
        """Validate the latest draft with :mod:`odp.spec`; record the findings on its attempt."""
        assert state.draft is not None
        _, diagnostics = review_draft(state.draft.pipeline, self.catalog)
        attempts = list(state.attempts)
        attempts[-1] = attempts[-1].model_copy(update={"diagnostics": diagnostics})
        return {"diagnostics": diagnostics, "attempts": attempts}

    async def assume_defaults(self, state: PlanState) -> dict[str, Any]:
        """Answer the open questions with their defaults, so that the drafter drafts again."""
        assert state.draft is not None
        defaults = {
            q.slot: q.default
            for q in unanswered(state.draft.questions, state.answers)
            if q.default is not None
        }
        return {"answers": {**state.answers, **defaults}, "defaults_taken": True}

    async def done(self, state: PlanState, config: RunnableConfig) -> dict[str, Any]:
        """Turn the state into a :class:`PlanResult`: ok, needs_input or failed."""
        draft = state.draft
        pipeline = draft.pipeline if draft is not None else None
        text = _yaml_or_none(pipeline)
        questions = unanswered(draft.questions, state.answers) if draft is not None else []
        diagnostics = list(state.diagnostics)
        if state.error is not None:
            status = PlanStatus.FAILED
            diagnostics = [*diagnostics, state.error]
        elif questions:
            status = PlanStatus.NEEDS_INPUT
        elif draft is not None and pipeline is not None and not has_errors(diagnostics):
            status = PlanStatus.OK
        else:
            status = PlanStatus.FAILED
        explanation = (
            explain(state.request, pipeline, draft.notes, self.catalog) if draft is not None else []
        )
        result = PlanResult(
            status=status,
            request=state.request,
            yaml=text,
            pipeline=pipeline if isinstance(pipeline, dict) else None,
            explanation=explanation,
            questions=questions if status is PlanStatus.NEEDS_INPUT else [],
            diagnostics=diagnostics,
            attempts=list(state.attempts),
        )
        _log.debug(
            "planned",
            status=status.value,
            drafter=drafter_of(config).name,
            attempts=len(result.attempts),
            errors=sum(1 for d in diagnostics if d.severity == "error"),
        )
        return {"result": result}

    # ------------------------------------------------------------------ routing
    def after_draft(self, state: PlanState) -> Route:
        """Validate a draft; stop when the drafter failed."""
        return "done" if state.error is not None else "validate"

    def after_validate(self, state: PlanState) -> Route:
        """Ask, take defaults, finish, or repair (while rounds are left)."""
        assert state.draft is not None
        open_questions = unanswered(state.draft.questions, state.answers)
        if open_questions:
            can_default = any(q.default is not None for q in open_questions)
            if state.assume_defaults and not state.defaults_taken and can_default:
                return "assume_defaults"
            return "done"
        if not has_errors(state.diagnostics) and state.draft.pipeline is not None:
            return "done"
        return "repair" if state.repairs < self.max_repairs else "done"

    # ------------------------------------------------------------------ helpers
    def _specs(self, state: PlanState) -> list[MethodSpec[Any, Any]]:
        return [spec for i in state.candidates if (spec := self.catalog.find(i)) is not None]

    async def _attempt(
        self,
        state: PlanState,
        drafter: Drafter,
        call: Callable[[], Awaitable[Draft]],
        *,
        round: int,
    ) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            draft: object = await call()
        except Exception as e:  # a drafter's failure is a failed plan, never a traceback
            _log.warning("drafter_failed", drafter=drafter.name, error=repr(e))
            return {"error": _drafter_error(drafter.name, e, round)}
        seconds = time.perf_counter() - started
        if not isinstance(draft, Draft):
            return {
                "error": Diagnostic(
                    code="drafter-error",
                    message=f"{drafter.name} returned {type(draft).__name__}, not a draft",
                    file=DRAFT_FILE,
                    hint="this is a bug in the drafter",
                )
            }
        attempt = PlanAttempt(
            round=round,
            drafter=drafter.name,
            raw=draft.raw,
            pipeline=draft.pipeline if isinstance(draft.pipeline, dict) else None,
            seconds=seconds,
        )
        return {"draft": draft, "attempts": [*state.attempts, attempt]}


def drafter_of(config: RunnableConfig) -> Drafter:
    """The drafter of a run (``configurable.drafter`` in its config).

    Raises:
        PlanningError: when the graph was invoked without one.
    """
    drafter = config.get("configurable", {}).get("drafter")
    if drafter is None:
        raise PlanningError(
            "the planning graph was run without a drafter",
            hint="build it with odp.agent.build_graph(drafter, catalog)",
        )
    return cast("Drafter", drafter)


def _yaml_or_none(pipeline: Any) -> str | None:
    if pipeline is None:
        return None
    try:
        return draft_yaml(pipeline)
    except yaml.YAMLError:  # reported by validation already
        return None


def _drafter_error(name: str, error: Exception, round: int) -> Diagnostic:
    stage = "the first draft" if round == 0 else f"repair round {round}"
    detail = str(error) or type(error).__name__
    return Diagnostic(
        code="drafter-error",
        message=f"{name} failed during {stage}: {type(error).__name__}: {detail}",
        file=DRAFT_FILE,
        hint="check the LLM settings (ODP_LLM_*) and that the endpoint answers, "
        "or unset ODP_LLM_PROVIDER to plan with the offline planner",
    )
