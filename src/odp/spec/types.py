"""A small type algebra for checking ``{{ }}`` references before a run.

Python annotations of params and output models are reduced to :class:`ValueType`, which
knows just enough to say whether a referenced value fits where it is used: a dataset
is not text, text is not a dataset, an integer fits a number, and so on.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import pathlib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from odp.artifacts import DatasetRef

__all__ = [
    "ANY",
    "STRING",
    "Kind",
    "PathError",
    "ValueType",
    "compatible",
    "dataset_fields",
    "fields_at",
    "param_type_at",
    "type_at",
    "type_of",
]


class Kind(enum.StrEnum):
    """The broad kind of a value."""

    DATASET = "dataset"
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    LIST = "list"
    OBJECT = "object"
    NULL = "null"
    ANY = "any"
    UNION = "union"


_ARTICLES = {
    Kind.DATASET: "a dataset",
    Kind.STRING: "text",
    Kind.INTEGER: "an integer",
    Kind.NUMBER: "a number",
    Kind.BOOLEAN: "a boolean",
    Kind.LIST: "a list",
    Kind.OBJECT: "an object",
    Kind.NULL: "null",
    Kind.ANY: "any value",
}


@dataclass(frozen=True, slots=True)
class ValueType:
    """A value's type as far as templates care.

    Attributes:
        kind: the broad kind.
        item: the element type of a list, the value type of a mapping.
        model: the Pydantic model of an object, when it is one.
        options: the members of a union.
    """

    kind: Kind
    item: ValueType | None = None
    model: type[BaseModel] | None = None
    options: tuple[ValueType, ...] = ()

    def describe(self) -> str:
        """The type in words ('a dataset', 'a list of text', 'text or a list')."""
        if self.kind is Kind.UNION:
            return " or ".join(o.describe() for o in self.options if o.kind is not Kind.NULL)
        if self.kind is Kind.LIST and self.item and self.item.kind is not Kind.ANY:
            return f"a list of {_plural(self.item)}"
        return _ARTICLES[self.kind]

    def fields(self) -> list[str]:
        """The field names of an object type, or of an optional one (empty when unknown)."""
        found = _non_null(self)
        if found.model is not None:
            return list(found.model.model_fields)
        return []


def _plural(vt: ValueType) -> str:
    words = {
        Kind.DATASET: "datasets",
        Kind.STRING: "text values",
        Kind.INTEGER: "integers",
        Kind.NUMBER: "numbers",
        Kind.BOOLEAN: "booleans",
        Kind.OBJECT: "objects",
        Kind.LIST: "lists",
    }
    return words.get(vt.kind, "values")


ANY = ValueType(Kind.ANY)
STRING = ValueType(Kind.STRING)


def type_of(annotation: Any) -> ValueType:
    """Reduce a Python annotation to a :class:`ValueType`."""
    if annotation is Any or annotation is object:
        return ANY
    if annotation is None or annotation is type(None):
        return ValueType(Kind.NULL)
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return type_of(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        options = tuple(type_of(a) for a in get_args(annotation))
        return ValueType(Kind.UNION, options=options)
    if origin is Literal:
        values = get_args(annotation)
        kinds = {type_of(type(v)).kind for v in values}
        return ValueType(kinds.pop()) if len(kinds) == 1 else ANY
    if origin is not None:
        if isinstance(origin, type) and issubclass(origin, Mapping):
            args = get_args(annotation)
            return ValueType(Kind.OBJECT, item=type_of(args[1]) if len(args) == 2 else ANY)
        if isinstance(origin, type) and issubclass(origin, Sequence | set | frozenset):
            return ValueType(Kind.LIST, item=_item_type(get_args(annotation)))
        return ANY
    if isinstance(annotation, type):
        return _type_of_class(annotation)
    return ANY  # a TypeVar, a forward reference: anything may fit


def _item_type(args: tuple[Any, ...]) -> ValueType:
    """The element type of ``list[X]``, ``tuple[X, ...]`` or ``tuple[X, Y]``."""
    if len(args) == 2 and args[1] is Ellipsis:
        args = args[:1]
    items = {type_of(a) for a in args}
    return items.pop() if len(items) == 1 else ANY


def _type_of_class(cls: type) -> ValueType:
    if issubclass(cls, DatasetRef):
        return ValueType(Kind.DATASET, model=cls)
    if issubclass(cls, BaseModel):
        return ValueType(Kind.OBJECT, model=cls)
    if issubclass(cls, bool):
        return ValueType(Kind.BOOLEAN)
    if issubclass(cls, enum.Enum):
        members = {type(m.value) for m in cls}
        return _type_of_class(members.pop()) if len(members) == 1 else ANY
    if issubclass(cls, int):
        return ValueType(Kind.INTEGER)
    if issubclass(cls, float | decimal.Decimal):
        return ValueType(Kind.NUMBER)
    if issubclass(cls, str | pathlib.PurePath | dt.date | dt.time | dt.timedelta):
        return STRING
    if issubclass(cls, dict):
        return ValueType(Kind.OBJECT, item=ANY)
    if issubclass(cls, list | tuple | set | frozenset):
        return ValueType(Kind.LIST, item=ANY)
    return ANY


class PathError(Exception):
    """A path segment that does not exist in a type.

    Attributes:
        walked: the segments that did exist.
        segment: the one that did not.
        available: what exists at that point (field names), if known.
    """

    def __init__(
        self, walked: tuple[str | int, ...], segment: str | int, available: list[str], reason: str
    ) -> None:
        super().__init__(reason)
        self.walked = walked
        self.segment = segment
        self.available = available
        self.reason = reason


def _non_null(vt: ValueType) -> ValueType:
    if vt.kind is Kind.UNION:
        rest = [o for o in vt.options if o.kind is not Kind.NULL]
        if len(rest) == 1:
            return rest[0]
    return vt


def type_at(root: ValueType, path: tuple[str | int, ...]) -> ValueType:
    """The type found by walking ``path`` from ``root``.

    Raises:
        PathError: when a segment does not exist.
    """
    current = root
    for i, segment in enumerate(path):
        current = _non_null(current)
        walked = path[:i]
        if current.kind is Kind.ANY:
            return ANY
        if current.kind in (Kind.OBJECT, Kind.DATASET) and current.model is not None:
            fields = current.model.model_fields
            if isinstance(segment, str) and segment in fields:
                current = type_of(fields[segment].annotation)
                continue
            raise PathError(walked, segment, list(fields), "no such field")
        if current.kind is Kind.OBJECT:
            if isinstance(segment, str):
                current = current.item or ANY
                continue
            raise PathError(walked, segment, [], "an object is indexed by names, not numbers")
        if current.kind is Kind.LIST:
            if isinstance(segment, int):
                current = current.item or ANY
                continue
            raise PathError(walked, segment, [], "a list is indexed by numbers")
        if current.kind is Kind.UNION:
            for option in current.options:
                try:
                    return type_at(option, path[i:])
                except PathError:
                    continue
            raise PathError(walked, segment, [], "no member of the union has it")
        raise PathError(walked, segment, [], f"{current.describe()} has no fields")
    return current


def param_type_at(model: type[BaseModel], path: tuple[str | int, ...]) -> ValueType | None:
    """The expected type of the param value at ``path`` (None when the path is unknown)."""
    try:
        return type_at(ValueType(Kind.OBJECT, model=model), path)
    except PathError:
        return None


def fields_at(model: type[BaseModel], path: tuple[str | int, ...]) -> list[str]:
    """The field names of the object at ``path`` in ``model`` (empty when unknown)."""
    found = param_type_at(model, path)
    return found.fields() if found is not None else []


def dataset_fields(model: type[BaseModel]) -> list[str]:
    """The fields of ``model`` that hold a dataset (perhaps optional), in declaration order."""
    return [
        name
        for name, f in model.model_fields.items()
        if _non_null(type_of(f.annotation)).kind is Kind.DATASET
    ]


def compatible(source: ValueType, target: ValueType) -> bool:
    """Whether a value of type ``source`` may fill a slot of type ``target``."""
    if source.kind is Kind.ANY or target.kind is Kind.ANY:
        return True
    if target.kind is Kind.UNION:
        return any(compatible(source, option) for option in target.options)
    if source.kind is Kind.UNION:
        options = [o for o in source.options if o.kind is not Kind.NULL]
        return any(compatible(o, target) for o in options)
    if source.kind is Kind.NULL:
        return False
    if target.kind is Kind.DATASET or source.kind is Kind.DATASET:
        return source.kind is target.kind
    if target.kind is Kind.STRING:
        return source.kind in (Kind.STRING, Kind.INTEGER, Kind.NUMBER)
    if target.kind is Kind.NUMBER:
        return source.kind in (Kind.INTEGER, Kind.NUMBER)
    if target.kind is Kind.LIST:
        if source.kind is not Kind.LIST:
            return False
        return compatible(source.item or ANY, target.item or ANY)
    if target.kind is Kind.OBJECT:
        # the fields of objects are checked by the params model once resolved
        return source.kind is Kind.OBJECT
    return source.kind is target.kind
