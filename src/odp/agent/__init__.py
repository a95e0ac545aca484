"""Plain language to a validated pipeline: the LangGraph agent and the offline planner."""

from odp.agent.models import PlanAttempt, PlanResult, PlanStatus, Question, StepNote

__all__ = ["PlanAttempt", "PlanResult", "PlanStatus", "Question", "StepNote"]
