"""Shapes batch 22 missed on its first run, said again in other words (dev d263-d267).

The main one: what is done with a model once trained (score rows with it, evaluate it,
promote it), which the rules did not draft at all.
"""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_a_training_then_its_promotion_behind_a_gate(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "Churn model for the gym. Training data: data/gym/members.parquet, target is churned. "
        "Random forest, member_id is not a feature. Register it as gym_churn and promote it to "
        "champion only if its f1 beats the current champion's by 0.01"
    )
    assert methods(draft) == ["file.parquet.read", "ml.model.train", "ml.model.promote"]
    assert step(draft, "ml.model.promote") == {
        "model": "{{ train.model_uri }}",
        "alias": "champion",
        "require": {"metric": "f1", "min_improvement": 0.01},
    }
    assert validate(draft, catalog).ok
    draft = planner.plan(
        "retrain the churn model on data/gym/members.parquet, target churned, register it as "
        "gym_churn and point the staging alias at the new version"
    )
    assert step(draft, "ml.model.promote")["alias"] == "staging"
    assert validate(draft, catalog).ok


def test_a_training_said_before_its_rows_with_a_gate_scored_on_other_rows(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "Parcels: train a damage classifier - random forest, 200 trees - on data/parcels/train.csv, "
        "target `damaged`, registered as parcel_damage. Then make it champion only if its "
        "roc_auc is at least 0.02 better than the current champion's, with both scored on the "
        "checked parcels in data/parcels/checked.parquet"
    )
    assert methods(draft) == [
        "file.csv.read",
        "file.parquet.read",
        "ml.model.train",
        "ml.model.promote",
    ]
    assert step(draft, "ml.model.train")["data"] == "{{ train.data }}"
    promote = step(draft, "ml.model.promote")
    assert promote["data"] == "{{ checked.data }}"
    assert promote["require"] == {"metric": "roc_auc", "min_improvement": 0.02}
    assert validate(draft, catalog).ok


def test_a_trained_model_scores_new_rows_and_is_evaluated(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "Train a gradient boosting classifier on data/farm/history.csv, target blight (0/1), "
        "leaving plot_id out, registered as blight_risk. Run that model on this week's plots, "
        "data/farm/week36.csv, with the prediction in a column called risk, and send the plots "
        "predicted positive (risk = 1) to https://hooks.farm.example/scouts"
    )
    assert methods(draft) == [
        "file.csv.read",
        "file.csv.read",
        "ml.model.train",
        "ml.model.predict",
        "data.rows.filter",
        "http.webhook.post",
    ]
    assert step(draft, "ml.model.predict") == {
        "data": "{{ week36.data }}",
        "model": "{{ train.model_uri }}",
        "prediction_column": "risk",
    }
    assert step(draft, "data.rows.filter")["where"] == "risk = 1"
    assert validate(draft, catalog).ok
    draft = planner.plan(
        "train a random forest classifier on data/a/train.parquet to predict `left`, register "
        "it as attrition. Then evaluate that new version on data/a/holdout.parquet, logged under "
        'the experiment "attrition-eval"'
    )
    assert methods(draft) == [
        "file.parquet.read",
        "file.parquet.read",
        "ml.model.train",
        "ml.model.evaluate",
    ]
    assert step(draft, "ml.model.evaluate") == {
        "data": "{{ holdout.data }}",
        "model": "{{ train_2.model_uri }}",  # (the rows read are named train)
        "experiment": "attrition-eval",
    }
    assert validate(draft, catalog).ok


def test_a_registered_model_named_scores_rows(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/new_members.csv and score them with the churn@champion model")
    assert methods(draft) == ["file.csv.read", "ml.model.predict"]
    assert step(draft, "ml.model.predict")["model"] == "churn@champion"
    # a model's use said before any rows: over the rows there are at the end
    draft = planner.plan("use the churn@champion model. data: data/new_members.csv")
    assert methods(draft) == ["file.csv.read", "ml.model.predict"]
    # none named, none trained: asked
    draft = planner.plan("read data/x.csv, use the model on it, evaluate the model on it")
    assert {q.param for q in draft.questions} >= {"model"}


def test_a_file_another_system_writes_and_rows_fetched_per_round_trip(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "The kiln controller writes data/kiln/temps_0819.tsv, tab separated, no header line. "
        "Load it."
    )
    assert methods(draft) == ["file.csv.read"]
    assert step(draft, "file.csv.read")["has_header"] is False
    assert validate(draft, catalog).ok
    draft = planner.plan(
        "from {{ secrets.METER_DB }} run SELECT * FROM readings. The table is huge so fetch 20k "
        "rows per round trip"
    )
    assert methods(draft) == ["sql.query.read"]
    assert step(draft, "sql.query.read")["chunk_size"] == 20000
    draft = planner.plan("load data/logs/day-*.jsonl (one file per day)")
    assert methods(draft) == ["file.jsonl.read"]


def test_a_model_step_said_twice_is_one_step(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "train a random forest on data/a.parquet to predict y, register it as m1, promote it to "
        "champion. evaluate that model on data/b.parquet. then evaluate that model once more, "
        "and promote it to champion"
    )
    assert methods(draft).count("ml.model.evaluate") == 1
    assert methods(draft).count("ml.model.promote") == 1
    # an evaluation said before its rows
    draft = planner.plan("evaluate the churn@champion model. labelled rows: data/labelled.csv")
    assert methods(draft) == ["file.csv.read", "ml.model.evaluate"]
    assert step(draft, "ml.model.evaluate")["model"] == "churn@champion"
