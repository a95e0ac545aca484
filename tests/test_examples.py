"""Every example pipeline validates and runs; every YAML block in the docs validates.

The run here calls each step's method in plan order, in this process, resolving
templates the way the engine does (outputs as JSON, secrets kept for the step); the
engine's own tests run pipelines on Temporal.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from odp.artifacts import ArtifactStore
from odp.catalog import Catalog, MethodContext
from odp.config import Settings
from odp.spec import (
    KEEP,
    Plan,
    Ref,
    compile_plan,
    lookup_path,
    render_text,
    resolve_templates,
    validate_file,
    validate_text,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DATA = ROOT / "examples" / "data"


def yaml_blocks() -> list[tuple[str, str]]:
    blocks = []
    for doc in DOCS:
        for i, block in enumerate(re.findall(r"```yaml\n(.*?)```", doc.read_text(), re.S)):
            blocks.append((f"{doc.name}#{i}", block))
    return blocks


@pytest.fixture(scope="module")
def example_registry(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A model registry holding the models the examples name (breast-cancer@champion)."""
    from tests.unit.ml.example_models import register_example_models

    return register_example_models(tmp_path_factory.mktemp("example-registry"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_validates(
    path: Path, catalog: Catalog, example_registry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODP_MLFLOW_TRACKING_URI", example_registry)
    result = validate_file(path, catalog)
    assert result.ok, render_text(result.diagnostics)
    assert result.warnings == [], render_text(result.diagnostics)


@pytest.mark.parametrize(("name", "block"), yaml_blocks(), ids=[n for n, _ in yaml_blocks()])
def test_docs_yaml_validates(
    name: str, block: str, catalog: Catalog, example_registry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODP_MLFLOW_TRACKING_URI", example_registry)
    result = validate_text(block, catalog, file=name)
    assert result.ok, render_text(result.diagnostics)


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 5
    assert yaml_blocks()


def test_example_data_is_small() -> None:
    assert sum(p.stat().st_size for p in DATA.iterdir()) < 200 * 1024


async def run_in_process(plan: Plan, catalog: Catalog, store: ArtifactStore) -> dict[str, Any]:
    """Run a plan's steps in order, as the engine's activities would."""
    outputs: dict[str, Any] = {}
    run = {"id": "run-1", "pipeline": plan.pipeline, "workspace": "default"}
    run |= {"started_at": "2026-03-01T00:00:00+00:00", "date": "2026-03-01"}

    def resolve(ref: Ref) -> Any:
        if ref.root == "secrets":
            return KEEP
        source = {"params": plan.params, "run": run}.get(ref.root, outputs.get(ref.root))
        return lookup_path(source, ref.path, label=ref.root)

    for step in plan.steps:
        spec = catalog.get(step.method)
        params = spec.params_model.model_validate(resolve_templates(step.params, resolve))
        ctx = MethodContext(
            run_id=run["id"],
            step=step.name,
            method_id=spec.id,
            store=store,
            settings=Settings(),
            materialize=step.materialize,  # a step feeding one other may hand on a view
        )
        output = await spec.impl(params, ctx)
        outputs[step.name] = output.model_dump(mode="json")
    return outputs


@pytest.mark.integration
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
async def test_example_runs(
    path: Path,
    catalog: Catalog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stubs_url: str,
    example_registry: str,
) -> None:
    # sources that reach the crawler API or the web read from the stand-ins
    monkeypatch.setenv("ODP_CRAWLER_API_URL", stubs_url)
    # the model examples train into and score from the examples' registry
    monkeypatch.setenv("ODP_MLFLOW_TRACKING_URI", example_registry)
    # the examples name their files relative to the repository; outputs go to out/
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "data").symlink_to(DATA)
    monkeypatch.chdir(tmp_path)
    plan = compile_plan(validate_file(path, catalog), catalog)
    store = ArtifactStore(tmp_path / "artifacts")
    outputs = await run_in_process(plan, catalog, store)
    sinks = [s for s in plan.steps if s.section.value == "sinks"]
    assert sinks
    for sink in sinks:
        written = outputs[sink.name]
        if sink.method == "ml.model.promote":  # its effect is an alias in the registry
            assert written["reason"]
            continue
        assert written["rows_written"] > 0
        assert Path(written["path"]).exists()  # relative to the working folder, tmp_path


@pytest.mark.integration
async def test_the_join_example_computes_profit_per_department(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "data").symlink_to(DATA)
    monkeypatch.chdir(tmp_path)
    plan = compile_plan(
        validate_file(ROOT / "examples" / "profit-by-department.yaml", catalog), catalog
    )
    await run_in_process(plan, catalog, ArtifactStore(tmp_path / "artifacts"))
    result = pl.read_parquet(tmp_path / "out" / "profit_by_department.parquet")
    orders = pl.read_csv(DATA / "orders.csv").filter(pl.col("status") == "delivered")
    assert result.columns == ["department", "orders", "revenue", "profit"]
    assert result["orders"].sum() == orders.height
    assert result["profit"].to_list() == sorted(result["profit"].to_list(), reverse=True)


@pytest.mark.integration
async def test_typed_params_keep_their_types_when_the_example_runs(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "data").symlink_to(DATA)
    monkeypatch.chdir(tmp_path)
    result = validate_file(
        ROOT / "examples" / "typed-params.yaml",
        catalog,
        params={
            "region": "south",
            "min_quantity": "3",
            "header": "no",
            "columns": "order_id,quantity,region,unit_price",
        },
    )
    assert result.ok, render_text(result.diagnostics)
    plan = compile_plan(result, catalog)
    await run_in_process(plan, catalog, ArtifactStore(tmp_path / "artifacts"))
    written = (tmp_path / "out" / "orders_south.csv").read_text().splitlines()
    rows = [line.split(",") for line in written]
    assert rows
    assert all(len(r) == 4 for r in rows)  # the list param chose the columns
    assert not written[0].startswith("order_id")  # the boolean param dropped the header
    assert all(r[2] == "south" and int(r[1]) >= 3 and float(r[3]) >= 20.0 for r in rows)
