from __future__ import annotations

import datetime as dt
import decimal
import enum
import pathlib
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal, TypeVar

import pytest
from pydantic import BaseModel, Field

from odp.artifacts import DatasetRef
from odp.spec.types import (
    ANY,
    STRING,
    Kind,
    PathError,
    ValueType,
    compatible,
    dataset_fields,
    fields_at,
    param_type_at,
    type_at,
    type_of,
)

T = TypeVar("T")
INTEGER = ValueType(Kind.INTEGER)
NUMBER = ValueType(Kind.NUMBER)
BOOLEAN = ValueType(Kind.BOOLEAN)
NULL = ValueType(Kind.NULL)
DATASET = ValueType(Kind.DATASET, model=DatasetRef)


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1


class Mixed(enum.Enum):
    A = 1
    B = "b"


class Inner(BaseModel):
    name: str
    tags: list[str] = []


class Output(BaseModel):
    data: DatasetRef
    count: int
    items: list[Inner] = Field(default_factory=list)
    by_key: dict[str, Inner] = Field(default_factory=dict)
    maybe: Inner | None = None
    either: Inner | list[int] = Field(default_factory=list)
    pair: tuple[int, Inner] = (0, Inner(name="x"))
    extra: DatasetRef | None = None


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (Any, ANY),
        (object, ANY),
        (None, NULL),
        (type(None), NULL),
        (str, STRING),
        (int, INTEGER),
        (bool, BOOLEAN),
        (float, NUMBER),
        (decimal.Decimal, NUMBER),
        (pathlib.Path, STRING),
        (dt.datetime, STRING),
        (dt.timedelta, STRING),
        (dict, ValueType(Kind.OBJECT, item=ANY)),
        (list, ValueType(Kind.LIST, item=ANY)),
        (frozenset, ValueType(Kind.LIST, item=ANY)),
        (bytes, ANY),
        (Colour, STRING),
        (Level, INTEGER),
        (Mixed, ANY),
        (Literal["a", "b"], STRING),
        (Literal[1, "a"], ANY),
        (Annotated[int, "meta"], INTEGER),
        (list[str], ValueType(Kind.LIST, item=STRING)),
        (Sequence[int], ValueType(Kind.LIST, item=INTEGER)),
        (set[float], ValueType(Kind.LIST, item=NUMBER)),
        (tuple[int, ...], ValueType(Kind.LIST, item=INTEGER)),
        (tuple[int, int], ValueType(Kind.LIST, item=INTEGER)),
        (tuple[int, str], ValueType(Kind.LIST, item=ANY)),
        (dict[str, int], ValueType(Kind.OBJECT, item=INTEGER)),
        (Mapping[str, DatasetRef], ValueType(Kind.OBJECT, item=DATASET)),
        (int | None, ValueType(Kind.UNION, options=(INTEGER, NULL))),
        (Callable[[int], int], ANY),
        (T, ANY),
        (DatasetRef, DATASET),
        (Inner, ValueType(Kind.OBJECT, model=Inner)),
    ],
)
def test_type_of(annotation: Any, expected: ValueType) -> None:
    assert type_of(annotation) == expected


@pytest.mark.parametrize(
    ("vt", "words"),
    [
        (DATASET, "a dataset"),
        (STRING, "text"),
        (ValueType(Kind.LIST, item=STRING), "a list of text values"),
        (ValueType(Kind.LIST, item=DATASET), "a list of datasets"),
        (ValueType(Kind.LIST, item=ValueType(Kind.LIST, item=ANY)), "a list of lists"),
        (ValueType(Kind.LIST, item=NULL), "a list of values"),
        (ValueType(Kind.LIST, item=ANY), "a list"),
        (ValueType(Kind.UNION, options=(INTEGER, STRING, NULL)), "an integer or text"),
        (ANY, "any value"),
    ],
)
def test_describe(vt: ValueType, words: str) -> None:
    assert vt.describe() == words


