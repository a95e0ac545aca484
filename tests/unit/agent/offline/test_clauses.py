"""Reading a request: literals, typos, clauses."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.clauses import Clause, Request, read_request
from tests.unit.agent.offline.conftest import step


def test_literals_are_taken_out_with_their_kind() -> None:
    read = read_request(
        "read 'SELECT * FROM t' from sqlite:///data/app.db, fetch https://a.example.com/x. "
        'and "hello, world" then save to out/x.csv'
    )
    kinds = [(lit.kind, lit.value) for lit in read.literals]
    assert ("quote", "SELECT * FROM t") in kinds
    assert ("db", "sqlite:///data/app.db") in kinds
    assert ("url", "https://a.example.com/x") in kinds  # the full stop is not part of it
    assert ("quote", "hello, world") in kinds
    assert ("path", "out/x.csv") in kinds
    assert "⟨" in read.text


def test_unquoted_sql_stays_one_literal() -> None:
    read = read_request("run this sql - SELECT kind, count(*) AS n FROM events GROUP BY kind - ok")
    assert read.literals[0].value == "SELECT kind, count(*) AS n FROM events GROUP BY kind"


def test_apostrophes_are_not_quotes() -> None:
    read = read_request("compare this week's data/a.csv to today's data")
    assert [lit.kind for lit in read.literals] == ["path"]


def test_typos_are_fixed_outside_literals() -> None:
    read = read_request("twiter posts abt openai pls, see https://x.example.com/u")
    assert read.clauses[0].text.startswith("twitter posts about openai please")
    assert read.literals[0].value == "https://x.example.com/u"


def test_clauses_split_at_punctuation_then_and_verbs() -> None:
    read = read_request(
        "tweets about AI and reddit posts; keep the negative ones and save them -> out/a.csv "
        "then post it: done"
    )
    texts = [c.text for c in read.clauses]
    assert texts[0] == "tweets about ai and reddit posts"  # `and reddit` is not a verb
    assert texts[1] == "keep the negative ones"
    assert texts[2] == "save them"
    assert [c.index for c in read.clauses] == list(range(len(texts)))
    assert read.clauses[1].original == "keep the negative ones"


def test_short_pieces_that_do_not_stand_alone_go_back() -> None:
    def stands_alone(clause: Clause, request: Request) -> bool:
        return "keep" in clause.text

    read = read_request("keep the columns name, email, city, keep it", stands_alone=stands_alone)
    assert [c.text for c in read.clauses] == ["keep the columns name, email, city", "keep it"]
    alone = read_request("the columns name, email, city")
    assert len(alone.clauses) == 3  # without the predicate nothing is merged


def test_a_list_of_column_names_is_one_clause() -> None:
    read = read_request("keep the columns name, email and city, keep it")
    assert [c.shown(read) for c in read.clauses] == [
        "keep the columns name, email and city",
        "keep it",
    ]
    assert "," not in read.clauses[0].text  # its commas are no boundaries


def test_clause_literals_by_kind() -> None:
    read = read_request("read data/a.csv and https://a.example.com/b")
    clause = read.clauses[0]
    assert [lit.kind for _, lit in clause.literals(read, "path")] == ["path"]
    assert len(clause.literals(read)) == 2


def test_sql_in_brackets_ends_at_its_closing_bracket() -> None:
    read = read_request(
        "rows of sqlite:///a.db (SELECT a FROM t WHERE b IN (1, 2)) joined to data/u.csv, "
        "then (SELECT c FROM u) too"
    )
    quotes = [lit.value for lit in read.literals if lit.kind == "quote"]
    assert quotes == ["SELECT a FROM t WHERE b IN (1, 2)", "SELECT c FROM u"]
    assert read.clauses[0].text == "rows of ⟨2⟩ ⟨0⟩ joined to ⟨3⟩"  # both SQL come first


def test_sql_ends_where_a_new_instruction_starts() -> None:
    for request, sql in [
        ("SELECT a, count(*) FROM t GROUP BY a, embed it", "SELECT a, count(*) FROM t GROUP BY a"),
        ("SELECT a FROM t, then sort by a", "SELECT a FROM t"),
        ("SELECT a FROM t -- sort by a", "SELECT a FROM t"),
        ("SELECT a, count (*) FROM t, count (x)", "SELECT a, count (*) FROM t, count (x)"),
    ]:
        assert read_request(request).literals[0].value == sql


def test_a_question_or_an_exclamation_ends_a_clause() -> None:
    read = read_request("Which posts talk about async? sort them by likes! then save to out/a.csv")
    assert [c.text for c in read.clauses] == [
        "which posts talk about async",
        "sort them by likes",
        "save to ⟨0⟩",
    ]
    # inside a word or a literal, the marks are not boundaries
    read = read_request("fetch https://a.example.com/x?page=2 wow!!really")
    assert read.literals[0].value == "https://a.example.com/x?page=2"
    assert len(read.clauses) == 1


def test_a_question_s_topic_stops_at_its_mark(planner: OfflinePlanner) -> None:
    draft = planner.plan("What do reddit threads say about quantization? save them to out/q.csv")
    assert step(draft, "social.reddit.search")["query"] == "quantization"


def test_a_dash_between_spaces_ends_a_clause() -> None:
    read = read_request(
        "data/a.csv has a url column - fetch the pages \u2013 then save to out/b.csv"
    )
    assert [c.text for c in read.clauses] == [
        "⟨0⟩ has a url column",
        "fetch the pages",
        "save to ⟨1⟩",
    ]
    assert len(read_request("keep rows from 2026-12-01 with x-y > 3").clauses) == 1
