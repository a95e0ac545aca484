"""The compiled plan: a validated pipeline with its methods resolved, ready to run."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from pydantic import BaseModel, Field

from odp.catalog import Catalog, MethodKind
from odp.spec.diagnostics import PipelineInvalid
from odp.spec.graph import topological_order
from odp.spec.models import RetryPolicy, Section
from odp.spec.validate import ValidationResult

__all__ = ["Plan", "PlannedStep", "compile_plan"]


class PlannedStep(BaseModel):
    """One step as the engine runs it: retry, timeout and queue resolved."""

    name: str
    method: str
    method_version: str
    kind: MethodKind
    section: Section
    params: dict[str, Any] = Field(description="The params, templates not yet resolved.")
    depends_on: list[str] = Field(default_factory=list)
    retry: RetryPolicy
    timeout: dt.timedelta
    queue: str | None = None
    cache: bool = True
    materialize: bool = Field(
        default=True,
        description="Whether the output must be written out; false when exactly one step "
        "consumes it, so that a relational method may hand it on as a lazy view.",
    )
    local: bool = Field(
        default=False,
        description="Run as a local activity on the workflow's worker (short in-process "
        "methods that are not routed to a queue).",
    )


class Plan(BaseModel):
    """What ``PipelineWorkflow`` runs. Steps come in a topological order."""

    schema_version: int = 1
    pipeline: str
    description: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    steps: list[PlannedStep]
    source_sha256: str | None = None

    def step(self, name: str) -> PlannedStep:
        """The planned step with this name.

        Raises:
            KeyError: when there is none.
        """
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def dependents(self, name: str) -> list[str]:
        """The steps that need ``name``."""
        return [s.name for s in self.steps if name in s.depends_on]


def compile_plan(result: ValidationResult, catalog: Catalog) -> Plan:
    """Turn a successful validation into a plan.

    Raises:
        PipelineInvalid: when validation found errors.
    """
    if not result.ok or result.pipeline is None:
        raise PipelineInvalid(result.diagnostics)
    pipeline = result.pipeline
    by_name = {step.name: (section, step) for section, _, step in pipeline.steps()}
    consumers: dict[str, int] = {}
    for needs in result.dependencies.values():
        for need in needs:
            consumers[need] = consumers.get(need, 0) + 1
    steps: list[PlannedStep] = []
    for name in topological_order(result.dependencies):
        section, step = by_name[name]
        spec = catalog.get(step.method)
        retry = step.retry or RetryPolicy(
            max_attempts=spec.retry.max_attempts,
            initial_interval=spec.retry.initial_interval,
            backoff=spec.retry.backoff,
            max_interval=spec.retry.max_interval,
        )
        steps.append(
            PlannedStep(
                name=step.name,
                method=spec.id,
                method_version=spec.version,
                kind=spec.kind,
                section=section,
                params=step.params,
                depends_on=list(result.dependencies.get(name, [])),
                retry=retry,
                timeout=step.timeout or spec.timeout,
                queue=step.queue or spec.queue,
                cache=step.cache and spec.cacheable,
                materialize=consumers.get(name, 0) != 1,
                local=spec.local and not (step.queue or spec.queue),
            )
        )
    sha = hashlib.sha256(result.source.encode()).hexdigest() if result.source is not None else None
    return Plan(
        pipeline=pipeline.name,
        description=pipeline.description,
        params=result.params,
        steps=steps,
        source_sha256=sha,
    )