def output() -> ValueType:
    return ValueType(Kind.OBJECT, model=Output)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), ValueType(Kind.OBJECT, model=Output)),
        (("data",), DATASET),
        (("data", "rows"), INTEGER),
        (("data", "columns", 0, "name"), STRING),
        (("items", 3, "tags", 0), STRING),
        (("by_key", "anything", "name"), STRING),
        (("maybe", "name"), STRING),
        (("either", "name"), STRING),
        (("either", 0), INTEGER),
        (("extra", "uri"), STRING),
        (("pair", 1, "name"), ANY),
    ],
)
def test_type_at_walks_models_lists_mappings_and_unions(
    path: tuple[str | int, ...], expected: ValueType
) -> None:
    assert type_at(output(), path) == expected


def test_type_at_anything_below_any_is_any() -> None:
    assert type_at(ANY, ("a", 0, "b")) == ANY
    assert type_at(ValueType(Kind.OBJECT, item=ANY), ("x", "y", 1)) == ANY


@pytest.mark.parametrize(
    ("path", "walked", "segment", "available", "reason"),
    [
        (
            ("nope",),
            (),
            "nope",
            ["data", "count", "items", "by_key", "maybe", "either", "pair", "extra"],
            "no such field",
        ),
        (("data", "nope"), ("data",), "nope", list(DatasetRef.model_fields), "no such field"),
        (("items", "first"), ("items",), "first", [], "a list is indexed by numbers"),
        (("by_key", 0), ("by_key",), 0, [], "an object is indexed by names, not numbers"),
        (("count", "x"), ("count",), "x", [], "an integer has no fields"),
        (("either", "nope"), ("either",), "nope", [], "no member of the union has it"),
    ],
)
def test_type_at_says_what_is_missing(
    path: tuple[str | int, ...],
    walked: tuple[str | int, ...],
    segment: str | int,
    available: list[str],
    reason: str,
) -> None:
    with pytest.raises(PathError) as info:
        type_at(output(), path)
    assert (info.value.walked, info.value.segment) == (walked, segment)
    assert info.value.available == available
    assert info.value.reason == reason


def test_param_type_and_fields_at() -> None:
    assert param_type_at(Output, ("items", 0)) == ValueType(Kind.OBJECT, model=Inner)
    assert param_type_at(Output, ("nope",)) is None
    assert fields_at(Output, ("items", 0)) == ["name", "tags"]
    assert fields_at(Output, ("count",)) == []
    assert fields_at(Output, ("nope", "deeper")) == []


def test_dataset_fields() -> None:
    assert dataset_fields(Output) == ["data", "extra"]
    assert dataset_fields(Inner) == []


LIST_OF_TEXT = ValueType(Kind.LIST, item=STRING)
LIST_OF_INTS = ValueType(Kind.LIST, item=INTEGER)
OPTIONAL_TEXT = ValueType(Kind.UNION, options=(STRING, NULL))


@pytest.mark.parametrize(
    ("source", "target", "fits"),
    [
        (ANY, DATASET, True),
        (DATASET, ANY, True),
        (DATASET, DATASET, True),
        (DATASET, STRING, False),
        (STRING, DATASET, False),
        (INTEGER, STRING, True),
        (NUMBER, STRING, True),
        (BOOLEAN, STRING, False),
        (INTEGER, NUMBER, True),
        (NUMBER, INTEGER, False),
        (STRING, OPTIONAL_TEXT, True),
        (OPTIONAL_TEXT, STRING, True),
        (NULL, STRING, False),
        (LIST_OF_INTS, LIST_OF_TEXT, True),
        (LIST_OF_TEXT, LIST_OF_INTS, False),
        (STRING, LIST_OF_TEXT, False),
        (ValueType(Kind.LIST), ValueType(Kind.LIST), True),
        (ValueType(Kind.OBJECT, model=Inner), ValueType(Kind.OBJECT, item=ANY), True),
        (STRING, ValueType(Kind.OBJECT, item=ANY), False),
        (BOOLEAN, BOOLEAN, True),
        (INTEGER, BOOLEAN, False),
    ],
)
def test_compatible(source: ValueType, target: ValueType, fits: bool) -> None:
    assert compatible(source, target) is fits
