"""Model references, the fast registry lookup, and registry checks at validation time."""

from __future__ import annotations

import socket

import pytest

from odp.artifacts import ArtifactStore, DatasetRef
from odp.catalog import Catalog
from odp.config import Settings
from odp.errors import ModelError, ModelNotFoundError, RegistryUnavailableError
from odp.methods.ml_models import TrainParams, train
from odp.ml import (
    ModelRef,
    ModelRegistry,
    check_ref,
    parse_model_ref,
    read_registry,
    tracking_config,
)
from odp.ml.tracking import TrackingConfig, sqlite_path
from odp.spec import Severity, validate_text
from tests.unit.ml.conftest import make_ctx


@pytest.mark.parametrize(
    ("text", "extra", "expected"),
    [
        ("churn", {}, ModelRef("churn")),
        ("churn@champion", {}, ModelRef("churn", alias="champion")),
        ("churn:3", {}, ModelRef("churn", version=3)),
        ("churn/3", {}, ModelRef("churn", version=3)),
        ("models:/churn/3", {}, ModelRef("churn", version=3)),
        ("models:/churn@staging", {}, ModelRef("churn", alias="staging")),
        ("churn", {"version": "2"}, ModelRef("churn", version=2)),
        ("churn", {"alias": "champion"}, ModelRef("churn", alias="champion")),
        ("churn:2", {"version": 2}, ModelRef("churn", version=2)),
    ],
)
def test_model_references(text: str, extra: dict[str, object], expected: ModelRef) -> None:
    ref = parse_model_ref(text, **extra)  # type: ignore[arg-type]
    assert ref == expected
    assert parse_model_ref(str(ref)) == ref
    assert parse_model_ref(ref.uri.replace("/latest", "")) == ref


@pytest.mark.parametrize(
    ("text", "extra", "words"),
    [
        ("", {}, "is not a model reference"),
        ("churn:x", {}, "is not a model version"),
        ("churn:0", {}, "is not a model version"),
        ("churn@1st", {}, "is not an alias"),
        ("churn@champion", {"version": 2}, "more than one version or alias"),
        ("churn:1", {"version": 2}, "more than one version or alias"),
        ("bad name", {}, "is not a model reference"),
    ],
)
def test_bad_model_references(text: str, extra: dict[str, object], words: str) -> None:
    with pytest.raises(ModelError, match=words):
        parse_model_ref(text, **extra)  # type: ignore[arg-type]


def test_sqlite_paths() -> None:
    assert str(sqlite_path("sqlite:////abs/m.db")) == "/abs/m.db"
    assert str(sqlite_path("sqlite:///rel/m.db?timeout=5")) == "rel/m.db"
    assert sqlite_path("http://mlflow:5000") is None


def test_default_tracking_is_sqlite_under_the_state_folder(tmp_path: object) -> None:
    settings = Settings(
        state_dir=tmp_path / ".odp", mlflow_tracking_uri=None, mlflow_artifacts_uri=None
    )  # type: ignore[operator]
    config = tracking_config(settings)
    assert config.tracking_uri == f"sqlite:///{tmp_path}/.odp/mlflow/mlflow.db"
    assert config.registry_uri == config.tracking_uri
    assert config.artifacts_uri == f"{tmp_path}/.odp/mlflow/artifacts"
    remote = tracking_config(
        Settings(mlflow_tracking_uri="http://mlflow:5000", mlflow_artifacts_uri=None)
    )
    assert remote.artifacts_uri is None


def test_a_registry_file_that_does_not_exist_is_empty(tmp_path: object) -> None:
    config = TrackingConfig(
        f"sqlite:///{tmp_path}/none.db", f"sqlite:///{tmp_path}/none.db", None, "odp"
    )
    assert read_registry(config) == {}
    with pytest.raises(ModelNotFoundError, match="no model is registered yet"):
        check_ref({}, ModelRef("churn"))


def test_an_unreachable_registry_fails_fast() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uri = f"http://127.0.0.1:{port}"
    with pytest.raises(RegistryUnavailableError) as info:
        read_registry(TrackingConfig(uri, uri, None, "odp"), timeout=1.0)
    assert uri in str(info.value)
    assert "check ODP_MLFLOW_TRACKING_URI" in str(info.value)


