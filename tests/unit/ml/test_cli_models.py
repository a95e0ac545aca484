"""`odp models list` and `odp models show` against a real registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from odp.artifacts import ArtifactStore, DatasetRef
from odp.cli import app
from odp.config import Settings
from odp.methods.ml_models import TrainParams, train
from odp.ml import ModelRegistry, tracking_config
from tests.unit.ml.conftest import make_ctx

runner = CliRunner()


async def test_list_and_show_registered_models(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    out = await train(
        TrainParams(
            data=churn, target="churned", model_name=model_name, estimator="logistic_regression"
        ),
        make_ctx(store, settings),
    )
    ModelRegistry(tracking_config(settings)).set_alias(model_name, "champion", out.version)

    listed = runner.invoke(app, ["models", "list"])
    assert listed.exit_code == 0, listed.output
    line = next(row for row in listed.stdout.splitlines() if model_name in row)
    assert "champion→1" in line
    assert f"f1 {out.metrics['f1']:.3f}" in line

    as_json = runner.invoke(app, ["models", "list", "--json"])
    assert as_json.exit_code == 0
    model = next(m for m in json.loads(as_json.stdout) if m["name"] == model_name)
    assert model["aliases"] == {"champion": 1}
    assert model["versions"][0]["metrics"] == out.metrics
    assert model["versions"][0]["tags"]["odp.target"] == "churned"

    shown = runner.invoke(app, ["models", "show", model_name])
    assert shown.exit_code == 0, shown.output
    assert "classification" in shown.stdout and "churned" in shown.stdout
    assert out.run_id[:12] in shown.stdout

    detail = json.loads(runner.invoke(app, ["models", "show", model_name, "--json"]).stdout)
    assert detail["versions"][0]["run_id"] == out.run_id


def test_unknown_models_are_refused_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "empty" / "mlflow.db"
    monkeypatch.setenv("ODP_MLFLOW_TRACKING_URI", f"sqlite:///{db}")
    result = runner.invoke(app, ["models", "show", "ghost"])
    assert result.exit_code == 1
    assert "no registered model named 'ghost'" in result.output
    assert "train one with ml.model.train" in result.output
    listed = runner.invoke(app, ["models", "list"])
    assert listed.exit_code == 0
    assert "no registered models yet" in listed.stdout
    served = runner.invoke(app, ["models", "serve", "ghost@champion", "--port", "1"])
    assert served.exit_code == 1
    assert "no registered model named 'ghost'" in served.output
    malformed = runner.invoke(app, ["models", "serve", "bad name"])
    assert malformed.exit_code == 1
    assert "is not a model reference" in malformed.output
