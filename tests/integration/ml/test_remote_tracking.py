"""A real MLflow tracking server as registry: train, look up at validation, predict."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from odp.artifacts import ArtifactStore
from odp.catalog import Catalog
from odp.config import Settings
from odp.methods.ml_models import TrainParams, train
from odp.methods.ml_predict import PredictParams, predict
from odp.ml import ModelRegistry, read_registry, tracking_config
from odp.spec import validate_text
from tests.unit.ml.conftest import make_ctx
from tests.unit.ml.datasets import churn_frame

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``mlflow server`` on a free loopback port, with its own SQLite store and artifacts."""
    folder = tmp_path_factory.mktemp("mlflow-server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            f"sqlite:///{folder / 'mlflow.db'}",
            "--artifacts-destination",
            str(folder / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env=os.environ | {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):  # bounded: the server migrates its database first
            if process.poll() is not None:
                tail = (folder / "server.log").read_text(errors="replace")[-2000:]
                raise AssertionError(f"mlflow server exited: {tail}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture
def remote(mlflow_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    monkeypatch.setenv("ODP_MLFLOW_TRACKING_URI", mlflow_server)
    monkeypatch.delenv("ODP_MLFLOW_ARTIFACTS_URI")
    return Settings(state_dir=tmp_path / ".odp")


async def test_the_lifecycle_against_a_tracking_server(
    remote: Settings, store: ArtifactStore, model_name: str, catalog: Catalog
) -> None:
    config = tracking_config(remote)
    assert config.artifacts_uri is None  # the server keeps the artifacts
    data = store.write(churn_frame(200))
    out = await train(
        TrainParams(
            data=data, target="churned", model_name=model_name, estimator="logistic_regression"
        ),
        make_ctx(store, remote),
    )
    ModelRegistry(config).set_alias(model_name, "champion", out.version)

    entry = read_registry(config)[model_name]  # the REST lookup that validation uses
    assert entry.versions == {out.version} and entry.aliases == {"champion": out.version}
    pipeline = """
name: scoring
sources:
  - {name: rows, method: file.csv.read, params: {path: in.csv}}
transforms:
  - name: scored
    method: ml.model.predict
    params: {model: "MODEL", data: "{{ rows.data }}"}
"""
    assert validate_text(pipeline.replace("MODEL", f"{model_name}@champion"), catalog).ok
    missing = validate_text(pipeline.replace("MODEL", f"{model_name}@staging"), catalog)
    assert [d.code for d in missing.errors] == ["unknown-model"]

    scored = await predict(
        PredictParams(model=f"{model_name}@champion", data=store.write(churn_frame(20, seed=4))),
        make_ctx(store, remote),
    )
    assert scored.count == 20 and scored.version == out.version
