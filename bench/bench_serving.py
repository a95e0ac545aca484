"""`/predict` over real HTTP against calling the MLflow pyfunc model directly, same run.

A model is trained on the breast cancer example data into a temporary registry; then
``odp models serve`` runs as its own process on a free loopback port. Measured for
batches of 1 and 100 records: the MLflow pyfunc model called in this process (the
baseline), and ``POST /predict`` with 1 client and with 8 concurrent clients
(concurrent requests are gathered into one model call by the server).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import polars as pl

from odp.artifacts import ArtifactStore
from odp.ml import (
    TrackingConfig,
    TrainingSpec,
    mlflow_session,
    record_training,
    train_model,
)

ROOT = Path(__file__).resolve().parents[1]
MODEL = "bench-breast-cancer"
CLIENTS = 8


@dataclass(frozen=True, slots=True)
class Measure:
    case: str
    records: int
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def records_per_s(self) -> float:
        return self.rps * self.records

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def row(self) -> str:
        return (
            f"{self.case:<34}{self.records:>8}{self.rps:>10.0f}{self.records_per_s:>12.0f}"
            f"{self.pct(0.5):>9.2f}{self.pct(0.99):>9.2f}"
        )


def _train(folder: Path) -> tuple[TrackingConfig, int]:
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    config = TrackingConfig(uri, uri, str(folder / "artifacts"), "bench")
    frame = pl.read_csv(ROOT / "examples" / "data" / "breast_cancer.csv")
    spec = TrainingSpec(
        target="diagnosis",
        features=[c for c in frame.columns if c not in ("patient_id", "diagnosis")],
        task="classification",
        estimator="gradient_boosting",
        hyperparams={"n_estimators": 150, "max_depth": 2},
    )
    record = record_training(
        config,
        train_model(frame, spec),
        spec,
        model_name=MODEL,
        dataset=ArtifactStore(folder / "datasets").write(frame),
        idempotency_key=uuid.uuid4().hex,
    )
    return config, record.version


def _direct(pyfunc: object, frame: object, records: int, n: int) -> Measure:
    predict: Callable[[object], object] = pyfunc.predict  # type: ignore[attr-defined]
    for _ in range(20):
        predict(frame)
    latencies = []
    started = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        predict(frame)
        latencies.append(time.perf_counter() - t)
    return Measure("pyfunc in process", records, n, time.perf_counter() - started, latencies)


async def _http(url: str, body: list[dict[str, object]], n: int, clients: int) -> Measure:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        for _ in range(20):
            (await http.post("/predict", json=body)).raise_for_status()
        latencies: list[float] = []
        per_client = n // clients

        async def client() -> None:
            for _ in range(per_client):
                t = time.perf_counter()
                response = await http.post("/predict", json=body)
                latencies.append(time.perf_counter() - t)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        seconds = time.perf_counter() - started
    label = f"HTTP /predict, {clients} client{'s' * (clients > 1)}"
    return Measure(label, len(body), per_client * clients, seconds, latencies)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _batches_metric(url: str) -> tuple[float, float]:
    text = httpx.get(f"{url}/metrics").text
    values = {}
    for line in text.splitlines():
        if line.startswith(("odp_serving_batch_records_sum", "odp_serving_batch_records_count")):
            name, value = line.split()
            values[name] = float(value)
    return values["odp_serving_batch_records_sum"], values["odp_serving_batch_records_count"]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="odp-bench-serving-") as tmp:
        folder = Path(tmp)
        config, version = _train(folder)
        incoming = pl.read_csv(ROOT / "examples" / "data" / "breast_cancer_incoming.csv")
        records = incoming.drop("patient_id").to_dicts()
        with mlflow_session(config) as mlflow:
            pyfunc = mlflow.pyfunc.load_model(f"models:/{MODEL}/{version}")
        schema = [c.name for c in pyfunc.metadata.get_input_schema().inputs]
        frames = {n: incoming.select(schema).head(n).to_pandas() for n in (1, 100)}

        port = _free_port()
        env = os.environ | {
            "ODP_STATE_DIR": str(folder / ".odp"),
            "ODP_MLFLOW_TRACKING_URI": config.tracking_uri,
            "ODP_MLFLOW_ARTIFACTS_URI": str(folder / "artifacts"),
            "ODP_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "odp",
                "models",
                "serve",
                f"{MODEL}:{version}",
                "--port",
                str(port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(1200):  # bounded: at most ~60 s to import MLflow and load
                try:
                    if httpx.get(f"{url}/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None:
                    raise SystemExit("the model server exited")
                time.sleep(0.05)
            results: dict[tuple[int, str], Measure] = {}
            batching: dict[int, float] = {}
            for size, n in ((1, 1000), (100, 400)):
                body = records[:size]
                results[size, "direct"] = _direct(pyfunc, frames[size], size, n)
                results[size, "http1"] = asyncio.run(_http(url, body, n, 1))
                before = _batches_metric(url)
                results[size, "httpN"] = asyncio.run(_http(url, body, n, CLIENTS))
                after = _batches_metric(url)
                batching[size] = (after[0] - before[0]) / max(after[1] - before[1], 1)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    print(f"{'case':<34}{'records':>8}{'req/s':>10}{'records/s':>12}{'p50 ms':>9}{'p99 ms':>9}")
    for size in (1, 100):
        for kind in ("direct", "http1", "httpN"):
            print(results[size, kind].row())
    print()
    for size in (1, 100):
        direct, one, many = (results[size, k] for k in ("direct", "http1", "httpN"))
        print(
            f"batch {size:>3}: HTTP/direct throughput {one.records_per_s / direct.records_per_s:.2f}x "
            f"(1 client), {many.records_per_s / direct.records_per_s:.2f}x ({CLIENTS} clients); "
            f"p50 latency {one.pct(0.5) / direct.pct(0.5):.1f}x direct; "
            f"{batching[size]:.1f} records per model call with {CLIENTS} clients"
        )
    print(f"(client and server on the same {os.cpu_count()}-core machine)")


if __name__ == "__main__":
    main()
