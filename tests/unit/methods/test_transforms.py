"""data.rows.select, dedupe, sort and sample over real Parquet datasets."""

from __future__ import annotations

import polars as pl
import pytest
from pydantic import ValidationError

from odp.artifacts import DatasetRef
from odp.catalog import Catalog, MethodContext
from odp.errors import MethodError
from odp.methods import data
from odp.spec import validate_text


@pytest.fixture
def posts(ctx: MethodContext) -> DatasetRef:
    return ctx.store.write(
        pl.DataFrame(
            {
                "id": [1, 2, 3, 4, 5, 2],
                "author": ["ann", "bob", "ann", "cid", None, "bob"],
                "likes": [10, None, 30, 5, 7, 99],
                "text": ["a", "b", "c", "d", "e", "b2"],
            }
        )
    )


def rows(ctx: MethodContext, ref: DatasetRef) -> list[dict[str, object]]:
    return ctx.store.read(ref).to_dicts()


# ---------------------------------------------------------------------- select
async def test_select_keeps_orders_and_renames(ctx: MethodContext, posts: DatasetRef) -> None:
    out = await data.select_columns(
        data.SelectParams(data=posts, columns=["text", "id"], rename={"text": "body"}), ctx
    )
    assert out.data.column_names == ["body", "id"]
    assert out.count == 6
    assert rows(ctx, out.data)[0] == {"body": "a", "id": 1}


async def test_select_exclude_only(ctx: MethodContext, posts: DatasetRef) -> None:
    out = await data.select_columns(data.SelectParams(data=posts, exclude=["likes"]), ctx)
    assert out.data.column_names == ["id", "author", "text"]


async def test_select_missing_column_names_existing(ctx: MethodContext, posts: DatasetRef) -> None:
    with pytest.raises(MethodError) as err:
        await data.select_columns(data.SelectParams(data=posts, columns=["id", "txt"]), ctx)
    assert "'txt'" in err.value.message
    assert err.value.hint == "the data has: id, author, likes, text"
    assert err.value.field == "columns"
    assert not err.value.retryable


async def test_select_rename_clash(ctx: MethodContext, posts: DatasetRef) -> None:
    with pytest.raises(MethodError, match="already exist"):
        await data.select_columns(data.SelectParams(data=posts, rename={"text": "id"}), ctx)


def test_select_params_checks(posts: DatasetRef) -> None:
    with pytest.raises(ValidationError, match="not among the kept columns"):
        data.SelectParams(data=posts, columns=["id"], rename={"text": "body"})
    with pytest.raises(ValidationError, match="two columns would be renamed"):
        data.SelectParams(data=posts, rename={"a": "x", "b": "x"})
    with pytest.raises(ValidationError, match="keeps no column"):
        data.SelectParams(data=posts, columns=[])


# ---------------------------------------------------------------------- dedupe
async def test_dedupe_on_keeps_first_last_none(ctx: MethodContext, posts: DatasetRef) -> None:
    first = await data.dedupe_rows(data.DedupeParams(data=posts, on="id"), ctx)
    assert [r["text"] for r in rows(ctx, first.data)] == ["a", "b", "c", "d", "e"]
    last = await data.dedupe_rows(data.DedupeParams(data=posts, on=["id"], keep="last"), ctx)
    assert [r["text"] for r in rows(ctx, last.data)] == ["a", "c", "d", "e", "b2"]
    none = await data.dedupe_rows(data.DedupeParams(data=posts, on="author", keep="none"), ctx)
    assert [r["text"] for r in rows(ctx, none.data)] == ["d", "e"]


async def test_dedupe_all_columns(ctx: MethodContext) -> None:
    ref = ctx.store.write(pl.DataFrame({"a": [1, 1, 2, 1], "b": ["x", "x", "x", "y"]}))
    out = await data.dedupe_rows(data.DedupeParams(data=ref), ctx)
    assert rows(ctx, out.data) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}, {"a": 1, "b": "y"}]


async def test_dedupe_unknown_column(ctx: MethodContext, posts: DatasetRef) -> None:
    with pytest.raises(MethodError, match="'uid'") as err:
        await data.dedupe_rows(data.DedupeParams(data=posts, on="uid"), ctx)
    assert err.value.field == "on"


