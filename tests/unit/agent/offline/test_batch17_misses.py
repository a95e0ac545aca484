"""Shapes batch 17 missed on its first run, said again in other words (dev d243-d245)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.clauses import read_request
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_keys_matched_one_to_the_other(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "Delays by origin region. Trips: data/rail/trips_2028-02.parquet (trip_no, origin_code, "
        "delay_min). Stations: data/rail/stations.csv (station_code, name, region). Match "
        "origin_code to station_code, then per region the number of trips and the average "
        "delay_min, worst region first, into out/rail/delay_by_region.csv"
    )
    join = step(draft, "data.rows.join")
    assert (join["left_on"], join["right_on"]) == ("origin_code", "station_code")
    assert step(draft, "data.rows.sort") == {
        "data": "{{ per_region.data }}",
        "by": "avg_delay_min",
        "descending": True,
    }
    assert validate(draft, catalog).ok


def test_a_key_the_other_side_has_as_well(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "Which open tickets haven't had a single reply yet? Tickets come from "
        "sqlite:///data/helpdesk.db: SELECT ticket_id, subject FROM tickets WHERE status = "
        "'open'. The replies are in data/helpdesk/replies_2028-02.csv (it has ticket_id as well). "
        "Write them to out/helpdesk/unanswered.csv"
    )
    join = step(draft, "data.rows.join")
    assert (join["on"], join["how"]) == ("ticket_id", "anti")
    assert validate(draft, catalog).ok


def test_a_full_stop_after_an_address_ends_the_sentence(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    read = read_request("read from sqlite:///data/fraud.db. Compare only a, b and c")
    assert [c.text for c in read.clauses] == ["read from ⟨0⟩", "compare only a\u201a b and c"]
    assert read.literals[0].value == "sqlite:///data/fraud.db"
    draft = planner.plan(
        "drift check for the fraud model please. Reference is data/fraud/train_2027.parquet; "
        "current is SELECT * FROM tx WHERE day >= '2028-02-01' from sqlite:///data/fraud.db. "
        "Compare only amount, merchant_group and hour and write the per-column results to "
        "out/mlops/fraud_drift.csv"
    )
    assert step(draft, "ml.data.drift")["columns"] == ["amount", "merchant_group", "hour"]
    assert validate(draft, catalog).ok


def test_a_feed_named_again_is_the_feed_read(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read https://news.example.org/rss and keep the items of that feed whose title mentions "
        "budget"
    )
    assert methods(draft).count("news.rss.read") == 1
    assert draft.questions == ()
