"""Transforms that combine rows: joins across two datasets, aggregates within groups.

Both are one DuckDB SELECT in the sandbox, or a lazy view when the output feeds a single
next step.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any, Literal, Self

import duckdb
from pydantic import Field, model_validator

from odp.artifacts import DatasetRef
from odp.artifacts.relations import quote_ident
from odp.catalog import MethodContext, MethodKind, MethodParams, ParamIssue, method
from odp.errors import MethodError
from odp.methods.tabular import RowsOutput, as_list, check_columns, in_thread, select_output

__all__ = ["aggregate_rows", "join_rows"]

JoinHow = Literal["inner", "left", "right", "full", "semi", "anti", "cross"]


# ---------------------------------------------------------------------- join
class JoinParams(MethodParams):
    """Two datasets and how their rows match."""

    left: DatasetRef = Field(description="The left dataset (its rows come first).")
    right: DatasetRef = Field(description="The right dataset.")
    on: str | list[str] | None = Field(
        default=None, description="The key column(s), named the same on both sides."
    )
    left_on: str | list[str] | None = Field(
        default=None, description="The key column(s) of the left dataset, when names differ."
    )
    right_on: str | list[str] | None = Field(
        default=None, description="The matching key column(s) of the right dataset."
    )
    how: JoinHow = Field(
        default="inner",
        description="inner (matching rows), left/right/full (keep unmatched rows of one or "
        "both sides), semi/anti (left rows with/without a match), cross (every pair).",
    )
    suffix: str = Field(
        default="_right",
        min_length=1,
        description="Appended to right-side column names that clash with left-side names.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        issues = _join_issues(self.model_dump())
        if issues:
            raise ValueError(f"{issues[0].field}: {issues[0].message}")
        return self


def _join_issues(params: Mapping[str, Any]) -> list[ParamIssue]:
    how = params.get("how", "inner")
    on, left_on, right_on = (params.get(k) for k in ("on", "left_on", "right_on"))
    if how == "cross":
        if on is not None or left_on is not None or right_on is not None:
            return [ParamIssue("how", "a cross join pairs every row and takes no key columns")]
        return []
    if on is not None and (left_on is not None or right_on is not None):
        return [
            ParamIssue(
                "on",
                "give either `on` or `left_on` and `right_on`, not both",
                hint="`on` is for keys with the same name on both sides",
            )
        ]
    if on is None and (left_on is None or right_on is None):
        return [
            ParamIssue(
                "on",
                "say which columns match: `on`, or `left_on` and `right_on`",
                hint="e.g. on: user_id",
            )
        ]
    if on is None:
        n_left = 1 if isinstance(left_on, str) else len(left_on or [])
        n_right = 1 if isinstance(right_on, str) else len(right_on or [])
        if n_left != n_right:
            return [
                ParamIssue(
                    "right_on",
                    f"{n_left} left key columns but {n_right} right key columns",
                    hint="name the same number of columns on both sides",
                )
            ]
    if on is not None and isinstance(on, list) and not on:
        return [ParamIssue("on", "name at least one key column")]
    return []


def _check_key_types(left: DatasetRef, right: DatasetRef, lk: list[str], rk: list[str]) -> None:
    left_types = {c.name: c.type for c in left.columns}
    right_types = {c.name: c.type for c in right.columns}
    for a, b in zip(lk, rk, strict=True):
        ta, tb = left_types[a], right_types[b]
        if ta != tb and not (_numeric(ta) and _numeric(tb)):
            raise MethodError(
                f"join keys do not have the same type: left {a!r} is {ta}, right {b!r} is {tb}",
                hint="convert one side first, e.g. data.sql.query with CAST(col AS VARCHAR)",
                field="on",
            )


def _numeric(type_name: str) -> bool:
    return type_name.startswith(("Int", "UInt", "Float", "Decimal"))


@method(
    "data.rows.join",
    kind=MethodKind.TRANSFORM,
    summary="Join two datasets on key columns",
    tags=("join", "merge", "combine", "lookup", "enrich", "match", "join tables", "left join"),
    checks=(_join_issues,),
    examples=[
        {
            "description": "Add each post's author profile",
            "params": {
                "left": "{{ posts.data }}",
                "right": "{{ authors.data }}",
                "left_on": "author",
                "right_on": "handle",
                "how": "left",
            },
        },
        {
            "description": "Posts not seen in yesterday's run",
            "params": {
                "left": "{{ today.data }}",
                "right": "{{ yesterday.data }}",
                "on": "id",
                "how": "anti",
            },
        },
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def join_rows(params: JoinParams, ctx: MethodContext) -> RowsOutput:
    """Join `left` and `right` on key columns, as SQL would.

    Null keys never match. With `on`, the key appears once; with `left_on`/`right_on`,
    inner and left joins keep the left key columns only. Right-side columns whose names
    clash with left-side ones get `suffix`. Rows come in the left dataset's order (then
    the right's), the same on every run. Numeric keys of different types (Int32 and
    Int64) match; other type differences are an error.
    """
    if params.how == "cross":
        lk: list[str] = []
        rk: list[str] = []
    elif params.on is not None:
        lk = rk = as_list(params.on)
    else:
        lk, rk = as_list(params.left_on), as_list(params.right_on)
    key_field = "on" if params.on is not None else "left_on"
    check_columns(params.left, lk, field=key_field)
    check_columns(params.right, rk, field="on" if params.on is not None else "right_on")
    _check_key_types(params.left, params.right, lk, rk)

    build = functools.partial(_join_sql, params, lk, rk)
    return await in_thread(
        lambda: select_output(
            ctx, {"left": params.left, "right": params.right}, build, field=key_field
        )
    )


_JOINS = {
    "inner": "JOIN",
    "left": "LEFT JOIN",
    "right": "RIGHT JOIN",
    "full": "FULL OUTER JOIN",
    "cross": "CROSS JOIN",
}


def _join_sql(params: JoinParams, lk: list[str], rk: list[str], t: Mapping[str, str]) -> str:
    """The join as SQL: rows in left order (then right order), so every run gives the same."""
    q = quote_ident
    condition = " AND ".join(f"l.{q(a)} = r.{q(b)}" for a, b in zip(lk, rk, strict=True))
    if params.how in ("semi", "anti"):
        exists = "EXISTS" if params.how == "semi" else "NOT EXISTS"
        return (
            f"SELECT l.* EXCLUDE (__odp_l) FROM "
            f"(SELECT *, row_number() OVER () AS __odp_l FROM {t['left']}) AS l "
            f"WHERE {exists} (SELECT 1 FROM {t['right']} AS r WHERE {condition}) "
            "ORDER BY l.__odp_l"
        )
    same_keys = params.on is not None
    listed: list[str] = []
    names: set[str] = set()
    for c in params.left.column_names:
        if same_keys and c in lk:
            # one key column: the left value, or the right one for unmatched right rows
            listed.append(f"coalesce(l.{q(c)}, r.{q(c)}) AS {q(c)}")
        else:
            listed.append(f"l.{q(c)}")
        names.add(c)
    drop_right = set(rk) if same_keys or params.how in ("inner", "left") else set()
    for c in params.right.column_names:
        if c in drop_right:
            continue
        name = c + params.suffix if c in names else c
        listed.append(f"r.{q(c)} AS {q(name)}")
        names.add(name)
    on = f" ON {condition}" if params.how != "cross" else ""
    return (
        f"SELECT {', '.join(listed)} "
        f"FROM (SELECT *, row_number() OVER () AS __odp_l FROM {t['left']}) AS l "
        f"{_JOINS[params.how]} (SELECT *, row_number() OVER () AS __odp_r FROM {t['right']}) AS r"
        f"{on} ORDER BY l.__odp_l NULLS LAST, r.__odp_r NULLS LAST"
    )


# ---------------------------------------------------------------------- aggregate
class AggregateParams(MethodParams):
    """Groups and what to compute for each."""

    data: DatasetRef = Field(description="The rows to aggregate.")
    group_by: list[str] = Field(
        default_factory=list,
        description="The columns that define the groups (none: one row for all the data).",
    )
    aggregations: dict[str, str] = Field(
        min_length=1,
        description="Output column -> one SQL aggregate expression, e.g. "
        "{posts: 'count(*)', mean_sentiment: 'avg(sentiment)', likes: 'sum(likes)'}.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        issues = _aggregate_issues(self.model_dump())
        if issues:
            raise ValueError(f"{issues[0].field}: {issues[0].message}")
        return self


def _aggregate_issues(params: Mapping[str, Any]) -> list[ParamIssue]:
    aggregations = params.get("aggregations")
    group_by = params.get("group_by") or []
    issues: list[ParamIssue] = []
    if not isinstance(aggregations, dict):
        return issues
    for name, expression in aggregations.items():
        field = f"aggregations.{name}"
        if not str(name).strip():
            issues.append(ParamIssue("aggregations", "an output column needs a name"))
        elif isinstance(group_by, list) and name in group_by:
            issues.append(
                ParamIssue(field, f"{name!r} is also a group_by column", hint="pick another name")
            )
        if isinstance(expression, str) and "{{" not in expression:
            problem = expression_problem(expression)
            if problem:
                issues.append(
                    ParamIssue(
                        field,
                        problem,
                        hint="write one aggregate expression such as count(*), avg(score) "
                        "or sum(likes) FILTER (WHERE lang = 'en')",
                    )
                )
    return issues


def expression_problem(expression: str) -> str | None:
    """Why ``expression`` is not a single SQL expression, or None when it is one.

    DuckDB parses ``SELECT <expression>`` (no data is touched); anything that adds a
    second column, a FROM, WHERE, ORDER BY or a second statement is refused.
    """
    if ";" in expression:
        return "an expression cannot contain ';'"
    if not expression.strip():
        return "the expression is empty"
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_external_access = false")
        row = con.execute("SELECT json_serialize_sql(?)", [f"SELECT {expression}"]).fetchone()
    finally:
        con.close()
    tree = json.loads(row[0]) if row else {}
    if tree.get("error"):
        return f"not valid SQL: {tree.get('error_message', 'syntax error')}"
    statements = tree.get("statements", [])
    node = statements[0].get("node", {}) if len(statements) == 1 else {}
    single = (
        node.get("type") == "SELECT_NODE"
        and len(node.get("select_list", [])) == 1
        and node.get("from_table", {}).get("type") == "EMPTY"
        and node.get("where_clause") is None
        and not node.get("group_expressions")
        and node.get("having") is None
        and not node.get("modifiers")
        and not (node.get("cte_map") or {}).get("map")
    )
    return None if single else "write a single expression (no commas between expressions, no FROM)"


@method(
    "data.rows.aggregate",
    kind=MethodKind.TRANSFORM,
    summary="Group rows and compute counts, sums, averages per group",
    tags=("aggregate", "group by", "count", "sum", "average", "mean", "statistics", "per"),
    checks=(_aggregate_issues,),
    examples=[
        {
            "description": "Posts, mean sentiment and total likes per language",
            "params": {
                "data": "{{ scored.data }}",
                "group_by": ["language"],
                "aggregations": {
                    "posts": "count(*)",
                    "mean_sentiment": "avg(sentiment)",
                    "likes": "sum(likes)",
                },
            },
        }
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def aggregate_rows(params: AggregateParams, ctx: MethodContext) -> RowsOutput:
    """One row per group of `group_by` values, with one column per aggregation.

    Each aggregation is a DuckDB SQL aggregate expression over the columns (`count(*)`,
    `avg(score)`, `count(DISTINCT author)`, `quantile_cont(likes, 0.9)`,
    `sum(likes) FILTER (WHERE lang = 'en')`, ...). Groups come out ordered by their
    values. Without `group_by`, the result is a single row over all the data.
    """
    check_columns(params.data, params.group_by, field="group_by")
    keys = ", ".join(quote_ident(c) for c in params.group_by)
    aggregates = ", ".join(
        f"({expression}) AS {quote_ident(name)}" for name, expression in params.aggregations.items()
    )
    select = f"{keys}, {aggregates}" if keys else aggregates
    grouping = f" GROUP BY {keys} ORDER BY {keys} NULLS LAST" if keys else ""

    def build(t: Mapping[str, str]) -> str:
        return f"SELECT {select} FROM {t['data']}{grouping}"

    return await in_thread(
        lambda: select_output(ctx, {"data": params.data}, build, field="aggregations")
    )
