"""Promotion: point an alias (champion, staging) at a version, behind an optional metric gate."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext, MethodKind, MethodOutput, MethodParams, method
from odp.errors import MethodError
from odp.methods.ml_predict import predict_frame
from odp.methods.ml_refs import MLFLOW_HINT, model_errors, model_ref, registry_check
from odp.methods.tabular import check_columns, in_thread
from odp.ml import (
    ALIAS_PATTERN,
    LOWER_IS_BETTER,
    ModelRef,
    ModelRegistry,
    ModelVersionInfo,
    Task,
    TrackingConfig,
    classification_metrics,
    improvement,
    load_model,
    regression_metrics,
    target_values,
    tracking_config,
)

__all__ = ["promote"]


class PromotionGate(BaseModel):
    """Promote only if the candidate beats the current holder of the alias."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(
        min_length=1, description="The metric compared, e.g. f1, accuracy, roc_auc, rmse, r2."
    )
    min_improvement: float = Field(
        default=0.0,
        ge=0,
        description="How much better the candidate must be (absolute; lower is better for "
        "rmse and mae). With 0, a tie promotes.",
    )


class PromoteParams(MethodParams):
    """The version to promote, the alias, and the gate."""

    model: str = Field(
        min_length=1,
        description="The version to promote: NAME:VERSION, models:/NAME/VERSION, NAME@ALIAS "
        "(e.g. {{ train.model_uri }}, or churn@staging), or NAME with version.",
    )
    version: int | None = Field(
        default=None, ge=1, description="The version number (instead of writing NAME:VERSION)."
    )
    alias: str = Field(
        pattern=ALIAS_PATTERN, description="The alias to point at the version, e.g. champion."
    )
    require: PromotionGate | None = Field(
        default=None,
        description="A metric gate, e.g. {metric: f1, min_improvement: 0.01}; without it the "
        "alias always moves.",
    )
    data: DatasetRef | None = Field(
        default=None,
        description="Labelled rows to score both versions on for the gate (default: compare "
        "the metrics each version recorded on its own held-out rows).",
    )
    target: str | None = Field(
        default=None, min_length=1, description="The label column of data (default: the model's)."
    )


class PromoteOutput(MethodOutput):
    """Whether the alias moved, and why."""

    promoted: bool = Field(description="Whether the alias now points at the version.")
    reason: str = Field(description="Why it did or did not move.")
    model_name: str = Field(description="The registered model.")
    version: int = Field(description="The candidate version.")
    alias: str = Field(description="The alias.")
    previous_version: int | None = Field(description="The version that held the alias before.")
    metric: str | None = Field(default=None, description="The gate's metric.")
    candidate_value: float | None = Field(default=None, description="The candidate's value.")
    incumbent_value: float | None = Field(default=None, description="The holder's value.")


@method(
    "ml.model.promote",
    kind=MethodKind.SINK,
    summary="Point an alias (champion, staging) at a model version, optionally only if it is better",
    tags=("promote", "alias", "champion", "staging", "deploy", "gate", "registry", "mlflow"),
    requires=("mlflow",),
    install_hint=MLFLOW_HINT,
    checks=(registry_check(alias_is_ref=False),),
    examples=[
        {
            "description": "Make the new version champion if its f1 is at least 0.01 better",
            "params": {
                "model": "{{ train.model_uri }}",
                "alias": "champion",
                "require": {"metric": "f1", "min_improvement": 0.01},
            },
        }
    ],
)
async def promote(params: PromoteParams, ctx: MethodContext) -> PromoteOutput:
    """Point `alias` at a version of a registered model and say why it did or did not.

    Without `require` the alias moves. With `require: {metric, min_improvement}` it
    moves only if the candidate's metric beats the current holder's by at least
    `min_improvement` (when no version holds the alias, the candidate gets it). The
    metrics compared are those each version recorded on its held-out rows, or, with
    `data`, both versions scored on those same rows.
    """
    ref = model_ref(params.model, params.version)
    config = tracking_config(ctx.settings)

    def work() -> PromoteOutput:
        with model_errors():
            registry = ModelRegistry(config)
            candidate = registry.resolve(ref)
            holder = registry.alias_version(candidate.name, params.alias)
            decision = _decide(params, ctx, config, registry, candidate, holder)
            if decision.promoted:
                registry.set_alias(candidate.name, params.alias, candidate.version)
            registry.set_version_tags(
                candidate.name,
                candidate.version,
                {f"odp.promotion.{params.alias}": decision.reason[:4000]},
            )
        ctx.log.info("model_promotion", promoted=decision.promoted, reason=decision.reason)
        return decision

    return await in_thread(work)


