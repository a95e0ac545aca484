"""A language filter on a search's own rows is the search's ``lang``; a cap said late is its cap."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


@pytest.mark.parametrize(
    ("request_", "method", "lang"),
    [
        ("r/france threads mentioning la grève, french only", "social.reddit.search", "fr"),
        ("tweets about the pixel phone, keep the english ones", "social.twitter.search", "en"),
        ("news about the ECB, only articles in german", "news.articles.search", "de"),
    ],
)
def test_a_search_filters_its_own_language(
    planner: OfflinePlanner, catalog: Catalog, request_: str, method: str, lang: str
) -> None:
    draft = planner.plan(request_)
    assert methods(draft) == [method]
    assert step(draft, method)["lang"] == lang
    assert validate(draft, catalog).ok


@pytest.mark.parametrize(
    ("request_", "where"),
    [
        # rows with no language filter of their own: detected, then filtered
        ("read data/posts.jsonl and keep just the spanish posts", "language = 'es'"),
        # not one language the search can be asked for
        ("tweets about the pixel phone, drop the english ones", "language != 'en'"),
        ("tweets about the pixel phone, keep english and french", "language IN ('en', 'fr')"),
    ],
)
def test_other_language_filters_detect_first(
    planner: OfflinePlanner, request_: str, where: str
) -> None:
    draft = planner.plan(request_)
    assert "nlp.text.language" in methods(draft)
    assert step(draft, "data.rows.filter")["where"] == where


def test_a_filter_after_a_step_is_not_the_search_language(planner: OfflinePlanner) -> None:
    draft = planner.plan("tweets about the pixel phone, top 50 by likes, only the english ones")
    assert "lang" not in step(draft, "social.twitter.search")
    assert step(draft, "data.rows.filter")["where"] == "language = 'en'"


@pytest.mark.parametrize(
    "words",
    ["only the negative ones, up to 120 of them", "keep the negative ones, 120 at most"],
)
def test_a_cap_after_filters_is_the_search_cap(planner: OfflinePlanner, words: str) -> None:
    draft = planner.plan(f"tweets about the heatwave, {words}")
    assert step(draft, "social.twitter.search")["max_results"] == 120
    assert methods(draft)[-1] == "data.rows.filter"


def test_a_cap_after_a_sort_is_still_its_limit(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/v.csv, sort by likes, max 10")
    assert step(draft, "data.rows.sort")["limit"] == 10


def test_a_cap_with_no_search_before_is_dropped(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/posts.jsonl, keep just the spanish posts, at most 10")
    assert "max_results" not in str(draft.pipeline)


def test_a_language_the_search_already_has_stays(planner: OfflinePlanner) -> None:
    draft = planner.plan("german tweets about the ECB, only the french ones")
    assert methods(draft) == ["social.twitter.search"]
    assert step(draft, "social.twitter.search")["lang"] == "de"
