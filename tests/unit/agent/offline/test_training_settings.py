"""A training's settings said in words: target, test split, hyperparameters, features, seed."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.learning import _split_and_settings
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_a_regression_fitted_on_a_table_with_its_settings(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "fit a ridge regression for rent on the flats table of sqlite:///data/housing.db "
        "(SELECT * FROM flats), alpha = 2, keep 30% aside for evaluation, register it as "
        "rent_ridge. flat_id is just an id, don't use it as a feature"
    )
    assert methods(draft) == ["sql.query.read", "ml.model.train"]
    assert step(draft, "sql.query.read") == {
        "url": "sqlite:///data/housing.db",
        "query": "SELECT * FROM flats",
    }
    assert step(draft, "ml.model.train") == {
        "data": "{{ flats.data }}",
        "target": "rent",
        "model_name": "rent_ridge",
        "estimator": "ridge",
        "exclude": ["flat_id"],
        "test_size": 0.3,
        "hyperparams": {"alpha": 2},
    }
    assert validate(draft, catalog).ok


def test_features_trees_depth_seed_and_split(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "train a gradient boosting classifier on data/churn.parquet to predict churned using "
        "only tenure, plan and spend as features, with 300 trees and max_depth 4, seed 7, "
        "20% test split; call it churn_gb"
    )
    params = step(draft, "ml.model.train")
    assert params["features"] == ["tenure", "plan", "spend"]
    assert params["hyperparams"] == {"n_estimators": 300, "max_depth": 4}
    assert (params["seed"], params["test_size"], params["task"]) == (7, 0.2, "classification")
    assert validate(draft, catalog).ok


@pytest.mark.parametrize(
    ("said", "settings"),
    [
        ("hold out 25% for testing", {"test_size": 0.25}),
        ("a test size of 0.3", {"test_size": 0.3}),
        ("test split: 15%", {"test_size": 0.15}),
        ("C = 0.1 and max_iter 500", {"hyperparams": {"C": 0.1, "max_iter": 500}}),
        (
            "learning rate 0.05, depth of 3",
            {"hyperparams": {"learning_rate": 0.05, "max_depth": 3}},
        ),
        ("random_state=11", {"seed": 11}),
        ("nothing said", {}),
    ],
)
def test_settings_said_in_words(said: str, settings: dict[str, object]) -> None:
    assert _split_and_settings(said) == settings


def test_a_percentage_held_out_is_no_sample(planner: OfflinePlanner) -> None:
    draft = planner.plan("train a model to predict churned on data/c.csv, hold out 25% for testing")
    assert "data.rows.sample" not in methods(draft)
    sampled = planner.plan("read data/c.csv and take a 25% sample")
    assert "data.rows.sample" in methods(sampled)


@pytest.mark.parametrize(
    "said",
    ["don't use email as a feature", "email is only a label, do not use it"],
)
def test_columns_kept_out_of_the_features(planner: OfflinePlanner, said: str) -> None:
    draft = planner.plan(f"train a classifier on data/c.csv to predict churned. {said}")
    assert step(draft, "ml.model.train")["exclude"] == ["email"]


def test_settings_said_after_the_training_are_no_steps(planner: OfflinePlanner) -> None:
    draft = planner.plan("train a model on data/c.csv to predict churned. seed 3. alpha = 1")
    assert methods(draft) == ["file.csv.read", "ml.model.train"]
    assert step(draft, "ml.model.train")["seed"] == 3
