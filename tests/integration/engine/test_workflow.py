"""PipelineWorkflow against a real Temporal dev server."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import pytest
from temporalio.client import Client

from odp.catalog import Catalog
from odp.engine import EngineClient, PipelineResult, RunState, StepStatus
from odp.errors import RunCancelledError, RunNotFoundError, StepFailedError
from tests.fixtures.temporal import RunPipeline, WorkerFactory, compile_source

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


async def test_quickstart_runs_end_to_end(run_pipeline: RunPipeline, tmp_path: Path) -> None:
    out = tmp_path / "revenue.csv"
    result = await run_pipeline(ROOT / "examples" / "quickstart.yaml", params={"out": str(out)})
    assert result.state is RunState.COMPLETED
    assert [s.status for s in result.steps] == [StepStatus.COMPLETED] * 4
    assert result.outputs["orders"]["count"] == 500
    assert result.outputs["save"]["rows_written"] == 6
    lines = out.read_text().splitlines()
    assert lines[0] == "category,orders,revenue"
    assert len(lines) == 7


async def test_dag_order_and_concurrency(run_pipeline: RunPipeline, tmp_path: Path) -> None:
    barrier = tmp_path / "barrier"
    result = await run_pipeline(
        f"""
name: diamond
sources:
  - {{name: a, method: test.values.make, params: {{n: 3}}}}
transforms:
  - name: b
    method: test.barrier.wait
    params: {{dir: "{barrier}/{{{{ a.n }}}}", peers: [b, c]}}
  - name: c
    method: test.barrier.wait
    params: {{dir: "{barrier}/{{{{ a.n }}}}", peers: [b, c]}}
  - name: d
    method: test.echo.value
    params: {{value: ["{{{{ b.met }}}}", "{{{{ c.met }}}}"]}}
"""
    )
    # b and c only finish if they ran at the same time (each waits for the other)
    assert result.outputs["d"]["value"] == [["b", "c"], ["b", "c"]]
    states = {s.name: s for s in result.steps}
    assert states["b"].started_at is not None and states["a"].finished_at is not None
    assert states["b"].started_at >= states["a"].finished_at
    assert states["d"].started_at is not None
    assert states["d"].started_at >= max(states["b"].finished_at, states["c"].finished_at)  # type: ignore[type-var]


async def test_templates_keep_types_and_interpolate(run_pipeline: RunPipeline) -> None:
    result = await run_pipeline(
        """
name: templates
params: {label: hello}
sources:
  - {name: a, method: test.values.make, params: {n: 4}}
transforms:
  - name: b
    method: test.values.check
    params:
      n: "{{ a.n }}"
      label: "{{ params.label }} {{ a.text }} in {{ run.pipeline }} #{{ a.items.2 }}"
      items: "{{ a.items }}"
"""
    )
    assert result.outputs["b"]["summary"] == "int:4|hello n is 4 in templates #2|[0, 1, 2, 3]"


async def test_retries_until_success(run_pipeline: RunPipeline, tmp_path: Path) -> None:
    counter = tmp_path / "count"
    result = await run_pipeline(
        f"""
name: flaky
transforms:
  - name: f
    method: test.flaky.run
    params: {{failures: 2, counter: "{counter}"}}
    retry: {{max_attempts: 5, initial_interval: 50ms, backoff: 1.0}}
"""
    )
    state = result.steps[0]
    assert state.attempt == 3
    assert result.outputs["f"] == {"attempts": 3, "ctx_attempt": 3}


async def test_non_retryable_error_fails_the_run(
    engine: EngineClient, worker: WorkerFactory, engine_catalog: Catalog, tmp_path: Path
) -> None:
    counter = tmp_path / "count"
    marker = tmp_path / "markers"
    plan = compile_source(
        f"""
name: failing
sources:
  - {{name: a, method: test.values.make, params: {{n: 1}}}}
transforms:
  - name: slow
    method: test.sleep.run
    params: {{seconds: 60, marker_dir: "{marker}"}}
  - name: bad
    method: test.fail.run
    params: {{message: "the input is wrong", counter: "{counter}"}}
    depends_on: [slow_started]
  - name: slow_started
    method: test.barrier.wait
    params: {{dir: "{marker}", peers: [started-slow-1]}}
    depends_on: [a]
  - name: after
    method: test.echo.value
    params: {{value: "{{{{ bad.value }}}}"}}
