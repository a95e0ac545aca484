"""Drift statistics and the ml.data.drift step on shifted and unshifted data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from odp.artifacts import ArtifactStore
from odp.catalog import MethodContext
from odp.errors import MethodError
from odp.methods.ml_drift import DriftParams, drift
from odp.ml import DriftThresholds, compare, holm, psi
from tests.unit.ml.datasets import churn_frame

ROOT = Path(__file__).resolve().parents[3]

FEATURES = ["tenure", "monthly_charges", "support_calls", "plan"]


def test_psi_is_zero_for_equal_distributions_and_grows_with_the_shift() -> None:
    same = np.array([0.25, 0.25, 0.5])
    assert psi(same, same) == 0.0
    small = psi(same, np.array([0.3, 0.2, 0.5]))
    large = psi(same, np.array([0.7, 0.2, 0.1]))
    assert 0 < small < 0.1 < large


async def test_unshifted_data_does_not_drift(store: ArtifactStore, ctx: MethodContext) -> None:
    reference = store.write(churn_frame(2000, seed=1))
    current = store.write(churn_frame(1500, seed=2))
    out = await drift(
        DriftParams(current=current, reference=reference, exclude=["customer_id", "churned"]), ctx
    )
    assert out.verdict == "no_drift"
    assert out.drifted_columns == []
    assert out.columns_compared == 4
    table = store.read(out.data)
    assert table["column"].to_list() == FEATURES
    assert table.filter(pl.col("column") == "plan")["test"].item() == "chi2"
    assert table.filter(pl.col("column") == "tenure")["test"].item() == "ks"
    assert (table["psi"] < 0.1).all()


async def test_shifted_data_drifts_and_the_report_says_so(
    store: ArtifactStore, ctx: MethodContext
) -> None:
    reference = store.write(churn_frame(2000, seed=1))
    current = store.write(churn_frame(1500, seed=2, shift=1.0))
    out = await drift(DriftParams(current=current, reference=reference, columns=FEATURES), ctx)
    assert out.verdict == "drift"
    assert set(out.drifted_columns) == set(FEATURES)
    assert out.drift_share == 1.0
    table = store.read(out.data)
    assert (table["p_value"] < 0.001).all()
    html = store.read_bytes(out.report_uri).decode()
    assert html.startswith("<!doctype html>")
    assert "4 of 4 columns drifted" in html
    assert "<script" not in html and "http" not in html.split("<body>")[1]
    for column in FEATURES:
        assert f"<h2>{column} — drifted</h2>" in html


async def test_the_drift_share_sets_the_verdict(store: ArtifactStore, ctx: MethodContext) -> None:
    base = churn_frame(1000, seed=1)
    moved = churn_frame(1000, seed=2).with_columns(pl.col("tenure") + 40)
    reference, current = store.write(base), store.write(moved)
    strict = await drift(DriftParams(current=current, reference=reference, columns=FEATURES), ctx)
    lenient = await drift(
        DriftParams(current=current, reference=reference, columns=FEATURES, drift_share=0.5), ctx
    )
    assert strict.drifted_columns == lenient.drifted_columns == ["tenure"]
    assert strict.verdict == "drift"
    assert lenient.verdict == "no_drift"


def test_small_noisy_samples_need_both_psi_and_the_test() -> None:
    rng = np.random.default_rng(3)
    a = pl.DataFrame({"x": rng.normal(0, 1, 30)})
    b = pl.DataFrame({"x": rng.normal(0, 1, 30)})
    result = compare(a, b, ["x"], DriftThresholds(psi=0.05))
    column = result.columns[0]
    assert column.psi is not None and column.psi >= 0.05  # noisy PSI alone would say drift
    assert column.p_value is not None and column.p_value > 0.05
    assert not column.drifted


def test_columns_that_cannot_be_compared_are_skipped_with_a_reason() -> None:
    import datetime as dt

    ref = pl.DataFrame(
        {"when": [dt.date(2024, 1, 1)] * 3, "empty": [None, None, None], "n": [1, 2, 3]}
    )
    cur = pl.DataFrame(
        {"when": [dt.date(2024, 1, 2)] * 3, "empty": [None, None, None], "n": [1, 2, 3]}
    )
    result = compare(ref, cur, ["when", "empty", "n"])
    notes = {c.column: (c.kind, c.note) for c in result.columns}
    assert notes["when"] == ("skipped", "cannot compare Date with Date")
    assert notes["empty"][0] == "skipped"
    assert [c.column for c in result.compared] == ["n"]
    assert result.verdict == "no_drift"


def test_many_categories_are_pooled() -> None:
    ref = pl.DataFrame({"c": [f"v{i:03d}" for i in range(100)] * 20})
    cur = pl.DataFrame({"c": [f"v{i:03d}" for i in range(60, 160)] * 20})
    column = compare(ref, cur, ["c"]).columns[0]
    assert column.bins[-1] == "(other)"
    assert len(column.bins) <= 51
    assert column.drifted


@pytest.mark.parametrize(
    ("columns", "words"), [(["ghost"], "no column 'ghost'"), (None, "no column to compare")]
)
async def test_bad_columns_are_refused(
    store: ArtifactStore, ctx: MethodContext, columns: list[str] | None, words: str
) -> None:
    a = store.write(pl.DataFrame({"x": [1, 2]}))
    b = store.write(pl.DataFrame({"y": [1, 2]}))
    with pytest.raises(MethodError, match=words):
        await drift(
            DriftParams(current=a, reference=b if columns is None else a, columns=columns), ctx
        )


def test_holm_adjusts_p_values_for_the_number_of_tests() -> None:
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def test_wide_data_from_one_population_does_not_drift_once_corrected() -> None:
    # 100 incoming patients against 369 training ones, 30 columns, one random split
    reference = pl.read_csv(ROOT / "examples/data/breast_cancer.csv").drop(
        "patient_id", "diagnosis"
    )
    current = pl.read_csv(ROOT / "examples/data/breast_cancer_incoming.csv").drop("patient_id")
    raw = compare(reference, current, current.columns, DriftThresholds(correction="none"))
    corrected = compare(reference, current, current.columns)
    assert raw.drifted_columns  # uncorrected, chance alone flags a column or two of 30
    assert corrected.drifted_columns == []
    assert corrected.verdict == "no_drift"
    worst = min(corrected.columns, key=lambda c: c.p_value or 1)
    assert worst.p_value_adjusted == pytest.approx(min(1.0, 30 * (worst.p_value or 0)))
