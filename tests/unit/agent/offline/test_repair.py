"""Repairs from the validator's diagnostics, one per diagnostic code."""

from __future__ import annotations

import copy
from typing import Any

from odp.agent.drafting import Draft
from odp.agent.models import Question
from odp.agent.offline import OfflinePlanner, dump_pipeline
from odp.agent.offline.repair import repair_pipeline
from odp.catalog import Catalog
from odp.spec import Diagnostic, Severity, render_text, validate_data


def pipeline(*steps: tuple[str, str, str, dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "broken"}
    for section, name, method, params in steps:
        data.setdefault(section, []).append(
            {"name": name, "method": method, "params": copy.deepcopy(params)}
        )
    return data


def repaired(broken: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """Repair until valid (at most three rounds), as the graph does."""
    current = broken
    for _ in range(3):
        result = validate_data(current, catalog)
        if result.ok:
            return current
        fixed, _ = repair_pipeline(current, result.diagnostics, catalog)
        assert fixed is not None, render_text(result.diagnostics)
        current = fixed
    assert validate_data(current, catalog).ok
    return current


TWEETS = ("sources", "tweets", "social.twitter.search", {"query": "AI"})


def test_unknown_method_and_param_and_field(catalog: Catalog) -> None:
    broken = pipeline(
        TWEETS,
        ("transforms", "scored", "nlp.text.sentimnt", {"data": "{{ tweets.data }}"}),
        ("transforms", "kept", "data.rows.filter", {"data": "{{ scored.dta }}", "wher": "x > 1"}),
        ("sinks", "save", "file.csv.write", {"data": "{{ kept.data }}", "path": "o.csv", "z": 1}),
    )
    fixed = repaired(broken, catalog)
    assert fixed["transforms"][0]["method"] == "nlp.text.sentiment"
    assert fixed["transforms"][1]["params"] == {"data": "{{ scored.data }}", "where": "x > 1"}
    assert "z" not in fixed["sinks"][0]["params"]
    assert broken["sinks"][0]["params"]["z"] == 1  # the draft given is not changed


def test_wrong_section_wrong_types_missing_data(catalog: Catalog) -> None:
    broken = pipeline(
        ("sinks", "pages", "web.page.fetch", {"urls": "https://a.example.com/x"}),
        ("transforms", "top", "data.rows.sort", {"by": "likes", "limit": "many"}),
    )
    broken["sinks"].append(
        {"name": "save", "method": "file.csv.write", "params": {"data": "{{ top.data }}"}}
    )
    broken["sinks"][1]["params"]["path"] = "o.csv"
    fixed = repaired(broken, catalog)
    assert fixed["sources"][0]["params"]["urls"] == ["https://a.example.com/x"]
    assert fixed["transforms"][0]["params"] == {"by": "likes", "data": "{{ pages.data }}"}
    assert [s["name"] for s in fixed["sinks"]] == ["save"]


def test_unknown_step_and_duplicate_step(catalog: Catalog) -> None:
    broken = pipeline(
        TWEETS,
        ("transforms", "scored", "nlp.text.sentiment", {"data": "{{ twets.data }}"}),
        ("transforms", "scored", "nlp.text.language", {"data": "{{ nowhere.data }}"}),
    )
    fixed = repaired(broken, catalog)
    names = [s["name"] for s in fixed["transforms"]]
    assert names == ["scored", "scored_2"]
    assert fixed["transforms"][0]["params"]["data"] == "{{ tweets.data }}"


def test_a_wrong_optional_value_goes(catalog: Catalog) -> None:
    broken = pipeline(
        TWEETS,
        ("transforms", "top", "data.rows.sort", {"data": "{{ tweets.data }}", "by": "likes"}),
    )
    broken["transforms"][0]["params"]["limit"] = {"a": 1}
    broken["sources"][0]["params"]["max_results"] = [1, 2]
    fixed = repaired(broken, catalog)
    assert "limit" not in fixed["transforms"][0]["params"]
    assert "max_results" not in fixed["sources"][0]["params"]


def test_what_cannot_be_fixed_becomes_questions(catalog: Catalog) -> None:
    broken = pipeline(("sources", "tweets", "social.twitter.search", {}))
    result = validate_data(broken, catalog)
    fixed, questions = repair_pipeline(broken, result.diagnostics, catalog)
    assert fixed is None
    assert questions == [
        Question(
            slot="tweets.query",
            question="What should 'query' of step 'tweets' be?",
            step="tweets",
            param="query",
        )
    ]


def test_diagnostics_it_cannot_use(catalog: Catalog) -> None:
    broken = pipeline(TWEETS, ("transforms", "kept", "data.rows.filter", {"where": "x"}))
    broken["transforms"][0]["params"] = "not a mapping"
    odd = [
        Diagnostic(code="no-sink", message="warn", severity=Severity.WARNING, step="tweets"),
        Diagnostic(code="yaml-syntax", message="?", step="tweets"),
        Diagnostic(code="unknown-method", message="?", step="nowhere"),
        Diagnostic(code="unknown-method", message="?", step="tweets"),  # a known id: no match
        Diagnostic(code="kind-mismatch", message="?", step="kept"),
        Diagnostic(code="unknown-param", message="no param 'x'", step="tweets"),
        Diagnostic(code="unknown-param", message="what?", step="tweets"),
        Diagnostic(code="missing-param", message="what?", step="tweets"),
        Diagnostic(code="invalid-param", message="what?", step="tweets"),
        Diagnostic(code="invalid-param", message="x", field="params.query", step="tweets"),
        Diagnostic(code="invalid-param", message="x", field="params.nope", step="tweets"),
        Diagnostic(code="unknown-field", message="what?", step="tweets"),
        Diagnostic(code="unknown-step", message="what?", step="tweets"),
        Diagnostic(code="unknown-step", message="{{ a.data }}", step="tweets"),
    ]
    odd.append(Diagnostic(code="unknown-param", message="no param 'x'", step="kept"))
    fixed, questions = repair_pipeline(broken, odd, catalog)
    assert fixed is None
    assert questions == []
    strange = pipeline(("sources", "x", "no.such.method", {}))
    fixed, _ = repair_pipeline(
        strange, [Diagnostic(code="kind-mismatch", message="?", step="x")], catalog
    )
    assert fixed is None


async def test_the_planner_repairs_and_keeps_what_it_cannot(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    broken = pipeline(TWEETS, ("transforms", "scored", "nlp.text.sentimnt", {"data": "x"}))
    draft = Draft(broken, dump_pipeline(broken))
    result = validate_data(broken, catalog)
    again = await planner.repair("r", draft, result.diagnostics, [], answers={})
    assert again.pipeline is not None
    assert again.pipeline["transforms"][0]["method"] == "nlp.text.sentiment"
    assert "nlp.text.sentiment" in again.raw
    same = await planner.repair("r", again, [], [], answers={})
    assert same is again
    empty = pipeline(("sources", "tweets", "social.twitter.search", {}))
    asked = await planner.repair(
        "r",
        Draft(empty, dump_pipeline(empty)),
        validate_data(empty, catalog).diagnostics,
        [],
        answers={},
    )
    assert [q.slot for q in asked.questions] == ["tweets.query"]
    again_asked = await planner.repair(
        "r", asked, validate_data(empty, catalog).diagnostics, [], answers={}
    )
    assert again_asked is asked  # the same question is not asked twice
    unparsed = await planner.repair("tweets about AI", Draft(None, "garbage"), [], [], answers={})
    assert unparsed.pipeline is not None


def test_more_conversions_and_renames(catalog: Catalog) -> None:
    broken = pipeline(
        TWEETS,
        ("transforms", "x", "nlp.text.extract", {"data": "{{ tweets.data }}", "kinds": 5}),
        ("transforms", "save", "file.csv.write", {"data": "{{ x.data }}", "path": "o.csv"}),
        (
            "sinks",
            "t",
            "sql.table.write",
            {"data": "{{ x.dta }}", "url": "sqlite:///o.db", "table": ["posts"], "key": ["id", 1]},
        ),
        ("sinks", "x", "file.csv.write", {"data": "{{ tweets.data }}", "path": "p.csv"}),
        ("sinks", "x_2", "file.csv.write", {"data": "{{ tweets.data }}", "path": "q.csv"}),
    )
    broken["transforms"].append("not a step")
    fixed = repaired(broken, catalog)
    assert "transforms" in fixed
    assert fixed["transforms"][0]["params"] == {"data": "{{ tweets.data }}"}
    table = next(s for s in fixed["sinks"] if s["name"] == "t")
    assert table["params"]["table"] == "posts"
    assert table["params"]["data"] == "{{ x.data }}"
    assert sorted(s["name"] for s in fixed["sinks"]) == ["save", "t", "x_2", "x_3"]
    alone = pipeline(TWEETS, ("transforms", "w", "file.csv.write", {"data": "{{ tweets.data }}"}))
    alone["transforms"][0]["params"]["path"] = "o.csv"
    mismatch = validate_data(alone, catalog).diagnostics
    moved, _ = repair_pipeline(alone, mismatch, catalog)
    assert moved is not None
    assert "transforms" not in moved
    assert moved["sinks"][0]["name"] == "w"
    odd = pipeline(TWEETS)
    odd["sources"][0]["params"]["bogus"] = 1
    odd["sources"].append("not a step")
    fixed_odd, _ = repair_pipeline(
        odd,
        [Diagnostic(code="invalid-param", message="x", field="params.bogus", step="tweets")],
        catalog,
    )
    assert fixed_odd is None
