"""Workers: poll a task queue and run ODP's workflow and step activities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import structlog
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from odp.catalog import Catalog
from odp.config import Settings
from odp.engine.activities import StepActivities
from odp.engine.devserver import SEARCH_ATTRIBUTES
from odp.engine.workflows import PipelineWorkflow
from odp.events import EventPublisher

__all__ = ["create_workers", "ensure_search_attributes", "workflow_runner"]

_log = structlog.stdlib.get_logger("odp.worker")

# modules the workflow sandbox may share with the host process: ODP's models and what
# they import are deterministic data definitions, and re-importing them per workflow
# would be slow
PASSTHROUGH = (
    "odp",
    "pydantic",
    "pydantic_core",
    "polars",
    "pyarrow",
    "duckdb",
    "fsspec",
    "yaml",
    "structlog",
)


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox ODP's workflows run in (workers and replay tests use the same one)."""
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
    )


def create_workers(
    client: Client,
    settings: Settings,
    catalog: Catalog,
    *,
    queues: Sequence[str] = (),
    workflows: bool = True,
    max_concurrent_activities: int | None = None,
    publisher: EventPublisher | None = None,
) -> list[Worker]:
    """Workers for the default queue (workflows and steps) and for extra step queues.

    Args:
        client: a connected client (see :func:`odp.engine.client.connect`).
        settings: this process's settings.
        catalog: the methods this worker can run.
        queues: task queues to poll for steps; empty means the default queue.
        workflows: whether to run workflows too (on the default queue only).
        max_concurrent_activities: how many steps may run at once per queue.
        publisher: where the runs' lifecycle events go (None: nowhere).
    """
    activities = StepActivities(catalog, settings, publisher)
    names = list(dict.fromkeys(queues or [settings.task_queue]))
    runner = workflow_runner()
    workers = []
    for name in names:
        with_workflows = workflows and name == settings.task_queue
        workers.append(
            Worker(
                client,
                task_queue=name,
                workflows=[PipelineWorkflow] if with_workflows else [],
                activities=[activities.run_step, activities.publish_lifecycle],
                workflow_runner=runner,
                max_concurrent_activities=max_concurrent_activities
                or settings.worker_max_activities,
                graceful_shutdown_timeout=dt.timedelta(seconds=5),
            )
        )
    return workers


async def ensure_search_attributes(client: Client) -> None:
    """Register ODP's search attributes on a cluster that lacks them (best effort)."""
    try:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=client.namespace,
                search_attributes=dict.fromkeys(
                    SEARCH_ATTRIBUTES, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
                ),
            )
        )
    except RPCError as e:
        if e.status is not RPCStatusCode.ALREADY_EXISTS:
            _log.warning("search_attributes_not_registered", error=e.message)
