"""The planning graph's state: what each node reads and what it hands on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from odp.agent.drafting import Draft
from odp.agent.models import PlanAttempt, PlanResult
from odp.spec import Diagnostic

__all__ = ["PlanState"]


@dataclass(kw_only=True)
class PlanState:
    """The state of one planning run, updated node by node.

    Attributes:
        request: the request, whitespace normalised by the ``understand`` node.
        answers: answers to questions, by ``Question.slot`` (defaults join when taken).
        assume_defaults: take the questions' defaults instead of asking.
        queries: the texts searched in the catalog (the request and its clauses).
        candidates: the ids of the methods retrieved for the request, best first.
        draft: the latest draft.
        attempts: every draft so far, with the validator's findings.
        diagnostics: the validator's findings on the latest draft.
        repairs: how many repair rounds have run.
        defaults_taken: whether the questions' defaults were already filled in.
        error: why planning stopped early (the drafter failed, the request is empty).
        result: the outcome, set by the ``done`` node.
    """

    request: str
    answers: dict[str, Any] = field(default_factory=dict)
    assume_defaults: bool = False
    queries: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    draft: Draft | None = None
    attempts: list[PlanAttempt] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    repairs: int = 0
    defaults_taken: bool = False
    error: Diagnostic | None = None
    result: PlanResult | None = None
