"""The planner evaluation's metrics, and its gold pipelines."""

from __future__ import annotations

import argparse
from collections import Counter

import pytest
from bench.planner.run import batch_range, evaluate, load_cases, main, make_planner, report
from bench.planner.scoring import (
    KEY_PARAMS,
    edges,
    f1,
    key_params,
    methods,
    normalize,
    normalize_where,
    score_case,
    summarize,
)

from odp.catalog import Catalog
from odp.config import Settings
from odp.spec import render_text, validate_data

GOLD = {
    "name": "g",
    "sources": [{"name": "t", "method": "social.twitter.search", "params": {"query": "AI"}}],
    "transforms": [
        {
            "name": "s",
            "method": "nlp.text.sentiment",
            "params": {"data": "{{ t.data }}"},
        },
        {
            "name": "f",
            "method": "data.rows.filter",
            "params": {"data": "{{ s.data }}", "where": "sentiment_label = 'negative'"},
        },
    ],
    "sinks": [
        {
            "name": "w",
            "method": "file.csv.write",
            "params": {"data": "{{ f.data }}", "path": "o.csv"},
        }
    ],
}


def test_f1() -> None:
    assert f1([], []) == 1.0
    assert f1(["a"], []) == 0.0
    assert f1(["a", "b"], ["c"]) == 0.0
    assert f1(["a", "a", "b"], ["a", "b", "b"]) == pytest.approx(2 / 3)


def test_methods_edges_and_key_params() -> None:
    assert methods(GOLD) == [
        "social.twitter.search",
        "nlp.text.sentiment",
        "data.rows.filter",
        "file.csv.write",
    ]
    assert edges(GOLD) == [
        ("social.twitter.search", "nlp.text.sentiment"),
        ("nlp.text.sentiment", "data.rows.filter"),
        ("data.rows.filter", "file.csv.write"),
    ]
    assert key_params(GOLD) == [
        ("social.twitter.search", "query", "ai"),
        ("data.rows.filter", "where", "sentiment_label='negative'"),
        ("file.csv.write", "path", "o.csv"),
    ]
    joined = {
        "transforms": [
            {
                "name": "q",
                "method": "data.sql.query",
                "params": {"inputs": {"a": "{{ a.data }}", "b": ["{{ b.data }}", "{{ q.data }}"]}},
            },
            "not a step",
        ],
        "sources": [
            {"name": "a", "method": "x.y.z"},
            {"name": "b", "method": "x.y.w", "params": 1},
        ],
        "sinks": "nothing",
    }
    assert edges(joined) == [("x.y.z", "data.sql.query"), ("x.y.w", "data.sql.query")]
    assert key_params(joined) == []
    assert methods(None) == []


def test_normalize() -> None:
    assert normalize("  Likes  >  100 ") == normalize("likes>100")
    assert normalize('a = "x"') == normalize("a='x'")
    assert normalize("a <> b") == "a!=b"
    assert normalize(["b", "A"]) == normalize(["a", "b"])
    assert normalize(10) == normalize(10.0)
    assert normalize(True) is True
    assert normalize({"k": "V"}) == (("k", "v"),)


def test_where_conditions_joined_by_and_are_unordered() -> None:
    assert normalize_where("language = 'en' AND sentiment_label = 'negative'") == normalize_where(
        "sentiment_label='negative' and language='en'"
    )
    assert normalize_where("a = 1 AND b = 2") != normalize_where("a = 1 AND b = 3")
    assert normalize_where("a = 1 AND b = 2") != normalize_where("a = 1")
    assert normalize_where("likes > 5") == normalize("likes>5")
    # an AND inside brackets, quotes or a BETWEEN stays in its condition
    assert normalize_where("(a = 1 AND b = 2) OR c = 3") == normalize("(a=1 AND b=2) OR c=3")
    assert normalize_where("t = 'x and y' AND u = 1") == normalize_where("u = 1 AND t = 'x and y'")
    assert normalize_where("n BETWEEN 1 AND 5 AND m = 2") == normalize_where(
        "m = 2 AND n BETWEEN 1 AND 5"
    )
    assert normalize_where(["x"]) == normalize("x")
    gold = {
        "transforms": [
            {"name": "f", "method": "data.rows.filter", "params": {"where": "a=1 AND b=2"}}
        ]
    }
    draft = {
        "transforms": [
            {"name": "f", "method": "data.rows.filter", "params": {"where": "b = 2 AND a = 1"}}
        ]
    }
    assert key_params(draft) == key_params(gold)


