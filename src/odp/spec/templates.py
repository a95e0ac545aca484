"""The ``{{ }}`` template grammar: lookups, not code.

A template is a dotted path: ``{{ step.field.sub }}``, ``{{ step.items.0 }}``,
``{{ params.name }}``, ``{{ secrets.NAME }}``, ``{{ run.id }}``. There are no calls,
filters, operators, indexing brackets or private names. A string that is exactly one
template resolves to the referenced value with its type; a template inside longer text
interpolates as text.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel

from odp.errors import SpecError

__all__ = [
    "KEEP",
    "NAMESPACES",
    "DeferredText",
    "KeepTemplate",
    "Ref",
    "Template",
    "TemplateSyntaxError",
    "fill_deferred",
    "find_templates",
    "has_template",
    "lookup_path",
    "parse_template",
    "resolve_templates",
    "to_text",
]

NAMESPACES: Final = frozenset({"params", "secrets", "run"})
"""Roots that are not step names."""

_OPEN = "{{"
_CLOSE = "}}"
_IDENT = r"[A-Za-z][A-Za-z0-9_]*"
_REF = re.compile(rf"^\s*({_IDENT})((?:\.(?:{_IDENT}|[0-9]+))*)\s*$")


class TemplateSyntaxError(SpecError):
    """A ``{{ }}`` expression that is not a plain lookup.

    Attributes:
        offset: where in the string the problem starts.
    """

    def __init__(self, message: str, *, offset: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Ref:
    """One lookup: ``root`` is a step name or one of :data:`NAMESPACES`."""

    root: str
    path: tuple[str | int, ...]
    text: str
    offset: int = 0

    @property
    def is_step(self) -> bool:
        """Whether the lookup reads a step's output."""
        return self.root not in NAMESPACES

    def dotted(self) -> str:
        """The lookup as written, without braces: ``step.field.0``."""
        return ".".join([self.root, *(str(p) for p in self.path)])


