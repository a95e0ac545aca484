"""Data drift as a step: compare current rows with reference rows, column by column."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext, MethodKind, MethodOutput, MethodParams, method
from odp.errors import MethodError
from odp.methods.tabular import check_columns, in_thread
from odp.ml import DriftThresholds, compare, render_drift_report

__all__ = ["drift"]


class DriftParams(MethodParams):
    """The two datasets and when to call it drift."""

    current: DatasetRef = Field(description="The rows to check, e.g. this week's inputs.")
    reference: DatasetRef = Field(description="The rows they should resemble, e.g. training data.")
    columns: list[str] | None = Field(
        default=None,
        min_length=1,
        description="The columns to compare (default: every column the two datasets share).",
    )
    exclude: list[str] = Field(
        default_factory=list, description="Columns to leave out (ids, labels, predictions)."
    )
    psi_threshold: float = Field(
        default=0.2, gt=0, description="PSI at or above which a column's distribution moved."
    )
    p_value: float = Field(
        default=0.05,
        gt=0,
        lt=1,
        description="The KS / chi-square p-value below which two distributions differ.",
    )
    drift_share: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="The dataset drifts when more than this share of columns drift (0: any).",
    )
    bins: int = Field(default=10, ge=2, le=100, description="Quantile bins for numeric PSI.")
    correction: Literal["holm", "none"] = Field(
        default="holm",
        description="holm corrects p-values for the number of columns compared (fewer false "
        "alarms on wide data); none compares each column's p-value as it is.",
    )


class DriftOutput(MethodOutput):
    """The per-column table, the verdict and the report."""

    data: DatasetRef = Field(
        description="One row per column: kind, test, statistic, p_value, p_value_adjusted, "
        "psi, drifted, note."
    )
    verdict: Literal["drift", "no_drift"] = Field(description="The overall verdict.")
    drifted_columns: list[str] = Field(description="The columns that drifted.")
    drift_share: float = Field(description="The share of compared columns that drifted.")
    columns_compared: int = Field(description="How many columns were compared.")
    report_uri: str = Field(description="The HTML report in the artifact store.")


@method(
    "ml.data.drift",
    kind=MethodKind.TRANSFORM,
    summary="Check whether data drifted from a reference (PSI, Kolmogorov-Smirnov, chi-square)",
    tags=("drift", "data drift", "psi", "ks", "chi-square", "monitoring", "distribution shift"),
    examples=[
        {
            "description": "Check this week's inputs against the training data",
            "params": {
                "current": "{{ incoming.data }}",
                "reference": "{{ training.data }}",
                "exclude": ["customer_id"],
            },
        }
    ],
)
async def drift(params: DriftParams, ctx: MethodContext) -> DriftOutput:
    """Compare `current` with `reference`, per column, and write an HTML report.

    Numeric columns: population stability index over the reference's quantile bins,
    and the two-sample Kolmogorov-Smirnov test. Categorical columns: PSI over
    categories and the chi-square test. A column drifts when its PSI reaches
    `psi_threshold` and its test gives a p-value below `p_value` (corrected for the
    number of columns, Holm-Bonferroni); the dataset drifts when more than
    `drift_share` of the compared columns drift.
    """
    if params.columns is not None:
        check_columns(params.current, params.columns, field="columns")
        check_columns(params.reference, params.columns, field="columns")
        columns = [c for c in params.columns if c not in params.exclude]
    else:
        shared = set(params.reference.column_names)
        columns = [
            c for c in params.current.column_names if c in shared and c not in params.exclude
        ]
    if not columns:
        raise MethodError(
            "columns: there is no column to compare",
            hint=f"current has: {', '.join(params.current.column_names)}; "
            f"reference has: {', '.join(params.reference.column_names)}",
            field="columns",
        )
    thresholds = DriftThresholds(
        psi=params.psi_threshold,
        p_value=params.p_value,
        share=params.drift_share,
        bins=params.bins,
        correction=params.correction,
    )

    def work() -> DriftOutput:
        reference = ctx.store.scan(params.reference).select(columns).collect()
        current = ctx.store.scan(params.current).select(columns).collect()
        result = compare(reference, current, columns, thresholds)
        table = ctx.store.write(result.table())
        html = render_drift_report(
            result,
            title=f"Data drift: {ctx.step}",
            reference=params.reference.sha256[:12],
            current=params.current.sha256[:12],
        )
        report = ctx.store.write_bytes(f"drift-{ctx.step}.html", html.encode())
        ctx.log.info("drift_checked", verdict=result.verdict, drifted=result.drifted_columns)
        return DriftOutput(
            data=table,
            verdict=result.verdict,
            drifted_columns=result.drifted_columns,
            drift_share=result.drift_share,
            columns_compared=len(result.compared),
            report_uri=report,
        )

    return await in_thread(work)
