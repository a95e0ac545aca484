"""Composing a YAML document into nodes without recursion, within limits.

The YAML 1.2 core schema is set up here (``no`` stays text, ``1:30`` stays text), and
the nodes are composed from parser events with an explicit stack: PyYAML's composer
recurses once per nesting level (in C with libyaml), so a deep enough ``[[[[...``
overflows the C stack and kills the process. Aliases are measured before anything is
expanded, so a billion-laughs document costs microseconds.
"""

from __future__ import annotations

import re
from typing import Any, Final, cast

import yaml
from yaml.error import Mark
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

from odp.spec.source import Position

__all__ = [
    "MAP",
    "MAX_DEPTH",
    "MAX_NODES",
    "MERGE",
    "PATTERNS",
    "SEQ",
    "STR",
    "TAG",
    "Loader",
    "Problem",
    "bad_tag",
    "check_expansion",
    "compose",
    "position",
    "too_deep",
]

MAX_NODES: Final = 200_000
MAX_DEPTH: Final = 200

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[valid-type,misc]  # the C loader when libyaml is there
    """SafeLoader (libyaml's when available) with YAML 1.2 core-schema scalars."""


_BOOL = r"^(?:true|True|TRUE|false|False|FALSE)$"
_INT = r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"
_FLOAT = (
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NULL = r"^(?:~|null|Null|NULL|)$"

Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
    ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
    ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
):
    Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))

TAG: Final = "tag:yaml.org,2002:"
PATTERNS: Final = {
    TAG + "null": re.compile(_NULL),
    TAG + "bool": re.compile(_BOOL),
    TAG + "int": re.compile(_INT),
    TAG + "float": re.compile(_FLOAT),
}
STR: Final = TAG + "str"
MERGE: Final = TAG + "merge"
SEQ: Final = TAG + "seq"
MAP: Final = TAG + "map"


class Problem(Exception):
    """A document that parses but cannot be loaded: too deep, too big, a bad tag."""

    def __init__(self, mark: Any, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.position = position(mark)
        self.code = code
        self.message = message
        self.hint = hint


def position(mark: Any) -> Position:
    """The 1-based position of a mark (libyaml's and PyYAML's have the same attributes)."""
    return Position(mark.line + 1, mark.column + 1)


def mark_of(mark: Any) -> Mark:
    """A libyaml mark typed as PyYAML's, which it behaves like."""
    return cast(Mark, mark)  # libyaml's marks have the attributes of PyYAML's


def too_deep(mark: Any) -> Problem:
    """The problem of a document nesting deeper than :data:`MAX_DEPTH`."""
    return Problem(
        mark,
        "yaml-too-deep",
        f"the document nests deeper than {MAX_DEPTH} levels",
        "flatten the structure",
    )


def bad_tag(node: Node) -> Problem:
    """The problem of a tag that is not plain data (``!!python/object``, ``!!set``)."""
    return Problem(
        node.start_mark,
        "yaml-unsupported-tag",
        f"the tag {node.tag!r} is not supported",
        "pipelines hold plain data: remove the tag",
    )


# ---------------------------------------------------------------------------- composing
class _Open:
    """A collection being filled while its events arrive."""

    __slots__ = ("key", "node")

    def __init__(self, node: CollectionNode) -> None:
        self.node = node
        self.key: Node | None = None

    def add(self, child: Node) -> None:
        if isinstance(self.node, SequenceNode):
            self.node.value.append(child)
        elif self.key is None:
            self.key = child
        else:
            self.node.value.append((self.key, child))
            self.key = None


def compose(loader: Loader) -> tuple[Node, bool] | None:
    """Compose the single document from parser events, iteratively.

    PyYAML's composer recurses once per nesting level (in C for libyaml), so a deep
    enough ``[[[[...`` crashes the process; this one keeps its own stack and stops at
    :data:`MAX_DEPTH` levels and :data:`MAX_NODES` values.

    Returns:
        The root node and whether the document uses aliases; None for no document.
    """
    loader.get_event()  # stream start
    if loader.check_event(StreamEndEvent):
        return None
    loader.get_event()  # document start
    anchors: dict[str, Node] = {}
    stack: list[_Open] = []
    root: Node | None = None
    aliased = False
    count = 0
    while root is None:
        event = loader.get_event()
        count += not isinstance(event, MappingEndEvent | SequenceEndEvent)
        if count > MAX_NODES:
            raise Problem(
                event.start_mark,
                "yaml-too-complex",
                f"the document holds more than {MAX_NODES:,} values",
                "a pipeline describes steps; keep data in files",
            )
        node: Node
        if isinstance(event, AliasEvent):
            aliased = True
            if event.anchor not in anchors:
                raise Problem(
                    event.start_mark,
                    "yaml-syntax",
                    f"unknown alias *{event.anchor}",
                    f"define the anchor &{event.anchor} before using it",
                )
            node = anchors[event.anchor]
        elif isinstance(event, ScalarEvent):
            tag = event.tag
            if tag == "!":  # the non-specific tag: text, whatever it looks like
                tag = STR
            elif tag is None:
                tag = loader.resolve(ScalarNode, event.value, event.implicit)
            node = ScalarNode(
                tag, event.value, mark_of(event.start_mark), mark_of(event.end_mark), event.style
            )
        elif isinstance(event, CollectionStartEvent):
            kind: type[CollectionNode] = (
                MappingNode if isinstance(event, MappingStartEvent) else SequenceNode
            )
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(kind, None, event.implicit)
            collection = kind(tag, [], mark_of(event.start_mark), None, flow_style=event.flow_style)
            if event.anchor is not None:
                anchors[event.anchor] = collection
            if len(stack) > MAX_DEPTH:  # the depth of the new collection
                raise too_deep(event.start_mark)
            stack.append(_Open(collection))
            continue
        else:  # the end of a collection: the parser accepts no other event here
            assert isinstance(event, MappingEndEvent | SequenceEndEvent)
            node = stack.pop().node
            node.end_mark = mark_of(event.end_mark)
        if isinstance(event, ScalarEvent) and event.anchor is not None:
            anchors[event.anchor] = node
        if stack:
            stack[-1].add(node)
        else:
            root = node
    end = loader.get_event()
    assert isinstance(end, DocumentEndEvent)
    if not loader.check_event(StreamEndEvent):
        raise Problem(
            loader.peek_event().start_mark,
            "yaml-multiple-documents",
            "the file holds more than one YAML document",
            "a pipeline is one document: remove the `---` line, or split the file",
        )
    return root, aliased


def check_expansion(root: Node) -> None:
    """Refuse documents whose aliases expand past :data:`MAX_NODES`, or loop.

    Sizes are computed once per distinct node, so a billion-laughs document is measured
    in microseconds without being expanded.
    """
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        if children_done:
            visiting.discard(key)
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > MAX_NODES:
                raise Problem(
                    node.start_mark,
                    "yaml-too-complex",
                    f"the document expands to more than {MAX_NODES:,} values (through aliases)",
                    "avoid deeply nested anchors and aliases",
                )
            sizes[key] = total
            continue
        if key in visiting:
            raise Problem(
                node.start_mark,
                "yaml-recursive",
                "the document refers to itself",
                "remove the alias loop",
            )
        visiting.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
