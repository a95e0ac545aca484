"""Filters on a column's presence, on words it contains, on a column named in brackets."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


@pytest.mark.parametrize(
    ("words", "where"),
    [
        ("drop the rows that have no email", "email IS NOT NULL"),
        ("remove records without a phone", "phone IS NOT NULL"),
        ("keep only the rows with no country", "country IS NULL"),
        ("keep rows missing their owner", "owner IS NULL"),
        ("keep the users whose email is not empty", "email IS NOT NULL"),
        ("only rows where the city is blank", "city IS NULL"),
        ("exclude rows where the city is null", "city IS NOT NULL"),
        ("keep the non-empty comment ones", "comment IS NOT NULL"),
    ],
)
def test_a_missing_or_present_column(
    planner: OfflinePlanner, catalog: Catalog, words: str, where: str
) -> None:
    draft = planner.plan(f"read data/v.csv, {words}, save to out/v.csv")
    assert step(draft, "data.rows.filter")["where"] == where
    assert validate(draft, catalog).ok


@pytest.mark.parametrize(
    "words",
    [
        "drop rows without any reason",  # not a column of its own
        "keep no more than 5 rows",
        "keep the rows without orders",  # a plural noun, not a known column
    ],
)
def test_no_presence_check_without_a_column(planner: OfflinePlanner, words: str) -> None:
    draft = planner.plan(f"read data/v.csv, {words}")
    assert "IS NULL" not in str(draft.pipeline)
    assert "IS NOT NULL" not in str(draft.pipeline)


def test_rows_left_out_of_a_join_are_not_a_missing_column(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "left join data/a.parquet with data/usage.parquet on id so accounts without usage stay in"
    )
    assert "data.rows.filter" not in methods(draft)


@pytest.mark.parametrize(
    ("words", "on"),
    [
        ("get rid of duplicate emails", "email"),
        ("remove repeated urls", "url"),
        ("drop duplicated addresses", "address"),
        ("remove duplicates in the sku column", "sku"),
        ("drop duplicate ids", "id"),
    ],
)
def test_the_duplicated_noun_is_the_dedupe_key(
    planner: OfflinePlanner, words: str, on: str
) -> None:
    draft = planner.plan(f"read data/v.csv, {words}")
    assert methods(draft) == ["file.csv.read", "data.rows.dedupe"]
    assert step(draft, "data.rows.dedupe")["on"] == on


@pytest.mark.parametrize("words", ["drop duplicate rows", "remove the duplicated records"])
def test_duplicate_rows_have_no_key(planner: OfflinePlanner, words: str) -> None:
    draft = planner.plan(f"read data/v.csv, {words}")
    assert "on" not in step(draft, "data.rows.dedupe")


def test_emails_to_extract_are_still_extracted(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/m.jsonl, extract the emails and urls from the text column")
    assert step(draft, "nlp.text.extract")["kinds"] == ["emails", "urls"]
    draft = planner.plan("read data/m.jsonl, extract entities from the body field")
    assert "nlp.text.extract" in methods(draft)


@pytest.mark.parametrize(
    ("words", "where"),
    [
        ("keep the posts whose title mentions kubernetes", "title ILIKE '%kubernetes%'"),
        ("only items where the summary contains 'rust lang'", "summary ILIKE '%rust lang%'"),
        ("keep entries mentioning gpu in the title", "title ILIKE '%gpu%'"),
        ("keep rows whose body includes the word outage", "body ILIKE '%outage%'"),
        ("drop the ones whose headline has sponsored", "headline NOT ILIKE '%sponsored%'"),
    ],
)
def test_a_column_containing_a_word(
    planner: OfflinePlanner, catalog: Catalog, words: str, where: str
) -> None:
    draft = planner.plan(f"read the rss feed https://x.example/rss, {words}, save to out/f.csv")
    assert step(draft, "data.rows.filter")["where"] == where
    assert "nlp.text.extract" not in methods(draft)
    assert validate(draft, catalog).ok


def test_a_word_after_an_unknown_column_is_not_a_match(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/v.csv, keep rows where owner has an email")
    assert "ILIKE" not in str(draft.pipeline)


@pytest.mark.parametrize(
    ("words", "where"),
    [
        ("keep only orders over 500 (field amount_eur)", "amount_eur > 500"),
        ("keep rows under 20 (column discount_pct)", "discount_pct < 20"),
        ("keep rows above 1,000 in the revenue column", "revenue > 1000"),
    ],
)
def test_the_column_named_after_a_number(planner: OfflinePlanner, words: str, where: str) -> None:
    draft = planner.plan(f"read data/v.csv, {words}")
    assert step(draft, "data.rows.filter")["where"] == where


def test_a_dataset_without_matches_is_not_a_missing_column(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/shops.csv and data/visits.csv; keep the shops without a visit")
    assert "IS NULL" not in str(draft.pipeline)
