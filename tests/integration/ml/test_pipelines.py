"""The model lifecycle end to end through Temporal: train, evaluate, promote, score, drift."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from odp.engine import RunState
from odp.errors import StepFailedError
from tests.fixtures.temporal import RunPipeline

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
TRAIN = ROOT / "examples" / "train_breast_cancer.yaml"
SCORE = ROOT / "examples" / "score_breast_cancer.yaml"


@pytest.fixture(autouse=True)
def _own_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A registry of this test's own: the examples use the fixed name breast-cancer."""
    monkeypatch.setenv("ODP_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("ODP_MLFLOW_ARTIFACTS_URI", str(tmp_path / "mlflow-artifacts"))
    yield


async def test_train_promote_and_score_through_temporal(
    run_pipeline: RunPipeline, tmp_path: Path
) -> None:
    # a deliberately weak first model becomes champion: nobody held the alias
    weak = await run_pipeline(TRAIN, params={"n_estimators": 1, "min_improvement": 0.01})
    assert weak.state is RunState.COMPLETED
    assert weak.outputs["train"]["version"] == 1
    assert weak.outputs["promote"]["promoted"] is True
    assert "no version held 'champion'" in weak.outputs["promote"]["reason"]

    # a real model beats it on the holdout by more than the 0.01 required
    strong = await run_pipeline(TRAIN, params={"min_improvement": 0.01})
    promote = strong.outputs["promote"]
    assert strong.outputs["train"]["version"] == 2
    assert promote["promoted"] is True, promote["reason"]
    assert promote["previous_version"] == 1
    assert promote["candidate_value"] >= promote["incumbent_value"] + 0.01
    assert "on the given data" in promote["reason"]

    # the same data, params and seed give the same metrics; a tie does not clear the gate
    again = await run_pipeline(TRAIN, params={"min_improvement": 0.01})
    assert again.outputs["train"]["version"] == 3
    assert again.outputs["train"]["metrics"] == strong.outputs["train"]["metrics"]
    assert again.outputs["evaluate"]["metrics"] == strong.outputs["evaluate"]["metrics"]
    assert (
        again.outputs["evaluate"]["confusion_matrix"]
        == strong.outputs["evaluate"]["confusion_matrix"]
    )
    refused = again.outputs["promote"]
    assert refused["promoted"] is False
    assert "version 2 keeps 'champion'" in refused["reason"]

    scored_csv, drift_csv = tmp_path / "scored.csv", tmp_path / "drift.csv"
    score = await run_pipeline(SCORE, params={"out": str(scored_csv), "drift_out": str(drift_csv)})
    assert score.state is RunState.COMPLETED
    assert score.outputs["scored"]["version"] == 2  # the champion, resolved at run time
    assert score.outputs["scored"]["columns_added"] == [
        "prediction",
        "probability_benign",
        "probability_malignant",
    ]
    assert score.outputs["drift"]["verdict"] == "no_drift"
    assert score.outputs["drift"]["report_uri"].endswith("drift-drift.html")
    rows = pl.read_csv(scored_csv)
    assert rows.height == 100
    assert set(rows["prediction"].unique()) <= {"benign", "malignant"}
    assert pl.read_csv(drift_csv).height == 30


async def test_prediction_on_missing_columns_fails_at_once(run_pipeline: RunPipeline) -> None:
    trained = await run_pipeline(TRAIN)
    assert trained.outputs["train"]["version"] == 1
    with pytest.raises(StepFailedError) as info:
        await run_pipeline(
            f"""
name: score-partial
sources:
  - name: incoming
    method: file.csv.read
    params: {{path: "{ROOT / "examples" / "data" / "breast_cancer_incoming.csv"}"}}
transforms:
  - name: partial
    method: data.sql.query
    params:
      inputs: {{t: "{{{{ incoming.data }}}}"}}
      query: SELECT patient_id, mean_radius, mean_texture FROM t
  - name: scored
    method: ml.model.predict
    params: {{model: "breast-cancer:1", data: "{{{{ partial.data }}}}"}}
"""
        )
    error = info.value
    assert error.step == "scored"
    assert error.attempts == 1  # not retried: the data will not grow the columns
    assert "lacks the input columns 'mean_perimeter'" in error.error
