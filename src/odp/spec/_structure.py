"""Structural problems: the pipeline's keys, names and sections, and each step's fields.

Pydantic finds them when the data is read into :class:`~odp.spec.models.Pipeline`; this
module says them in the pipeline's words, with positions and hints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from odp.spec._compose import MAX_DEPTH, MAX_NODES
from odp.spec._reporting import Reporter, did_you_mean, dotted, suggest
from odp.spec.models import Pipeline, PipelineParam, RetryPolicy, Section, Step
from odp.spec.source import Path
from odp.spec.templates import find_templates

__all__ = [
    "check_literal_fields",
    "lenient_step",
    "report_stray_templates",
    "report_structure",
    "shape_problem",
    "step_items",
    "step_name_at",
]

_SECTIONS: Final = frozenset(s.value for s in Section)
_ESSENTIAL: Final = frozenset({"name", "method", "params"})
# fields of a step that are used as written: a template there would never be resolved
_LITERAL_FIELDS: Final = ("queue", "depends_on", "timeout", "retry", "cache")
_NAME_ERRORS: Final = frozenset(
    {"string_pattern_mismatch", "string_too_short", "string_too_long", "string_type"}
)


def report_structure(reporter: Reporter, error: ValidationError, data: dict[str, Any]) -> None:
    """Report every problem Pydantic found reading ``data`` as a pipeline."""
    for err in error.errors():
        _report_one(reporter, err, data)


def _is_step(loc: Path) -> bool:
    return len(loc) == 2 and loc[0] in _SECTIONS and isinstance(loc[1], int)


def step_name_at(data: dict[str, Any], loc: Path) -> str | None:
    """The name of the step that ``loc`` is in, when it has a usable one."""
    if len(loc) < 2 or not _is_step(loc[:2]):
        return None
    items = data[str(loc[0])]
    index = loc[1]
    assert isinstance(items, list) and isinstance(index, int)  # Pydantic walked it
    item = items[index]
    name = item.get("name") if isinstance(item, dict) else None
    return name if isinstance(name, str) else None


def _owner(loc: Path) -> tuple[str, type[BaseModel]]:
    """What holds the keys at ``loc``: its name in messages, and its model."""
    if not loc:
        return "the pipeline", Pipeline
    if _is_step(loc):
        return "the step", Step
    if loc[0] == "params":
        return f"pipeline param {loc[1]!r}", PipelineParam
    return "`retry`", RetryPolicy  # the only other model a pipeline holds


def _label(loc: Path) -> str:
    """``loc`` as a reader would name it: relative to its step when it is in one."""
    if len(loc) > 2 and _is_step(loc[:2]):
        return dotted(loc[2:])
    return dotted(loc) or "the pipeline"


def _report_one(reporter: Reporter, err: ErrorDetails, data: dict[str, Any]) -> None:
    loc: Path = tuple(err["loc"])
    kind = err["type"]
    step = step_name_at(data, loc)
    last = loc[-1] if loc else ""
    if last == "[key]" or kind == "invalid_key":
        # a key of a dict field, or of a model (data handed over directly, not YAML)
        key_loc = loc[:-1] if last == "[key]" else loc
        reporter.report(
            "invalid-value",
            f"the key {key_loc[-1]!r} under {_label(key_loc[:-1])} is not text",
            key_loc[:-1],
            step=step,
            hint="keys are names: write them as text",
            field=dotted(key_loc),
        )
    elif kind == "missing":
        reporter.report(
            "missing-field",
            f"{'the step' if len(loc) == 3 else 'the pipeline'} is missing the field {last!r}",
            loc[:-1],
            step=step,
            hint=_missing_hint(loc),
            field=dotted(loc),
        )
    elif kind == "extra_forbidden":
        what, model = _owner(loc[:-1])
        allowed = list(model.model_fields)
        reporter.report(
            "unknown-key",
            f"unknown key {last!r} in {what}",
            loc,
            step=step,
            key=True,
            hint=did_you_mean(suggest(str(last), allowed))
            or ("allowed keys: " + ", ".join(sorted(allowed))),
        )
    elif last == "method" and len(loc) == 3 and kind in _NAME_ERRORS:
        reporter.report(
            "bad-method-id",
            f"method id {err['input']!r} is not of the form domain.provider.action",
            loc,
            step=step,
            hint="use three dot-separated words, e.g. social.twitter.search; "
            "`odp methods list` shows the catalog",
        )
    elif last == "name" and len(loc) == 3 and kind in _NAME_ERRORS:
        reporter.report(
            "bad-step-name",
            f"step name {err['input']!r} is not an identifier",
            loc,
            hint="use letters, digits and '_', starting with a letter (steps are referenced "
            "as {{ name.field }})",
        )
    elif loc == ("name",) and kind in _NAME_ERRORS:
        reporter.report(
            "bad-pipeline-name",
            f"pipeline name {err['input']!r} is not a slug of 3-100 characters",
            loc,
            hint="use lower-case letters, digits, '-' and '_', e.g. twitter-investigation",
        )
    elif len(loc) == 1 and last in _SECTIONS:
        reporter.report(
            "bad-section",
            f"`{last}` must be a list of steps",
            loc,
            hint=f"write `{last}:` followed by `- name: ...` items",
        )
    elif _is_step(loc):
        reporter.report(
            "bad-step",
            f"{loc[0]} item {loc[1]} is not a step",
            loc,
            hint="a step is a mapping: `- name: ...`, `method: ...`, `params: {...}`",
        )
    else:
        message = re.sub(r" or instance of \w+", "", err["msg"].removeprefix("Value error, "))
        reporter.report(
            "invalid-value",
            f"{_label(loc)}: {message}",
            loc,
            step=step,
            hint=_value_hint(loc),
        )


def _missing_hint(loc: Path) -> str:
    if loc == ("name",):
        return "add `name: my-pipeline` at the top"
    if loc[-1] == "name":
        return "give the step a unique `name:`"
    return "set `method:` to a catalog id; `odp methods list` shows them"


def _value_hint(loc: Path) -> str | None:
    if loc[-1] in ("timeout", "initial_interval", "max_interval"):
        return 'write a duration such as 30, "30s", "5m" or "1h30m"'
    if loc[0] == "params":
        return "declare a parameter as `name: default` or `name: {type: integer, default: 10}`"
    return None


def lenient_step(item: Any) -> Step | None:
    """The step without its broken non-essential fields (retry, timeout, ...).

    Its method and params can then still be checked. None when the item is not a
    mapping, or when its name, method or params are broken themselves.
    """
    try:
        return Step.model_validate(item)
    except ValidationError as e:
        if not isinstance(item, dict):
            return None
        broken = {err["loc"][0] for err in e.errors()}
        if broken & _ESSENTIAL:
            return None
        return Step.model_validate({k: v for k, v in item.items() if k not in broken})


def shape_problem(data: Any) -> tuple[str, str] | None:
    """Whether plain data nests too deeply or holds too much to be a pipeline.

    Data from YAML is bounded by the loader; data handed over directly (or a structure
    that contains itself) is bounded here, without recursion.

    Returns:
        A diagnostic code and message, or None when the data is within bounds.
    """
    count = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            return "too-deep", f"the pipeline nests deeper than {MAX_DEPTH} levels"
        if count > MAX_NODES:
            return "too-large", f"the pipeline holds more than {MAX_NODES:,} values"
        if isinstance(value, Mapping):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list | tuple):
            stack.extend((v, depth + 1) for v in value)
    return None


def step_items(data: dict[str, Any]) -> list[tuple[tuple[str, int], dict[Any, Any]]]:
    """Every step declared as a mapping, whatever is wrong with it, with its path."""
    items: list[tuple[tuple[str, int], dict[Any, Any]]] = []
    for section in Section:
        declared = data.get(section.value)
        if isinstance(declared, list):
            items += [
                ((section.value, i), item)
                for i, item in enumerate(declared)
                if isinstance(item, dict)
            ]
    return items


def report_stray_templates(reporter: Reporter, value: Any, loc: Path, step: str | None) -> None:
    """Report templates in ``value``: they are resolved in params only, not there."""
    for path, _ in find_templates(value):
        reporter.report(
            "template-not-allowed",
            "templates are resolved only inside `params`; this one would stay as text",
            (*loc, *path),
            step=step,
            hint="move the value into params, or write it literally",
        )


def check_literal_fields(reporter: Reporter, data: dict[str, Any]) -> None:
    """Report templates in the fields of steps that are used as written."""
    for loc, item in step_items(data):
        name = item.get("name")
        for key in _LITERAL_FIELDS:
            report_stray_templates(
                reporter, item.get(key), (*loc, key), name if isinstance(name, str) else None
            )
