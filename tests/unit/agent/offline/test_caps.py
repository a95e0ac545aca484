"""Caps on results: *max 50* is how many a search returns (or a sort keeps), not its topic."""

from __future__ import annotations

import re

import pytest

from odp.agent.offline import OfflinePlanner
from tests.unit.agent.offline.conftest import methods, step, steps


@pytest.mark.parametrize(
    ("request_", "cap"),
    [
        ("news on the rail strike, max 40", 40),
        ("reddit threads about the world cup, at most 30 results please", 30),
        ("tweets about AI, maximum of twenty", 20),
        ("tweets about AI up to 15", 15),
        ("articles about rust, 60 tops", 60),
    ],
)
def test_a_cap_is_the_number_of_results(planner: OfflinePlanner, request_: str, cap: int) -> None:
    draft = planner.plan(request_)
    assert len(methods(draft)) == 1
    params = step(draft, methods(draft)[0])
    assert params["max_results"] == cap
    assert not re.search(r"\d|twenty|max|most|up to|tops", params["query"])


def test_a_cap_keeps_that_many_sorted_rows(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/p.csv, sort by price, limit to 20")
    assert step(draft, "data.rows.sort") == {"data": "{{ p.data }}", "by": "price", "limit": 20}
    assert methods(planner.plan("read data/p.csv, max 20")) == ["file.csv.read"]
    assert methods(planner.plan("tweets about AI, keep it up to date")) == ["social.twitter.search"]


def test_at_most_before_a_column_is_a_condition(planner: OfflinePlanner) -> None:
    draft = planner.plan("tweets about nvidia with at most 5 likes")
    assert methods(draft) == ["social.twitter.search", "data.rows.filter"]
    assert step(draft, "data.rows.filter")["where"] == "likes <= 5"
    assert "max_results" not in step(draft, "social.twitter.search")


@pytest.mark.parametrize(
    "request_",
    [
        "pull 300 tweets about the strike, only ones posted since 2026-12-01",
        "tweets about the strike. I need the ones after 2026-12-01",
    ],
)
def test_a_start_date_said_after_the_search_goes_to_it(
    planner: OfflinePlanner, request_: str
) -> None:
    draft = planner.plan(request_)
    assert methods(draft) == ["social.twitter.search"]
    assert step(draft, "social.twitter.search")["since"] == "2026-12-01"


def test_a_start_date_after_a_file_is_not_a_search_param(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv, the rows from 2026-12-01 on")
    assert "since" not in step(draft, "file.csv.read")


@pytest.mark.parametrize(
    ("request_", "query", "cap"),
    [
        ("reddit posts around remote work, 60 posts tops", "remote work", 60),
        ("German news coverage of the budget debate, 80 articles tops", "budget debate", 80),
        ("tweets with reporting on the port strike, 25 tweets max", "port strike", 25),
    ],
)
def test_topics_after_around_or_coverage_of_and_caps_after_the_noun(
    planner: OfflinePlanner, request_: str, query: str, cap: int
) -> None:
    source = steps(planner.plan(request_))[0]["params"]
    assert (source["query"], source["max_results"]) == (query, cap)
