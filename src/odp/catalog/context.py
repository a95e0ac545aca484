"""What a method implementation gets besides its params."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog

from odp.artifacts import ArtifactStore
from odp.config import Settings

__all__ = ["MethodContext"]


def _no_heartbeat(*_details: Any) -> None:
    return None


@dataclass(slots=True)
class MethodContext:
    """The run, the step and the services a method may use.

    Attributes:
        run_id: the run's id (the Temporal workflow id).
        step: the step's name in the pipeline.
        method_id: the method being run.
        workspace: the workspace the run belongs to.
        store: the artifact store of that workspace.
        settings: the process's settings (addresses of outside services).
        attempt: 1 for the first attempt, 2 for the first retry, ...
        heartbeat: call it during long work so that a dead worker is noticed.
        log: a logger bound to the run, step, method and workspace.
        materialize: whether the output must be written out; when false (the output
            feeds exactly one step), a method may return a lazy view instead, so that the
            steps run as one fused query.
    """

    run_id: str
    step: str
    method_id: str
    store: ArtifactStore
    settings: Settings
    workspace: str = "default"
    attempt: int = 1
    heartbeat: Callable[..., None] = _no_heartbeat
    materialize: bool = True
    log: structlog.stdlib.BoundLogger = field(
        default_factory=lambda: structlog.stdlib.get_logger("odp.method")
    )

    @property
    def idempotency_key(self) -> str:
        """A key that is the same for every attempt of this step in this run.

        Sinks use it so that a retried write does not duplicate rows or files.
        """
        return f"{self.run_id}:{self.step}"

    @classmethod
    def for_testing(
        cls,
        store: ArtifactStore,
        *,
        settings: Settings | None = None,
        step: str = "step",
        method_id: str = "test.method.run",
        run_id: str = "run-test",
    ) -> MethodContext:
        """A context for calling a method directly (tests, notebooks)."""
        return cls(
            run_id=run_id,
            step=step,
            method_id=method_id,
            store=store,
            settings=settings or Settings(),
        )
