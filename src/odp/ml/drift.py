"""Data drift: does a current dataset still look like the reference one, column by column?

Numeric columns are compared with the population stability index (PSI, over the
reference's deciles) and the two-sample Kolmogorov-Smirnov test; categorical columns
with PSI over categories and the chi-square test of homogeneity. A column drifts when
*both* agree: its PSI reaches the PSI threshold and its test rejects "same distribution"
at the p-value threshold. Requiring both keeps tiny samples (noisy PSI) and huge samples
(where any test rejects trivial differences) from raising false alarms.

The p-values are corrected for the number of columns compared (Holm-Bonferroni, by
default): checking 30 columns at p < 0.05 would otherwise flag one or two columns of
data drawn from the very same population.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

__all__ = ["ColumnDrift", "DriftResult", "DriftThresholds", "compare", "holm", "psi"]

_EPS = 1e-4  # floor for empty bins, so that PSI stays finite
_MAX_CATEGORIES = 50  # rarer categories are pooled as "(other)"
OTHER = "(other)"


@dataclass(frozen=True, slots=True)
class DriftThresholds:
    """When a column, and the dataset, count as drifted.

    Attributes:
        psi: PSI at or above which a column's distribution moved (0.1 is often read as
            "some change", 0.2 as "a significant one").
        p_value: the test's p-value below which the distributions differ.
        share: the dataset drifts when more than this share of columns drift (0: any).
        bins: quantile bins for numeric PSI.
        correction: ``holm`` corrects the p-values for the number of columns compared
            (the family-wise error rate stays at ``p_value``); ``none`` does not.
    """

    psi: float = 0.2
    p_value: float = 0.05
    share: float = 0.0
    bins: int = 10
    correction: Literal["holm", "none"] = "holm"


@dataclass(frozen=True, slots=True)
class ColumnDrift:
    """The comparison of one column."""

    column: str
    kind: Literal["numeric", "categorical", "skipped"]
    test: Literal["ks", "chi2", "none"]
    statistic: float | None
    p_value: float | None
    psi: float | None
    p_value_adjusted: float | None
    drifted: bool
    reference_count: int
    current_count: int
    reference_null_share: float
    current_null_share: float
    note: str = ""
    bins: list[str] = field(default_factory=list)
    reference_dist: list[float] = field(default_factory=list)
    current_dist: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DriftResult:
    """Every column's comparison and the overall verdict."""

    columns: list[ColumnDrift]
    thresholds: DriftThresholds
    reference_rows: int
    current_rows: int

    @property
    def compared(self) -> list[ColumnDrift]:
        """The columns that were compared (not skipped)."""
        return [c for c in self.columns if c.kind != "skipped"]

    @property
    def drifted_columns(self) -> list[str]:
        """The names of the columns that drifted."""
        return [c.column for c in self.columns if c.drifted]

    @property
    def drift_share(self) -> float:
        """The share of compared columns that drifted."""
        compared = self.compared
        return len(self.drifted_columns) / len(compared) if compared else 0.0

    @property
    def verdict(self) -> Literal["drift", "no_drift"]:
        """``drift`` when more than the allowed share of columns drifted."""
        if not self.drifted_columns:
            return "no_drift"
        return "drift" if self.drift_share > self.thresholds.share else "no_drift"

    def table(self) -> pl.DataFrame:
        """One row per column, for the artifact store."""
        return pl.DataFrame(
            {
                "column": [c.column for c in self.columns],
                "kind": [c.kind for c in self.columns],
                "test": [c.test for c in self.columns],
                "statistic": [c.statistic for c in self.columns],
                "p_value": [c.p_value for c in self.columns],
                "p_value_adjusted": [c.p_value_adjusted for c in self.columns],
                "psi": [c.psi for c in self.columns],
                "drifted": [c.drifted for c in self.columns],
                "reference_count": [c.reference_count for c in self.columns],
                "current_count": [c.current_count for c in self.columns],
                "reference_null_share": [c.reference_null_share for c in self.columns],
                "current_null_share": [c.current_null_share for c in self.columns],
                "note": [c.note for c in self.columns],
            },
            schema_overrides={
                "statistic": pl.Float64,
                "p_value": pl.Float64,
                "p_value_adjusted": pl.Float64,
                "psi": pl.Float64,
            },
        )


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    """The population stability index of two distributions over the same bins."""
    ref = np.clip(reference, _EPS, None)
    cur = np.clip(current, _EPS, None)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def compare(
    reference: pl.DataFrame,
    current: pl.DataFrame,
    columns: Sequence[str],
    thresholds: DriftThresholds | None = None,
) -> DriftResult:
    """Compare ``columns`` of two datasets.

    Columns whose type cannot be compared (dates, lists) or that hold no values are
    listed as skipped, with the reason in ``note``.
    """
    thresholds = thresholds or DriftThresholds()
    results = [
        _column(reference.get_column(name), current.get_column(name), thresholds)
        for name in columns
    ]
    return DriftResult(_decide(results, thresholds), thresholds, reference.height, current.height)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def _decide(columns: list[ColumnDrift], t: DriftThresholds) -> list[ColumnDrift]:
    """Correct the compared columns' p-values and mark those that drifted."""
    compared = [i for i, c in enumerate(columns) if c.p_value is not None]
    raw = [columns[i].p_value or 0.0 for i in compared]
    adjusted = holm(raw) if t.correction == "holm" else raw
    out = list(columns)
    for i, p in zip(compared, adjusted, strict=True):
        c = columns[i]
        drifted = c.psi is not None and c.psi >= t.psi and p < t.p_value
        out[i] = dataclasses.replace(c, p_value_adjusted=p, drifted=drifted)
    return out


