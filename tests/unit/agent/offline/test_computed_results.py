"""What was computed, said again at the sink (the counts), and a text's language said passively."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from tests.unit.agent.offline.conftest import methods, step


@pytest.mark.parametrize(
    "words",
    [
        "count rows per city and dump the counts in out/c.csv",
        "count rows per city, then write those counts to out/c.csv",
        "sum the amount per city and save the totals to out/c.csv",
        "average the amount per city, store these averages in out/c.csv",
    ],
)
def test_the_results_written_are_the_aggregate_made(planner: OfflinePlanner, words: str) -> None:
    draft = planner.plan(f"read data/v.csv, {words}")
    assert methods(draft) == ["file.csv.read", "data.rows.aggregate", "file.csv.write"]
    assert step(draft, "file.csv.write")["data"] == "{{ per_city.data }}"


def test_a_count_at_the_sink_is_still_a_count(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/v.csv and save the number of rows per city to out/c.csv")
    assert step(draft, "data.rows.aggregate")["group_by"] == ["city"]


@pytest.mark.parametrize(
    "words",
    [
        "find out which language each review is written in",
        "tell me what language the reviews were written in",
    ],
)
def test_a_text_written_in_a_language_is_no_write(planner: OfflinePlanner, words: str) -> None:
    draft = planner.plan(f"read data/r.parquet, {words}, save to out/r.csv")
    assert methods(draft) == ["file.parquet.read", "nlp.text.language", "file.csv.write"]


def test_rows_written_to_a_file_are_still_written(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/r.parquet; the rows are written to out/r.csv")
    assert methods(draft) == ["file.parquet.read", "file.csv.write"]
