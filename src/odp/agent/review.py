"""Checking a draft: dump it to YAML and run the same validator as hand-written pipelines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import yaml

from odp.agent.models import Question
from odp.catalog import Catalog
from odp.spec import Diagnostic, validate_text

__all__ = ["DRAFT_FILE", "draft_yaml", "review_draft", "unanswered"]

DRAFT_FILE: Final = "<draft>"
"""The file name the draft's diagnostics carry (``<draft>:line:col``)."""

_KEY_ORDER: Final = ("name", "description", "params", "sources", "transforms", "sinks")
_STEP_KEY_ORDER: Final = ("name", "method", "params")


def _ordered(mapping: Mapping[str, Any], order: Iterable[str]) -> dict[str, Any]:
    keys = list(order)
    first = {k: mapping[k] for k in keys if k in mapping}
    return first | {k: v for k, v in mapping.items() if k not in first}


def _tidy(pipeline: Any) -> Any:
    if not isinstance(pipeline, Mapping):
        return pipeline
    tidy = _ordered(pipeline, _KEY_ORDER)
    for section in ("sources", "transforms", "sinks"):
        steps = tidy.get(section)
        if isinstance(steps, list):
            tidy[section] = [
                _ordered(s, _STEP_KEY_ORDER) if isinstance(s, Mapping) else s for s in steps
            ]
    return tidy


def draft_yaml(pipeline: Any) -> str:
    """The draft as YAML, keys in the order people write them (name, sources, ...)."""
    return yaml.safe_dump(
        _tidy(pipeline), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


def review_draft(pipeline: Any, catalog: Catalog) -> tuple[str | None, list[Diagnostic]]:
    """Validate a drafted pipeline as YAML text, so that diagnostics carry line:col.

    Args:
        pipeline: the draft as data (None when the drafter's output could not be read).
        catalog: the methods the pipeline may use.

    Returns:
        The YAML (None when there is no pipeline) and the validator's diagnostics.
    """
    if pipeline is None:
        return None, [
            Diagnostic(
                code="unreadable-draft",
                message="the draft could not be read as a pipeline",
                file=DRAFT_FILE,
                hint="answer with one JSON object: the pipeline with name, sources, "
                "transforms and sinks",
            )
        ]
    try:
        text = draft_yaml(pipeline)
    except yaml.YAMLError as e:  # a value YAML cannot represent (an object, a set)
        return None, [
            Diagnostic(
                code="unreadable-draft",
                message=f"the draft cannot be written as YAML: {e}",
                file=DRAFT_FILE,
                hint="use only strings, numbers, booleans, lists and mappings",
            )
        ]
    return text, validate_text(text, catalog, file=DRAFT_FILE).diagnostics


def unanswered(questions: Iterable[Question], answers: Mapping[str, Any]) -> list[Question]:
    """The questions whose slot has no answer yet (each slot once)."""
    seen: set[str] = set()
    open_questions: list[Question] = []
    for q in questions:
        if q.slot in answers or q.slot in seen:
            continue
        seen.add(q.slot)
        open_questions.append(q)
    return open_questions