@dataclass(frozen=True, slots=True)
class _Counts:
    column: str
    reference_count: int
    current_count: int
    reference_null_share: float
    current_null_share: float

    @classmethod
    def of(cls, ref: pl.Series, cur: pl.Series) -> _Counts:
        return cls(
            column=ref.name,
            reference_count=ref.len() - ref.null_count(),
            current_count=cur.len() - cur.null_count(),
            reference_null_share=ref.null_count() / ref.len() if ref.len() else 0.0,
            current_null_share=cur.null_count() / cur.len() if cur.len() else 0.0,
        )

    def drift(self, **fields: Any) -> ColumnDrift:
        return ColumnDrift(
            column=self.column,
            reference_count=self.reference_count,
            current_count=self.current_count,
            reference_null_share=self.reference_null_share,
            current_null_share=self.current_null_share,
            **fields,
        )


def _column(ref: pl.Series, cur: pl.Series, t: DriftThresholds) -> ColumnDrift:
    base = _Counts.of(ref, cur)
    numeric = ref.dtype.is_numeric() and cur.dtype.is_numeric()
    textual = {ref.dtype, cur.dtype} <= {pl.String, pl.Categorical, pl.Boolean} or (
        isinstance(ref.dtype, pl.Enum) and isinstance(cur.dtype, pl.Enum)
    )
    reason = None
    if not (numeric or textual):
        reason = f"cannot compare {ref.dtype} with {cur.dtype}"
    elif base.reference_count == 0:
        reason = "no values in the reference"
    elif base.current_count == 0:
        reason = "no values in the current data"
    if reason is not None:
        return base.drift(
            kind="skipped",
            test="none",
            statistic=None,
            p_value=None,
            psi=None,
            p_value_adjusted=None,
            drifted=False,
            note=reason,
        )
    if numeric:
        return _numeric(ref, cur, t, base)
    return _categorical(ref, cur, t, base)


def _numeric(ref: pl.Series, cur: pl.Series, t: DriftThresholds, base: _Counts) -> ColumnDrift:
    from scipy.stats import ks_2samp

    r = ref.drop_nulls().cast(pl.Float64).to_numpy()
    c = cur.drop_nulls().cast(pl.Float64).to_numpy()
    r = r[np.isfinite(r)]
    c = c[np.isfinite(c)]
    edges = (
        np.unique(np.quantile(r, np.linspace(0, 1, t.bins + 1)[1:-1])) if r.size else np.array([])
    )
    full = np.concatenate(([-np.inf], edges, [np.inf]))
    r_dist = np.histogram(r, full)[0] / max(r.size, 1)
    c_dist = np.histogram(c, full)[0] / max(c.size, 1)
    value = psi(r_dist, c_dist)
    test = ks_2samp(r, c) if r.size and c.size else None
    statistic = float(test.statistic) if test is not None else 0.0
    p_value = float(test.pvalue) if test is not None else 1.0
    labels = _bin_labels(edges)
    return base.drift(
        kind="numeric",
        test="ks",
        statistic=statistic,
        p_value=p_value,
        psi=value,
        p_value_adjusted=None,
        drifted=False,  # decided once every column's p-value is known
        bins=labels,
        reference_dist=[float(x) for x in r_dist],
        current_dist=[float(x) for x in c_dist],
    )


def _categorical(ref: pl.Series, cur: pl.Series, t: DriftThresholds, base: _Counts) -> ColumnDrift:
    from scipy.stats import chi2_contingency

    r_counts = _counts(ref)
    c_counts = _counts(cur)
    ranked = sorted(r_counts, key=lambda k: (-r_counts[k], k))
    keep = ranked[:_MAX_CATEGORIES]
    keep += [k for k in sorted(c_counts, key=lambda k: -c_counts[k]) if k not in r_counts][
        : max(0, _MAX_CATEGORIES - len(keep))
    ]
    labels = list(keep)
    r_row = [r_counts.get(k, 0) for k in keep]
    c_row = [c_counts.get(k, 0) for k in keep]
    r_other = sum(r_counts.values()) - sum(r_row)
    c_other = sum(c_counts.values()) - sum(c_row)
    if r_other or c_other:
        labels.append(OTHER)
        r_row.append(r_other)
        c_row.append(c_other)
    r_arr = np.asarray(r_row, dtype=float)
    c_arr = np.asarray(c_row, dtype=float)
    r_dist = r_arr / r_arr.sum()
    c_dist = c_arr / c_arr.sum()
    value = psi(r_dist, c_dist)
    if len(labels) < 2:
        statistic, p_value = 0.0, 1.0
    else:
        test = chi2_contingency(np.vstack([r_arr, c_arr]))
        statistic, p_value = float(test.statistic), float(test.pvalue)
    if not math.isfinite(p_value):
        p_value = 1.0
    return base.drift(
        kind="categorical",
        test="chi2",
        statistic=statistic,
        p_value=p_value,
        psi=value,
        p_value_adjusted=None,
        drifted=False,  # decided once every column's p-value is known
        bins=[str(x) for x in labels],
        reference_dist=[float(x) for x in r_dist],
        current_dist=[float(x) for x in c_dist],
    )


def _counts(series: pl.Series) -> dict[str, int]:
    counts = series.drop_nulls().cast(pl.String).value_counts()
    return {str(row[0]): int(row[1]) for row in counts.iter_rows()}


def _bin_labels(edges: np.ndarray) -> list[str]:
    if edges.size == 0:
        return ["all"]
    labels = [f"< {edges[0]:.4g}"]
    labels += [f"{lo:.4g} to {hi:.4g}" for lo, hi in itertools.pairwise(edges)]
    labels.append(f"≥ {edges[-1]:.4g}")
    return labels
