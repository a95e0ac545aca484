"""Promotion gates, both ways, against a real MLflow registry."""

from __future__ import annotations

import pytest

from odp.artifacts import ArtifactStore, DatasetRef
from odp.config import Settings
from odp.errors import MethodError
from odp.methods.ml_models import TrainOutput, TrainParams, train
from odp.methods.ml_promote import PromoteParams, promote
from odp.ml import ModelRegistry, tracking_config
from tests.unit.ml.conftest import make_ctx


async def _train(
    store: ArtifactStore, settings: Settings, data: DatasetRef, name: str, *, good: bool
) -> TrainOutput:
    features = ["tenure", "monthly_charges", "support_calls", "plan"] if good else ["customer_id"]
    return await train(
        TrainParams(
            data=data,
            target="churned",
            features=features,
            estimator="logistic_regression",
            model_name=name,
        ),
        make_ctx(store, settings, "train"),
    )


def _gate(metric: str = "f1", min_improvement: float = 0.01) -> dict[str, object]:
    return {"metric": metric, "min_improvement": min_improvement}


async def test_the_gate_promotes_a_better_version_and_refuses_a_worse_one(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    registry = ModelRegistry(tracking_config(settings))
    weak = await _train(store, settings, churn, model_name, good=False)
    strong = await _train(store, settings, churn, model_name, good=True)
    assert strong.metrics["f1"] > weak.metrics["f1"] + 0.01

    first = await promote(
        PromoteParams(model=weak.model_uri, alias="champion", require=_gate()),
        make_ctx(store, settings),
    )
    assert first.promoted
    assert "no version held 'champion'" in first.reason
    assert registry.alias_version(model_name, "champion") == weak.version

    better = await promote(
        PromoteParams(model=strong.model_uri, alias="champion", require=_gate()),
        make_ctx(store, settings),
    )
    assert better.promoted
    assert better.previous_version == weak.version
    assert better.candidate_value == pytest.approx(strong.metrics["f1"])
    assert better.incumbent_value == pytest.approx(weak.metrics["f1"])
    assert f"replaces version {weak.version}" in better.reason
    assert registry.alias_version(model_name, "champion") == strong.version

    worse = await promote(
        PromoteParams(model=model_name, version=weak.version, alias="champion", require=_gate()),
        make_ctx(store, settings),
    )
    assert not worse.promoted
    assert f"version {strong.version} keeps 'champion'" in worse.reason
    assert "is less than the 0.01 needed" in worse.reason
    assert registry.alias_version(model_name, "champion") == strong.version
    tags = registry.resolve(registry.get_model(model_name).versions[-1].ref).tags
    assert "keeps 'champion'" in tags["odp.promotion.champion"]


async def test_a_tie_needs_the_minimum_improvement(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    a = await _train(store, settings, churn, model_name, good=True)
    b = await _train(store, settings, churn, model_name, good=True)
    assert a.metrics == b.metrics
    await promote(PromoteParams(model=a.model_uri, alias="staging"), make_ctx(store, settings))
    refused = await promote(
        PromoteParams(model=b.model_uri, alias="staging", require=_gate("accuracy", 0.001)),
        make_ctx(store, settings),
    )
    assert not refused.promoted
    tie = await promote(
        PromoteParams(model=b.model_uri, alias="staging", require=_gate("accuracy", 0.0)),
        make_ctx(store, settings),
    )
    assert tie.promoted


async def test_a_gate_on_given_data_scores_both_versions(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    strong = await _train(store, settings, churn, model_name, good=True)
    weak = await _train(store, settings, churn, model_name, good=False)
    await promote(
        PromoteParams(model=strong.model_uri, alias="champion"), make_ctx(store, settings)
    )
    refused = await promote(
        PromoteParams(
            model=weak.model_uri, alias="champion", require=_gate("accuracy", 0.0), data=churn
        ),
        make_ctx(store, settings),
    )
    assert not refused.promoted
    assert "on the given data" in refused.reason
    assert refused.candidate_value is not None and refused.incumbent_value is not None
    assert refused.candidate_value < refused.incumbent_value


async def test_lower_is_better_for_errors(
    store: ArtifactStore, settings: Settings, prices: DatasetRef, model_name: str
) -> None:
    good = await train(
        TrainParams(data=prices, target="price", estimator="ridge", model_name=model_name),
        make_ctx(store, settings),
    )
    bad = await train(
        TrainParams(
            data=prices, target="price", features=["city"], estimator="ridge", model_name=model_name
        ),
        make_ctx(store, settings),
    )
    assert bad.metrics["rmse"] > good.metrics["rmse"]
    await promote(PromoteParams(model=good.model_uri, alias="champion"), make_ctx(store, settings))
    out = await promote(
        PromoteParams(model=bad.model_uri, alias="champion", require=_gate("rmse", 0.0)),
        make_ctx(store, settings),
    )
    assert not out.promoted
    assert "rmse (lower is better)" in out.reason


async def test_promotion_without_a_gate_and_of_the_holder_itself(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    a = await _train(store, settings, churn, model_name, good=False)
    moved = await promote(
        PromoteParams(model=a.model_uri, alias="champion"), make_ctx(store, settings)
    )
    assert moved.promoted and moved.previous_version is None
    again = await promote(
        PromoteParams(model=a.model_uri, alias="champion"), make_ctx(store, settings)
    )
    assert not again.promoted
    assert "already holds" in again.reason


async def test_an_unknown_metric_is_refused_with_the_known_ones(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    a = await _train(store, settings, churn, model_name, good=False)
    b = await _train(store, settings, churn, model_name, good=True)
    await promote(PromoteParams(model=a.model_uri, alias="champion"), make_ctx(store, settings))
    with pytest.raises(MethodError) as info:
        await promote(
            PromoteParams(model=b.model_uri, alias="champion", require=_gate("auc")),
            make_ctx(store, settings),
        )
    assert info.value.field == "require.metric"
    assert "accuracy" in str(info.value)
