"""Row transforms over one dataset: filter, SQL, select, dedupe, sort, sample.

Everything but sampling is one DuckDB SELECT in a sandbox (no file or network access
beyond the input datasets). When a step's output feeds a single next step, the SELECT
becomes a lazy view, so that a chain of such steps runs as one query.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from odp.artifacts import DatasetRef, relations
from odp.catalog import MethodContext, MethodKind, MethodParams, ParamIssue, method
from odp.errors import MethodError
from odp.methods.tabular import (
    RowsOutput,
    as_list,
    can_view,
    check_columns,
    frame_errors,
    in_thread,
    rows_output,
    run_select,
    scan_data,
    select_output,
    view_output,
)

__all__ = [
    "dedupe_rows",
    "filter_rows",
    "sample_rows",
    "select_columns",
    "sort_rows",
    "sql_query",
]

_ROW = "__odp_row"


def _ident(name: str) -> str:
    return relations.quote_ident(name)


def _numbered(relation: str) -> str:
    """SELECT every column of ``relation`` (but the row number) from its numbered rows."""
    return (
        f"SELECT * EXCLUDE ({_ROW}) FROM (SELECT *, row_number() OVER () AS {_ROW} FROM {relation})"
    )


class FilterParams(MethodParams):
    """Which rows to keep."""

    data: DatasetRef = Field(description="The rows to filter.")
    where: str = Field(
        min_length=1,
        description="A SQL boolean expression over the columns, e.g. "
        "\"sentiment < -0.05 AND language = 'en'\".",
    )


@method(
    "data.rows.filter",
    kind=MethodKind.TRANSFORM,
    summary="Keep the rows that match a SQL condition",
    tags=("filter", "where", "keep", "select rows", "condition", "only"),
    examples=[
        {
            "description": "Keep negative English posts",
            "params": {
                "data": "{{ scored.data }}",
                "where": "sentiment_label = 'negative' AND language = 'en'",
            },
        }
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def filter_rows(params: FilterParams, ctx: MethodContext) -> RowsOutput:
    """Keep the rows for which `where` is true.

    `where` is a SQL boolean expression evaluated by DuckDB over the dataset's columns;
    it cannot read files or reach the network.
    """
    if ";" in params.where:
        raise MethodError(
            "where: a condition cannot contain ';'",
            hint="write one boolean expression, e.g. score > 0.5",
            field="where",
        )
    if can_view(ctx, params.data):
        # the next step reads this as part of its own query: nothing is written here
        lazy = f"SELECT * FROM {relations.relation_sql(params.data)} WHERE ({params.where})"
        return await in_thread(lambda: view_output(ctx.store, lazy, [params.data], field="where"))
    sql = f"SELECT * FROM data WHERE ({params.where})"
    return await in_thread(lambda: run_select(ctx.store, {"data": params.data}, sql, field="where"))


class SqlQueryParams(MethodParams):
    """A query over named datasets."""

    inputs: dict[str, DatasetRef] = Field(
        min_length=1,
        description="Table names mapped to datasets, e.g. {posts: '{{ posts.data }}'}.",
    )
    query: str = Field(
        min_length=1,
        description="One SELECT over the tables named in inputs (DuckDB SQL).",
    )


@method(
    "data.sql.query",
    kind=MethodKind.TRANSFORM,
    summary="Run a SQL SELECT over one or more datasets",
    tags=("sql", "query", "select", "aggregate", "group by", "join", "duckdb", "count", "average"),
    examples=[
        {
            "description": "Count posts and average score per category",
            "params": {
                "inputs": {"posts": "{{ posts.data }}"},
                "query": "SELECT category, count(*) AS n, avg(score) AS mean_score "
                "FROM posts GROUP BY category ORDER BY n DESC",
            },
        }
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def sql_query(params: SqlQueryParams, ctx: MethodContext) -> RowsOutput:
    """Run one SELECT (DuckDB SQL) over the datasets named in `inputs`.

    Each key of `inputs` becomes a table name. The query cannot read files or reach the
    network: only the named datasets are visible.
    """
    return await in_thread(
        lambda: run_select(ctx.store, params.inputs, params.query, field="query")
    )


def _raise_first(issues: list[ParamIssue]) -> None:
    """Fail model validation with the first issue a static check would report."""
    if issues:
        raise ValueError(f"{issues[0].field}: {issues[0].message}")


# ---------------------------------------------------------------------- select
class SelectParams(MethodParams):
    """Which columns to keep, leave out and rename."""

    data: DatasetRef = Field(description="The rows whose columns to pick.")
    columns: list[str] | None = Field(
        default=None,
        description="The columns to keep, in this order (default: all, in their order).",
    )
    exclude: list[str] = Field(
        default_factory=list, description="Columns to leave out (applied after `columns`)."
    )
    rename: dict[str, str] = Field(
        default_factory=dict,
        description="Old name -> new name, applied last, e.g. {text: body}.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _raise_first(_select_issues(self.model_dump()))
        return self


def _select_issues(params: Mapping[str, Any]) -> list[ParamIssue]:
    columns = params.get("columns")
    exclude = params.get("exclude") or []
    rename = params.get("rename") or {}
    issues: list[ParamIssue] = []
    if columns is not None and isinstance(columns, list) and not columns:
        issues.append(
            ParamIssue("columns", "an empty list keeps no column", hint="name at least one column")
        )
    if not isinstance(rename, dict):
        return issues
    if isinstance(columns, list) and columns:
        kept = [c for c in columns if c not in exclude] if isinstance(exclude, list) else columns
        for old in rename:
            if old not in kept:
                issues.append(
                    ParamIssue(
                        f"rename.{old}",
                        f"{old!r} is renamed but not among the kept columns",
                        hint="kept: " + ", ".join(map(str, kept)),
                    )
                )
    targets = [str(v) for v in rename.values()]
    doubled = sorted({t for t in targets if targets.count(t) > 1})
    if doubled:
        issues.append(
            ParamIssue(
                "rename",
                f"two columns would be renamed to {', '.join(map(repr, doubled))}",
                hint="give every column its own name",
            )
        )
    return issues


@method(
    "data.rows.select",
    kind=MethodKind.TRANSFORM,
    summary="Choose, reorder and rename columns",
    tags=("columns", "select columns", "project", "rename", "reorder", "exclude columns"),
    checks=(_select_issues,),
    examples=[
        {
            "description": "Keep three columns and rename one",
            "params": {
                "data": "{{ posts.data }}",
                "columns": ["id", "text", "created_at"],
                "rename": {"text": "body"},
            },
        },
        {
            "description": "Leave the embeddings out before writing CSV",
            "params": {"data": "{{ embedded.data }}", "exclude": ["embedding"]},
        },
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def select_columns(params: SelectParams, ctx: MethodContext) -> RowsOutput:
    """Keep the listed `columns` (in that order), leave out those in `exclude`, then `rename`.

    Rows are unchanged. A name that is not in the data is an error that lists the
    columns there are.
    """
    ref = params.data
    check_columns(ref, params.columns or [], field="columns")
    check_columns(ref, params.exclude, field="exclude")
    kept = [c for c in (params.columns or ref.column_names) if c not in params.exclude]
    check_columns(ref, params.rename, field="rename")
    clash = sorted(set(params.rename.values()) & (set(kept) - set(params.rename)))
    if clash:
        raise MethodError(
            f"rename: {', '.join(map(repr, clash))} already exist among the kept columns",
            hint="drop or rename those columns too, or choose other names",
            field="rename",
        )

    listed = ", ".join(
        _ident(c) + (f" AS {_ident(params.rename[c])}" if c in params.rename else "") for c in kept
    )
    if not listed:
        raise MethodError(
            "no column is left to keep", hint="keep at least one column", field="exclude"
        )
    return await in_thread(
        lambda: select_output(
            ctx,
            {"data": ref},
            lambda t: f"SELECT {listed} FROM {t['data']}",
            field="columns",
        )
    )


# ---------------------------------------------------------------------- dedupe
class DedupeParams(MethodParams):
    """Which rows count as duplicates, and which one stays."""

    data: DatasetRef = Field(description="The rows to deduplicate.")
    on: str | list[str] | None = Field(
        default=None,
        description="The column(s) whose values make rows duplicates (default: all columns).",
    )
    keep: Literal["first", "last", "none"] = Field(
        default="first",
        description="Which of the duplicates stays: the first, the last, or none of them.",
    )


@method(
    "data.rows.dedupe",
    kind=MethodKind.TRANSFORM,
    summary="Deduplicate rows: one row per distinct value",
    tags=("dedupe", "deduplicate", "distinct", "unique", "duplicates", "duplicate rows"),
    examples=[
        {
            "description": "One row per post id, keeping the last seen",
            "params": {"data": "{{ posts.data }}", "on": "id", "keep": "last"},
        },
        {"description": "One row of each set of copies", "params": {"data": "{{ rows.data }}"}},
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def dedupe_rows(params: DedupeParams, ctx: MethodContext) -> RowsOutput:
    """Keep one row (the first or the last) of the rows that share their `on` values.

    The rows keep their order. With `keep: none`, only the rows whose values occur once
    stay.
    """
    on = as_list(params.on)
    check_columns(params.data, on, field="on")
    partition = ", ".join(_ident(c) for c in on or params.data.column_names)
    if params.keep == "none":
        keep = f"count(*) OVER (PARTITION BY {partition}) = 1"
    else:
        order = "ASC" if params.keep == "first" else "DESC"
        keep = f"row_number() OVER (PARTITION BY {partition} ORDER BY {_ROW} {order}) = 1"

    def build(t: Mapping[str, str]) -> str:
        return f"{_numbered(t['data'])} QUALIFY {keep} ORDER BY {_ROW}"

    return await in_thread(lambda: select_output(ctx, {"data": params.data}, build, field="on"))


# ---------------------------------------------------------------------- sort
class SortParams(MethodParams):
    """How to order the rows."""

    data: DatasetRef = Field(description="The rows to sort.")
    by: str | list[str] = Field(description="The column, or columns in order of priority.")
    descending: bool | list[bool] = Field(
        default=False,
        description="Largest first; one value for all columns, or one per column of `by`.",
    )
    limit: int | None = Field(
        default=None, ge=0, description="Keep only the first rows after sorting (top N)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _raise_first(_sort_issues(self.model_dump()))
        return self


def _sort_issues(params: Mapping[str, Any]) -> list[ParamIssue]:
    by = params.get("by")
    descending = params.get("descending")
    n_by = 1 if isinstance(by, str) else len(by) if isinstance(by, list) else None
    if n_by == 0:
        return [ParamIssue("by", "name at least one column to sort by")]
    if isinstance(descending, list) and n_by is not None and len(descending) != n_by:
        return [
            ParamIssue(
                "descending",
                f"{len(descending)} values for {n_by} sort columns",
                hint="give one true/false per column of `by`, or a single true/false",
            )
        ]
    return []


@method(
    "data.rows.sort",
    kind=MethodKind.TRANSFORM,
    summary="Sort rows by columns, optionally keeping the top N",
    tags=("sort", "order", "order by", "rank", "top", "top n", "largest", "smallest", "limit"),
    checks=(_sort_issues,),
    examples=[
        {
            "description": "The 100 most liked posts",
            "params": {"data": "{{ posts.data }}", "by": "likes", "descending": True, "limit": 100},
        },
        {
            "description": "By language, then newest first",
            "params": {
                "data": "{{ posts.data }}",
                "by": ["language", "created_at"],
                "descending": [False, True],
            },
        },
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def sort_rows(params: SortParams, ctx: MethodContext) -> RowsOutput:
    """Sort rows by the `by` columns; nulls come last. Rows that tie keep their order.

    With `limit`, only the first rows are kept (the top N), without sorting everything.
    """
    by = as_list(params.by)
    check_columns(params.data, by, field="by")
    descending = (
        params.descending if isinstance(params.descending, list) else [params.descending] * len(by)
    )
    keys = ", ".join(
        f"{_ident(c)} {'DESC' if d else 'ASC'} NULLS LAST"
        for c, d in zip(by, descending, strict=True)
    )
    limit = f" LIMIT {params.limit}" if params.limit is not None else ""

    def build(t: Mapping[str, str]) -> str:
        # the row number breaks ties: equal rows keep their order, every run alike
        return f"{_numbered(t['data'])} ORDER BY {keys}, {_ROW}{limit}"

    return await in_thread(lambda: select_output(ctx, {"data": params.data}, build, field="by"))


# ---------------------------------------------------------------------- sample
class SampleParams(MethodParams):
    """How many rows to draw, and with which seed."""

    data: DatasetRef = Field(description="The rows to draw from.")
    n: int | None = Field(
        default=None,
        ge=0,
        description="How many rows to draw (all of them when the data has fewer). "
        "Give `n` or `fraction`, not both.",
    )
    fraction: float | None = Field(
        default=None, gt=0, le=1, description="The share of rows to draw, in (0, 1]."
    )
    seed: int = Field(
        default=0, description="The random seed: the same seed draws the same rows again."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _raise_first(_sample_issues(self.model_dump()))
        return self


def _sample_issues(params: Mapping[str, Any]) -> list[ParamIssue]:
    has_n = params.get("n") is not None
    has_fraction = params.get("fraction") is not None
    if has_n == has_fraction:
        return [
            ParamIssue(
                "n" if has_n else "fraction",
                "give exactly one of `n` and `fraction`",
                hint="n: 1000 draws 1000 rows; fraction: 0.1 draws a tenth of them",
            )
        ]
    return []


@method(
    "data.rows.sample",
    kind=MethodKind.TRANSFORM,
    summary="Draw a random sample of rows (reproducible with a seed)",
    tags=("sample", "random", "subset", "draw", "shuffle", "fraction"),
    checks=(_sample_issues,),
    examples=[
        {"description": "1,000 random posts", "params": {"data": "{{ posts.data }}", "n": 1000}},
        {
            "description": "A 10% sample with a fixed seed",
            "params": {"data": "{{ posts.data }}", "fraction": 0.1, "seed": 7},
        },
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def sample_rows(params: SampleParams, ctx: MethodContext) -> RowsOutput:
    """Draw `n` rows (or a `fraction` of them) at random, without replacement.

    The drawn rows keep their original order. The same `seed` over the same data draws
    the same rows. Asking for more rows than there are returns them all.
    """

    def work() -> RowsOutput:
        frame = scan_data(ctx.store, params.data).with_row_index("__odp_row")
        with frame_errors("draw the sample"):
            rows = frame.collect()
            if params.n is not None:
                drawn = rows.sample(n=min(params.n, rows.height), seed=params.seed)
            else:
                drawn = rows.sample(fraction=params.fraction, seed=params.seed)
            return rows_output(ctx.store, drawn.sort("__odp_row").drop("__odp_row"))

    return await in_thread(work)
