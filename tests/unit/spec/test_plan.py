from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from odp.catalog import Catalog, MethodKind
from odp.spec import PipelineInvalid, Section, compile_plan, validate_data, validate_text

PIPELINE = textwrap.dedent(
    """\
    name: plan-test
    params: {limit: 5}
    sources:
      - name: read
        method: file.csv.read
        params: {path: in.csv}
        retry: {max_attempts: 5, initial_interval: 2s}
        timeout: 90s
        queue: io
        cache: false
    sinks:
      - name: save
        method: file.csv.write
        params: {data: "{{ pick.data }}", path: "out-{{ params.limit }}.csv"}
    transforms:
      - name: pick
        method: data.sql.query
        params: {inputs: {t: "{{ read.data }}"}, query: "SELECT * FROM t LIMIT {{ params.limit }}"}
    """
)


def test_steps_come_in_dependency_order_with_settings_resolved(catalog: Catalog) -> None:
    plan = compile_plan(validate_text(PIPELINE, catalog), catalog)
    assert [s.name for s in plan.steps] == ["read", "pick", "save"]
    read, pick, save = plan.steps
    # the step's own settings win
    assert (read.retry.max_attempts, read.retry.initial_interval) == (5, dt.timedelta(seconds=2))
    assert (read.timeout, read.queue, read.cache) == (dt.timedelta(seconds=90), "io", False)
    assert (read.kind, read.section) == (MethodKind.SOURCE, Section.SOURCES)
    # otherwise the method's defaults
    spec = catalog.get("data.sql.query")
    assert pick.retry.max_attempts == spec.retry.max_attempts
    assert (pick.timeout, pick.queue) == (spec.timeout, spec.queue)
    assert pick.method_version == spec.version
    # params keep their templates for the engine to resolve
    assert save.params["data"] == "{{ pick.data }}"
    assert plan.params == {"limit": 5}
    assert plan.dependents("read") == ["pick"]
    # a step with one consumer may hand on a lazy view; the last one is written out
    assert [s.materialize for s in plan.steps] == [False, False, True]
    assert plan.dependents("save") == []


def test_the_source_is_fingerprinted_only_when_there_is_one(catalog: Catalog) -> None:
    from_text = compile_plan(validate_text(PIPELINE, catalog), catalog)
    assert from_text.source_sha256 is not None
    assert len(from_text.source_sha256) == 64
    from_data = compile_plan(
        validate_data(
            {
                "name": "abc",
                "sources": [{"name": "a", "method": "file.csv.read", "params": {"path": "x"}}],
            },
            catalog,
        ),
        catalog,
    )
    assert from_data.source_sha256 is None


def test_an_unknown_step_is_a_key_error(catalog: Catalog) -> None:
    plan = compile_plan(validate_text(PIPELINE, catalog), catalog)
    with pytest.raises(KeyError):
        plan.step("nope")


def test_an_invalid_pipeline_does_not_compile(catalog: Catalog) -> None:
    result = validate_text("name: x\n", catalog, file="p.yaml")
    with pytest.raises(PipelineInvalid) as info:
        compile_plan(result, catalog)
    assert info.value.diagnostics == result.diagnostics
    assert "p.yaml:1:7" in info.value.message
