"""Batch prediction with a registered model: a prediction column, and probabilities for classifiers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import polars as pl
import pyarrow as pa
from pydantic import Field

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext, MethodKind, MethodOutput, method
from odp.errors import MethodError
from odp.methods.ml_refs import MLFLOW_HINT, ModelParams, model_errors, model_ref, registry_check
from odp.methods.tabular import in_thread
from odp.ml import LoadedModel, Predictions, load_model, model_frame, tracking_config

__all__ = ["predict", "predict_frame"]

PROBABILITY_PREFIX = "probability_"


class PredictParams(ModelParams):
    """The model and the rows to score."""

    data: DatasetRef = Field(description="Rows holding the model's input columns.")
    prediction_column: str = Field(
        default="prediction", min_length=1, description="The name of the added column."
    )
    probabilities: bool = Field(
        default=True,
        description="For classifiers, also add one probability_<class> column per class.",
    )
    batch_rows: int = Field(
        default=100_000, ge=1, description="Rows predicted at once (bounds memory)."
    )


class PredictOutput(MethodOutput):
    """The scored rows."""

    data: DatasetRef = Field(description="The input rows with the prediction column(s) added.")
    count: int = Field(ge=0, description="How many rows were scored.")
    model_name: str = Field(description="The registered model used.")
    version: int = Field(description="The version used (an alias is resolved at run time).")
    columns_added: list[str] = Field(description="The columns the step added.")


def predict_frame(
    model: LoadedModel,
    frame: pl.DataFrame,
    data: DatasetRef,
    *,
    field: str,
    probabilities: bool = True,
) -> Predictions:
    """Predict for rows of ``data``, after checking they hold the model's input columns.

    Raises:
        MethodError: naming the input columns the data lacks (not retryable).
    """
    require_inputs(model, data, field=field)
    features = frame.to_pandas() if model.schema is None else model_frame(frame, model.schema)
    with model_errors():
        return model.predict(features, probabilities=probabilities)


def require_inputs(model: LoadedModel, data: DatasetRef, *, field: str) -> None:
    """Refuse data that lacks some of the model's input columns.

    Raises:
        MethodError: naming the missing columns, those the model takes and those the
            data has (not retryable).
    """
    missing = model.missing_columns(data.column_names)
    if not missing:
        return
    plural = "columns" if len(missing) > 1 else "column"
    assert model.schema is not None  # a model without a signature misses nothing
    raise MethodError(
        f"{field}: the data lacks the input {plural} {', '.join(repr(m) for m in missing)} of "
        f"model {model.name} version {model.version}",
        hint=f"the model takes: {', '.join(model.schema.columns)}; "
        f"the data has: {', '.join(data.column_names)}",
        field=field,
    )


@method(
    "ml.model.predict",
    kind=MethodKind.TRANSFORM,
    cacheable=False,  # a model alias may point at another version next time
    summary="Score rows with a registered model (by version or alias), adding a prediction column",
    tags=("predict", "score", "inference", "batch", "model", "classify", "mlflow"),
    requires=("mlflow",),
    install_hint=MLFLOW_HINT,
    checks=(registry_check(),),
    examples=[
        {
            "description": "Score new customers with the champion churn model",
            "params": {"model": "churn@champion", "data": "{{ customers.data }}"},
        }
    ],
)
async def predict(params: PredictParams, ctx: MethodContext) -> PredictOutput:
    """Add the predictions of a registered model to `data`.

    The model is named by version or alias (`churn:3`, `churn@champion`); an alias is
    resolved when the step runs. Classifiers also add `probability_<class>` columns.
    The step refuses data that lacks any of the model's input columns, naming them.
    """
    ref = model_ref(params.model, params.version, params.alias)
    config = tracking_config(ctx.settings)

    def work() -> PredictOutput:
        with model_errors():
            loaded = load_model(config, ref)
        require_inputs(loaded, params.data, field="data")
        added = [params.prediction_column]
        if params.probabilities and loaded.is_classifier:
            added += [f"{PROBABILITY_PREFIX}{c}" for c in loaded.classes]
        clash = [c for c in added if c in params.data.column_names]
        if clash:
            raise MethodError(
                f"prediction_column: the data already has a column {clash[0]!r}",
                hint="set prediction_column to another name, or drop the column first",
                field="prediction_column",
            )
        scan = ctx.store.scan(params.data)
        chunks = (
            _scored(loaded, scan.slice(offset, params.batch_rows).collect(), params)
            for offset in range(0, max(params.data.rows, 1), params.batch_rows)
        )
        first = next(chunks)
        ref_out = ctx.store.write(
            pa.RecordBatchReader.from_batches(
                first.schema, _batches(itertools.chain([first], chunks))
            )
        )
        return PredictOutput(
            data=ref_out,
            count=ref_out.rows,
            model_name=loaded.name,
            version=loaded.version,
            columns_added=added,
        )

    return await in_thread(work)


def _scored(model: LoadedModel, frame: pl.DataFrame, params: PredictParams) -> pa.Table:
    if frame.height == 0:
        out = frame.with_columns(pl.lit(None).alias(params.prediction_column))
        return out.to_arrow()
    result = predict_frame(
        model, frame, params.data, field="data", probabilities=params.probabilities
    )
    columns = [pl.Series(params.prediction_column, result.labels)]
    if params.probabilities and result.probabilities is not None:
        columns += [
            pl.Series(f"{PROBABILITY_PREFIX}{c}", result.probabilities[:, i], dtype=pl.Float64)
            for i, c in enumerate(model.classes)
        ]
    return frame.with_columns(columns).to_arrow()


def _batches(tables: Iterator[pa.Table]) -> Iterator[pa.RecordBatch]:
    # no ctx.heartbeat() here: this runs in a worker thread, and the engine heartbeats
    # for the step from the event loop meanwhile
    for table in tables:
        yield from table.to_batches()
