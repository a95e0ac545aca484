"""The columns each method's rows have, read from its documentation.

Sources document their rows (``Rows: id, text, author, ...``); enrichers say what they
add (``Add `sentiment` ... and `sentiment_label```). The planner uses these to pick a
text column, to build a union over the columns two sources share, and to tell a
column name from an ordinary word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from odp.catalog import Catalog, MethodKind, MethodSpec

__all__ = ["ColumnBook"]

_ROWS: Final = re.compile(r"Rows(?: \([^)]*\))?:\s*(.+?)(?:\.\s|\.$)", re.S)
_ADDS: Final = re.compile(r"^Add[s]?\b(.+?)(?:\.\s|\.$|:)", re.S | re.M)
_NAME: Final = re.compile(r"`([a-z_][a-z0-9_]*)`")


def _source_columns(spec: MethodSpec[Any, Any]) -> list[str]:
    match = _ROWS.search(spec.description)
    if match is None:
        return []
    listing = re.sub(r"\([^)]*\)", "", match.group(1))
    return [
        word.strip().split()[0]
        for word in listing.replace("\n", " ").split(",")
        if word.strip() and re.fullmatch(r"[a-z_][a-z0-9_]*", word.strip().split()[0])
    ]


def _added_columns(spec: MethodSpec[Any, Any]) -> list[str]:
    match = _ADDS.search(spec.description)
    return _NAME.findall(match.group(1)) if match else []


def _selected(query: Any) -> list[str]:
    """The columns a query's SELECT names (``a, b AS c`` → a, c); none for ``*`` or SQL."""
    match = re.match(r"\s*select\s+(.+?)\s+from\b", str(query or ""), re.I | re.S)
    names = []
    for item in match.group(1).split(",") if match else []:
        name = re.fullmatch(r"\s*(?:\w+\.)?(\w+)(?:\s+as\s+(\w+))?\s*", item, re.I)
        if name is None:
            return []
        names.append((name.group(2) or name.group(1)).lower())
    return names


class ColumnBook:
    """Known columns per method: those a source yields, those a transform adds.

    Args:
        catalog: the methods whose docs are read.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.rows: dict[str, list[str]] = {}
        self.adds: dict[str, list[str]] = {}
        for spec in catalog:
            if spec.kind is MethodKind.SOURCE:
                self.rows[spec.id] = _source_columns(spec)
            else:
                self.adds[spec.id] = _added_columns(spec)

    def after(self, method: str, upstream: list[str], params: Mapping[str, Any]) -> list[str]:
        """The columns after a step of ``method`` over rows with ``upstream`` columns."""
        if method == "sql.query.read":
            return _selected(params.get("query"))
        if method in self.rows:
            return list(self.rows[method])
        columns = list(upstream)
        added = list(self.adds.get(method, []))
        if method == "nlp.text.extract":
            kinds = params.get("kinds") or added
            added = [k for k in kinds if isinstance(k, str)]
        if method == "data.rows.select" and isinstance(params.get("columns"), list):
            columns = [c for c in params["columns"] if isinstance(c, str)]
        if method == "data.rows.aggregate":
            groups = params.get("group_by") or []
            aggregations = params.get("aggregations") or {}
            columns = [*groups, *aggregations]
        return columns + [c for c in added if c not in columns]
