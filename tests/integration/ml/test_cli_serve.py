"""`odp models serve` as a real process answering over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from odp.artifacts import ArtifactStore, DatasetRef
from odp.config import Settings
from odp.methods.ml_models import TrainParams, train
from tests.unit.ml.conftest import make_ctx
from tests.unit.ml.datasets import churn_frame

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_odp_models_serve(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    out = await train(
        TrainParams(
            data=churn, target="churned", model_name=model_name, estimator="logistic_regression"
        ),
        make_ctx(store, settings),
    )
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odp",
            "models",
            "serve",
            f"{model_name}:{out.version}",
            "--port",
            str(port),
        ],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=10) as http:
            for _ in range(600):  # bounded: the process imports MLflow, then loads the model
                if process.poll() is not None:
                    break
                try:
                    if http.get("/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            assert process.poll() is None, process.communicate()[1]
            records = churn_frame(5, seed=3).drop("churned").to_dicts()
            answer = http.post("/predict", json={"records": records})
            assert answer.status_code == 200
            assert len(answer.json()["predictions"]) == 5
            assert http.get("/metadata").json()["version"] == out.version
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
    assert f"serving {model_name}:{out.version}: version {out.version}" in err
