"""Reading an LLM's answer defensively: JSON, JSON in a code fence, or YAML.

Models constrained by a schema answer with one JSON object; others wrap it in a
Markdown fence, add a sentence around it, or write YAML. Whatever can be read becomes a
:class:`~odp.agent.drafting.Draft`; what cannot keeps its raw text and no pipeline (the
validator then says so, and the repair prompt shows the model what it wrote).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

import yaml
from pydantic import ValidationError

from odp.agent.drafting import Draft
from odp.agent.explain import pipeline_steps
from odp.agent.models import Question, StepNote

__all__ = ["draft_from_text", "read_payload"]

_FENCE: Final = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\n(.*?)```", re.S)
_PIPELINE_KEYS: Final = frozenset({"sources", "transforms", "sinks"})


def _load(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _outer_braces(text: str) -> str | None:
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else None


def read_payload(text: str) -> dict[str, Any] | None:
    """The first mapping readable from an LLM's text, or None.

    Tried in order: the whole text as JSON or YAML, each fenced block, the text between
    the first ``{`` and the last ``}``.
    """
    candidates = [text, *(body for _, body in _FENCE.findall(text))]
    if (braces := _outer_braces(text)) is not None:
        candidates.append(braces)
    for candidate in candidates:
        value = _load(candidate)
        if isinstance(value, dict):
            return value
    return None


def _notes(items: Any, methods: Mapping[str, str]) -> tuple[StepNote, ...]:
    if not isinstance(items, list):
        return ()
    notes: list[StepNote] = []
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("step"), str) and item.get("note"):
            step = item["step"]
            notes.append(StepNote(step=step, method=methods.get(step, ""), note=str(item["note"])))
    return tuple(notes)


def _questions(items: Any) -> tuple[Question, ...]:
    if not isinstance(items, list):
        return ()
    questions: list[Question] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        try:
            questions.append(Question.model_validate(dict(item)))
        except ValidationError:
            continue  # a malformed question is dropped, not a failed plan
    return tuple(questions)


def draft_from_text(text: str) -> Draft:
    """A draft from an LLM's answer: ``{pipeline, notes, questions}`` or a bare pipeline."""
    payload = read_payload(text)
    if payload is None:
        return Draft(pipeline=None, raw=text)
    pipeline = payload.get("pipeline")
    if not isinstance(pipeline, dict):
        pipeline = payload if _PIPELINE_KEYS & payload.keys() else None
    methods = dict(pipeline_steps(pipeline))
    return Draft(
        pipeline=pipeline,
        raw=text,
        notes=_notes(payload.get("notes"), methods),
        questions=_questions(payload.get("questions")),
    )
