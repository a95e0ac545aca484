"""Where a JSON answer keeps its records, said of the records; a clause asking for the rows."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


@pytest.mark.parametrize(
    ("words", "path"),
    [
        ("they sit under payload.stations in the response", "payload.stations"),
        ("the flights are listed under body.items", "body.items"),
        ("each user lives in results of the json", "results"),
        ("these are kept at the key data.rows", "data.rows"),
        ("they're listed under body.items", "body.items"),
    ],
)
def test_the_records_said_by_a_pronoun_or_their_noun(
    planner: OfflinePlanner, catalog: Catalog, words: str, path: str
) -> None:
    draft = planner.plan(f"hit https://api.example.com/v1/x and give me the list of them. {words}")
    assert methods(draft) == ["http.json.get"]
    assert step(draft, "http.json.get")["records_path"] == path
    assert validate(draft, catalog).ok


@pytest.mark.parametrize(
    "words", ["the posts are in english", "they are in the response", "the rows are in it"]
)
def test_no_records_path_without_a_path(planner: OfflinePlanner, words: str) -> None:
    draft = planner.plan(f"hit https://api.example.com/v1/x, {words}")
    assert "records_path" not in step(draft, "http.json.get")


@pytest.mark.parametrize(
    "words", ["give me the list of stations", "show me the results", "send us the data"]
)
def test_asking_for_the_rows_adds_no_step(planner: OfflinePlanner, words: str) -> None:
    draft = planner.plan(f"read data/stations.csv and {words}")
    assert methods(draft) == ["file.csv.read"]
