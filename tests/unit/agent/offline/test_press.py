"""Press or media coverage of a topic is a news search."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


@pytest.mark.parametrize(
    ("request_", "query", "extra"),
    [
        (
            "german-language press coverage of the rail strike since 2026-09-15",
            "rail strike",
            {"lang": "de", "since": "2026-09-15"},
        ),
        ("media reports about the port expansion, 40 max", "port expansion", {"max_results": 40}),
        ("what has the press said about heat pumps", "heat pumps", {}),
    ],
)
def test_press_coverage_is_a_news_search(
    planner: OfflinePlanner, catalog: Catalog, request_: str, query: str, extra: dict[str, object]
) -> None:
    draft = planner.plan(request_)
    assert methods(draft) == ["news.articles.search"]
    params = step(draft, "news.articles.search")
    assert params["query"] == query
    assert {k: params[k] for k in extra} == extra
    assert validate(draft, catalog).ok


def test_a_press_release_file_is_not_a_search(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/press_releases.csv and keep the ones from 2026")
    assert "news.articles.search" not in methods(draft)
