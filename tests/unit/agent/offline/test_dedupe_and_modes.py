"""One row per key is a dedupe; appending to a table says so in the write mode."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from tests.unit.agent.offline.conftest import methods, step


@pytest.mark.parametrize(
    ("request_", "dedupe"),
    [
        ("read data/v.csv and keep one row per url", {"on": "url"}),
        ("read data/v.csv, just one entry for each email", {"on": "email"}),
        ("read data/v.csv, the latest record per device_id", {"on": "device_id", "keep": "last"}),
    ],
)
def test_one_row_per_key_is_a_dedupe(
    planner: OfflinePlanner, request_: str, dedupe: dict[str, str]
) -> None:
    draft = planner.plan(request_)
    assert methods(draft) == ["file.csv.read", "data.rows.dedupe"]
    assert step(draft, "data.rows.dedupe") == {"data": "{{ v.data }}", **dedupe}


def test_a_count_per_key_is_still_an_aggregate(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/v.csv, one row per url with the number of visits")
    assert "data.rows.aggregate" in methods(draft)


@pytest.mark.parametrize(
    ("words", "mode"),
    [
        ("append it to the table t in", "append"),
        ("insert the rows into the table t of", "append"),
        ("add them to the t table in", "append"),
        ("overwrite the table t in", "replace"),
        ("upsert it into the table t in", "upsert"),
        ("write it to the table t in", None),
    ],
)
def test_the_write_mode_in_words(planner: OfflinePlanner, words: str, mode: str | None) -> None:
    draft = planner.plan(f"read data/v.csv and {words} sqlite:///out/v.db")
    table = step(draft, "sql.table.write")
    assert table["table"] == "t"
    assert table.get("mode") == mode


@pytest.mark.parametrize(
    ("request_", "key"),
    [
        (
            "read data/u.csv and upsert it into the users table of sqlite:///u.db keyed on id",
            ["id"],
        ),
        (
            "read data/u.csv, upsert into table users in sqlite:///u.db by the key user_id",
            ["user_id"],
        ),
        (
            "read data/u.csv and upsert it into the users table of sqlite:///u.db "
            "on the keys org, user_id",
            ["org", "user_id"],
        ),
    ],
)
def test_an_upsert_s_key(planner: OfflinePlanner, request_: str, key: list[str]) -> None:
    write = step(planner.plan(request_), "sql.table.write")
    assert (write["mode"], write["key"]) == ("upsert", key)


def test_a_key_said_for_an_append_is_not_set(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read data/u.csv and append it to the users table of sqlite:///u.db keyed on id"
    )
    assert "key" not in step(draft, "sql.table.write")