# ---------------------------------------------------------------------- sort
async def test_sort_nulls_last_and_limit(ctx: MethodContext, posts: DatasetRef) -> None:
    out = await data.sort_rows(data.SortParams(data=posts, by="likes", descending=True), ctx)
    assert [r["likes"] for r in rows(ctx, out.data)] == [99, 30, 10, 7, 5, None]
    top = await data.sort_rows(data.SortParams(data=posts, by="likes", limit=2), ctx)
    assert [r["likes"] for r in rows(ctx, top.data)] == [5, 7]


async def test_sort_several_columns(ctx: MethodContext, posts: DatasetRef) -> None:
    out = await data.sort_rows(
        data.SortParams(data=posts, by=["author", "id"], descending=[False, True]), ctx
    )
    assert [(r["author"], r["id"]) for r in rows(ctx, out.data)] == [
        ("ann", 3),
        ("ann", 1),
        ("bob", 2),
        ("bob", 2),
        ("cid", 4),
        (None, 5),
    ]


def test_sort_descending_length_checked(posts: DatasetRef) -> None:
    with pytest.raises(ValidationError, match="1 values for 2 sort columns"):
        data.SortParams(data=posts, by=["a", "b"], descending=[True])
    with pytest.raises(ValidationError, match="at least one column"):
        data.SortParams(data=posts, by=[])


async def test_sort_unknown_column(ctx: MethodContext, posts: DatasetRef) -> None:
    with pytest.raises(MethodError, match="'score'"):
        await data.sort_rows(data.SortParams(data=posts, by=["likes", "score"]), ctx)


# ---------------------------------------------------------------------- sample
async def test_sample_is_deterministic_for_a_seed(ctx: MethodContext) -> None:
    ref = ctx.store.write(pl.DataFrame({"i": range(1000)}))
    a = await data.sample_rows(data.SampleParams(data=ref, n=50, seed=3), ctx)
    b = await data.sample_rows(data.SampleParams(data=ref, n=50, seed=3), ctx)
    c = await data.sample_rows(data.SampleParams(data=ref, n=50, seed=4), ctx)
    assert a.count == 50
    assert a.data.sha256 == b.data.sha256
    assert a.data.sha256 != c.data.sha256
    drawn = [r["i"] for r in rows(ctx, a.data)]
    assert drawn == sorted(drawn), "drawn rows keep their original order"
    assert len(set(drawn)) == 50


async def test_sample_fraction_and_more_than_there_is(ctx: MethodContext) -> None:
    ref = ctx.store.write(pl.DataFrame({"i": range(200)}))
    tenth = await data.sample_rows(data.SampleParams(data=ref, fraction=0.1), ctx)
    assert tenth.count == 20
    everything = await data.sample_rows(data.SampleParams(data=ref, n=500), ctx)
    assert everything.count == 200


def test_sample_needs_exactly_one_of_n_and_fraction(posts: DatasetRef) -> None:
    with pytest.raises(ValidationError, match="exactly one of"):
        data.SampleParams(data=posts)
    with pytest.raises(ValidationError, match="exactly one of"):
        data.SampleParams(data=posts, n=3, fraction=0.5)


# ---------------------------------------------------------------------- static checks
PIPELINE = """
name: checks
sources:
  - name: posts
    method: file.csv.read
    params: {{path: posts.csv}}
transforms:
  - name: t
    method: {method}
    params:
      data: "{{{{ posts.data }}}}"
{params}
"""


@pytest.mark.parametrize(
    ("method_id", "params", "message"),
    [
        ("data.rows.sample", "      n: 5\n      fraction: 0.5", "exactly one of"),
        ("data.rows.sort", "      by: [a, b]\n      descending: [true]", "1 values for 2"),
        ("data.rows.select", "      columns: [a]\n      rename: {b: c}", "not among the kept"),
    ],
)
def test_static_checks_report_before_running(
    catalog: Catalog, method_id: str, params: str, message: str
) -> None:
    text = PIPELINE.format(method=method_id, params=params)
    result = validate_text(text, catalog)
    assert not result.ok
    assert any(message in d.message for d in result.diagnostics), result.diagnostics


def test_good_params_validate(catalog: Catalog) -> None:
    text = PIPELINE.format(method="data.rows.sort", params="      by: likes\n      limit: 3")
    assert validate_text(text, catalog).ok