def _decide(
    params: PromoteParams,
    ctx: MethodContext,
    config: TrackingConfig,
    registry: ModelRegistry,
    candidate: ModelVersionInfo,
    holder: int | None,
) -> PromoteOutput:
    base: dict[str, Any] = {
        "model_name": candidate.name,
        "version": candidate.version,
        "alias": params.alias,
        "previous_version": holder,
    }
    label = f"{params.alias!r} of {candidate.name}"
    if holder == candidate.version:
        return PromoteOutput(
            promoted=False, reason=f"version {holder} already holds {label}", **base
        )
    gate = params.require
    if gate is None:
        was = f"version {holder}" if holder is not None else "no version"
        return PromoteOutput(
            promoted=True,
            reason=f"no gate: version {candidate.version} replaces {was} as {label}",
            **base,
        )
    if holder is None:
        return PromoteOutput(
            promoted=True,
            reason=f"no version held {label} yet, so version {candidate.version} takes it",
            metric=gate.metric,
            **base,
        )
    incumbent = registry.resolve(ModelRef(candidate.name, version=holder))
    if params.data is not None:
        where = "on the given data"
        cand_value, inc_value = (
            _scored_metric(params, ctx, config, info, gate.metric)
            for info in (candidate, incumbent)
        )
    else:
        where = "on their own held-out rows"
        cand_value = _recorded_metric(registry, candidate, gate.metric)
        inc_value = _recorded_metric(registry, incumbent, gate.metric)
    gain = improvement(gate.metric, cand_value, inc_value)
    direction = "lower" if gate.metric in LOWER_IS_BETTER else "higher"
    facts = (
        f"{gate.metric} ({direction} is better) {where}: version {candidate.version} has "
        f"{cand_value:.4f}, version {holder} has {inc_value:.4f}"
    )
    values: dict[str, Any] = {
        "metric": gate.metric,
        "candidate_value": cand_value,
        "incumbent_value": inc_value,
    }
    if gain >= gate.min_improvement:
        return PromoteOutput(
            promoted=True,
            reason=f"{facts}: better by {gain:.4f} (at least {gate.min_improvement:g} needed), "
            f"so version {candidate.version} replaces version {holder} as {label}",
            **values,
            **base,
        )
    return PromoteOutput(
        promoted=False,
        reason=f"{facts}: the improvement {gain:.4f} is less than the {gate.min_improvement:g} "
        f"needed, so version {holder} keeps {label}",
        **values,
        **base,
    )


def _recorded_metric(registry: ModelRegistry, info: ModelVersionInfo, metric: str) -> float:
    metrics = dict(info.metrics)
    if metric not in metrics and info.run_id:
        metrics = registry.run_metrics(info.run_id) | metrics
    if metric not in metrics:
        known = ", ".join(sorted(metrics)) or "none"
        raise MethodError(
            f"require.metric: version {info.version} of {info.name} has no recorded {metric!r}",
            hint=f"its metrics: {known}; or give data to score both versions on",
            field="require.metric",
        )
    return float(metrics[metric])


def _scored_metric(
    params: PromoteParams,
    ctx: MethodContext,
    config: TrackingConfig,
    info: ModelVersionInfo,
    metric: str,
) -> float:
    import polars as pl

    assert params.data is not None
    loaded = load_model(config, info.ref)
    target = params.target or info.target
    if target is None:
        raise MethodError("target: name the label column of data", field="target")
    check_columns(params.data, [target], field="target")
    frame = ctx.store.read(params.data).filter(pl.col(target).is_not_null())
    out = predict_frame(loaded, frame, params.data, field="data")
    classifier = info.task == "classification" or bool(loaded.classes)
    task: Task = "classification" if classifier else "regression"
    truth = target_values(frame.get_column(target), task, field="target")
    if task == "classification":
        metrics = classification_metrics(truth, out.labels, out.probabilities, loaded.classes)
    else:
        metrics = regression_metrics(truth, out.labels)
    if metric not in metrics:
        raise MethodError(
            f"require.metric: {metric!r} is not a metric of this model's task",
            hint="metrics: " + ", ".join(metrics),
            field="require.metric",
        )
    return metrics[metric]
