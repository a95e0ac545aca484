"""Outside-world methods in pipelines run end to end on Temporal, against the stand-ins."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import polars as pl
import pytest

from odp.config import Settings
from odp.engine import RunState, ServerInfo
from tests.fixtures.temporal import RunPipeline

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


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


async def test_search_filter_post_and_save(
    run_pipeline: RunPipeline, stubs_url: str, tmp_path: Path
) -> None:
    hook = f"{stubs_url}/webhooks/pipeline-{uuid.uuid4().hex[:8]}"
    out = tmp_path / "english.csv"
    result = await run_pipeline(
        f"""
name: football-watch
params:
  topic: {{type: string, default: football}}
sources:
  - name: posts
    method: social.twitter.search
    params: {{query: "{{{{ params.topic }}}}", max_results: 150}}
  - name: feed
    method: news.rss.read
    params: {{url: "{stubs_url}/feeds/football.rss", max_items: 3}}
  - name: pages
    method: web.page.fetch
    params: {{data: "{{{{ feed.data }}}}", url_column: link}}
transforms:
  - name: english
    method: data.rows.filter
    params: {{data: "{{{{ posts.data }}}}", where: "lang = 'en'"}}
sinks:
  - name: notify
    method: http.webhook.post
    params: {{url: "{hook}", data: "{{{{ english.data }}}}", batch_size: 25}}
  - name: save
    method: file.csv.write
    params: {{data: "{{{{ pages.data }}}}", path: "{out}"}}
"""
    )
    assert result.state is RunState.COMPLETED, result
    assert result.outputs["posts"]["count"] == 150
    english = result.outputs["english"]["count"]
    assert 0 < english < 150
    assert result.outputs["notify"]["rows_written"] == english
    assert result.outputs["pages"]["count"] == 3
    inbox = httpx.get(hook).json()
    assert inbox["rows"] == english and inbox["duplicates"] == 0
    assert all(d["key"].startswith(f"{result.run_id}:notify:") for d in inbox["deliveries"])
    assert out.read_text().startswith("url,final_url,status,title,text,error\n")


async def test_the_news_pages_example(run_pipeline: RunPipeline, tmp_path: Path) -> None:
    out = tmp_path / "pages.csv"
    result = await run_pipeline(
        ROOT / "examples" / "news-pages.yaml", params={"topic": "elections", "out": str(out)}
    )
    assert result.state is RunState.COMPLETED
    assert result.outputs["articles"]["count"] == 20
    assert result.outputs["pages"]["count"] == 20
    kept = result.outputs["save"]["rows_written"]
    assert 0 < kept <= 20
    frame = pl.read_csv(out)
    assert frame.height == kept
    assert (frame["status"] == 200).all()
    assert frame["text"].str.len_chars().min() > 200  # type: ignore[operator]


async def test_a_flaky_crawler_does_not_fail_the_run(
    run_pipeline: RunPipeline, stubs_url: str
) -> None:
    key = uuid.uuid4().hex
    result = await run_pipeline(
        f"""
name: flaky-crawler
sources:
  - name: posts
    method: http.json.get
    params:
      url: "{stubs_url}/api/items?stub_fail_first=2&stub_fail_key={key}&stub_fail_status=429&stub_retry_after=0"
      records_path: items
"""
    )
    assert result.state is RunState.COMPLETED
    assert result.outputs["posts"]["count"] == 20
    assert httpx.get(f"{stubs_url}/_stub/faults/{key}").json()["calls"] == 3
