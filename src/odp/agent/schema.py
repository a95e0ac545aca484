"""The JSON schema an LLM's answer must follow, built from the candidate methods.

A step is one of the candidates (``anyOf`` over ``{method: const id, params: schema}``,
one branch per method of the section's kind), so a model constrained by the schema can
name only catalog methods and only their params. Params that take an earlier step's
output (a dataset) are written as a template string, ``"{{ step.data }}"``. Only the
candidates go in, so the schema stays a size that models accept. ``anyOf`` rather than
``oneOf``: the branches exclude each other by ``method`` anyway, and OpenAI's structured
outputs, vLLM and llama.cpp grammars accept ``anyOf`` but not all of them ``oneOf``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from odp.catalog import MethodKind, MethodSpec
from odp.spec.models import PIPELINE_NAME_PATTERN, STEP_NAME_PATTERN

__all__ = ["SCHEMA_NAME", "draft_schema", "method_params_schema"]

SCHEMA_NAME: Final = "pipeline_draft"
_TEMPLATE_PATTERN: Final = r"^\{\{.*\}\}$"
_MAX_DESCRIPTION: Final = 200
_DROP: Final = frozenset({"title", "examples"})
_SECTIONS: Final = (
    ("sources", MethodKind.SOURCE),
    ("transforms", MethodKind.TRANSFORM),
    ("sinks", MethodKind.SINK),
)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DESCRIPTION else text[: _MAX_DESCRIPTION - 1] + "…"


def _template(description: str | None) -> dict[str, Any]:
    hint = 'The output of an earlier step as a template, e.g. "{{ posts.data }}".'
    text = f"{_short(description)} {hint}" if description else hint
    return {"type": "string", "pattern": _TEMPLATE_PATTERN, "description": text}


def _ref_name(node: Mapping[str, Any]) -> str | None:
    ref = node.get("$ref")
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
        return _ref_name(all_of[0])
    return None


def _simplify(node: Any, defs: Mapping[str, Any], depth: int = 0) -> Any:
    """Inline ``$ref``s, shorten descriptions, drop titles; a referenced object is a template."""
    if isinstance(node, list):
        return [_simplify(item, defs, depth) for item in node]
    if not isinstance(node, Mapping):
        return node
    name = _ref_name(node)
    if name is not None:
        target = defs.get(name, {})
        if depth >= 1 or target.get("type") == "object":
            # a dataset (or any structured output): only a template can give one
            return _template(node.get("description") or target.get("description"))
        merged = {**target, **{k: v for k, v in node.items() if k not in ("$ref", "allOf")}}
        return _simplify(merged, defs, depth + 1)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP or key == "$defs":
            continue
        if key == "description" and isinstance(value, str):
            out[key] = _short(value)
        elif key == "properties" and isinstance(value, Mapping):
            out[key] = {k: _simplify(v, defs, depth) for k, v in value.items()}
        else:
            out[key] = _simplify(value, defs, depth)
    return out


def method_params_schema(spec: MethodSpec[Any, Any]) -> dict[str, Any]:
    """A method's params JSON schema as an LLM should fill it (datasets as templates)."""
    raw = spec.params_model.model_json_schema()
    defs = raw.get("$defs", {})
    schema: dict[str, Any] = _simplify(raw, defs)
    schema.pop("description", None)
    schema["type"] = "object"
    return schema


def _step_schema(spec: MethodSpec[Any, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": _short(spec.summary),
        "properties": {
            "name": {"type": "string", "pattern": STEP_NAME_PATTERN},
            "method": {"type": "string", "const": spec.id, "enum": [spec.id]},
            "params": method_params_schema(spec),
        },
        "required": ["name", "method", "params"],
        "additionalProperties": False,
    }


def draft_schema(candidates: Sequence[MethodSpec[Any, Any]]) -> dict[str, Any]:
    """The schema of an LLM's draft: ``{pipeline, notes, questions}``.

    ``pipeline.sources``, ``transforms`` and ``sinks`` hold steps of the candidates of
    that kind only (a section without candidates must stay empty).
    """
    sections: dict[str, Any] = {}
    for section, kind in _SECTIONS:
        branches = [_step_schema(s) for s in candidates if s.kind is kind]
        if branches:
            sections[section] = {"type": "array", "items": {"anyOf": branches}}
        else:
            sections[section] = {"type": "array", "maxItems": 0}
    pipeline = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "pattern": PIPELINE_NAME_PATTERN},
            "description": {"type": "string"},
            **sections,
        },
        "required": ["name", "sources"],
        "additionalProperties": False,
    }
    notes = {
        "type": "array",
        "description": "One line per step: what it does and why this method was chosen.",
        "items": {
            "type": "object",
            "properties": {"step": {"type": "string"}, "note": {"type": "string"}},
            "required": ["step", "note"],
            "additionalProperties": False,
        },
    }
    questions = {
        "type": "array",
        "description": "What the request leaves open and the pipeline needs; empty when "
        "nothing is missing.",
        "items": {
            "type": "object",
            "properties": {
                "slot": {"type": "string"},
                "question": {"type": "string"},
                "step": {"type": "string"},
                "param": {"type": "string"},
                "default": {"type": ["string", "number", "boolean", "null"]},
            },
            "required": ["slot", "question"],
            "additionalProperties": False,
        },
    }
    return {
        "type": "object",
        "properties": {"pipeline": pipeline, "notes": notes, "questions": questions},
        "required": ["pipeline", "notes", "questions"],
        "additionalProperties": False,
    }
