"""Positions in pipeline source text, and the map from data paths to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Path", "Position", "SourceMap"]

Path = tuple[str | int, ...]
"""Where a value sits in the data: keys and list indexes from the root."""


class Position(NamedTuple):
    """A 1-based line and column (a tuple: cheap to make for every value of a file)."""

    line: int
    column: int


@dataclass(slots=True)
class SourceMap:
    """Where each value (and each mapping key) starts in the source.

    Attributes:
        values: the start of each value, by path.
        keys: the start of each mapping key, by the path of its value.
        templates: for text values holding ``{{``, where each ``{{`` is in the source, by
            its offset in the value (so that a diagnostic can point at the template itself
            rather than at the start of the string).
    """

    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)
    templates: dict[Path, dict[int, Position]] = field(default_factory=dict)

    def find(self, path: Path, *, key: bool = False) -> Position | None:
        """The position of ``path`` (of its key with ``key``), or of its nearest ancestor."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        for end in range(len(path) - 1, -1, -1):
            if path[:end] in self.values:
                return self.values[path[:end]]
        return None

    def find_template(self, path: Path, offset: int) -> Position | None:
        """The position of the ``{{`` at ``offset`` in the text value at ``path``.

        Falls back to the start of the value when the template cannot be placed exactly
        (in a folded or escaped string).
        """
        exact = self.templates.get(path, {}).get(offset)
        return exact if exact is not None else self.find(path)
