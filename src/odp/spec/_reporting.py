"""What the validator's checks share: the diagnostics being collected, and the steps."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from odp.catalog import MethodSpec
from odp.spec.diagnostics import Diagnostic, Severity
from odp.spec.models import Section, Step
from odp.spec.source import Path, SourceMap

__all__ = ["Reporter", "StepInfo", "did_you_mean", "dotted", "suggest"]


def dotted(path: Path) -> str:
    """A path as ``sources.0.params.data``."""
    return ".".join(str(p) for p in path)


def suggest(word: str, options: Iterable[str]) -> list[str]:
    """The options closest to ``word`` (for 'did you mean')."""
    return difflib.get_close_matches(word, list(options), n=3, cutoff=0.6)


def did_you_mean(options: list[str]) -> str | None:
    """``did you mean 'a' or 'b'?``, or None without options."""
    if not options:
        return None
    return "did you mean " + " or ".join(repr(o) for o in options) + "?"


@dataclass(slots=True)
class StepInfo:
    """A step whose structure is sound enough to check its method and params."""

    step: Step
    section: Section
    index: int
    spec: MethodSpec[Any, Any] | None

    @property
    def loc(self) -> Path:
        """The step's path in the pipeline data: ``("sources", 0)``."""
        return (self.section.value, self.index)


@dataclass(slots=True)
class Reporter:
    """Collects diagnostics, placing each one with the source map."""

    file: str | None
    source_map: SourceMap
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def report(
        self,
        code: str,
        message: str,
        loc: Path = (),
        *,
        step: str | None = None,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
        key: bool = False,
        field: str | None = None,
        offset: int | None = None,
    ) -> None:
        """Add a diagnostic about the value at ``loc``.

        Args:
            code: the stable code.
            message: what is wrong.
            loc: the path of the value concerned (its position is looked up).
            step: the step concerned.
            hint: what to do.
            severity: error or warning.
            key: point at the key of ``loc`` rather than its value.
            field: the field to name (by default ``loc`` dotted).
            offset: where in the text value at ``loc`` the problem is (a template).
        """
        if offset is not None:
            position = self.source_map.find_template(loc, offset)
        else:
            position = self.source_map.find(loc, key=key)
        self.diagnostics.append(
            Diagnostic(
                code=code,
                severity=severity,
                message=message,
                file=self.file,
                line=position.line if position else None,
                column=position.column if position else None,
                step=step,
                field=field if field is not None else (dotted(loc) or None),
                hint=hint,
            )
        )
