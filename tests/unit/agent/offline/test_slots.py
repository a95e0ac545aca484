"""Filling params from a clause."""

from __future__ import annotations

import pytest

from odp.agent.offline import slots
from odp.agent.offline.clauses import Clause, Request, read_request


def first(text: str) -> tuple[Clause, Request]:
    request = read_request(text)
    return request.clauses[0], request


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("search twitter for 'machine learning'", "machine learning"),
        ("find posts about AI on twitter", "AI"),
        ("search twitter for posts about climate change", "climate change"),
        ("get 50 tweets on the climate summit", "climate summit"),
        ("tweets mentioning Tesla please", "Tesla"),
        ("reddit threads about home brewing in r/Homebrewing", "home brewing"),
        ("tweets about the new iphone", "new iphone"),
        ("tweets about AI and", "AI"),
        ("posts on twitter", None),
        ("tweets about english", None),
        ("read data/a.csv", None),
    ],
)
def test_query(text: str, expected: str | None) -> None:
    clause, request = first(text)
    assert slots.query(clause, request) == expected


def test_query_ignores_sql_quotes() -> None:
    clause, request = first('tweets "SELECT * FROM t"')
    assert slots.query(clause, request) is None


def test_numbers() -> None:
    assert slots.number("1,000") == 1000
    assert slots.number("five") == 5
    assert slots.number("2.5") == 2.5
    assert slots.number("many") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("get 500 tweets about AI", 500),
        ("the latest 200 reddit threads", 200),
        ("the top 20 tweets", None),
        ("tweets about AI", None),
    ],
)
def test_count_before(text: str, expected: int | None) -> None:
    clause, _ = first(text)
    assert slots.count_before(clause, "tweets|threads") == expected


def test_since() -> None:
    assert slots.since(first("tweets since 2025-01-01")[0]) == "2025-01-01"
    assert slots.since(first("tweets after 2025-01-01t10:00:00z")[0]) == "2025-01-01T10:00:00Z"
    assert slots.since(first("tweets about AI")[0]) is None


def test_subreddit() -> None:
    assert slots.subreddit(first("threads in r/CryptoCurrency")[0]) == "CryptoCurrency"
    assert slots.subreddit(first("the subreddit soccer")[0]) == "soccer"
    assert slots.subreddit(first("reddit threads")[0]) is None


def test_languages() -> None:
    assert slots.languages_in("keep english, german and english") == ["en", "de"]
    assert slots.languages_in("keep them") == []


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [
        ("score the review column", [], "review"),
        ("score the text column", [], None),
        ("score column body", [], "body"),
        ("score the sentiment of the titles", ["title"], "title"),
        ("score them", ["title"], None),
    ],
)
def test_column_named(text: str, known: list[str], expected: str | None) -> None:
    clause, _ = first(text)
    found = slots.column_named(clause, known)
    assert (None if found == "text" else found) == expected


@pytest.mark.parametrize(
    ("text", "known", "negate", "expected"),
    [
        ("keep rows where quantity > 10", [], False, ["quantity > 10"]),
        ("keep rows where score >= 3 and lang == 'en'", [], False, ["score >= 3", "lang = 'en'"]),
        ("with more than 1,000 likes", [], False, ["likes > 1000"]),
        ("drop the ones with fewer than 10 likes", [], True, ["likes >= 10"]),
        ("at least five comments", [], False, ["comments >= 5"]),
        ("where status is delivered", [], False, ["status = 'delivered'"]),
        ("where status is not open", [], False, ["status != 'open'"]),
        ("drop rows where status is cancelled", [], True, ["status != 'cancelled'"]),
        ("keep rows where region is 'EU'", [], False, ["region = 'EU'"]),
        ("keep the ones whose country is fr", ["country"], False, ["country = 'fr'"]),
        ("keep the ones where it is nice", [], False, []),
        ("keep them, the weather is nice", [], False, []),
        # a word before `is` names a column only if it is one, or follows where/if/whose
        ("keep rows if the weather is nice", [], False, []),
        ("keep only the delivered orders", [], False, ["status = 'delivered'"]),
        ("keep the good ones", [], False, []),
        ("keep rows where a = b", [], False, ["a = 'b'"]),
        ("keep rows where price > 5 and where price is high", [], False, ["price > 5"]),
        ("keep the ones with a sentiment below -0.5", [], False, ["sentiment < -0.5"]),
    ],
)
def test_condition(text: str, known: list[str], negate: bool, expected: list[str]) -> None:
    clause, request = first(text)
    assert slots.condition(clause, request, known, negate=negate) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sort it by amount", ("amount", False, None)),
        ("sorted by likes", ("likes", True, None)),
        ("top 10 most liked tweets", ("likes", True, 10)),
        ("the 5 most reposted tweets", ("reposts", True, 5)),
        ("top 20 threads by likes", ("likes", True, 20)),
        ("the newest tweets", ("created_at", True, None)),
        ("the oldest tweets", ("created_at", False, None)),
        ("the least liked", ("likes", True, None)),
        ("order by price ascending", ("price", False, None)),
        ("sort them", (None, False, None)),
        ("tweets about AI", None),
        ("by region", None),
    ],
)
def test_sort_spec(text: str, expected: object) -> None:
    assert slots.sort_spec(first(text)[0]) == expected


def test_group_by() -> None:
    assert slots.group_by(first("count per language")[0]) == ["language"]
    assert slots.group_by(first("total grouped by region and country")[0]) == ["region", "country"]
    assert slots.group_by(first("count them")[0]) == []


def test_mentions_source() -> None:
    assert slots.mentions_source("some tweets")
    assert not slots.mentions_source("some rows")


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        (
            "for drift on tenure, monthly_charges and contract",
            ["tenure", "monthly_charges", "contract"],
        ),
        ("report drift in the price and quantity columns", ["price", "quantity"]),
        ("drift, columns: a, b", ["a", "b"]),
        ("check drift only over age/income", ["age", "income"]),
        ("drift on them", []),
        ("drift in the data", []),
        ("drift", []),
    ],
)
def test_drift_columns(text: str, columns: list[str]) -> None:
    assert slots.drift_columns(text) == columns