""",
        engine_catalog,
    )
    async with worker():
        run_id = await engine.submit(plan)
        with pytest.raises(StepFailedError) as info:
            await engine.result(run_id)
    error = info.value
    assert (error.step, error.method_id, error.attempts) == ("bad", "test.fail.run", 1)
    assert error.error == "the input is wrong"
    assert error.hint == "fix the input"
    assert counter.read_text() == "1"  # permanent: not retried
    progress = await engine.progress(run_id)
    assert progress.state is RunState.FAILED
    statuses = {s.name: s.status for s in progress.steps}
    assert statuses == {
        "a": StepStatus.COMPLETED,
        "slow": StepStatus.CANCELLED,
        "slow_started": StepStatus.COMPLETED,
        "bad": StepStatus.FAILED,
        "after": StepStatus.SKIPPED,
    }
    assert (marker / "cancelled-slow").exists()


async def test_unexpected_errors_are_retried(run_pipeline: RunPipeline, tmp_path: Path) -> None:
    counter = tmp_path / "count"
    with pytest.raises(StepFailedError) as info:
        await run_pipeline(
            f"""
name: boom
transforms:
  - name: b
    method: test.fail.run
    params: {{message: boom, unexpected: true, counter: "{counter}"}}
    retry: {{max_attempts: 2, initial_interval: 10ms}}
"""
        )
    assert info.value.attempts == 2
    assert info.value.error_type == "RuntimeError"
    assert counter.read_text() == "2"


async def test_timeout(run_pipeline: RunPipeline) -> None:
    with pytest.raises(StepFailedError) as info:
        await run_pipeline(
            """
name: slow
transforms:
  - name: s
    method: test.sleep.run
    params: {seconds: 30}
    timeout: 1s
    retry: {max_attempts: 1}
"""
        )
    assert info.value.error_type == "Timeout"
    assert "did not finish within its timeout" in info.value.error


async def test_cancellation_stops_running_steps(
    engine: EngineClient, worker: WorkerFactory, engine_catalog: Catalog, tmp_path: Path
) -> None:
    marker = tmp_path / "markers"
    plan = compile_source(
        f"""
name: cancel-me
transforms:
  - name: s
    method: test.sleep.run
    params: {{seconds: 120, marker_dir: "{marker}"}}
  - name: after
    method: test.echo.value
    params: {{value: "{{{{ s.slept }}}}"}}
""",
        engine_catalog,
    )
    async with worker():
        run_id = await engine.submit(plan)
        for _ in range(200):
            if (marker / "started-s-1").exists():
                break
            await asyncio.sleep(0.05)
        await engine.cancel(run_id)
        with pytest.raises(RunCancelledError):
            await engine.result(run_id)
        assert (marker / "cancelled-s").exists()
        info = await engine.describe(run_id)
        assert info.state is RunState.CANCELLED
        progress = await engine.progress(run_id)
    assert {s.name: s.status for s in progress.steps} == {
        "s": StepStatus.CANCELLED,
        "after": StepStatus.CANCELLED,
    }


async def test_cancellation_keeps_finished_steps_and_cancels_the_rest(
    engine: EngineClient, worker: WorkerFactory, engine_catalog: Catalog, tmp_path: Path
) -> None:
    marker = tmp_path / "markers"
    plan = compile_source(
        f"""
name: cancel-midway
sources:
  - {{name: a, method: test.values.make, params: {{n: 2}}}}
transforms:
  - name: s
    method: test.sleep.run
    params: {{seconds: 120, marker_dir: "{marker}/{{{{ a.n }}}}"}}
  - name: after
    method: test.echo.value
    params: {{value: "{{{{ s.slept }}}}"}}
""",
        engine_catalog,
    )
    async with worker():
        run_id = await engine.submit(plan)
        for _ in range(200):
            if (marker / "2" / "started-s-1").exists():
                break
            await asyncio.sleep(0.05)
        await engine.cancel(run_id)
        with pytest.raises(RunCancelledError):
            await engine.result(run_id)
        progress = await engine.progress(run_id)
    assert progress.state is RunState.CANCELLED
    states = {s.name: s for s in progress.steps}
    # the step that finished before the cancellation keeps its outcome and output
    assert states["a"].status is StepStatus.COMPLETED
    assert states["a"].output == {"n": 2, "text": "n is 2", "items": [0, 1]}
    assert states["s"].status is StepStatus.CANCELLED
    assert states["s"].finished_at is not None
    assert states["after"].status is StepStatus.CANCELLED
    assert states["after"].started_at is None


async def test_cache_hits_and_opt_outs(run_pipeline: RunPipeline, tmp_path: Path) -> None:
    counter = tmp_path / "count"
    text = f"""
name: cached
sources:
  - {{name: rows, method: test.rows.make, params: {{n: 5, counter: "{counter}"}}}}
  - {{name: fresh, method: test.rows.make, params: {{n: 2}}, cache: false}}
transforms:
  - name: big
    method: data.rows.filter
    params: {{data: "{{{{ rows.data }}}}", where: "i > 1"}}
