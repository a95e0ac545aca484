"""Shapes batch 21 missed on its first run, said again in other words (dev d259-d262)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.clauses import read_request
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_a_file_that_is_not_clean_utf8_is_read_with_its_bad_bytes_replaced(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "The bakery's order export (data/bakery/orders_may.csv) is from an old till: "
        "semicolon separated and some garbled characters in the product names. Just load it."
    )
    assert methods(draft) == ["file.csv.read"]
    assert step(draft, "file.csv.read") == {
        "path": "data/bakery/orders_may.csv",
        "delimiter": ";",
        "encoding": "utf8-lossy",
    }
    assert validate(draft, catalog).ok
    draft = planner.plan("read data/x.csv, it is latin-1")
    assert step(draft, "file.csv.read")["encoding"] == "utf8-lossy"


def test_a_clause_naming_its_export_and_a_numbered_list_of_outputs(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "Gym feedback export: data/gym/feedback.jsonl (id, club, comment_text). Score the "
        "sentiment of comment_text, then two things: 1) the average sentiment per club to out/gym/clubs.csv; "
        "2) anything below -0.4 goes to https://hooks.gym.example/unhappy"
    )
    assert methods(draft) == [
        "file.jsonl.read",
        "nlp.text.sentiment",
        "data.rows.aggregate",
        "data.rows.filter",
        "file.csv.write",
        "http.webhook.post",
    ]
    assert step(draft, "nlp.text.sentiment")["column"] == "comment_text"
    assert step(draft, "data.rows.aggregate")["data"] == "{{ scored.data }}"
    assert step(draft, "data.rows.filter")["data"] == "{{ scored.data }}"
    assert validate(draft, catalog).ok
    # numbers that are no list items: `(alpha 2.0)`, `rated 4. then`
    read = read_request("fit a ridge regression (alpha 2.0) for y. rated 4. then save it")
    assert not any(c.item for c in read.clauses)
    read = read_request("do this: (a) read x; b) save it; 3. done")
    assert [c.item for c in read.clauses] == [False, True, True, True]


def test_a_drift_check_of_the_training_features_without_correction(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "drift check for the pump failure model. reference = the training features, "
        "data/pumps/train.parquet. current = this week's rows: SELECT * FROM features WHERE "
        "day >= '2028-06-24' on sqlite:///data/pumps.db. leave pump_id out of the comparison "
        "and no multiple-testing correction. results -> out/pumps/drift.csv"
    )
    assert methods(draft) == [
        "file.parquet.read",
        "sql.query.read",
        "ml.data.drift",
        "file.csv.write",
    ]
    drift = step(draft, "ml.data.drift")
    assert drift == {
        "current": "{{ features.data }}",
        "reference": "{{ train.data }}",
        "exclude": ["pump_id"],
        "correction": "none",
    }
    assert validate(draft, catalog).ok


def test_named_measures_percentiles_and_medians_of_one_rollup(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "From sqlite:///data/er.db run SELECT visit_id, ward, wait_min FROM visits. Per ward I "
        "want visits (number of visits), avg_wait (mean wait_min) and p90_wait (the 90th "
        "percentile of wait_min), plus the median wait_min. Replace the contents of "
        "reporting.ward_waits in that same database with the result."
    )
    assert methods(draft) == ["sql.query.read", "data.rows.aggregate", "sql.table.write"]
    assert step(draft, "data.rows.aggregate")["aggregations"] == {
        "visits": "count(*)",
        "p90_wait": "quantile_cont(wait_min, 0.9)",
        "avg_wait": "avg(wait_min)",
        "median_wait_min": "median(wait_min)",
    }
    sink = step(draft, "sql.table.write")
    assert (sink["url"], sink["table"], sink["mode"]) == (
        "sqlite:///data/er.db",
        "reporting.ward_waits",
        "replace",
    )
    assert validate(draft, catalog).ok
    # a measure of the rollup's own columns is a second rollup
    draft = planner.plan(
        "read data/v.csv, count visits per ward, then the average of visits, save to out/a.csv"
    )
    assert methods(draft).count("data.rows.aggregate") == 2


def test_a_feel_for_the_coverage_regarding_a_topic_is_no_sentiment(
    planner: OfflinePlanner,
) -> None:
    draft = planner.plan(
        'I want a feel for the coverage re: heat pumps. Search news for "heat pumps", cluster '
        "the articles into 5 groups and save the clusters to out/heat/topics.jsonl"
    )
    assert "nlp.text.sentiment" not in methods(draft)
    assert "ml.text.cluster" in methods(draft)
