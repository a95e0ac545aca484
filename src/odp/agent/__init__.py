"""Plain language to a validated pipeline: the LangGraph agent and the offline planner."""

from odp.agent.drafting import Draft, Drafter
from odp.agent.graph import DEFAULT_MAX_REPAIRS, build_graph
from odp.agent.llm import LLMDrafter, chat_model, llm_drafter
from odp.agent.models import PlanAttempt, PlanResult, PlanStatus, Question, StepNote
from odp.agent.planner import default_drafter, plan_request
from odp.agent.state import PlanState

__all__ = [
    "DEFAULT_MAX_REPAIRS",
    "Draft",
    "Drafter",
    "LLMDrafter",
    "PlanAttempt",
    "PlanResult",
    "PlanState",
    "PlanStatus",
    "Question",
    "StepNote",
    "build_graph",
    "chat_model",
    "default_drafter",
    "llm_drafter",
    "plan_request",
]