sinks:
  - name: save
    method: file.csv.write
    params: {{data: "{{{{ big.data }}}}", path: "{tmp_path}/out.csv"}}
"""
    first = await run_pipeline(text)
    assert counter.read_text() == "1"
    assert not any(s.cache_hit for s in first.steps)

    second = await run_pipeline(text)
    statuses = {s.name: s.status for s in second.steps}
    assert statuses == {
        "rows": StepStatus.CACHED,
        "fresh": StepStatus.COMPLETED,
        "big": StepStatus.CACHED,
        "save": StepStatus.COMPLETED,  # sinks always run
    }
    assert counter.read_text() == "1"
    assert second.outputs["big"] == first.outputs["big"]

    third = await run_pipeline(text, no_cache=True)
    assert not any(s.cache_hit for s in third.steps)
    assert counter.read_text() == "2"

    changed = await run_pipeline(text.replace("n: 5", "n: 6"))
    assert not changed.steps[0].cache_hit


async def test_history_size_guard(run_pipeline: RunPipeline) -> None:
    with pytest.raises(StepFailedError) as info:
        await run_pipeline(
            """
name: big
transforms:
  - {name: huge, method: test.big.run, params: {kib: 300}}
"""
        )
    assert info.value.error_type == "OutputTooLarge"
    assert "step 'huge' returned 300 KiB" in info.value.error
    assert info.value.attempts == 1


async def test_secrets_never_reach_history(
    run_pipeline: RunPipeline,
    temporal_client: Client,
    monkeypatch: pytest.MonkeyPatch,
    engine: EngineClient,
    worker: WorkerFactory,
    engine_catalog: Catalog,
) -> None:
    canary = "canary-7f3a9c1e5b"
    monkeypatch.setenv("ODP_TEST_CANARY", canary)
    text = """
name: secret
transforms:
  - name: use
    method: test.secret.use
    params: {token: "{{ secrets.ODP_TEST_CANARY }}", url: "https://x/?k={{ secrets.ODP_TEST_CANARY }}"}
"""
    plan = compile_source(text, engine_catalog)
    async with worker():
        run_id = await engine.submit(plan)
        result = await engine.result(run_id)
        assert result.outputs["use"]["sha256"] == hashlib.sha256(canary.encode()).hexdigest()
        assert result.outputs["use"]["where"] == "https://x/?k=***"  # masked in the output
        failing = compile_source(text.replace("url:", "fail: true, url:"), engine_catalog)
        failed_id = await engine.submit(failing)
        with pytest.raises(StepFailedError) as info:
            await engine.result(failed_id)
    assert canary not in info.value.error
    assert "***" in info.value.error
    for rid in (run_id, failed_id):
        history = await temporal_client.get_workflow_handle(rid).fetch_history()
        assert canary not in json.dumps(history.to_json_dict())


async def test_a_value_holding_a_secret_template_does_not_reveal_the_secret(
    run_pipeline: RunPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a --param (or a step's output) that holds the text of a secret's template stays text
    monkeypatch.setenv("ODP_TEST_CANARY", "canary-7f3a9c1e5b")
    result = await run_pipeline(
        """
name: injection
params: {q: x}
transforms:
  - {name: whole, method: test.echo.value, params: {value: "{{ params.q }}"}}
  - {name: text, method: test.echo.value, params: {value: "q={{ params.q }}"}}
""",
        params={"q": "{{ secrets.ODP_TEST_CANARY }}"},
    )
    assert result.outputs["whole"]["value"] == "{{ secrets.ODP_TEST_CANARY }}"
    assert result.outputs["text"]["value"] == "q={{ secrets.ODP_TEST_CANARY }}"


async def test_missing_secret_is_a_clear_permanent_error(run_pipeline: RunPipeline) -> None:
    with pytest.raises(StepFailedError) as info:
        await run_pipeline(
            """
name: nosecret
transforms:
  - {name: use, method: test.secret.use, params: {token: "{{ secrets.ODP_NOT_SET_ANYWHERE }}"}}
"""
        )
    assert "secret 'ODP_NOT_SET_ANYWHERE' is not set" in info.value.error
    assert info.value.attempts == 1


async def test_queue_routing(
    engine: EngineClient, worker: WorkerFactory, engine_catalog: Catalog, catalog: Catalog
) -> None:
    gpu_queue = f"{engine.task_queue}-gpu"
    plan = compile_source(
        f"""
name: routed
sources:
  - {{name: a, method: test.values.make, params: {{n: 2}}}}
transforms:
  - {{name: g, method: test.echo.value, params: {{value: "{{{{ a.n }}}}"}}, queue: "{gpu_queue}"}}
