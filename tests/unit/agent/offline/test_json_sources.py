"""JSON APIs: where the records sit in the answer, said in the clause or a later one."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from tests.unit.agent.offline.conftest import step


@pytest.mark.parametrize(
    ("request_", "path"),
    [
        ("get https://a.example.com/api/t, the records are under data.tickets", "data.tickets"),
        ("read https://a.example.com/api/i (the list is in items) and save it", "items"),
        ("call the api https://a.example.com/x; rows live inside the field hits", "hits"),
        ("get https://a.example.com/api/x. Results at response.rows. Sort by id", "response.rows"),
    ],
)
def test_the_records_path_in_words(planner: OfflinePlanner, request_: str, path: str) -> None:
    assert step(planner.plan(request_), "http.json.get")["records_path"] == path


@pytest.mark.parametrize(
    "request_",
    [
        "get https://a.example.com/api/x and save the rows in postgres",
        "get https://a.example.com/api/x, the data is in a weird shape",
        "get https://a.example.com/api/x, keep the items in order",
    ],
)
def test_no_records_path_from_other_words(planner: OfflinePlanner, request_: str) -> None:
    assert "records_path" not in step(planner.plan(request_), "http.json.get")
