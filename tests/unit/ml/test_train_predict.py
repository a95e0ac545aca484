"""Training, evaluation and batch prediction against a real MLflow store."""

from __future__ import annotations

import polars as pl
import pytest

from odp.artifacts import ArtifactStore, DatasetRef
from odp.config import Settings
from odp.errors import MethodError
from odp.methods.ml_models import EvaluateParams, TrainParams, evaluate_model, train
from odp.methods.ml_predict import PredictParams, predict
from odp.ml import ModelRegistry, tracking_config
from tests.unit.ml.conftest import make_ctx
from tests.unit.ml.datasets import churn_frame


async def test_same_data_params_and_seed_give_the_same_metrics(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    params = TrainParams(
        data=churn,
        target="churned",
        features=["tenure", "monthly_charges", "support_calls", "plan"],
        estimator="random_forest",
        hyperparams={"n_estimators": 30, "max_depth": 5},
        model_name=model_name,
        seed=7,
    )
    first = await train(params, make_ctx(store, settings, "train"))
    second = await train(params, make_ctx(store, settings, "train"))

    assert first.task == "classification"
    assert (first.version, second.version) == (1, 2)
    assert first.run_id != second.run_id
    assert first.metrics == second.metrics
    assert set(first.metrics) == {"accuracy", "precision", "recall", "f1", "roc_auc"}
    assert first.metrics["accuracy"] > 0.6
    assert first.train_rows == 320 and first.test_rows == 80
    assert first.model_uri == f"models:/{model_name}/1"

    registry = ModelRegistry(tracking_config(settings))
    model = registry.get_model(model_name)
    assert [v.version for v in model.versions] == [2, 1]
    assert model.versions[1].metrics == first.metrics
    assert model.versions[1].tags["odp.dataset_sha256"] == churn.sha256
    run = registry.client.get_run(first.run_id)
    assert run.data.params["seed"] == "7"
    assert run.data.params["hp.n_estimators"] == "30"
    assert run.data.tags["odp.dataset_sha256"] == churn.sha256


async def test_another_seed_gives_another_split(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    base = {
        "data": churn,
        "target": "churned",
        "model_name": model_name,
        "estimator": "logistic_regression",
    }
    a = await train(TrainParams(**base, seed=1), make_ctx(store, settings))
    b = await train(TrainParams(**base, seed=2), make_ctx(store, settings))
    assert a.metrics != b.metrics


async def test_a_retried_step_reuses_its_registered_version(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    ctx = make_ctx(store, settings, "train")
    params = TrainParams(
        data=churn, target="churned", model_name=model_name, estimator="logistic_regression"
    )
    first = await train(params, ctx)
    retry = await train(params, ctx)  # same run and step: the same idempotency key
    assert retry.version == first.version == 1
    assert retry.run_id == first.run_id
    assert len(ModelRegistry(tracking_config(settings)).get_model(model_name).versions) == 1


async def test_regression_with_default_features(
    store: ArtifactStore, settings: Settings, prices: DatasetRef, model_name: str
) -> None:
    out = await train(
        TrainParams(data=prices, target="price", estimator="ridge", model_name=model_name),
        make_ctx(store, settings),
    )
    assert out.task == "regression"
    assert out.features == ["area", "rooms", "city"]
    assert set(out.metrics) == {"rmse", "mae", "r2"}
    assert out.metrics["r2"] > 0.8


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"target": "nope"}, "target", "no column 'nope'"),
        ({"features": ["tenure", "ghost"]}, "features", "no column 'ghost'"),
        ({"features": ["tenure", "churned"]}, "features", "cannot also be a feature"),
        ({"estimator": "linear_regression"}, "estimator", "does not do classification"),
        ({"hyperparams": {"n_trees": 3}}, "hyperparams", "no hyperparameter 'n_trees'"),
        ({"hyperparams": {"n_estimators": 0}}, "hyperparams", "n_estimators"),
        ({"task": "regression"}, "target", "not a number"),
    ],
)
async def test_bad_training_params_are_refused_clearly(
    store: ArtifactStore,
    settings: Settings,
    churn: DatasetRef,
    model_name: str,
    changes: dict[str, object],
    field: str,
    words: str,
) -> None:
    params = {"data": churn, "target": "churned", "model_name": model_name} | changes
    with pytest.raises(MethodError) as info:
        await train(TrainParams.model_validate(params), make_ctx(store, settings))
    assert info.value.field == field
    assert words in str(info.value)
    assert not info.value.retryable