async def test_the_lookup_sees_models_versions_and_aliases(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str
) -> None:
    out = await train(
        TrainParams(
            data=churn, target="churned", model_name=model_name, estimator="logistic_regression"
        ),
        make_ctx(store, settings),
    )
    registry = ModelRegistry(tracking_config(settings))
    registry.set_alias(model_name, "staging", out.version)
    entries = read_registry(tracking_config(settings))
    entry = entries[model_name]
    assert entry.versions == {1}
    assert entry.aliases == {"staging": 1}
    check_ref(entries, ModelRef(model_name, alias="staging"))
    with pytest.raises(ModelNotFoundError, match="its aliases: staging"):
        check_ref(entries, ModelRef(model_name, alias="champion"))
    with pytest.raises(ModelNotFoundError, match="its versions: 1"):
        check_ref(entries, ModelRef(model_name, version=4))


def _pipeline(model: str, extra: str = "") -> str:
    return f"""
name: scoring
sources:
  - name: rows
    method: file.csv.read
    params: {{path: in.csv}}
transforms:
  - name: scored
    method: ml.model.predict
    params:
      model: "{model}"
      data: "{{{{ rows.data }}}}"{extra}
sinks:
  - name: save
    method: file.csv.write
    params: {{data: "{{{{ scored.data }}}}", path: out.csv}}
"""


async def test_validation_refuses_a_model_that_is_not_registered(
    store: ArtifactStore, settings: Settings, churn: DatasetRef, model_name: str, catalog: Catalog
) -> None:
    await train(
        TrainParams(
            data=churn, target="churned", model_name=model_name, estimator="logistic_regression"
        ),
        make_ctx(store, settings),
    )
    assert validate_text(_pipeline(f"{model_name}:1"), catalog).ok

    result = validate_text(_pipeline("nobody-trained-this@champion"), catalog)
    assert not result.ok
    [diag] = result.errors
    assert diag.code == "unknown-model"
    assert diag.step == "scored"
    assert diag.field == "params.model"
    assert diag.line == 11
    assert "no registered model named 'nobody-trained-this'" in diag.message
    assert diag.hint is not None and model_name in diag.hint

    result = validate_text(_pipeline(model_name, "\n      alias: champion"), catalog)
    assert [d.code for d in result.errors] == ["unknown-model"]
    assert "has no alias 'champion'" in result.errors[0].message

    result = validate_text(_pipeline("bad ref!"), catalog)
    assert [d.code for d in result.errors] == ["invalid-model-ref"]

    templated = _pipeline("{{ params.model }}").replace(
        "name: scoring", "name: scoring\nparams:\n  model: {type: string}"
    )
    assert validate_text(templated, catalog, params={"model": "x"}).ok


def test_validation_only_warns_when_the_registry_is_unreachable(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("ODP_MLFLOW_REGISTRY_URI", f"http://127.0.0.1:{port}")
    result = validate_text(_pipeline("churn@champion"), catalog)
    assert result.ok
    [warning] = [d for d in result.diagnostics if d.code == "check-failed"]
    assert warning.severity is Severity.WARNING
    assert "cannot reach the model registry" in warning.message


def test_validation_checks_training_hyperparameters(catalog: Catalog) -> None:
    text = """
name: training
sources:
  - name: rows
    method: file.csv.read
    params: {path: in.csv}
transforms:
  - name: train
    method: ml.model.train
    params:
      data: "{{ rows.data }}"
      target: y
      estimator: gradient_boosting
      hyperparams: {n_estimators: 10, depth: 3}
      model_name: demo
"""
    result = validate_text(text, catalog)
    [error] = result.errors
    assert error.field == "params.hyperparams"
    assert "no hyperparameter 'depth'" in error.message
    assert error.hint is not None and "max_depth" in error.hint
    fixed = text.replace("depth: 3", "max_depth: 3")
    assert validate_text(fixed, catalog).ok
    wrong_task = fixed.replace("gradient_boosting", "ridge").replace(
        "{n_estimators: 10, max_depth: 3}", "{alpha: 2}"
    )
    assert (
        validate_text(wrong_task + "      task: classification\n", catalog)
        .errors[0]
        .message.endswith("ridge does not do classification")
    )
