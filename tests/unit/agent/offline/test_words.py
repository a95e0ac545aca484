"""Numbers and dates written in words, read as digits."""

from __future__ import annotations

import datetime as dt

import pytest

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.clauses import read_request
from odp.agent.offline.words import dates_as_iso, numbers_as_digits, plain_words
from tests.unit.agent.offline.conftest import step

TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("pull up to two thousand tweets", "pull up to 2000 tweets"),
        ("latest fifty articles", "latest 50 articles"),
        ("a hundred and fifty posts", "150 posts"),
        ("twenty-five rows", "25 rows"),
        ("Twenty One rows", "21 rows"),
        ("one hundred tweets", "100 tweets"),
        ("a dozen feeds", "12 feeds"),
        ("three million rows", "3000000 rows"),
        ("zero likes", "0 likes"),
        ("a sample of 2.5k rows", "a sample of 2500 rows"),
        ("the 10k tweets", "the 10000 tweets"),
        ("a timeout of 5m", "a timeout of 5m"),
        ("one row per url", "one row per url"),
        ("keep one", "keep one"),
        ("a sample and a join", "a sample and a join"),
        ("cats and a dog", "cats and a dog"),
        ("keep seven and a half", "keep 7 and a half"),
        ("tweets on the four day work week", "tweets on the four day work week"),
        ("the three musketeers", "the three musketeers"),
        ("fifty italian-language news articles", "50 italian-language news articles"),
        ("2.25k rows", "2250 rows"),
        ("1.0005k rows", "1.0005k rows"),
    ],
)
def test_numbers_in_words(said: str, read: str) -> None:
    assert numbers_as_digits(said) == read


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("since March 3rd, 2026", "since 2026-03-03"),
        ("since sept. 30 2025", "since 2025-09-30"),
        ("since 3 march", "since 2026-03-03"),
        ("after the 1st of November 2026", "after the 2026-11-01"),
        ("from dec 25", "from 2025-12-25"),  # no year: the latest one not after today
        ("may 5", "2026-05-05"),
        ("you may want 5", "you may want 5"),
        ("feb 30 2026", "feb 30 2026"),  # no such day: left as written
        ("feb 29", "feb 29"),
        ("at 9 am on march 3", "at 9 am on 2026-03-03"),
        ("posted in the last 7 days", "posted since 2026-11-26"),
        ("over the past week", "since 2026-11-26"),
        ("the last 2 months", "since 2026-10-04"),
        ("since yesterday", "since 2026-12-02"),
        ("from today", "from 2026-12-03"),
    ],
)
def test_dates_in_words(said: str, read: str) -> None:
    assert dates_as_iso(said, TODAY) == read


def test_both_at_once() -> None:
    assert plain_words("fifty posts since march 1", TODAY) == "50 posts since 2026-03-01"


def test_a_request_is_read_with_todays_date() -> None:
    read = read_request("tweets about rust from the last 3 days", today=TODAY)
    assert read.clauses[0].text == "tweets about rust since 2026-11-30"
    assert (
        read_request("tweets about rust since yesterday")
        .clauses[0]
        .text.startswith("tweets about rust since 20")
    )


def test_a_search_with_a_count_and_a_date_in_words(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "Pull up to two thousand English-language tweets on the 'heat dome' posted since "
        "March 3rd, 2026."
    )
    assert step(draft, "social.twitter.search") == {
        "query": "heat dome",
        "max_results": 2000,
        "lang": "en",
        "since": "2026-03-03",
    }
