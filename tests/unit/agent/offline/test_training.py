"""A training said in its own words: the SQL it reads, its estimator, target and left-out columns."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_sql_with_its_database_in_brackets_is_the_source(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "train a logistic regression on SELECT * FROM visits (sqlite:///data/web.db). "
        "target column: converted. name it conv_lr"
    )
    assert methods(draft) == ["sql.query.read", "ml.model.train"]
    assert step(draft, "sql.query.read") == {
        "url": "sqlite:///data/web.db",
        "query": "SELECT * FROM visits",
    }
    train = step(draft, "ml.model.train")
    assert (train["target"], train["model_name"], train["estimator"]) == (
        "converted",
        "conv_lr",
        "logistic_regression",
    )
    assert validate(draft, catalog).ok


@pytest.mark.parametrize(
    ("words", "estimator"),
    [
        ("a logit model", "logistic_regression"),
        ("a gradient-boosted classifier", "gradient_boosting"),
        ("a ridge regressor", "ridge"),
        ("a linear regression model", "linear_regression"),
        ("a model", None),
    ],
)
def test_the_estimator_is_read_from_its_words(
    planner: OfflinePlanner, words: str, estimator: str | None
) -> None:
    draft = planner.plan(f"train {words} on data/houses.csv to predict price, call it prices")
    assert step(draft, "ml.model.train").get("estimator") == estimator


@pytest.mark.parametrize(
    ("said", "exclude"),
    [
        ("leave customer_id out of the features", ["customer_id"]),
        ("leave id and email out", ["id", "email"]),
        ("exclude id, signup_ip from the features", ["id", "signup_ip"]),
    ],
)
def test_columns_left_out_of_the_features(
    planner: OfflinePlanner, catalog: Catalog, said: str, exclude: list[str]
) -> None:
    draft = planner.plan(
        f"train a classifier on data/users.parquet, the label column is churned, {said}, "
        "register it as churn"
    )
    assert methods(draft) == ["file.parquet.read", "ml.model.train"]
    train = step(draft, "ml.model.train")
    assert (train["target"], train["exclude"]) == ("churned", exclude)
    assert validate(draft, catalog).ok


def test_a_clause_naming_the_model_adds_no_step(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read data/loans.csv and train a classifier that predicts default. "
        "leave id out of the features, and call it loans_rf"
    )
    assert methods(draft) == ["file.csv.read", "ml.model.train"]


@pytest.mark.parametrize(
    ("words", "estimator", "task"),
    [
        ("a random forest classifier", "random_forest", "classification"),
        ("a random-forest regressor", "random_forest", "regression"),
    ],
)
def test_a_random_forest_is_an_estimator_not_a_sample(
    planner: OfflinePlanner, catalog: Catalog, words: str, estimator: str, task: str
) -> None:
    draft = planner.plan(
        f"read data/flats.csv, then train {words} that predicts rent; name the model rent_rf"
    )
    assert methods(draft) == ["file.csv.read", "ml.model.train"]
    train = step(draft, "ml.model.train")
    assert (train["estimator"], train["task"], train["model_name"]) == (estimator, task, "rent_rf")
    assert validate(draft, catalog).ok


def test_rows_taken_at_random_are_still_a_sample(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/flats.csv and take 500 rows at random")
    assert methods(draft) == ["file.csv.read", "data.rows.sample"]
