from __future__ import annotations

import datetime as dt
import math

import pytest
from pydantic import ValidationError

from odp.spec import ParamType, Pipeline, PipelineParam, RetryPolicy, Section, Step, parse_duration


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (30, 30),
        (1.5, 1.5),
        ("30s", 30),
        ("5m", 300),
        ("1h30m", 5400),
        (" 1 h 30 m ", 5400),
        ("250ms", 0.25),
        ("2d", 172800),
        ("2.5", 2.5),
        (".5", 0.5),
    ],
)
def test_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("value", ["PT30S", "-P1D", None, [1], True])
def test_other_values_are_left_to_pydantic(value: object) -> None:
    assert parse_duration(value) is value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("forever", "'forever' is not a duration"),
        ("inf", "'inf' is not a duration"),
        ("1e400", "'1e400' is not a duration"),
        ("5x", "'5x' is not a duration"),
        (math.nan, "NaN is not a duration"),
        (math.inf, "inf is too long a duration"),
        (1e300, "1e+300 is too long a duration"),
        ("99999999999d", "'99999999999d' is too long a duration"),
    ],
)
def test_bad_durations_say_why(value: object, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("+", r"\+")):
        parse_duration(value)


def test_a_step_reads_durations_and_refuses_non_positive_ones() -> None:
    step = Step.model_validate({"name": "a", "method": "x.y.z", "timeout": "PT1M"})
    assert step.timeout == dt.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="a duration must be positive"):
        Step.model_validate({"name": "a", "method": "x.y.z", "timeout": 0})
    retry = RetryPolicy.model_validate({"initial_interval": "250ms", "max_interval": "1m"})
    assert (retry.initial_interval, retry.max_interval) == (
        dt.timedelta(milliseconds=250),
        dt.timedelta(minutes=1),
    )


@pytest.mark.parametrize(
    ("declared", "type_", "default"),
    [
        (100, ParamType.INTEGER, 100),
        (0.5, ParamType.NUMBER, 0.5),
        (True, ParamType.BOOLEAN, True),
        ("AI", ParamType.STRING, "AI"),
        (None, ParamType.STRING, None),
        ([1, 2], ParamType.LIST, [1, 2]),
        ({"lang": "en"}, ParamType.OBJECT, {"lang": "en"}),
        ({"default": 3, "description": "n"}, ParamType.INTEGER, 3),
        ({"default": {"a": 1}}, ParamType.OBJECT, {"a": 1}),
        ({"description": "free text"}, ParamType.STRING, None),
        ({"type": "number", "default": 1}, ParamType.NUMBER, 1),
        ({"type": "list", "required": True}, ParamType.LIST, None),
    ],
)
def test_pipeline_param_short_and_full_forms(
    declared: object, type_: ParamType, default: object
) -> None:
    param = PipelineParam.model_validate(declared)
    assert (param.type, param.default) == (type_, default)


@pytest.mark.parametrize(
    "declared",
    [
        {"type": "integer", "default": "x"},
        {"type": "integer", "default": True},
        {"type": "string", "default": 1},
        {"type": "wrong"},
    ],
)
def test_pipeline_param_defaults_must_have_the_type(declared: object) -> None:
    with pytest.raises(ValidationError):
        PipelineParam.model_validate(declared)


def test_accepts() -> None:
    number = PipelineParam(type=ParamType.NUMBER)
    assert number.accepts(1)
    assert number.accepts(1.5)
    assert not number.accepts(True)
    assert PipelineParam(type=ParamType.BOOLEAN).accepts(False)
    assert not PipelineParam(type=ParamType.OBJECT).accepts([])


def test_pipeline_steps_in_declaration_order() -> None:
    pipeline = Pipeline.model_validate(
        {
            "name": "abc",
            "sinks": [{"name": "c", "method": "f.g.h"}],
            "sources": [{"name": "a", "method": "f.g.h"}],
            "transforms": [{"name": "b", "method": "f.g.h"}],
        }
    )
    assert [(s, i, st.name) for s, i, st in pipeline.steps()] == [
        (Section.SOURCES, 0, "a"),
        (Section.TRANSFORMS, 0, "b"),
        (Section.SINKS, 0, "c"),
    ]
    found = pipeline.step("b")
    assert found is not None
    assert found.method == "f.g.h"
    assert pipeline.step("nope") is None
