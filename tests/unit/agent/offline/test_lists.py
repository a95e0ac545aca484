"""A list of URLs or paths after a colon or between commas is one clause, one source."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.clauses import read_request
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


@pytest.mark.parametrize(
    ("request_", "texts"),
    [
        ("read these feeds: https://a.x/rss, https://b.x/feed", ["read these feeds ⟨0⟩ and ⟨1⟩"]),
        (
            "read data/a.csv, data/b.csv, and data/c.csv, then save to out/x.csv",
            ["read ⟨0⟩ and ⟨1⟩ and ⟨2⟩", "save to ⟨3⟩"],
        ),
        # items of different kinds, and a colon before words, still cut
        ("read https://a.x/data.json, out/x.csv", ["read ⟨0⟩", "⟨1⟩"]),
        ("read data/a.csv: keep the rows over 5", ["read ⟨0⟩", "keep the rows over 5"]),
        ("join them, key: 'id'", ["join them", "key", "⟨0⟩"]),
    ],
)
def test_a_list_of_literals_is_one_clause(request_: str, texts: list[str]) -> None:
    assert [c.text for c in read_request(request_).clauses] == texts


def test_feeds_listed_after_a_colon_are_one_source(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan("Read both of these feeds pls: https://a.x/rss, https://b.x/feed")
    assert methods(draft) == ["news.rss.read"]
    assert step(draft, "news.rss.read")["url"] == ["https://a.x/rss", "https://b.x/feed"]
    assert validate(draft, catalog).ok


def test_files_listed_after_a_colon_are_each_read(planner: OfflinePlanner) -> None:
    draft = planner.plan("combine these files: data/a.csv, data/b.csv and save to out/ab.csv")
    assert methods(draft)[:2] == ["file.csv.read", "file.csv.read"]
