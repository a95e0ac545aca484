"""The plan's explanation: one line per step, what it does and why it was chosen."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from odp.agent.models import StepNote
from odp.catalog import Catalog, MethodKind
from odp.catalog.search import tokenize

__all__ = ["explain", "pipeline_steps"]

_SECTIONS: Final = ("sources", "transforms", "sinks")
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z0-9]+")
_ROLE: Final = {
    MethodKind.SOURCE: "it brings in the rows the rest of the pipeline works on",
    MethodKind.TRANSFORM: "the next steps need its result",
    MethodKind.SINK: "it delivers the result",
}


def pipeline_steps(pipeline: Any) -> list[tuple[str, str]]:
    """The ``(name, method)`` of each step of a drafted pipeline, in section order.

    Malformed parts (a step that is not a mapping, a missing name) are skipped.
    """
    if not isinstance(pipeline, Mapping):
        return []
    steps: list[tuple[str, str]] = []
    for section in _SECTIONS:
        items = pipeline.get(section)
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                steps.append((item["name"], str(item.get("method", ""))))
    return steps


def _why(request: str, method_id: str, catalog: Catalog) -> str:
    spec = catalog.find(method_id)
    if spec is None:
        return f"{method_id} is not in the catalog"
    known = set(tokenize(" ".join([spec.id.replace(".", " "), spec.summary, *spec.tags])))
    words = list(
        dict.fromkeys(w.lower() for w in _WORD.findall(request) if set(tokenize(w)) & known)
    )
    summary = spec.summary.rstrip(".")
    if words:
        quoted = ", ".join(f"'{w}'" for w in words[:4])
        return f"{summary}; chosen because the request mentions {quoted}"
    return f"{summary}; chosen because {_ROLE[spec.kind]}"


def explain(
    request: str, pipeline: Any, notes: Sequence[StepNote], catalog: Catalog
) -> list[StepNote]:
    """One note per step: the drafter's own note when it gave one, else one from the catalog."""
    given = {n.step: n for n in notes if n.note.strip()}
    explanation: list[StepNote] = []
    for name, method_id in pipeline_steps(pipeline):
        note = given.get(name)
        if note is not None:
            explanation.append(StepNote(step=name, method=method_id, note=note.note))
        else:
            explanation.append(
                StepNote(step=name, method=method_id, note=_why(request, method_id, catalog))
            )
    return explanation