@dataclass(frozen=True, slots=True)
class Template:
    """A string split into literal text and lookups."""

    parts: tuple[str | Ref, ...]

    @property
    def refs(self) -> list[Ref]:
        """The lookups, in order."""
        return [p for p in self.parts if isinstance(p, Ref)]

    @property
    def whole(self) -> Ref | None:
        """The lookup when the string is exactly one template (it keeps its type)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Ref):
            return self.parts[0]
        return None


def _explain(expr: str) -> tuple[str, str]:
    """Say why an expression is not a lookup, and what to write instead."""
    stripped = expr.strip()
    if not stripped:
        return "empty template", "write a lookup such as {{ step.field }}"
    if "|" in stripped:
        return (
            f"filters are not supported in templates: {{{{{expr}}}}}",
            "templates are lookups; transform values with a step (e.g. data.sql.query)",
        )
    if "(" in stripped:
        return (
            f"function calls are not supported in templates: {{{{{expr}}}}}",
            "templates are lookups such as {{ step.field }}; do the computation in a step",
        )
    if "[" in stripped:
        return (
            f"brackets are not supported in templates: {{{{{expr}}}}}",
            "write indexes as dotted paths: {{ step.items.0 }}",
        )
    if "__" in stripped or re.search(r"(^|\.)_", stripped):
        return (
            f"private names are not allowed in templates: {{{{{expr}}}}}",
            "reference a documented output field",
        )
    if "{%" in stripped or "%}" in stripped or "{" in stripped:
        return (
            f"Jinja syntax is not supported: {{{{{expr}}}}}",
            "templates are plain lookups: {{ step.field }}, {{ params.name }}",
        )
    return (
        f"{{{{{expr}}}}} is not a lookup",
        "write a dotted path of names and indexes: {{ step.field }}, {{ params.name }}, "
        "{{ secrets.NAME }}, {{ run.id }}",
    )


def parse_template(text: str) -> Template:
    """Split ``text`` into literal parts and lookups.

    Raises:
        TemplateSyntaxError: for an unclosed ``{{`` or an expression that is not a lookup.
    """
    parts: list[str | Ref] = []
    pos = 0
    while True:
        start = text.find(_OPEN, pos)
        if start < 0:
            if pos < len(text):
                parts.append(text[pos:])
            break
        end = text.find(_CLOSE, start + 2)
        if end < 0:
            raise TemplateSyntaxError(
                "unclosed template: '{{' without a matching '}}'",
                offset=start,
                hint="close it with '}}'",
            )
        if start > pos:
            parts.append(text[pos:start])
        expr = text[start + 2 : end]
        match = _REF.match(expr)
        if match is None:
            message, hint = _explain(expr)
            raise TemplateSyntaxError(message, offset=start, hint=hint)
        root, rest = match.group(1), match.group(2)
        path = tuple(int(p) if p.isdigit() else p for p in rest.split(".")[1:]) if rest else ()
        parts.append(Ref(root=root, path=path, text=text[start : end + 2], offset=start))
        pos = end + 2
    # merge adjacent literals is not needed: literals are only split by refs
    return Template(tuple(parts))


def has_template(value: object) -> bool:
    """Whether ``value`` (any nested structure) contains a ``{{``."""
    if isinstance(value, str):
        return _OPEN in value
    if isinstance(value, Mapping):
        return any(has_template(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_template(v) for v in value)
    return False


def find_templates(
    value: object, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string holding ``{{`` in a nested structure, with its path."""
    if isinstance(value, str):
        if _OPEN in value:
            yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from find_templates(item, (*path, str(key)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from find_templates(item, (*path, index))


class KeepTemplate:
    """Returned by a resolver to leave a lookup unresolved (e.g. secrets in the workflow)."""


KEEP: Final = KeepTemplate()


def to_text(value: object) -> str:
    """How a value reads when interpolated into longer text."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value, default=str, ensure_ascii=False)


class DeferredText(BaseModel):
    """A value whose lookups the resolver kept for later (secrets, filled in the activity).

    The text is stored as the literal pieces around the kept lookups, so filling it in
    later never reads any resolved value as a template: a parameter or an output that
    happens to hold ``{{ secrets.TOKEN }}`` stays that text.

    Attributes:
        path: where the value is in the params.
        pieces: the literal text around the lookups (one more piece than lookups).
        refs: the kept lookups, as written (``{{ secrets.TOKEN }}``).
    """

    path: list[str | int]
    pieces: list[str]
    refs: list[str]


def resolve_templates(
    value: Any, resolver: Callable[[Ref], Any], *, deferred: list[DeferredText] | None = None
) -> Any:
    """Replace every lookup in a nested structure by the resolver's answer.

    A string that is exactly one lookup becomes the value itself; lookups inside text
    are interpolated with :func:`to_text`. When the resolver returns :data:`KEEP` the
    lookup's text stays as it was, to be resolved later; pass ``deferred`` to collect
    those values for :func:`fill_deferred`, which is the safe way to finish them.
    Resolved values are never read as templates.
    """
    return _resolve(value, resolver, (), deferred)


def _resolve(
    value: Any,
    resolver: Callable[[Ref], Any],
    path: tuple[str | int, ...],
    deferred: list[DeferredText] | None,
) -> Any:
    if isinstance(value, Mapping):
        return {k: _resolve(v, resolver, (*path, k), deferred) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_resolve(v, resolver, (*path, i), deferred) for i, v in enumerate(value)]
    if not isinstance(value, str) or _OPEN not in value:
        return value
    template = parse_template(value)
    whole = template.whole
    if whole is not None:
        got = resolver(whole)
        if not isinstance(got, KeepTemplate):
            return got
        if deferred is not None:
            deferred.append(DeferredText(path=list(path), pieces=["", ""], refs=[whole.text]))
        return whole.text
    out: list[str] = []
    pieces: list[str] = [""]
    kept: list[str] = []
    for part in template.parts:
        got = part if isinstance(part, str) else resolver(part)
        if isinstance(got, KeepTemplate):
            assert isinstance(part, Ref)
            out.append(part.text)
            kept.append(part.text)
            pieces.append("")
            continue
        text = got if isinstance(part, str) else to_text(got)
        out.append(text)
        pieces[-1] += text
    if kept and deferred is not None:
        deferred.append(DeferredText(path=list(path), pieces=pieces, refs=kept))
    return "".join(out)


def fill_deferred(
    value: Any, deferred: Sequence[DeferredText], resolver: Callable[[Ref], Any]
) -> Any:
    """Finish what :func:`resolve_templates` kept: a copy of ``value`` with them filled.

    Only the kept lookups are resolved, at the places recorded; nothing else in
    ``value`` is read as a template.

    Raises:
        SpecError: when a recorded place does not exist in ``value``.
    """
    out = copy.deepcopy(value)
    for item in deferred:
        values: list[Any] = []
        for text in item.refs:
            ref = parse_template(text).whole
            if ref is None:
                raise SpecError(f"deferred {text!r} is not one lookup")
            values.append(resolver(ref))
        if len(item.pieces) != len(values) + 1:
            raise SpecError("a deferred template needs one more piece of text than lookups")
        if len(values) == 1 and item.pieces == ["", ""]:
            filled: Any = values[0]  # a whole-value lookup keeps its type
        else:
            filled = item.pieces[0] + "".join(
                to_text(v) + piece for v, piece in zip(values, item.pieces[1:], strict=True)
            )
        _set(out, item.path, filled)
    return out


def _set(value: Any, path: list[str | int], new: Any) -> None:
    if not path:
        raise SpecError("a deferred template cannot replace the whole params")
    parent = lookup_path(value, tuple(path[:-1]), label="params")
    last = path[-1]
    if isinstance(parent, dict) and last in parent:
        parent[last] = new
    elif isinstance(parent, list) and isinstance(last, int) and -1 < last < len(parent):
        parent[last] = new
    else:
        raise SpecError(f"params has no {'.'.join(map(str, path))} to fill")


def lookup_path(value: Any, path: tuple[str | int, ...], *, label: str) -> Any:
    """Walk ``path`` through dictionaries, lists and models.

    Raises:
        SpecError: when a key or index does not exist.
    """
    current = value
    walked = [label]
    for segment in path:
        if isinstance(current, BaseModel):
            current = current.model_dump(mode="json")
        if isinstance(current, Mapping) and isinstance(segment, str) and segment in current:
            current = current[segment]
        elif isinstance(current, list) and isinstance(segment, int) and -1 < segment < len(current):
            current = current[segment]
        else:
            where = ".".join(walked)
            if current is None:
                raise SpecError(f"{where} is empty, so {where}.{segment} has no value")
            raise SpecError(f"{where} has no {segment!r}")
        walked.append(str(segment))
    return current
