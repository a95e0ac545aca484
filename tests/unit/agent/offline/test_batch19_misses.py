"""Shapes batch 19 missed on its first run, said again in other words (dev d250-d251)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.clauses import read_request
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_a_training_said_before_a_database_kept_in_a_secret(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    read = read_request("SELECT a FROM t on {{ secrets.SHOP_DB }}")
    assert [(lit.kind, lit.value) for lit in read.literals] == [
        ("db", "{{ secrets.SHOP_DB }}"),
        ("quote", "SELECT a FROM t"),
    ]
    draft = planner.plan(
        "Train a regression model that estimates delivery times. Data: SELECT order_id, "
        "distance_km, items, delivery_min FROM deliveries on {{ secrets.COURIER_DB }}. Target "
        "delivery_min, gradient boosting, leave order_id out of the features, register it as "
        "delivery_minutes."
    )
    assert methods(draft) == ["sql.query.read", "ml.model.train"]
    assert step(draft, "sql.query.read")["url"] == "{{ secrets.COURIER_DB }}"
    assert step(draft, "ml.model.train")["exclude"] == ["order_id"]
    assert validate(draft, catalog).ok


def test_a_sample_said_twice_and_the_search_said_after(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        'I need a random sample of 40 reddit threads about "sourdough starters" for coding. '
        "Search up to 300 threads, then draw 40 with seed 5 so it's reproducible, and save as "
        "out/bread/sample.csv"
    )
    assert methods(draft) == ["social.reddit.search", "data.rows.sample", "file.csv.write"]
    assert step(draft, "social.reddit.search")["max_results"] == 300
    assert step(draft, "data.rows.sample") == {"data": "{{ threads.data }}", "n": 40, "seed": 5}
    assert validate(draft, catalog).ok


def test_a_seed_said_for_the_sample_drafted(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read data/a.csv, take a random sample of 50 rows, and make the sample reproducible "
        "with seed 9"
    )
    assert methods(draft) == ["file.csv.read", "data.rows.sample"]
    assert step(draft, "data.rows.sample") == {"data": "{{ a.data }}", "n": 50, "seed": 9}
    assert draft.questions == ()  # the sample said again has its size: nothing to ask
