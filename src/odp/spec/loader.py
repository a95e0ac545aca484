"""Safe YAML loading that remembers where every value came from.

Only plain data is built (mappings, sequences, strings, numbers, booleans, null), with
YAML 1.2 core-schema scalars. Files over :data:`MAX_BYTES`, documents nesting deeper
than :data:`MAX_DEPTH` and documents whose aliases expand past :data:`MAX_NODES` are
refused before they can use much time or memory (see :mod:`odp.spec._compose`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Final

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from odp.spec._compose import (
    MAP,
    MAX_DEPTH,
    MAX_NODES,
    MERGE,
    PATTERNS,
    SEQ,
    STR,
    TAG,
    Loader,
    Problem,
    bad_tag,
    check_expansion,
    compose,
    position,
    too_deep,
)
from odp.spec.source import Path, Position, SourceMap

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "LoadError",
    "LoadedDocument",
    "Position",
    "SourceMap",
    "load_yaml",
]

MAX_BYTES: Final = 1_048_576


@dataclass(frozen=True, slots=True)
class LoadError:
    """Why a document could not be loaded."""

    code: str
    message: str
    position: Position | None
    hint: str | None = None


@dataclass(slots=True)
class LoadedDocument:
    """The data of a document with its source map, or the errors that stopped loading."""

    data: Any
    source_map: SourceMap
    errors: list[LoadError] = field(default_factory=list)
    duplicate_keys: list[tuple[Path, Position]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the document loaded."""
        return not self.errors


# ---------------------------------------------------------------------------- building
def _scalar(node: ScalarNode) -> Any:
    """The value of a scalar; an explicit tag that its text does not fit is a problem."""
    tag, value = node.tag, node.value
    pattern = PATTERNS.get(tag)
    if pattern is None:
        if tag in (STR, TAG + "timestamp"):  # timestamps stay text
            return value
        raise bad_tag(node)
    if not pattern.fullmatch(value):
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise Problem(
            node.start_mark,
            "yaml-bad-value",
            f"{shown!r} is not a valid {tag.removeprefix(TAG)}",
            "remove the tag, or write a value of that type",
        )
    if tag == TAG + "null":
        return None
    if tag == TAG + "bool":
        return value.lower() == "true"
    if tag == TAG + "float":
        lowered = value.lower().lstrip("+")
        if lowered in (".inf", "-.inf"):
            return -math.inf if lowered.startswith("-") else math.inf
        if lowered == ".nan":
            return math.nan
        return float(value)
    try:
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value)
    except ValueError:  # longer than Python converts (4300 digits)
        raise Problem(
            node.start_mark,
            "yaml-bad-value",
            f"the number at this place has {len(value):,} digits, more than can be read",
            "quote it to keep it as text",
        ) from None


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def _is_merge(key: Node) -> bool:
    return isinstance(key, ScalarNode) and (
        key.tag == MERGE or (key.tag == STR and key.value == "<<" and not key.style)
    )


def _template_positions(node: ScalarNode, text: str) -> dict[int, Position]:
    """Where each ``{{`` of a text value is in the source, by its offset in the value.

    The n-th ``{{`` of the value is the n-th of the source text. When escapes or folding
    make the counts differ, nothing is returned and diagnostics point at the value.
    """
    raw = text[node.start_mark.index : node.end_mark.index]
    in_value = [m.start() for m in re.finditer(r"(?={\{)", node.value)]
    in_source = [m.start() for m in re.finditer(r"(?={\{)", raw)]
    if len(in_value) != len(in_source):
        return {}
    positions: dict[int, Position] = {}
    for offset, index in zip(in_value, in_source, strict=True):
        newline = raw.rfind("\n", 0, index)
        if newline < 0:
            position = Position(node.start_mark.line + 1, node.start_mark.column + 1 + index)
        else:
            line = node.start_mark.line + 1 + raw.count("\n", 0, index)
            position = Position(line, index - newline)
        positions[offset] = position
    return positions


