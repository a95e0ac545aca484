"""Diagnostics: what is wrong with a pipeline, where, and what to do."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

from odp.errors import SpecError

__all__ = ["Diagnostic", "PipelineInvalid", "Severity", "has_errors", "render_text"]


class Severity(enum.StrEnum):
    """How bad a diagnostic is: errors stop a run, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


class Diagnostic(BaseModel):
    """One problem found in a pipeline.

    ``code`` is stable and meant for machines (``unknown-method``, ``type-mismatch``,
    ...); ``message`` and ``hint`` are for people.
    """

    code: str = Field(description="A stable identifier of the kind of problem.")
    severity: Severity = Field(default=Severity.ERROR, description="error or warning.")
    message: str = Field(description="What is wrong.")
    file: str | None = Field(default=None, description="The file the pipeline came from.")
    line: int | None = Field(default=None, description="1-based line.")
    column: int | None = Field(default=None, description="1-based column.")
    step: str | None = Field(default=None, description="The step concerned, if any.")
    field: str | None = Field(default=None, description="The dotted path of the field.")
    hint: str | None = Field(default=None, description="What to do about it.")

    @property
    def location(self) -> str:
        """``file:line:col`` (as much of it as is known)."""
        parts = [self.file or "<pipeline>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        """One diagnostic as text, compiler style."""
        where = f"step {self.step!r}: " if self.step else ""
        text = f"{self.location}: {self.severity.value}[{self.code}] {where}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """Whether any diagnostic is an error."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


def render_text(diagnostics: Sequence[Diagnostic]) -> str:
    """All diagnostics as text, with a closing count."""
    lines = [d.render() for d in diagnostics]
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    lines.append(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return "\n".join(lines)


class PipelineInvalid(SpecError):
    """A pipeline that did not validate.

    Attributes:
        diagnostics: every problem found.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity is Severity.ERROR]
        first = errors[0].render().splitlines()[0] if errors else "invalid pipeline"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(
            f"the pipeline is not valid: {first}{more}",
            hint="run `odp validate` on it to see every problem",
        )
