"""KMeans clustering of texts (TF-IDF) or of embedding vectors, with each cluster's top terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl
from pydantic import Field

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext, MethodKind, MethodOutput, MethodParams, method
from odp.errors import MethodError
from odp.methods.tabular import check_columns, frame_errors, in_thread, scan_data

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = ["ClusterOutput", "cluster_text"]


class ClusterParams(MethodParams):
    """What to cluster, into how many groups."""

    data: DatasetRef = Field(description="The rows to cluster.")
    column: str = Field(
        default="text",
        min_length=1,
        description="A text column (clustered by TF-IDF) or an embedding column "
        "(clustered by cosine similarity), e.g. the `embedding` of ml.text.embed.",
    )
    k: int = Field(ge=2, le=1000, description="How many clusters to make.")
    seed: int = Field(default=0, description="The random seed: the same seed, the same clusters.")
    text_column: str | None = Field(
        default=None,
        description="The text whose terms describe each cluster (default: `column` when it "
        "is text, else a column named `text` when there is one).",
    )
    top_terms: int = Field(default=8, ge=0, le=50, description="How many terms per cluster.")
    stop_words: Literal["english"] | None = Field(
        default="english",
        description="Words left out of TF-IDF terms: english, or null to keep every word.",
    )


class ClusterOutput(MethodOutput):
    """The rows with their cluster, and a description of each cluster."""

    data: DatasetRef = Field(description="The rows, with a `cluster` column (null: no text).")
    count: int = Field(ge=0, description="How many rows there are.")
    clusters: DatasetRef = Field(
        description="One row per cluster: `cluster`, `size`, `share` and `top_terms`."
    )
    k: int = Field(ge=0, description="How many clusters were made.")
    inertia: float = Field(
        description="KMeans inertia: the sum of squared distances to the cluster centres."
    )


@dataclass(frozen=True, slots=True)
class _Fit:
    labels: np.ndarray[Any, np.dtype[np.int64]]
    inertia: float


def _vectors(series: pl.Series) -> np.ndarray[Any, np.dtype[np.float32]]:
    """The rows of an embedding column as unit vectors (KMeans on them is cosine-based)."""
    matrix = np.asarray(series.cast(pl.List(pl.Float32)).to_list(), dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1
    normalised: np.ndarray[Any, np.dtype[np.float32]] = matrix / norms
    return normalised


def _tfidf(texts: list[str], stop_words: str | None) -> tuple[csr_matrix, np.ndarray[Any, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        stop_words=stop_words, max_features=50_000, sublinear_tf=True, min_df=1
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words: describe clusters without terms
        return _empty_terms(len(texts))
    return matrix, vectorizer.get_feature_names_out()


def _empty_terms(n: int) -> tuple[csr_matrix, np.ndarray[Any, Any]]:
    from scipy.sparse import csr_matrix

    return csr_matrix((n, 0), dtype=np.float64), np.array([], dtype=object)


def _kmeans(matrix: Any, k: int, seed: int) -> _Fit:
    from sklearn.cluster import KMeans

    model = KMeans(n_clusters=k, random_state=seed, n_init=10)
    labels = model.fit_predict(matrix)
    # number clusters by size (0 is the largest), so that ids mean something
    sizes = np.bincount(labels, minlength=k)
    order = np.argsort(-sizes, kind="stable")
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    return _Fit(labels=rank[labels], inertia=float(model.inertia_))


def _top_terms(
    matrix: csr_matrix, terms: np.ndarray[Any, Any], labels: np.ndarray[Any, Any], k: int, n: int
) -> list[list[str]]:
    out: list[list[str]] = []
    for cluster in range(k):
        rows = matrix[labels == cluster]
        if n == 0 or rows.shape[0] == 0 or rows.shape[1] == 0:
            out.append([])
            continue
        weights = np.asarray(rows.mean(axis=0)).ravel()
        best = np.argsort(-weights, kind="stable")[:n]
        out.append([str(terms[i]) for i in best if weights[i] > 0])
    return out


def _column_kind(ref: DatasetRef, column: str) -> Literal["text", "vector"]:
    kind = next(c.type for c in ref.columns if c.name == column)
    if kind == "String":
        return "text"
    if kind.startswith(("Array(Float", "List(Float")):
        return "vector"
    raise MethodError(
        f"column: {column!r} holds {kind}; cluster a text column or an embedding column",
        hint="embed text with ml.text.embed first, or name a text column",
        field="column",
    )


def _cluster(ctx: MethodContext, params: ClusterParams) -> ClusterOutput:
    ref = params.data
    kind = _column_kind(ref, params.column)
    text_column = params.text_column or (
        params.column if kind == "text" else "text" if "text" in ref.column_names else None
    )
    frame = scan_data(ctx.store, ref).with_row_index("__odp_row")
    valid = pl.col(params.column).is_not_null()
    if kind == "text":
        valid = valid & (pl.col(params.column).str.strip_chars() != "")
    wanted = ["__odp_row", params.column] + ([text_column] if text_column else [])
    with frame_errors("read the rows to cluster", field="column"):
        rows = frame.filter(valid).select(list(dict.fromkeys(wanted))).collect()
    if rows.height < params.k:
        raise MethodError(
            f"k is {params.k} but only {rows.height} rows have a value in {params.column!r}",
            hint=f"use k of at most {rows.height}, or cluster more rows",
            field="k",
        )
    distinct = rows[params.column].n_unique()
    if distinct < params.k:
        # KMeans cannot make more clusters than there are distinct points
        raise MethodError(
            f"k is {params.k} but {params.column!r} has only {distinct} distinct values",
            hint=f"use k of at most {distinct}",
            field="k",
        )
    texts = (
        rows[text_column].fill_null("").cast(pl.String).to_list()
        if text_column
        else ["" for _ in range(rows.height)]
    )
    tfidf, terms = _tfidf(texts, params.stop_words) if text_column else _empty_terms(rows.height)
    if kind == "text":
        if tfidf.shape[1] == 0:
            raise MethodError(
                f"column: no terms to cluster on in {params.column!r} (only stop words?)",
                hint="set stop_words: null, or cluster an embedding column",
                field="column",
            )
        fit = _kmeans(tfidf, params.k, params.seed)
    else:
        fit = _kmeans(_vectors(rows[params.column]), params.k, params.seed)
    labels = pl.DataFrame(
        {"__odp_row": rows["__odp_row"], "cluster": pl.Series(fit.labels, dtype=pl.Int32)}
    )
    sizes = np.bincount(fit.labels, minlength=params.k)
    clusters = pl.DataFrame(
        {
            "cluster": pl.Series(range(params.k), dtype=pl.Int32),
            "size": pl.Series(sizes, dtype=pl.Int64),
            "share": pl.Series(sizes / rows.height, dtype=pl.Float64),
            "top_terms": pl.Series(
                _top_terms(tfidf, terms, fit.labels, params.k, params.top_terms),
                dtype=pl.List(pl.String),
            ),
        }
    )
    out = (
        frame.drop("cluster", strict=False)
        .join(labels.lazy(), on="__odp_row", how="left", maintain_order="left")
        .drop("__odp_row")
    )
    with frame_errors("add the clusters"):
        data = ctx.store.write(out)
    return ClusterOutput(
        data=data,
        count=data.rows,
        clusters=ctx.store.write(clusters),
        k=params.k,
        inertia=fit.inertia,
    )


@method(
    "ml.text.cluster",
    kind=MethodKind.TRANSFORM,
    summary="Group similar texts into k clusters (KMeans) and name each by its top terms",
    tags=("cluster", "kmeans", "group", "topics", "segment", "similar", "themes"),
    timeout=3600,
    examples=[
        {
            "description": "Five topic clusters over embeddings",
            "params": {"data": "{{ embedded.data }}", "column": "embedding", "k": 5},
        },
        {
            "description": "Eight clusters straight from the text (TF-IDF)",
            "params": {"data": "{{ posts.data }}", "column": "text", "k": 8, "seed": 42},
        },
    ],
)
async def cluster_text(params: ClusterParams, ctx: MethodContext) -> ClusterOutput:
    """Add `cluster` (0 is the largest cluster) and describe each cluster in `clusters`.

    A text column is turned into TF-IDF vectors; an embedding column (a list or array of
    floats, e.g. from ml.text.embed) is normalised so that KMeans groups by cosine
    similarity. Rows without a value get a null cluster. `clusters` has one row per
    cluster with its size, its share of the rows and its top TF-IDF terms, computed from
    `text_column` even when clustering embeddings. The same seed gives the same clusters.
    """
    check_columns(params.data, [params.column], field="column")
    if params.text_column is not None:
        check_columns(params.data, [params.text_column], field="text_column")
    return await in_thread(lambda: _cluster(ctx, params))
