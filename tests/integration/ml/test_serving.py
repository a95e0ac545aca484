"""The model server over real HTTP: predictions, signature checks, metrics, reload on alias moves."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from odp.artifacts import ArtifactStore, DatasetRef
from odp.config import Settings
from odp.methods.ml_models import TrainOutput, TrainParams, train
from odp.ml import ModelRegistry, tracking_config
from odp.ml.serving import create_serving_app
from tests.integration.ml.conftest import serve
from tests.unit.ml.conftest import make_ctx
from tests.unit.ml.datasets import churn_frame

pytestmark = pytest.mark.integration

RECORDS = churn_frame(30, seed=9).drop("churned", "customer_id").to_dicts()


async def _train(
    store: ArtifactStore, settings: Settings, data: DatasetRef, name: str, estimator: str
) -> TrainOutput:
    return await train(
        TrainParams(
            data=data,
            target="churned",
            model_name=name,
            estimator=estimator,
            features=["tenure", "monthly_charges", "support_calls", "plan"],
        ),
        make_ctx(store, settings),
    )


async def _wait_ready(http: httpx.AsyncClient) -> None:
    for _ in range(600):  # bounded: at most ~30 s for the model to load
        if (await http.get("/ready")).status_code == 200:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the model server never became ready")


async def test_predict_validate_and_describe(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    trained = await _train(store, settings, churn, model_name, "logistic_regression")
    app = create_serving_app(settings, f"{model_name}:{trained.version}")
    with serve(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            assert (await http.get("/health")).json() == {"status": "ok"}
            await _wait_ready(http)

            one = await http.post("/predict", json=RECORDS[:1])
            assert one.status_code == 200
            body = one.json()
            assert body["model"] == {"name": model_name, "version": trained.version}
            assert body["predictions"][0] in ("yes", "no")
            assert set(body["probabilities"][0]) == {"no", "yes"}
            assert sum(body["probabilities"][0].values()) == pytest.approx(1.0)

            many = await http.post("/predict", json={"records": RECORDS})
            assert many.status_code == 200
            assert len(many.json()["predictions"]) == 30

            # nulls are imputed; unknown keys and categories are ignored
            odd = dict(RECORDS[0], monthly_charges=None, plan="platinum", extra="x")
            assert (await http.post("/predict", json=[odd])).status_code == 200

            meta = (await http.get("/metadata")).json()
            assert meta["name"] == model_name and meta["version"] == trained.version
            assert meta["task"] == "classification" and meta["target"] == "churned"
            assert meta["metrics"] == trained.metrics
            inputs = {c["name"]: c["type"] for c in meta["signature"]["inputs"]}
            assert inputs == {
                "tenure": "double",
                "monthly_charges": "double",
                "support_calls": "double",
                "plan": "string",
            }

            bad = await http.post(
                "/predict",
                json=[
                    RECORDS[0],
                    {"tenure": "long", "plan": 3, "monthly_charges": 1, "support_calls": 0},
                ],
            )
            assert bad.status_code == 422
            problems = bad.json()["problems"]
            assert {
                "record": 1,
                "field": "tenure",
                "problem": "expected a number or null, got 'long'",
            } in problems
            assert {
                "record": 1,
                "field": "plan",
                "problem": "expected a string or null, got 3",
            } in problems

            missing = await http.post("/predict", json=[{"tenure": 3}])
            assert missing.status_code == 422
            fields = {p["field"] for p in missing.json()["problems"]}
            assert fields == {"monthly_charges", "support_calls", "plan"}

            for content in (b"not json", b"[]", b'{"rows": []}', b"42"):
                response = await http.post("/predict", content=content)
                assert response.status_code == 422, content
                assert response.json()["error"]

            metrics = (await http.get("/metrics")).text
            assert 'odp_serving_requests_total{endpoint="/predict",status="200"} 3.0' in metrics
            assert 'odp_serving_errors_total{kind="invalid_input"} 6.0' in metrics
            assert (
                f'odp_serving_model_version{{model="{model_name}"}} {float(trained.version)}'
                in metrics
            )
            assert "odp_serving_request_seconds_bucket" in metrics
            assert "odp_serving_records_total 32.0" in metrics


async def test_concurrent_requests_are_batched(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    trained = await _train(store, settings, churn, model_name, "random_forest")
    app = create_serving_app(settings, trained.model_uri)
    with serve(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            await _wait_ready(http)
            answers = await asyncio.gather(
                *(http.post("/predict", json=[r]) for r in RECORDS for _ in range(4))
            )
            assert all(a.status_code == 200 for a in answers)
            # each answer is that record's own prediction, whatever batch it went in
            alone = (await http.post("/predict", json=RECORDS)).json()["predictions"]
            together = [a.json()["predictions"][0] for a in answers]
            assert together == [p for p in alone for _ in range(4)]
            metrics = (await http.get("/metrics")).text
            calls = next(
                float(line.split()[-1])
                for line in metrics.splitlines()
                if line.startswith("odp_serving_batch_records_count")
            )
            assert calls < len(answers) + 1  # some requests shared a model call


async def test_the_server_follows_the_alias_without_dropping_requests(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    v1 = await _train(store, settings, churn, model_name, "logistic_regression")
    v2 = await _train(store, settings, churn, model_name, "random_forest")
    registry = ModelRegistry(tracking_config(settings))
    registry.set_alias(model_name, "champion", v1.version)

    app = create_serving_app(settings, f"{model_name}@champion", poll_interval=0.1)
    with serve(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            await _wait_ready(http)
            seen: list[list[int]] = [[] for _ in range(4)]
            statuses: list[int] = []
            moved = asyncio.Event()

            async def sender(i: int) -> None:
                for n in range(3000):  # bounded; ends as soon as it has seen the new version
                    response = await http.post("/predict", json=RECORDS[n % 30 : n % 30 + 3])
                    statuses.append(response.status_code)
                    if response.status_code == 200:
                        seen[i].append(response.json()["model"]["version"])
                    if moved.is_set() and len(seen[i]) > 5 and seen[i][-5:] == [v2.version] * 5:
                        return

            async def mover() -> None:
                for _ in range(1500):  # let traffic flow on version 1 first (bounded)
                    if sum(map(len, seen)) >= 40:
                        break
                    await asyncio.sleep(0.02)
                await asyncio.to_thread(registry.set_alias, model_name, "champion", v2.version)
                moved.set()

            await asyncio.gather(mover(), *(sender(i) for i in range(4)))

            assert statuses and set(statuses) == {200}  # no request failed during the reload
            for versions in seen:
                assert versions[0] == v1.version and versions[-1] == v2.version
                switch = versions.index(v2.version)
                assert set(versions[switch:]) == {v2.version}  # never back to the old model
            meta = (await http.get("/metadata")).json()
            assert meta["version"] == v2.version and meta["alias"] == "champion"
            assert (
                'odp_serving_reloads_total{outcome="ok"} 1.0' in (await http.get("/metrics")).text
            )


async def test_not_ready_until_the_alias_exists(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    trained = await _train(store, settings, churn, model_name, "logistic_regression")
    app = create_serving_app(settings, f"{model_name}@staging", poll_interval=0.1)
    with serve(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            assert (await http.get("/health")).status_code == 200
            not_ready = await http.get("/ready")
            assert not_ready.status_code == 503
            assert "no alias 'staging'" in (not_ready.json()["error"] or "")
            refused = await http.post("/predict", json=RECORDS[:1])
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "1"
            assert (await http.get("/metadata")).status_code == 503

            ModelRegistry(tracking_config(settings)).set_alias(
                model_name, "staging", trained.version
            )
            await _wait_ready(http)
            assert (await http.post("/predict", json=RECORDS[:1])).status_code == 200


async def test_a_model_without_a_signature_is_served_as_is(
    settings: Settings, model_name: str
) -> None:
    from tests.unit.ml.foreign import register_doubler

    version = register_doubler(settings, model_name)
    with serve(create_serving_app(settings, f"{model_name}:{version}")) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            await _wait_ready(http)
            answer = await http.post("/predict", json={"records": [{"x": 2}, {"x": 4}]})
            assert answer.status_code == 200
            assert answer.json()["predictions"] == [4, 8]
            assert "probabilities" not in answer.json()
            assert (await http.get("/metadata")).json()["signature"] == {}
            for bad in (b"nope", b"[]", b"[1]"):
                assert (await http.post("/predict", content=bad)).status_code == 422
