"""The pipeline language as Pydantic models."""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from odp.catalog import METHOD_ID_PATTERN

__all__ = [
    "STEP_NAME_PATTERN",
    "Duration",
    "ParamType",
    "Pipeline",
    "PipelineParam",
    "RetryPolicy",
    "Section",
    "Step",
    "parse_duration",
]

STEP_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
PIPELINE_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*[a-z0-9]$"

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: Any) -> Any:
    """Read ``30``, ``"30s"``, ``"5m"``, ``"1h30m"``, ``"250ms"`` or ISO 8601 as a timedelta.

    ISO 8601 text (``PT30S``) and values of other types are passed on for Pydantic to
    read or reject with its own message.

    Raises:
        ValueError: for text that is no duration, and for durations too long to hold.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isnan(value):
        raise ValueError("NaN is not a duration")
    try:
        if isinstance(value, int | float):
            return dt.timedelta(seconds=value)
        if not isinstance(value, str):
            return value
        text = value.strip().lower().replace(" ", "")
        pieces = _DURATION.findall(text)
        if pieces and "".join(n + u for n, u in pieces) == text:
            return dt.timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in pieces))
        if re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
            return dt.timedelta(seconds=float(text))
    except OverflowError:
        raise ValueError(f"{value!r} is too long a duration") from None
    if text.startswith(("p", "-p", "+p")):
        return value  # ISO 8601, read by Pydantic
    raise ValueError(f'{value!r} is not a duration: write 30, "30s", "5m", "1h30m" or "250ms"')


def _positive(value: dt.timedelta) -> dt.timedelta:
    if value <= dt.timedelta(0):
        raise ValueError("a duration must be positive")
    return value


Duration = Annotated[dt.timedelta, BeforeValidator(parse_duration), AfterValidator(_positive)]
"""A duration: seconds as a number, ``"30s"``, ``"5m"``, ``"1h30m"``, or ISO 8601."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RetryPolicy(_Model):
    """How a step is retried when it fails with an error that a retry can help."""

    max_attempts: int = Field(default=3, ge=1, le=100, description="Attempts in all (1: no retry).")
    initial_interval: Duration = Field(
        default=dt.timedelta(seconds=1), description="Wait before the first retry."
    )
    backoff: float = Field(
        default=2.0, ge=1.0, le=10.0, description="Each wait is this much longer."
    )
    max_interval: Duration = Field(
        default=dt.timedelta(minutes=1), description="The longest wait between attempts."
    )


class ParamType(enum.StrEnum):
    """The types a pipeline parameter can have."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    LIST = "list"
    OBJECT = "object"


_PY_TYPES: dict[ParamType, tuple[type, ...]] = {
    ParamType.STRING: (str,),
    ParamType.INTEGER: (int,),
    ParamType.NUMBER: (int, float),
    ParamType.BOOLEAN: (bool,),
    ParamType.LIST: (list,),
    ParamType.OBJECT: (dict,),
}


class PipelineParam(_Model):
    """A typed pipeline parameter, settable from the command line with ``--param``.

    In YAML either the full form ``limit: {type: integer, default: 100}`` or the short
    form ``limit: 100`` (the type is read from the default).
    """

    type: ParamType = Field(default=ParamType.STRING, description="The parameter's type.")
    default: Any = Field(default=None, description="The value when none is given.")
    description: str = Field(default="", description="What the parameter means.")
    required: bool = Field(default=False, description="Whether a value must be given.")

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and (
            {"type", "default", "description", "required"} & data.keys()
        ):
            if "type" not in data and data.get("default") is not None:
                return {**data, "type": _infer_type(data["default"])}
            return data
        if isinstance(data, dict):
            return {"type": ParamType.OBJECT, "default": data}
        return {"type": _infer_type(data), "default": data}

    @model_validator(mode="after")
    def _check_default(self) -> PipelineParam:
        if self.default is None:
            return self
        if not self.accepts(self.default):
            raise ValueError(f"the default {self.default!r} is not of type {self.type.value}")
        return self

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` has this parameter's type."""
        if isinstance(value, bool) and self.type is not ParamType.BOOLEAN:
            return False
        return isinstance(value, _PY_TYPES[self.type])


def _infer_type(value: Any) -> ParamType:
    if isinstance(value, bool):
        return ParamType.BOOLEAN
    if isinstance(value, int):
        return ParamType.INTEGER
    if isinstance(value, float):
        return ParamType.NUMBER
    if isinstance(value, list):
        return ParamType.LIST
    if isinstance(value, dict):
        return ParamType.OBJECT
    return ParamType.STRING


class Section(enum.StrEnum):
    """The three lists a step can be declared in."""

    SOURCES = "sources"
    TRANSFORMS = "transforms"
    SINKS = "sinks"


class Step(_Model):
    """One step: a method, its params, and how it is run."""

    name: str = Field(
        min_length=1,
        max_length=64,
        pattern=STEP_NAME_PATTERN,
        description="A unique identifier, used in {{ name.field }} references.",
    )
    method: str = Field(pattern=METHOD_ID_PATTERN, description="The catalog method id.")
    description: str = Field(default="", description="What the step is for.")
    params: dict[str, Any] = Field(default_factory=dict, description="The method's params.")
    depends_on: list[str] = Field(
        default_factory=list,
        description="Steps that must finish first besides those referenced in params.",
    )
    retry: RetryPolicy | None = Field(default=None, description="Overrides the method's retry.")
    timeout: Duration | None = Field(default=None, description="Overrides the method's timeout.")
    queue: str | None = Field(
        default=None, min_length=1, description="The task queue whose workers run this step."
    )
    cache: bool = Field(default=True, description="Reuse the output of an identical earlier run.")


class Pipeline(_Model):
    """A pipeline: typed params and three lists of steps."""

    name: str = Field(
        min_length=3,
        max_length=100,
        pattern=PIPELINE_NAME_PATTERN,
        description="A slug: lower-case letters, digits, '-' and '_'.",
    )
    description: str = Field(default="", description="What the pipeline does.")
    params: dict[str, PipelineParam] = Field(
        default_factory=dict, description="Typed parameters, used as {{ params.NAME }}."
    )
    sources: list[Step] = Field(default_factory=list, description="Steps that produce data.")
    transforms: list[Step] = Field(default_factory=list, description="Steps that change data.")
    sinks: list[Step] = Field(default_factory=list, description="Steps that write data out.")

    def steps(self) -> Iterator[tuple[Section, int, Step]]:
        """Every step with its section and index, in declaration order."""
        for section in Section:
            for index, step in enumerate(getattr(self, section.value)):
                yield section, index, step

    def step(self, name: str) -> Step | None:
        """The step with this name, if any."""
        for _, _, step in self.steps():
            if step.name == name:
                return step
        return None
