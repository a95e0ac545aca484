"""The offline planner: plain language to a pipeline with rules over the catalog, no model."""

from odp.agent.offline.clauses import Clause, Request, read_request
from odp.agent.offline.planner import OfflinePlanner, dump_pipeline

__all__ = ["Clause", "OfflinePlanner", "Request", "dump_pipeline", "read_request"]
