"""The planner's contract: what a plan request returns, to the CLI, the API and the evaluator.

Every planner (the LangGraph agent with an LLM, the offline planner) ends in one
`PlanResult`: ``ok`` with a valid pipeline, ``needs_input`` with the questions to ask, or
``failed`` with the last draft, its diagnostics and every attempt. Never ``None``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from odp.spec import Diagnostic


class PlanStatus(StrEnum):
    """How planning ended."""

    OK = "ok"
    NEEDS_INPUT = "needs_input"
    FAILED = "failed"


class Question(BaseModel):
    """Something the request left open that the pipeline needs."""

    model_config = ConfigDict(frozen=True)

    slot: str = Field(description="What is missing, e.g. `query` or `sink.path`.")
    question: str = Field(description="The question to ask the person, in plain words.")
    step: str | None = Field(default=None, description="The step that needs the answer.")
    param: str | None = Field(default=None, description="The step param the answer fills.")
    default: Any = Field(
        default=None, description="The value taken with `--yes` (None: no sensible default)."
    )


class StepNote(BaseModel):
    """One line of the plan's explanation: what a step does and why it was chosen."""

    model_config = ConfigDict(frozen=True)

    step: str = Field(description="The step name.")
    method: str = Field(description="The method id.")
    note: str = Field(description="What the step does and why this method was chosen.")


class PlanAttempt(BaseModel):
    """One draft and what the validator said about it."""

    round: int = Field(description="0 for the first draft, then one per repair round.")
    drafter: str = Field(description="Who drafted: `offline` or `llm:<provider>/<model>`.")
    raw: str = Field(default="", description="The drafter's raw output (LLM text or YAML).")
    pipeline: dict[str, Any] | None = Field(
        default=None, description="The draft as data, when it could be parsed."
    )
    diagnostics: list[Diagnostic] = Field(
        default_factory=list, description="The validator's findings on this draft."
    )
    seconds: float = Field(default=0.0, description="How long the draft took.")


class PlanResult(BaseModel):
    """The outcome of planning one request (the shape of `odp plan --json` and `POST /v1/plan`)."""

    status: PlanStatus = Field(description="ok, needs_input or failed.")
    request: str = Field(description="The request as given.")
    yaml: str | None = Field(
        default=None, description="The pipeline as YAML (last draft if failed)."
    )
    pipeline: dict[str, Any] | None = Field(default=None, description="The pipeline as data.")
    explanation: list[StepNote] = Field(
        default_factory=list, description="One line per step: what it does and why."
    )
    questions: list[Question] = Field(
        default_factory=list, description="What to ask when the status is needs_input."
    )
    diagnostics: list[Diagnostic] = Field(
        default_factory=list, description="The validator's findings on the last draft."
    )
    attempts: list[PlanAttempt] = Field(
        default_factory=list, description="Every draft, in order, with its raw output."
    )

    @property
    def ok(self) -> bool:
        """Whether the plan is a valid pipeline."""
        return self.status is PlanStatus.OK
