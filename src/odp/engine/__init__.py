"""Durable execution on Temporal: the pipeline workflow, step activities, workers, client."""

from odp.engine.client import EngineClient, RunInfo, connect, new_run_id
from odp.engine.devserver import EmbeddedTemporal, ServerInfo
from odp.engine.models import (
    MAX_OUTPUT_BYTES,
    LifecycleInput,
    PipelineInput,
    PipelineResult,
    RunProgress,
    RunState,
    StepError,
    StepInput,
    StepOutput,
    StepState,
    StepStatus,
)
from odp.engine.runtime import Engine, open_engine
from odp.engine.worker import create_workers, ensure_search_attributes
from odp.engine.workflows import EVENTS_PATCH, PUBLISH_LIFECYCLE, RUN_STEP, PipelineWorkflow

__all__ = [
    "EVENTS_PATCH",
    "MAX_OUTPUT_BYTES",
    "PUBLISH_LIFECYCLE",
    "RUN_STEP",
    "EmbeddedTemporal",
    "Engine",
    "EngineClient",
    "LifecycleInput",
    "PipelineInput",
    "PipelineResult",
    "PipelineWorkflow",
    "RunInfo",
    "RunProgress",
    "RunState",
    "ServerInfo",
    "StepError",
    "StepInput",
    "StepOutput",
    "StepState",
    "StepStatus",
    "connect",
    "create_workers",
    "ensure_search_attributes",
    "new_run_id",
    "open_engine",
]
