from __future__ import annotations

import re

import pytest

from odp.spec import ParamType, PipelineParam, coerce_param_value, parse_param_assignments


def param(kind: str) -> PipelineParam:
    return PipelineParam(type=ParamType(kind))


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("integer", "10", 10),
        ("integer", " -3 ", -3),
        ("integer", 7, 7),
        ("number", "2.5", 2.5),
        ("number", 2, 2),
        ("number", 2.5, 2.5),
        ("boolean", "yes", True),
        ("boolean", "Off", False),
        ("boolean", False, False),
        ("string", "10", "10"),
        ("list", "a, b,,c", ["a", "b", "c"]),
        ("list", '["a", 1]', ["a", 1]),
        ("list", [1], [1]),
        ("object", '{"lang": "en"}', {"lang": "en"}),
        ("object", {"a": 1}, {"a": 1}),
    ],
)
def test_values_are_converted_to_the_declared_type(
    kind: str, value: object, expected: object
) -> None:
    got = coerce_param_value(param(kind), value)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("integer", "ten", "'ten' is not integer"),
        ("integer", 1.5, "1.5 is not integer"),
        ("integer", True, "True is not integer"),
        ("number", "x", "'x' is not number"),
        ("boolean", "maybe", "'maybe' is not a boolean (use true or false)"),
        ("string", 5, "5 is not string"),
        ("list", "[1", "'[1' is not valid JSON"),
        ("list", '["a"', "is not valid JSON"),
        ("list", "[1] x", "is not valid JSON"),
        ("object", "[1]", "'[1]' is not a JSON object"),
        ("object", "{", "'{' is not valid JSON"),
    ],
)
def test_values_that_cannot_have_the_type(kind: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        coerce_param_value(param(kind), value)


def test_assignments() -> None:
    assert parse_param_assignments(["a=1", " b =x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    assert parse_param_assignments([]) == {}
    for bad in ("novalue", "=1", " =1"):
        with pytest.raises(ValueError, match="NAME=VALUE"):
            parse_param_assignments([bad])
