"""Databases as sources: a whole table named in words, SQL written out before the database."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.clauses import read_request
from odp.catalog import Catalog
from odp.spec import render_text
from tests.unit.agent.offline.conftest import methods, step, validate


@pytest.mark.parametrize(
    ("request_", "table"),
    [
        ("pull everything from the refunds table in sqlite:///data/shop.db", "refunds"),
        ("read the table called audit.events of postgresql://h/db", "audit.events"),
        ("load all of the rows from the users table in duckdb:///w.duckdb", "users"),
    ],
)
def test_a_table_read_in_words_is_a_query_over_it(
    planner: OfflinePlanner, catalog: Catalog, request_: str, table: str
) -> None:
    draft = planner.plan(request_)
    assert methods(draft) == ["sql.query.read"]
    assert step(draft, "sql.query.read")["query"] == f"SELECT * FROM {table}"
    assert draft.questions == ()
    result = validate(draft, catalog)
    assert result.ok, render_text(result.diagnostics)


def test_a_table_copied_from_one_database_into_another(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "copy the orders table from sqlite:///data/a.db into the archive table of "
        "sqlite:///out/b.db"
    )
    assert step(draft, "sql.query.read") == {
        "url": "sqlite:///data/a.db",
        "query": "SELECT * FROM orders",
    }
    assert step(draft, "sql.table.write")["url"] == "sqlite:///out/b.db"
    assert step(draft, "sql.table.write")["table"] == "archive"


def test_a_table_written_to_is_still_a_sink(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv and load it into the orders table in sqlite:///o.db")
    assert methods(draft) == ["file.csv.read", "sql.table.write"]
    assert methods(planner.plan("read data/a.csv, load it into a table")) == [
        "file.csv.read",
        "sql.table.write",
    ]
    unnamed = planner.plan("read from a table in sqlite:///o.db")
    assert methods(unnamed) == ["sql.query.read"]
    assert [q.slot for q in unnamed.questions] == ["rows.query"]  # not a table to write to


def test_sql_before_its_database_ends_at_the_database() -> None:
    read = read_request("run SELECT id, body FROM notes against sqlite:///data/n.db, embed it")
    assert [(lit.kind, lit.value) for lit in read.literals] == [
        ("quote", "SELECT id, body FROM notes"),
        ("db", "sqlite:///data/n.db"),
    ]
    assert [c.text for c in read.clauses] == ["run ⟨0⟩ against ⟨1⟩", "embed it"]


def test_the_sql_of_the_clause_then_its_table_then_other_quotes(planner: OfflinePlanner) -> None:
    named = planner.plan(
        "search twitter for 'rust', then pull everything from the crates table in sqlite:///c.db"
    )
    assert step(named, "sql.query.read")["query"] == "SELECT * FROM crates"
    written = planner.plan("run SELECT a FROM t on the events database sqlite:///e.db")
    assert step(written, "sql.query.read")["query"] == "SELECT a FROM t"


def test_the_columns_a_query_selects_are_the_rows_columns(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read sqlite:///b.db with SELECT p.title, p.body AS content FROM posts p, "
        "score the sentiment of the content"
    )
    assert step(draft, "nlp.text.sentiment")["column"] == "content"
    starred = planner.plan("read sqlite:///b.db with SELECT * FROM posts, detect the language")
    assert "column" not in step(starred, "nlp.text.language")
    computed = planner.plan(
        "read sqlite:///b.db with SELECT upper(title) FROM posts, detect the language of it"
    )
    assert "column" not in step(computed, "nlp.text.language")


@pytest.mark.parametrize(
    "request_",
    [
        "sqlite:///data/shop.db — SELECT id, total FROM orders WHERE total > 100",
        "postgresql://ro@db/shop; select id from customers where active",
    ],
)
def test_sql_said_apart_from_its_database_runs_there_once(
    planner: OfflinePlanner, catalog: Catalog, request_: str
) -> None:
    draft = planner.plan(request_)
    assert methods(draft) == ["sql.query.read"]
    assert validate(draft, catalog).ok


def test_sql_over_rows_read_by_other_sql_is_a_step(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "pull the orders table from sqlite:///data/shop.db, then SELECT id FROM orders WHERE total > 5"
    )
    assert methods(draft) == ["sql.query.read", "data.sql.query"]
