"""data.rows.join and data.rows.aggregate over real Parquet datasets."""

from __future__ import annotations

import polars as pl
import pytest
from pydantic import ValidationError

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext
from odp.errors import MethodError
from odp.methods import combine


@pytest.fixture
def posts(ctx: MethodContext) -> DatasetRef:
    return ctx.store.write(
        pl.DataFrame(
            {
                "id": [1, 2, 3, 4],
                "author": ["ann", "bob", "ann", None],
                "likes": [10, 20, 30, 40],
                "lang": ["en", "de", "en", "en"],
                "sentiment": [0.5, -0.5, 0.1, None],
            }
        )
    )


@pytest.fixture
def authors(ctx: MethodContext) -> DatasetRef:
    return ctx.store.write(
        pl.DataFrame(
            {"handle": ["ann", "cid", None], "likes": [1, 2, 3], "country": ["fr", "us", "xx"]}
        )
    )


def rows(ctx: MethodContext, ref: DatasetRef) -> list[dict[str, object]]:
    return ctx.store.read(ref).to_dicts()


def join(
    left: DatasetRef, right: DatasetRef, **kw: object
) -> combine.JoinParams:  # keeps the calls short
    return combine.JoinParams.model_validate({"left": left, "right": right, **kw})


async def test_inner_join_with_different_key_names_and_suffix(
    ctx: MethodContext, posts: DatasetRef, authors: DatasetRef
) -> None:
    out = await combine.join_rows(join(posts, authors, left_on="author", right_on="handle"), ctx)
    assert out.count == 2
    assert out.data.column_names == [
        "id",
        "author",
        "likes",
        "lang",
        "sentiment",
        "likes_right",
        "country",
    ]
    assert {r["id"] for r in rows(ctx, out.data)} == {1, 3}


async def test_left_full_semi_anti_and_cross(
    ctx: MethodContext, posts: DatasetRef, authors: DatasetRef
) -> None:
    renamed = ctx.store.write(ctx.store.read(authors).rename({"handle": "author"}))
    left = await combine.join_rows(join(posts, renamed, on="author", how="left"), ctx)
    assert left.count == 4  # null keys never match, but left rows stay
    assert [r["country"] for r in rows(ctx, left.data)] == ["fr", None, "fr", None]
    full = await combine.join_rows(join(posts, renamed, on="author", how="full"), ctx)
    assert full.count == 6
    assert full.data.column_names.count("author") == 1
    assert "cid" in {r["author"] for r in rows(ctx, full.data)}
    semi = await combine.join_rows(join(posts, renamed, on="author", how="semi"), ctx)
    assert [r["id"] for r in rows(ctx, semi.data)] == [1, 3]
    anti = await combine.join_rows(join(posts, renamed, on="author", how="anti"), ctx)
    assert [r["id"] for r in rows(ctx, anti.data)] == [2, 4]
    cross = await combine.join_rows(join(posts, renamed, how="cross"), ctx)
    assert cross.count == 12


async def test_join_numeric_keys_of_different_widths(ctx: MethodContext) -> None:
    a = ctx.store.write(pl.DataFrame({"k": pl.Series([1, 2, 3], dtype=pl.Int32), "a": [1, 2, 3]}))
    b = ctx.store.write(pl.DataFrame({"k": pl.Series([2, 3], dtype=pl.Int64), "b": ["x", "y"]}))
    out = await combine.join_rows(join(a, b, on="k"), ctx)
    assert rows(ctx, out.data) == [{"k": 2, "a": 2, "b": "x"}, {"k": 3, "a": 3, "b": "y"}]


