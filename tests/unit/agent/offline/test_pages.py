"""The pages behind each row's URL, when the rows come from a file whose columns are unknown."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from tests.unit.agent.offline.conftest import methods, step


@pytest.mark.parametrize(
    ("request_", "column"),
    [
        ("data/l.csv has a url column - fetch each of those pages", "url"),
        ("read data/l.csv and download the pages in the column page_link", "page_link"),
        ("read data/l.csv and scrape the pages in the url field", "url"),
    ],
)
def test_the_url_column_of_a_file(planner: OfflinePlanner, request_: str, column: str) -> None:
    draft = planner.plan(request_)
    assert methods(draft) == ["file.csv.read", "web.page.fetch"]
    assert step(draft, "web.page.fetch") == {"data": "{{ l.data }}", "url_column": column}


def test_no_url_column_known_or_named_fetches_nothing(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/l.csv, count rows per domain, then fetch the pages")
    assert "web.page.fetch" not in methods(draft)
    assert methods(planner.plan("read data/l.csv and scrape the pages")) == ["file.csv.read"]