async def test_a_single_class_target_is_refused(
    store: ArtifactStore, settings: Settings, model_name: str
) -> None:
    data = store.write(churn_frame(50).with_columns(pl.lit("no").alias("churned")))
    with pytest.raises(MethodError, match="single class"):
        await train(
            TrainParams(data=data, target="churned", model_name=model_name),
            make_ctx(store, settings),
        )


async def test_evaluate_and_predict_by_alias(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    trained = await train(
        TrainParams(
            data=churn,
            target="churned",
            model_name=model_name,
            estimator="gradient_boosting",
            hyperparams={"n_estimators": 20},
        ),
        make_ctx(store, settings),
    )
    registry = ModelRegistry(tracking_config(settings))
    registry.set_alias(model_name, "champion", trained.version)
    fresh = store.write(churn_frame(120, seed=5))

    evaluation = await evaluate_model(
        EvaluateParams(model=f"{model_name}@champion", data=fresh), make_ctx(store, settings)
    )
    assert evaluation.version == trained.version
    assert evaluation.rows == 120
    assert evaluation.labels == ["no", "yes"]
    assert evaluation.confusion_matrix is not None
    assert sum(map(sum, evaluation.confusion_matrix)) == 120
    assert 0.5 < evaluation.metrics["accuracy"] <= 1.0
    assert registry.client.get_run(evaluation.run_id).data.metrics["f1"] == evaluation.metrics["f1"]

    unlabelled = store.write(churn_frame(50, seed=6).drop("churned"))
    scored = await predict(
        PredictParams(model=model_name, alias="champion", data=unlabelled, batch_rows=20),
        make_ctx(store, settings),
    )
    assert scored.version == trained.version
    assert scored.count == 50
    assert scored.columns_added == ["prediction", "probability_no", "probability_yes"]
    frame = store.read(scored.data)
    assert frame.columns[:5] == unlabelled.column_names
    assert set(frame["prediction"].unique()) <= {"yes", "no"}
    total = frame["probability_no"] + frame["probability_yes"]
    assert ((total - 1).abs() < 1e-9).all()


async def test_predict_refuses_data_without_the_models_input_columns(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    trained = await train(
        TrainParams(
            data=churn, target="churned", model_name=model_name, estimator="logistic_regression"
        ),
        make_ctx(store, settings),
    )
    lacking = store.write(churn_frame(10).drop("plan", "tenure"))
    with pytest.raises(MethodError) as info:
        await predict(
            PredictParams(model=trained.model_uri, data=lacking), make_ctx(store, settings)
        )
    message = str(info.value)
    assert "lacks the input columns 'tenure', 'plan'" in message
    assert "the data has: customer_id, monthly_charges" in message
    assert info.value.field == "data"
    assert not info.value.retryable


async def test_predict_names_a_missing_model_version_and_alias(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    await train(
        TrainParams(
            data=churn, target="churned", model_name=model_name, estimator="logistic_regression"
        ),
        make_ctx(store, settings),
    )
    for model, words in [
        (f"{model_name}:9", "has no version 9"),
        (f"{model_name}@champion", "has no alias 'champion'"),
        ("no-such-model", "no registered model named 'no-such-model'"),
    ]:
        with pytest.raises(MethodError, match=words) as info:
            await predict(PredictParams(model=model, data=churn), make_ctx(store, settings))
        assert not info.value.retryable