""",
        engine_catalog,
    )
    # the default worker cannot run test.* methods except on the GPU queue's worker:
    # if routing were wrong, the step would fail with UnknownMethod
    only_make = Catalog(catalog)
    only_make.register(engine_catalog.get("test.values.make"))
    async with worker(catalog=only_make), worker(queues=(gpu_queue,), workflows=False):
        run_id = await engine.submit(plan)
        result = await engine.result(run_id)
    assert result.outputs["g"] == {"value": 2}
    assert result.steps[1].queue == gpu_queue


async def test_listing_and_workspaces(
    engine: EngineClient, worker: WorkerFactory, engine_catalog: Catalog
) -> None:
    plan = compile_source(
        """
name: listed-pipeline
sources:
  - {name: a, method: test.values.make, params: {n: 1}}
""",
        engine_catalog,
    )
    async with worker():
        mine = await engine.submit(plan, workspace="team-a")
        other = await engine.submit(plan, workspace="team-b")
        await engine.result(mine)
        await engine.result(other)
    assert (await engine.describe(mine, workspace="team-a")).state is RunState.COMPLETED
    with pytest.raises(RunNotFoundError):
        await engine.describe(mine, workspace="team-b")
    with pytest.raises(RunNotFoundError):
        await engine.describe("no-such-run")
    with pytest.raises(RunNotFoundError):  # another workspace's run, even a finished one
        await engine.result(mine, workspace="team-b")
    with pytest.raises(RunNotFoundError):
        await engine.result("no-such-run")
    assert (await engine.result(mine, workspace="team-a")).state is RunState.COMPLETED
    for _ in range(100):  # visibility is eventually consistent
        listed = await engine.list_runs(workspace="team-a", pipeline="listed-pipeline")
        if any(r.run_id == mine for r in listed):
            break
        await asyncio.sleep(0.1)
    assert [r.run_id for r in listed] == [mine]
    assert listed[0].state is RunState.COMPLETED
    assert listed[0].duration_s is not None
    completed = await engine.list_runs(workspace="team-b", state=RunState.COMPLETED)
    assert [r.run_id for r in completed] == [other]
    assert await engine.count_runs() >= 2


async def test_a_lookup_that_fails_at_run_time_fails_its_step(run_pipeline: RunPipeline) -> None:
    with pytest.raises(StepFailedError) as info:
        await run_pipeline(
            """
name: empty-lookup
sources:
  - {name: a, method: test.echo.value, params: {value: null}}
transforms:
  - {name: b, method: test.echo.value, params: {value: "{{ a.value.inner }}"}}
  - {name: c, method: test.echo.value, params: {value: "{{ b.value }}"}}
"""
        )
    assert (info.value.step, info.value.error_type) == ("b", "TemplateError")
    assert "a.value is empty" in info.value.error
    result = info.value.result
    assert result is not None
    assert [s.status for s in result.steps] == [  # type: ignore[attr-defined]
        StepStatus.COMPLETED,
        StepStatus.FAILED,
        StepStatus.SKIPPED,
    ]


async def test_methods_may_heartbeat_from_threads(run_pipeline: RunPipeline) -> None:
    result = await run_pipeline(
        """
name: thread-beats
transforms:
  - {name: t, method: test.thread.beat, params: {beats: 5}}
"""
    )
    assert result.steps[0].status is StepStatus.COMPLETED


async def test_two_parallel_steps_that_both_fail_report_the_first(
    run_pipeline: RunPipeline,
) -> None:
    # b and c become ready together (when a finishes) and both fail as they start
    with pytest.raises(StepFailedError) as info:
        await run_pipeline(
            """
name: both-fail
sources:
  - {name: a, method: test.echo.value, params: {value: null}}
transforms:
  - {name: b, method: test.echo.value, params: {value: "{{ a.value.first }}"}}
  - {name: c, method: test.echo.value, params: {value: "{{ a.value.second }}"}}
  - {name: d, method: test.echo.value, params: {value: ["{{ b.value }}", "{{ c.value }}"]}}
"""
        )
    # the run reports the first failure in plan order; the second is kept on its step
    assert (info.value.step, info.value.error_type) == ("b", "TemplateError")
    result = info.value.result
    assert isinstance(result, PipelineResult)
    states = {s.name: s for s in result.steps}
    assert [states[n].status for n in "abcd"] == [
        StepStatus.COMPLETED,
        StepStatus.FAILED,
        StepStatus.FAILED,
        StepStatus.SKIPPED,
    ]
    assert result.error is not None and result.error.step == "b"
    assert states["c"].error is not None and states["c"].error.step == "c"
    assert "a.value is empty" in states["c"].error.message
