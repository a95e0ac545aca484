"""Method retrieval: BM25 fused with embeddings (a fake embedder, and the real model)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

import odp.methods.embed as embed_module
from odp.agent.retrieval import (
    RRF_K,
    MethodRetriever,
    fuse,
    method_text,
    model_embedder,
)
from odp.catalog import Catalog
from odp.errors import ConfigError, PlanningError
from odp.methods.embed import ml_available

# a tiny embedding space: (mood, language, anything else)
_AXES = (("sentiment", "cheerful", "gloomy"), ("language", "tongue"))


def fake_embedder(texts: Sequence[str]) -> list[list[float]]:
    """Texts as vectors over a few hand-made axes (a blank text is the zero vector)."""
    rows = []
    for text in texts:
        low = text.lower()
        row = [float(sum(word in low for word in axis)) for axis in _AXES]
        rows.append([*row, 0.0 if not low.strip() else 0.1])
    return rows


def test_fuse_adds_reciprocal_ranks_and_orders_ties_by_key() -> None:
    fused = fuse([["b", "a"], ["a", "c"], ["d"]])
    assert fused[0] == ("a", pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1)))
    # b and d are both first once: equal scores, ordered by key; c is second once
    assert [key for key, _ in fused] == ["a", "b", "d", "c"]
    assert fuse([]) == []


def test_method_text_has_id_words_summary_first_paragraph_and_examples(catalog: Catalog) -> None:
    spec = catalog.get("data.rows.filter")
    text = method_text(spec)
    assert text.startswith("data rows filter. Keep the rows that match a SQL condition. ")
    first, rest = spec.description.split("\n\n", 1)
    assert " ".join(first.split()) in text and " ".join(rest.split()) not in text
    assert '"where":' in text


def test_off_is_the_catalogs_bm25_order(catalog: Catalog) -> None:
    retriever = MethodRetriever(catalog, embeddings="off", embedder=fake_embedder)
    for query in ("save as csv", "keep the negative ones", "cheerful"):
        hits = retriever.hits(query, limit=5)
        assert [h.spec.id for h in hits] == [h.spec.id for h in catalog.search(query, limit=5)]
        assert all(h.cosine is None and h.score == h.bm25 for h in hits)
    assert retriever.search("cheerful", limit=3) == []


def test_embeddings_find_what_the_words_miss(catalog: Catalog) -> None:
    retriever = MethodRetriever(catalog, embeddings="auto", embedder=fake_embedder)
    assert catalog.search("cheerful") == []
    hits = retriever.hits("cheerful", limit=3)
    assert hits[0].spec.id == "nlp.text.sentiment"
    assert hits[0].bm25 == 0.0 and hits[0].cosine == pytest.approx(1.0, abs=0.01)
    assert hits[0].score == pytest.approx(1 / (RRF_K + 1))
    # the kind narrows both rankings
    sinks = retriever.search("cheerful, save as csv", kind="sink", limit=4)
    assert sinks and all(spec.kind.value == "sink" for spec in sinks)
    assert sinks[0].id == "file.csv.write"
    # deterministic: the same query, the same order
    assert retriever.hits("detect the tongue", limit=6) == retriever.hits(
        "detect the tongue", limit=6
    )
    assert retriever.search("detect the tongue", limit=1)[0].id == "nlp.text.language"


def test_an_exact_id_ranks_first_and_a_blank_text_finds_nothing(catalog: Catalog) -> None:
    retriever = MethodRetriever(catalog, embeddings="on", embedder=fake_embedder)
    hits = retriever.hits("data.rows.filter", limit=3)
    assert hits[0].spec.id == "data.rows.filter" and hits[0].score == math.inf
    assert [h.spec.id for h in hits].count("data.rows.filter") == 1
    assert retriever.hits("   ") == []


def test_the_index_follows_the_catalog(catalog: Catalog) -> None:
    small = Catalog([catalog.get("data.rows.filter")])
    retriever = MethodRetriever(small, embeddings="on", embedder=fake_embedder)
    assert retriever.search("cheerful", limit=5) == [catalog.get("data.rows.filter")]
    small.register(catalog.get("nlp.text.sentiment"))
    assert retriever.search("cheerful", limit=5)[0].id == "nlp.text.sentiment"
    empty = MethodRetriever(Catalog(), embeddings="on", embedder=fake_embedder)
    assert empty.hits("cheerful") == []


def test_the_mode_comes_from_the_settings(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODP_AGENT_EMBEDDINGS", "off")
    retriever = MethodRetriever(catalog, embedder=fake_embedder)
    assert retriever.mode == "off" and retriever.embedder() is None
    monkeypatch.setenv("ODP_AGENT_EMBEDDINGS", "sometimes")
    with pytest.raises(ConfigError, match="ODP_AGENT_EMBEDDINGS"):
        _ = MethodRetriever(catalog).mode


def test_without_the_ml_extra(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed_module, "ml_available", lambda: False)
    auto = MethodRetriever(catalog, embeddings="auto")
    assert auto.embedder() is None
    assert [h.spec.id for h in auto.hits("save as csv")] == [
        h.spec.id for h in catalog.search("save as csv")
    ]
    with pytest.raises(ConfigError, match="ml extra") as info:
        MethodRetriever(catalog, embeddings="on").hits("save as csv")
    assert "ODP_AGENT_EMBEDDINGS=auto or off" in (info.value.hint or "")


def test_a_failing_model_falls_back_on_bm25_unless_required(catalog: Catalog) -> None:
    def broken(texts: Sequence[str]) -> list[list[float]]:
        raise RuntimeError("no weights")

    auto = MethodRetriever(catalog, embeddings="auto", embedder=broken)
    hits = auto.hits("save as csv", limit=3)
    assert [h.spec.id for h in hits] == [h.spec.id for h in catalog.search("save as csv", limit=3)]
    assert auto.embedder() is None  # not tried again
    with pytest.raises(PlanningError, match="RuntimeError: no weights"):
        MethodRetriever(catalog, embeddings="on", embedder=broken).hits("save as csv")


@pytest.mark.skipif(not ml_available(), reason="needs the ml extra")
def test_the_real_model_reads_meaning(catalog: Catalog) -> None:
    vectors = model_embedder(["score how positive the text is", "detect the language"])
    assert len(vectors) == 2 and len(vectors[0]) == embed_module.EMBEDDING_DIM
    on = MethodRetriever(catalog, embeddings="on")
    off = MethodRetriever(catalog, embeddings="off")
    assert "nlp.text.sentiment" in [
        s.id for s in on.search("score how positive the text is", limit=3)
    ]
    # no word of it is the catalog's: BM25 alone misses the sentiment method
    words = "rate whether the reviews sound happy or angry"
    assert "nlp.text.sentiment" not in [s.id for s in off.search(words, limit=3)]
    assert "nlp.text.sentiment" in [s.id for s in on.search(words, limit=3)]
    assert off.search(words, limit=3) == [h.spec for h in catalog.search(words, limit=3)]
    assert on.hits("detect the language", limit=1)[0].spec.id == "nlp.text.language"
