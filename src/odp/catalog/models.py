"""What a method is: its spec, its params and output base models, its defaults."""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_type_hints

from pydantic import BaseModel, ConfigDict, Field

from odp.errors import CatalogError

if TYPE_CHECKING:
    from odp.catalog.context import MethodContext

__all__ = [
    "METHOD_ID_PATTERN",
    "MethodExample",
    "MethodInfo",
    "MethodKind",
    "MethodOutput",
    "MethodParams",
    "MethodSpec",
    "ParamIssue",
    "RetryDefaults",
    "StaticCheck",
]

METHOD_ID_PATTERN = r"^\w+\.\w+\.\w+$"
_METHOD_ID = re.compile(METHOD_ID_PATTERN)


class MethodKind(enum.StrEnum):
    """Where a method sits in a pipeline."""

    SOURCE = "source"
    TRANSFORM = "transform"
    SINK = "sink"


class MethodParams(BaseModel):
    """Base of every method's params model.

    Unknown params are errors; numbers are accepted where text is expected, so that
    ``{{ params.limit }}`` can fill a text param.
    """

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class MethodOutput(BaseModel):
    """Base of every method's output model."""

    model_config = ConfigDict(extra="forbid")


class RetryDefaults(BaseModel):
    """A method's default retry policy, used when a step does not set its own."""

    model_config = ConfigDict(frozen=True)

    max_attempts: int = Field(default=3, ge=1)
    initial_interval: dt.timedelta = dt.timedelta(seconds=1)
    backoff: float = Field(default=2.0, ge=1.0)
    max_interval: dt.timedelta = dt.timedelta(seconds=60)


class MethodExample(BaseModel):
    """One way to use a method, shown in docs and fed to the agent."""

    model_config = ConfigDict(frozen=True)

    description: str
    params: dict[str, Any]


class MethodInfo(BaseModel):
    """The JSON-friendly description of a method, as the CLI and the API show it."""

    id: str
    kind: MethodKind
    version: str
    summary: str
    description: str
    params_schema: dict[str, Any]
    output_schema: dict[str, Any]
    examples: list[MethodExample]
    retry: RetryDefaults
    timeout_seconds: float
    queue: str | None
    tags: list[str]
    cacheable: bool = True
    local: bool = False
    available: bool
    unavailable_reason: str | None = None


P = TypeVar("P", bound=MethodParams)
Out = TypeVar("Out", bound=MethodOutput)

Implementation = Callable[[P, "MethodContext"], Awaitable[Out]]


@dataclass(frozen=True, slots=True)
class ParamIssue:
    """A problem a method's static check found in its params."""

    field: str
    message: str
    hint: str | None = None
    code: str = "invalid-param"


StaticCheck = Callable[[dict[str, Any]], list[ParamIssue]]
"""A method's extra validation of literal params, run by ``odp validate``.

Used for checks that need more than the params model, e.g. that a named model exists
in the registry. Params holding templates are left out of the mapping it gets.
"""


@dataclass(frozen=True, slots=True)
class MethodSpec(Generic[P, Out]):
    """A registered method: its id, its contract and its implementation.

    Attributes:
        id: ``domain.provider.action``.
        kind: source, transform or sink.
        params_model: the Pydantic model of its params.
        output_model: the Pydantic model of its output.
        impl: the async implementation ``(params, ctx) -> output``.
        summary: one line.
        description: the full text (the implementation's docstring by default).
        examples: params that work.
        version: bumped when the output for the same input changes (it is part of
            the step cache key).
        retry: default retry policy.
        timeout: default start-to-close timeout.
        queue: default task queue (None: the worker's default queue).
        tags: extra words for search.
        requires: import names the method needs (an optional extra); when one is
            missing the method is listed but refuses to run and says how to install it.
        install_hint: what to install when ``requires`` is not met.
        checks: extra static checks over literal params.
        cacheable: whether equal params give equal outputs, so that the step cache may
            reuse them; false for methods that read something that changes under the
            same params (a model alias, a live registry).
        local: whether the method is short, in-process work (a DuckDB or polars query, a
            local file): the engine may run it as a Temporal local activity on the
            workflow's own worker, which costs a few milliseconds instead of a round trip
            through the task queue. Never for calls to outside services or long work.
    """

    id: str
    kind: MethodKind
    params_model: type[P]
    output_model: type[Out]
    impl: Callable[[P, MethodContext], Awaitable[Out]]
    summary: str
    description: str = ""
    examples: tuple[MethodExample, ...] = ()
    version: str = "1"
    retry: RetryDefaults = field(default_factory=RetryDefaults)
    timeout: dt.timedelta = dt.timedelta(minutes=10)
    queue: str | None = None
    tags: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    install_hint: str | None = None
    checks: tuple[StaticCheck, ...] = ()
    cacheable: bool = True
    local: bool = False

    def __post_init__(self) -> None:
        if not _METHOD_ID.match(self.id):
            raise CatalogError(
                f"method id {self.id!r} is not of the form domain.provider.action",
                hint="use three dot-separated words, e.g. social.twitter.search",
            )

    async def __call__(self, params: P, ctx: MethodContext) -> Out:
        """Run the implementation (tests call methods like functions)."""
        return await self.impl(params, ctx)

    @property
    def unavailable_reason(self) -> str | None:
        """Why the method cannot run in this installation, or None when it can."""
        import importlib.util

        missing = [name for name in self.requires if importlib.util.find_spec(name) is None]
        if not missing:
            return None
        hint = self.install_hint or "pip install 'odp[ml]'"
        return f"needs {', '.join(missing)}: install it with {hint}"

    def info(self) -> MethodInfo:
        """The method as JSON-friendly data."""
        reason = self.unavailable_reason
        return MethodInfo(
            id=self.id,
            kind=self.kind,
            version=self.version,
            summary=self.summary,
            description=self.description,
            params_schema=self.params_model.model_json_schema(),
            output_schema=self.output_model.model_json_schema(),
            examples=list(self.examples),
            retry=self.retry,
            timeout_seconds=self.timeout.total_seconds(),
            queue=self.queue,
            tags=list(self.tags),
            cacheable=self.cacheable,
            local=self.local,
            available=reason is None,
            unavailable_reason=reason,
        )


def models_from_signature(
    fn: Callable[..., Any],
) -> tuple[type[MethodParams], type[MethodOutput]]:
    """Read the params and output models from an implementation's annotations."""
    hints = get_type_hints(fn)
    params = list(inspect.signature(fn).parameters)
    if len(params) != 2:
        raise CatalogError(
            f"method implementation {fn.__qualname__} must take (params, ctx)",
            hint="write it as `async def impl(params: MyParams, ctx: MethodContext) -> MyOutput`",
        )
    params_model = hints.get(params[0])
    output_model = hints.get("return")
    if not (isinstance(params_model, type) and issubclass(params_model, MethodParams)):
        raise CatalogError(
            f"the first argument of {fn.__qualname__} must be annotated with a MethodParams model"
        )
    if not (isinstance(output_model, type) and issubclass(output_model, MethodOutput)):
        raise CatalogError(f"{fn.__qualname__} must return a MethodOutput model")
    return params_model, output_model
