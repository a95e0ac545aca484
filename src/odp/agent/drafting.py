"""The drafter contract: what the planning graph asks of whoever writes the pipeline.

Two drafters exist: the LLM drafter (an OpenAI-compatible endpoint or Anthropic) and the
offline planner (catalog retrieval and slot filling, no model). The graph retrieves
candidate methods, asks the drafter for a draft, validates it with :mod:`odp.spec`, and
asks the drafter to repair it from the diagnostics, a bounded number of times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from odp.agent.models import Question, StepNote
from odp.catalog import MethodSpec
from odp.spec import Diagnostic

__all__ = ["Draft", "Drafter"]


@dataclass(frozen=True, slots=True)
class Draft:
    """One drafted pipeline, before validation.

    Attributes:
        pipeline: the pipeline as data (the YAML document's mapping); None when the
            drafter's output could not be parsed at all.
        raw: the drafter's raw output (the LLM's text, or the YAML the planner wrote).
        notes: one line per step: what it does and why this method was chosen.
        questions: what the request left open; non-empty means the pipeline cannot be
            finished without answers (each question's ``slot`` is the key its answer
            is given under next time).
    """

    pipeline: dict[str, Any] | None
    raw: str
    notes: tuple[StepNote, ...] = ()
    questions: tuple[Question, ...] = ()


class Drafter(Protocol):
    """Writes and repairs pipeline drafts. Implementations must never return None.

    A drafter that ignores ``candidates`` may say so with a class attribute
    ``uses_candidates = False``; the graph then retrieves them cheaply (BM25 only).
    """

    @property
    def name(self) -> str:
        """Who drafts, for the trace: ``offline`` or ``llm:<provider>/<model>``."""
        ...

    async def draft(
        self,
        request: str,
        candidates: Sequence[MethodSpec[Any, Any]],
        *,
        answers: Mapping[str, Any],
    ) -> Draft:
        """A first draft for a request.

        Args:
            request: what the person asked for, in plain language.
            candidates: methods retrieved from the catalog for the request, best first
                (a drafter may use only catalog methods; it may look up others itself).
            answers: answers to earlier questions, by ``Question.slot``.
        """
        ...

    async def repair(
        self,
        request: str,
        previous: Draft,
        diagnostics: Sequence[Diagnostic],
        candidates: Sequence[MethodSpec[Any, Any]],
        *,
        answers: Mapping[str, Any],
    ) -> Draft:
        """A new draft that addresses the validator's diagnostics on ``previous``."""
        ...
