"""Pipeline parameter values: from the command line or an API body to the declared type."""

from __future__ import annotations

import json
from typing import Any

from odp.spec.models import ParamType, PipelineParam

__all__ = ["coerce_param_value", "parse_param_assignments"]

_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def coerce_param_value(param: PipelineParam, value: Any) -> Any:
    """Convert ``value`` to the parameter's type.

    Strings (as typed on a command line) are parsed: ``10`` for an integer, ``yes`` for a
    boolean, ``a,b`` or a JSON list for a list, JSON for an object. Other values must
    already have the type.

    Raises:
        ValueError: when the value cannot have the declared type.
    """
    if not isinstance(value, str) or param.type is ParamType.STRING:
        if param.accepts(value):
            return value
        raise ValueError(f"{value!r} is not {param.type.value}")
    text = value.strip()
    try:
        if param.type is ParamType.INTEGER:
            return int(text)
        if param.type is ParamType.NUMBER:
            return float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not {param.type.value}") from None
    if param.type is ParamType.BOOLEAN:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(f"{value!r} is not a boolean (use true or false)")
    if param.type is ParamType.LIST:
        if text.startswith("["):
            return _json(text)  # JSON text that starts with '[' is a list
        return [item.strip() for item in text.split(",") if item.strip()]
    parsed = _json(text)
    if isinstance(parsed, dict):
        return parsed
    raise ValueError(f"{value!r} is not a JSON object")


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{text!r} is not valid JSON: {e.msg}") from None


def parse_param_assignments(items: list[str]) -> dict[str, str]:
    """Read ``["k=v", ...]`` as typed on a command line.

    Raises:
        ValueError: for an item without ``=``.
    """
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--param {item!r}: write it as NAME=VALUE")
        out[key.strip()] = value
    return out
