"""Shapes batch 20 missed on its first run, said again in other words (dev d252-d258)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner, slots
from odp.agent.offline.clauses import read_request
from odp.agent.offline.repair import repair_pipeline
from odp.catalog import Catalog
from odp.spec import validate_data
from tests.unit.agent.offline.conftest import methods, step, validate
from tests.unit.agent.offline.test_repair import pipeline


def test_a_database_secret_in_brackets_and_a_query_ended_by_an_instruction(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    read = read_request("the shop db ({{ secrets.SHOP }}) and {{ secrets.CRM_DSN }}")
    assert [(lit.kind, lit.value) for lit in read.literals] == [
        ("db", "{{ secrets.SHOP }}"),
        ("db", "{{ secrets.CRM_DSN }}"),
    ]
    draft = planner.plan(
        "get the tickets out of our helpdesk database ({{ secrets.DESK }}), SELECT id, body FROM "
        "tickets WHERE open = 1, extract the phone numbers from body, save it to out/phones.csv"
    )
    assert methods(draft) == ["sql.query.read", "nlp.text.extract", "file.csv.write"]
    assert step(draft, "sql.query.read") == {
        "url": "{{ secrets.DESK }}",
        "query": "SELECT id, body FROM tickets WHERE open = 1",
    }
    assert validate(draft, catalog).ok


def test_a_target_in_backticks_is_a_column_not_a_word(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "read data/labs.parquet and train a random forest classifier for `negative`, "
        "register it as lab_flag"
    )
    assert methods(draft) == ["file.parquet.read", "ml.model.train"]
    assert step(draft, "ml.model.train")["target"] == "negative"
    draft = planner.plan("fit a model on data/a.csv to predict `late`, register it as late_model")
    assert step(draft, "ml.model.train")["target"] == "late"
    assert validate(draft, catalog).ok


def test_a_condition_said_after_a_training_filters_its_rows(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "Train a random forest on data/loans.csv to predict defaulted - only loans older than a "
        "year (opened_on < '2027-06-01'). Register it as loan_risk."
    )
    assert methods(draft) == ["file.csv.read", "data.rows.filter", "ml.model.train"]
    assert step(draft, "data.rows.filter") == {
        "data": "{{ loans.data }}",
        "where": "opened_on < '2027-06-01'",
    }
    assert step(draft, "ml.model.train")["data"] == "{{ kept.data }}"
    assert validate(draft, catalog).ok
    # a feature left out compares nothing: no filter
    draft = planner.plan(
        "train a model on data/loans.csv to predict defaulted, without loan_id as a feature, "
        "register it as loan_risk"
    )
    assert methods(draft) == ["file.csv.read", "ml.model.train"]


def test_a_setting_named_c_needs_its_sign() -> None:
    assert slots.drift_settings("nothing here") == {}
    from odp.agent.offline.learning import _split_and_settings

    assert _split_and_settings("register as c1") == {}
    assert _split_and_settings("c = 0.5 and alpha 2") == {"hyperparams": {"C": 0.5, "alpha": 2}}
    assert _split_and_settings("c of 3") == {"hyperparams": {"C": 3}}


def test_the_rows_of_a_step_without_rows_are_the_ones_it_was_given(catalog: Catalog) -> None:
    broken = pipeline(
        ("sources", "x", "file.csv.read", {"path": "data/x.csv"}),
        (
            "transforms",
            "train",
            "ml.model.train",
            {"data": "{{ x.data }}", "target": "y", "model_name": "m"},
        ),
        ("transforms", "scored", "nlp.text.sentiment", {"data": "{{ train.data }}"}),
    )
    result = validate_data(broken, catalog)
    fixed, questions = repair_pipeline(broken, result.diagnostics, catalog)
    assert fixed is not None and questions == []
    assert fixed["transforms"][1]["params"]["data"] == "{{ x.data }}"
    assert validate_data(fixed, catalog).ok
    # a step without rows given none: nothing to point at, nothing changed
    broken["transforms"][0]["params"].pop("data")
    broken["transforms"][0]["params"]["data"] = "{{ nowhere.data }}"
    result = validate_data(broken, catalog)
    wrong = [d for d in result.diagnostics if d.step == "scored"]
    assert wrong and repair_pipeline(broken, wrong, catalog)[0] is None


def test_the_rows_up_from_a_step_stop_at_a_loop_or_a_step_without_data(
    catalog: Catalog,
) -> None:
    from odp.agent.offline.repair import _Repair

    looped = pipeline(
        ("transforms", "a", "ml.model.train", {"data": "{{ b.data }}"}),
        ("transforms", "b", "ml.model.train", {"data": "{{ a.data }}"}),
        ("transforms", "c", "ml.model.train", {"target": "y"}),
    )
    repair = _Repair(looped, catalog)
    assert repair._rows_before("a") is None
    assert repair._rows_before("c") is None
    assert repair._rows_before("missing") is None


def test_drift_columns_said_as_compared_and_its_thresholds(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "Did the sensor feed move since we trained the anomaly model? reference: "
        "data/plant/train.parquet; current: data/plant/may.parquet. Compare only temp_c and "
        "vibration, psi above 0.3, p-value 0.01, and call it drifted only if more than 40% of "
        "them drift. Write the table to out/plant/drift.csv"
    )
    assert methods(draft) == [
        "file.parquet.read",
        "file.parquet.read",
        "ml.data.drift",
        "file.csv.write",
    ]
    drift = step(draft, "ml.data.drift")
    assert drift["columns"] == ["temp_c", "vibration"]
    assert (drift["drift_share"], drift["psi_threshold"], drift["p_value"]) == (0.4, 0.3, 0.01)
    assert validate(draft, catalog).ok
    assert slots.drift_settings("a drift share of 0.25") == {"drift_share": 0.25}
    assert slots.drift_settings("drift_share = 50 %") == {"drift_share": 0.5}
    assert slots.drift_columns("compare march to april", compared=True) == []


def test_a_step_said_first_goes_before_the_one_drafted_before_it(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "take 5% of data/users.parquet (seed 7). remove the avatar column first, it is huge "
        "-> out/users_sample.csv"
    )
    assert methods(draft) == [
        "file.parquet.read",
        "data.rows.select",
        "data.rows.sample",
        "file.csv.write",
    ]
    assert step(draft, "data.rows.select")["data"] == "{{ users.data }}"
    assert step(draft, "data.rows.sample")["data"] == "{{ columns.data }}"
    assert validate(draft, catalog).ok
    # an order is not a step said first
    draft = planner.plan("read data/sales.csv, total amount per region, biggest first")
    assert methods(draft) == ["file.csv.read", "data.rows.aggregate", "data.rows.sort"]
    # a step said first with nothing before it stays where it is
    draft = planner.plan("read data/u.parquet, remove the avatar column first, save to out/u.csv")
    assert methods(draft) == ["file.parquet.read", "data.rows.select", "file.csv.write"]


def test_the_last_one_per_key_and_rows_said_to_repeat(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "the price feed in data/prices.csv has several rows per sku (every change is appended), "
        "keep the latest one per sku and upsert them into shop.prices on {{ secrets.SHOP_DB }} "
        "keyed on sku"
    )
    assert methods(draft) == ["file.csv.read", "data.rows.dedupe", "sql.table.write"]
    assert step(draft, "data.rows.dedupe") == {
        "data": "{{ prices.data }}",
        "on": "sku",
        "keep": "last",
    }
    sink = step(draft, "sql.table.write")
    assert (sink["mode"], sink["key"], sink["table"]) == ("upsert", ["sku"], "shop.prices")
    assert validate(draft, catalog).ok