async def test_join_errors(ctx: MethodContext, posts: DatasetRef, authors: DatasetRef) -> None:
    with pytest.raises(MethodError, match="'handle'") as err:
        await combine.join_rows(join(posts, authors, on="handle"), ctx)
    assert err.value.hint is not None and "id, author, likes" in err.value.hint
    with pytest.raises(MethodError, match="same type") as err:
        await combine.join_rows(join(posts, authors, left_on="id", right_on="handle"), ctx)
    assert "Int64" in err.value.message and "String" in err.value.message


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"on": "a", "left_on": "a", "right_on": "b"}, "not both"),
        ({}, "say which columns match"),
        ({"left_on": "a"}, "say which columns match"),
        ({"left_on": ["a", "b"], "right_on": "c"}, "2 left key columns but 1"),
        ({"on": "a", "how": "cross"}, "cross join"),
        ({"on": []}, "at least one key"),
    ],
)
def test_join_params_checks(posts: DatasetRef, kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        join(posts, posts, **kw)


# ---------------------------------------------------------------------- aggregate
async def test_aggregate_per_group_ordered(ctx: MethodContext, posts: DatasetRef) -> None:
    out = await combine.aggregate_rows(
        combine.AggregateParams(
            data=posts,
            group_by=["lang"],
            aggregations={
                "posts": "count(*)",
                "mean sentiment": "round(avg(sentiment), 2)",
                "likes": "sum(likes)",
                "authors": "count(DISTINCT author)",
                "liked": "count(*) FILTER (WHERE likes > 15)",
            },
        ),
        ctx,
    )
    assert rows(ctx, out.data) == [
        {"lang": "de", "posts": 1, "mean sentiment": -0.5, "likes": 20, "authors": 1, "liked": 1},
        {"lang": "en", "posts": 3, "mean sentiment": 0.3, "likes": 80, "authors": 1, "liked": 2},
    ]


async def test_aggregate_without_groups(ctx: MethodContext, posts: DatasetRef) -> None:
    out = await combine.aggregate_rows(
        combine.AggregateParams(data=posts, aggregations={"n": "count(*)", "top": "max(likes)"}),
        ctx,
    )
    assert rows(ctx, out.data) == [{"n": 4, "top": 40}]


async def test_aggregate_errors_name_columns(ctx: MethodContext, posts: DatasetRef) -> None:
    with pytest.raises(MethodError, match="'language'") as err:
        await combine.aggregate_rows(
            combine.AggregateParams(
                data=posts, group_by=["language"], aggregations={"n": "count(*)"}
            ),
            ctx,
        )
    assert err.value.field == "group_by"
    with pytest.raises(MethodError) as err:
        await combine.aggregate_rows(
            combine.AggregateParams(data=posts, aggregations={"s": "sum(score)"}), ctx
        )
    assert err.value.field == "aggregations"
    assert err.value.hint is not None and "sentiment" in err.value.hint


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("count(*); DROP TABLE data", "cannot contain ';'"),
        ("count(*), sum(likes)", "single expression"),
        ("likes FROM data", "single expression"),
        ("sum(likes) ORDER BY 1", "single expression"),
        ("sum(", "not valid SQL"),
        ("  ", "empty"),
    ],
)
def test_aggregate_refuses_what_is_not_one_expression(
    posts: DatasetRef, expression: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        combine.AggregateParams(data=posts, aggregations={"x": expression})


def test_aggregate_name_clashing_with_group(posts: DatasetRef) -> None:
    with pytest.raises(ValidationError, match="also a group_by column"):
        combine.AggregateParams(data=posts, group_by=["lang"], aggregations={"lang": "count(*)"})


# ---------------------------------------------------------------------- lazy views
async def test_chained_steps_as_views_match_materialized_ones(
    ctx: MethodContext,
    store: object,
    posts: DatasetRef,
    authors: DatasetRef,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from odp.artifacts import ArtifactStore
    from odp.methods import data

    assert isinstance(store, ArtifactStore)
    # views over views, however small (a small one is otherwise stored as rows)
    monkeypatch.setattr("odp.artifacts.store.SMALL_VIEW_ROWS", -1)
    lazy = MethodContext.for_testing(store, settings=ctx.settings)
    lazy.materialize = False  # every output here feeds exactly one next step

    async def chain(c: MethodContext) -> list[dict[str, object]]:
        kept = await data.filter_rows(data.FilterParams(data=posts, where="likes > 5"), c)
        picked = await data.select_columns(
            data.SelectParams(data=kept.data, columns=["author", "likes", "lang"]), c
        )
        once = await data.dedupe_rows(data.DedupeParams(data=picked.data, on="author"), c)
        joined = await combine.join_rows(
            join(once.data, authors, left_on="author", right_on="handle", how="left"), c
        )
        ordered = await data.sort_rows(data.SortParams(data=joined.data, by="likes"), c)
        assert ordered.data.is_view == (not c.materialize)
        totals = await combine.aggregate_rows(
            combine.AggregateParams(
                data=ordered.data, group_by=["lang"], aggregations={"likes": "sum(likes)"}
            ),
            c,
        )
        return c.store.read(totals.data).to_dicts() + c.store.read(ordered.data).to_dicts()

    eager = await chain(ctx)
    assert eager == await chain(lazy)
    assert eager[:2] == [{"lang": "de", "likes": 20}, {"lang": "en", "likes": 50}]
    assert [r["author"] for r in eager[2:]] == ["ann", "bob", None]


async def test_order_survives_views_sort_then_dedupe(ctx: MethodContext, store: object) -> None:
    from odp.artifacts import ArtifactStore
    from odp.methods import data

    assert isinstance(store, ArtifactStore)
    lazy = MethodContext.for_testing(store, settings=ctx.settings)
    lazy.materialize = False
    ref = ctx.store.write(
        pl.DataFrame({"user": [i % 50 for i in range(5000)], "likes": range(5000)})
    )
    results = []
    for c in (ctx, lazy):
        ordered = await data.sort_rows(data.SortParams(data=ref, by="likes", descending=True), c)
        best = await data.dedupe_rows(data.DedupeParams(data=ordered.data, on="user"), c)
        results.append(c.store.read(c.store.materialize(best.data)).to_dicts())
    assert results[0] == results[1]
    assert [r["likes"] for r in results[0][:3]] == [4999, 4998, 4997]  # each user's best
    assert len(results[0]) == 50
