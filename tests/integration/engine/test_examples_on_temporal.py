"""The issue's end-to-end example on Temporal, against the crawler stand-in."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from odp.catalog import Catalog
from odp.config import Settings
from odp.engine import EngineClient, RunState
from tests.fixtures.temporal import WorkerFactory, compile_source

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


async def test_twitter_investigation_keeps_negative_english_posts(
    engine: EngineClient,
    worker: WorkerFactory,
    engine_settings: Settings,
    catalog: Catalog,
    stubs_url: str,
    tmp_path: Path,
) -> None:
    out = tmp_path / "negative.csv"
    plan = compile_source(
        ROOT / "examples" / "twitter-investigation.yaml",
        catalog,
        {"topic": "climate", "max_results": "300", "out": str(out)},
    )
    settings = engine_settings.model_copy(update={"crawler_api_url": stubs_url})
    async with worker(catalog=catalog, settings=settings):
        result = await engine.result(await engine.submit(plan))
    assert result.state is RunState.COMPLETED
    assert result.outputs["tweets"]["count"] == 300
    rows = pl.read_csv(out)
    assert rows.height == result.outputs["save"]["rows_written"] > 0
    assert rows["language"].unique().to_list() == ["en"]
    assert (rows["sentiment"] <= -0.05).all()
    assert rows.columns == [
        "id",
        "created_at",
        "author",
        "text",
        "sentiment",
        "language",
        "likes",
        "reposts",
        "url",
    ]