def test_a_one_item_list_is_its_item() -> None:
    url = "https://example.com/feed.xml"
    assert normalize([url]) == normalize(url)
    assert normalize([" Likes "]) == normalize("likes")
    assert normalize([url, "b"]) != normalize(url)
    assert normalize([]) == ()
    gold = {"sources": [{"name": "f", "method": "news.rss.read", "params": {"url": [url]}}]}
    draft = {"sources": [{"name": "f", "method": "news.rss.read", "params": {"url": url}}]}
    assert key_params(draft) == key_params(gold)


def test_score_and_summary() -> None:
    perfect = score_case(
        "1", "chain", GOLD, GOLD, valid=True, catalog_ids=methods(GOLD), seconds=0.1
    )
    assert (perfect.node_f1, perfect.edge_f1, perfect.param_f1) == (1.0, 1.0, 1.0)
    assert not perfect.hallucinated
    wrong = score_case("2", "dag", GOLD, None, valid=False, catalog_ids=[], seconds=0.3)
    assert (wrong.node_f1, wrong.edge_f1, wrong.param_f1) == (0.0, 0.0, 0.0)
    invented = score_case("3", "dag", GOLD, GOLD, valid=False, catalog_ids=[], seconds=0.2)
    assert invented.hallucinated
    summary = summarize([perfect, wrong, invented])
    assert summary.n == 3
    assert summary.valid_rate == pytest.approx(1 / 3)
    assert summary.hallucinated_rate == pytest.approx(1 / 3)
    assert summary.node_f1 == pytest.approx(2 / 3)
    assert summary.p50_ms == pytest.approx(200)
    assert summarize([]).n == 0
    text = report("dev", [perfect, wrong])
    assert "split: dev" in text
    assert "single" in text and "all" in text
    assert "batch" not in text
    assert "batch 2" in report("heldout", [perfect, wrong], {"2": 2})


def test_every_gold_pipeline_validates(catalog: Catalog) -> None:
    cases = load_cases("all")
    for case in cases:
        result = validate_data(case.gold, catalog)
        assert result.ok, f"{case.id}: {render_text(result.diagnostics)}"
        assert set(methods(case.gold)) <= set(KEY_PARAMS), case.id


def test_the_evaluation_set_is_big_enough_and_stratified() -> None:
    dev, heldout = load_cases("dev"), load_cases("heldout")
    assert len(dev) + len(heldout) >= 110
    assert len(heldout) >= 30
    ids = [c.id for c in dev + heldout]
    assert len(ids) == len(set(ids))
    for split in (dev, heldout):
        strata = Counter(c.stratum for c in split)
        assert set(strata) == {"single", "chain", "dag"}
        assert min(strata.values()) >= 5


def test_the_llm_planner_needs_settings(catalog: Catalog) -> None:
    with pytest.raises(SystemExit, match="no LLM is configured"):
        make_planner("llm", catalog, Settings())
    with pytest.raises(SystemExit, match="incomplete"):
        make_planner("llm", catalog, Settings(llm_provider="openai"))
    how, _ = make_planner("llm", catalog, Settings(llm_provider="openai", llm_model="m"))
    assert how.startswith("llm:")


def test_evaluate_with_the_offline_planner(catalog: Catalog) -> None:
    how, plan = make_planner("offline", catalog)
    assert how.startswith("offline")
    scores = evaluate(load_cases("dev")[:3], plan, catalog)
    assert [s.valid for s in scores] == [True, True, True]


def test_main_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    # spent batches only: a new batch's first run is the one its figures come from
    assert main(["--split", "heldout", "--show", "--batches", "1-2"]) == 0
    out = capsys.readouterr().out
    assert "split: heldout" in out
    assert "batch 2" in out and "batch 3" not in out
    assert "node F1" in out
    assert main(["--split", "heldout", "--batches", "2"]) == 0
    out = capsys.readouterr().out
    assert "batch 2" not in out  # one batch: no per-batch rows
    assert f"all{len([c for c in load_cases('heldout') if c.batch == 2]):>17}" in out


def test_batch_ranges() -> None:
    assert batch_range("7") == range(7, 8)
    assert batch_range("1-6") == range(1, 7)
    with pytest.raises(argparse.ArgumentTypeError, match="not a batch"):
        batch_range("seven")
