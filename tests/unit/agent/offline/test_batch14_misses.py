"""Shapes batch 14 missed on its first run, said again in other words (dev d223-d228)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_a_count_in_words_said_as_enough(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "Pull the r/hiking threads about battery storage from June 3rd, 2027 on. Two hundred is "
        "enough."
    )
    assert methods(draft) == ["social.reddit.search"]  # `storage` stores nothing
    assert step(draft, "social.reddit.search")["max_results"] == 200
    assert validate(draft, catalog).ok


def test_a_where_clause_stays_in_the_sql(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "open claims from the insurance db pls -> sqlite:///data/claims.db, query is SELECT "
        "claim_id, amount FROM claims WHERE status = 'open'"
    )
    assert methods(draft) == ["sql.query.read"]
    assert step(draft, "sql.query.read")["query"] == (
        "SELECT claim_id, amount FROM claims WHERE status = 'open'"
    )
    assert validate(draft, catalog).ok


def test_query_params_sent(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "I need the river levels from https://api.rivers.example.org/v1/gauges/12/levels. Send "
        "start=20270501 and end=20270531 as query parameters; the readings sit under "
        "data.levels in the response."
    )
    assert methods(draft) == ["http.json.get"]  # sending query params is no webhook
    params = step(draft, "http.json.get")
    assert params["params"] == {"start": 20270501, "end": 20270531}
    assert params["records_path"] == "data.levels"
    assert validate(draft, catalog).ok


def test_a_share_compared_is_no_sample(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        'GET https://api.fleet.example/v1/trucks (the list is under "trucks") and post every '
        "truck running above 80% capacity (load_pct column) to "
        "https://hooks.fleet.example/overload, 10 per request"
    )
    assert methods(draft) == ["http.json.get", "data.rows.filter", "http.webhook.post"]
    assert step(draft, "data.rows.filter")["where"] == "load_pct > 80"
    paged = planner.plan(
        "GET https://api.x.example/v1/items (items under items), don't read more than 20 pages"
    )
    assert "data.rows.filter" not in methods(paged)
    assert validate(draft, catalog).ok


def test_anything_below_a_score(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "survey answers are in data/hr/pulse_2027-09.csv (free text in the answer column). Score "
        "the sentiment and send anything below -0.4 to https://hooks.example.com/hr-alerts"
    )
    assert step(draft, "nlp.text.sentiment")["column"] == "answer"
    assert step(draft, "data.rows.filter")["where"] == "sentiment < -0.4"
    assert validate(draft, catalog).ok


def test_the_data_a_model_was_trained_on_is_the_reference(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "has the churn model's input data drifted? it was trained on "
        "data/churn/train_2027h1.parquet; this week's inputs are data/churn/inputs_w36.parquet. "
        "leave customer_id and ts out of the comparison and save the per-column results to "
        "out/churn_drift_w36.csv"
    )
    assert methods(draft) == [
        "file.parquet.read",
        "file.parquet.read",
        "ml.data.drift",
        "file.csv.write",
    ]
    assert step(draft, "ml.data.drift") == {
        "current": "{{ inputs_w36.data }}",
        "reference": "{{ train_2027h1.data }}",
        "exclude": ["customer_id", "ts"],
    }
    assert validate(draft, catalog).ok
