"""The LLM drafter's prompts: the rules, the candidate methods, the repair request."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from odp.agent.schema import method_params_schema
from odp.catalog import MethodSpec
from odp.spec import Diagnostic

__all__ = ["SYSTEM_PROMPT", "describe_method", "draft_prompt", "repair_prompt"]

SYSTEM_PROMPT: Final = """\
You write ODP pipelines: typed data and ML pipelines that run on Temporal.

A pipeline has a `name` (lower-case slug, e.g. `negative-ai-posts`), an optional
`description`, and three lists of steps: `sources` (where rows come from), `transforms`
(what is done to them) and `sinks` (where the result goes). A step has a unique `name`
(letters, digits, underscores), a `method` and the method's `params`.

Rules:
- Use only the methods listed below, with only the params their schemas allow. Never
  invent a method id or a param.
- A step reads an earlier step's output with a template: "{{ step_name.field }}", e.g.
  "data": "{{ posts.data }}". Only the output fields listed for that method exist.
- Fill params from the request: what to search for, numbers, languages, paths. When
  something the pipeline needs is missing from the request (what to search for, where to
  write), do not guess: add a question with a `slot` (e.g. `query`, `sink.path`), the
  question in plain words, the `step` and `param` it fills and a sensible `default`, and
  use the default in the pipeline.
- Give one note per step: what it does and why this method was chosen.
- Answer with one JSON object only: {"pipeline": {...}, "notes": [{"step", "note"}],
  "questions": [...]}. No prose around it.
"""

_MAX_DESCRIPTION: Final = 300


def describe_method(spec: MethodSpec[Any, Any]) -> str:
    """A candidate method for the prompt: id, kind, summary, params schema, outputs, an example."""
    outputs = ", ".join(
        f"{name} ({(field.description or '').strip() or 'value'})"
        for name, field in spec.output_model.model_fields.items()
    )
    description = " ".join(spec.description.split())
    if len(description) > _MAX_DESCRIPTION:
        description = description[: _MAX_DESCRIPTION - 1] + "…"
    lines = [
        f"### {spec.id} ({spec.kind.value})",
        spec.summary,
    ]
    if description and description != spec.summary:
        lines.append(description)
    lines.append(f"params schema: {json.dumps(method_params_schema(spec), ensure_ascii=False)}")
    lines.append(f"output fields: {outputs or 'none'}")
    if spec.examples:
        example = spec.examples[0]
        lines.append(
            f"example ({example.description}): {json.dumps(example.params, ensure_ascii=False)}"
        )
    return "\n".join(lines)


def _answers(answers: Mapping[str, Any]) -> str:
    if not answers:
        return ""
    listed = "\n".join(
        f"- {slot}: {json.dumps(value, default=str)}" for slot, value in answers.items()
    )
    return f"\n\nAnswers to earlier questions (use them; do not ask these again):\n{listed}"


def _methods(candidates: Sequence[MethodSpec[Any, Any]]) -> str:
    return "\n\n".join(describe_method(spec) for spec in candidates)


def draft_prompt(
    request: str, candidates: Sequence[MethodSpec[Any, Any]], answers: Mapping[str, Any]
) -> str:
    """The first request to the model: the person's words, the answers, the methods."""
    return (
        f"Request: {request}{_answers(answers)}\n\n"
        f"Methods you may use (best matches first):\n\n{_methods(candidates)}\n\n"
        "Write the pipeline as one JSON object."
    )


def _diagnostic_line(d: Diagnostic) -> str:
    where = d.location
    if d.step:
        where += f" (step {d.step!r}"
        where += f", field {d.field})" if d.field else ")"
    elif d.field:
        where += f" (field {d.field})"
    text = f"- [{d.code}] {d.severity.value} at {where}: {d.message}"
    if d.hint:
        text += f"\n  hint: {d.hint}"
    return text


def repair_prompt(
    request: str,
    previous_yaml: str,
    diagnostics: Sequence[Diagnostic],
    candidates: Sequence[MethodSpec[Any, Any]],
    answers: Mapping[str, Any],
) -> str:
    """The repair request: the previous draft, every diagnostic (code, message, where, hint)."""
    problems = "\n".join(_diagnostic_line(d) for d in diagnostics) or "- (none reported)"
    return (
        f"Request: {request}{_answers(answers)}\n\n"
        f"Your previous draft:\n```\n{previous_yaml.rstrip()}\n```\n\n"
        f"The validator found these problems (line:col refer to the draft above):\n"
        f"{problems}\n\n"
        f"Methods you may use:\n\n{_methods(candidates)}\n\n"
        "Fix every problem and answer with the whole corrected pipeline as one JSON object."
    )