class _Builder:
    """Builds plain data from composed nodes, recording positions."""

    def __init__(self, source_map: SourceMap, text: str) -> None:
        self.source_map = source_map
        self.text = text
        self.duplicates: list[tuple[Path, Position]] = []

    def build(self, node: Node, path: Path, depth: int = 0) -> Any:
        # aliases can nest deeper than the text does
        if depth > MAX_DEPTH:
            raise too_deep(node.start_mark)
        # the first position wins: an alias re-uses its anchor's node
        self.source_map.values.setdefault(path, position(node.start_mark))
        if isinstance(node, ScalarNode):
            value = _scalar(node)
            if isinstance(value, str) and "{{" in value and path not in self.source_map.templates:
                self.source_map.templates[path] = _template_positions(node, self.text)
            return value
        if isinstance(node, SequenceNode):
            if node.tag != SEQ:
                raise bad_tag(node)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)  # the composer makes only the three kinds
        if node.tag != MAP:
            raise bad_tag(node)
        return self._mapping(node, path, depth)

    def _mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        own, merged = _merge_pairs(node)
        for key_node, value_node in own:
            key = self._key(key_node)
            child = (*path, key)
            if key in out:
                self.duplicates.append((child, position(key_node.start_mark)))
            self.source_map.keys.setdefault(child, position(key_node.start_mark))
            out[key] = self.build(value_node, child, depth + 1)
        # merged keys never override the mapping's own, nor an earlier merged mapping
        for key_node, value_node in merged:
            key = self._key(key_node)
            if key not in out:
                child = (*path, key)
                self.source_map.keys.setdefault(child, position(key_node.start_mark))
                out[key] = self.build(value_node, child, depth + 1)
        return out

    @staticmethod
    def _key(node: Node) -> str:
        if not isinstance(node, ScalarNode):
            unquoted = isinstance(node, MappingNode) and node.flow_style
            raise Problem(
                node.start_mark,
                "yaml-complex-key",
                "a mapping key must be plain text"
                + (" (is this an unquoted {{ template }}?)" if unquoted else ""),
                'quote values that start with "{{": query: "{{ params.q }}"',
            )
        return _key_text(_scalar(node))


def _merge_pairs(node: MappingNode) -> tuple[list[tuple[Node, Node]], list[tuple[Node, Node]]]:
    """A mapping's own pairs, and the pairs its ``<<`` merge keys bring, in priority order."""
    own: list[tuple[Node, Node]] = []
    merged: list[tuple[Node, Node]] = []
    for key_node, value_node in node.value:
        if not _is_merge(key_node):
            own.append((key_node, value_node))
            continue
        sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        for source in sources:
            if not isinstance(source, MappingNode):
                raise Problem(
                    source.start_mark,
                    "yaml-bad-merge",
                    "a merge key (<<) takes a mapping or a list of mappings",
                    "merge an anchored mapping: <<: *defaults",
                )
            inner_own, inner_merged = _merge_pairs(source)
            merged += inner_own + inner_merged
    return own, merged


# ---------------------------------------------------------------------------- entry
def _syntax_hint(problem: str) -> str | None:
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "quote values that contain ': ' or put a space after the colon of the key"
    if "escape" in problem:
        return r"in double quotes a backslash starts an escape: write \\ or use single quotes"
    if "did not find expected ','" in problem:
        return "separate items with ', ' and quote values that hold ': ', ',' or brackets"
    return None


def _refused(
    code: str, message: str, position: Position | None, hint: str | None
) -> LoadedDocument:
    return LoadedDocument(None, SourceMap(), [LoadError(code, message, position, hint)])


def _decode(text: str | bytes) -> str | LoadedDocument:
    """The text to parse, or the document refusing it."""
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size > MAX_BYTES:
        return _refused(
            "file-too-large",
            f"the pipeline is {size:,} bytes; the limit is {MAX_BYTES:,} bytes (1 MiB)",
            None,
            "split it, or move data out of the pipeline into files",
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            return _refused(
                "not-utf8",
                f"the file is not UTF-8 text (byte {e.start} cannot be decoded)",
                None,
                "save it as UTF-8",
            )
    bad = re.search(r"[\ud800-\udfff]", text)
    if bad is not None:
        return _refused(
            "not-utf8",
            "the text holds a lone surrogate, which is not a character",
            _offset_position(text, bad.start()),
            "send the pipeline as valid Unicode (UTF-8)",
        )
    # the byte order mark is not content; without it both loaders count the same offsets
    return text.removeprefix("\ufeff")


def _offset_position(text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)


def load_yaml(text: str | bytes) -> LoadedDocument:
    """Load one YAML document safely, with the position of every value.

    Never raises for bad input: problems come back in :attr:`LoadedDocument.errors`.
    """
    decoded = _decode(text)
    if isinstance(decoded, LoadedDocument):
        return decoded
    loader = Loader(decoded)
    try:
        composed = compose(loader)
        if composed is None:
            return LoadedDocument(None, SourceMap())
        node, aliased = composed
        if aliased:  # without aliases the document is no bigger than its events
            check_expansion(node)
        builder = _Builder(SourceMap(), decoded)
        data = builder.build(node, ())
    except Problem as e:
        return _refused(e.code, e.message, e.position, e.hint)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or "invalid YAML"
        if "maximum nesting depth" in problem:  # PyYAML >= 6.0.3's own limit, met first
            deep = too_deep(mark)
            return _refused(deep.code, deep.message, deep.position, deep.hint)
        context = f" ({e.context})" if e.context else ""
        return _refused(
            "yaml-syntax",
            f"{problem}{context}",
            position(mark) if mark else None,
            _syntax_hint(problem),
        )
    except yaml.reader.ReaderError as e:  # a character YAML does not allow
        where = decoded.find(chr(e.character))
        return _refused(
            "yaml-syntax",
            f"the character U+{e.character:04X} is not allowed ({e.reason})",
            _offset_position(decoded, where),
            "remove control characters from the file",
        )
    finally:
        loader.dispose()
    return LoadedDocument(data, builder.source_map, duplicate_keys=builder.duplicates)
