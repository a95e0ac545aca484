"""The step activity's boundary, with Temporal's ActivityEnvironment (no server)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pydantic import BaseModel, Field
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from odp.catalog import Catalog, MethodContext, MethodKind, MethodOutput, MethodParams, method
from odp.config import Settings
from odp.engine.activities import StepActivities
from odp.engine.models import StepInput
from odp.errors import ArtifactNotFoundError, ConfigError, UpstreamError
from odp.methods.tabular import RowsOutput, rows_output
from odp.spec import KEEP, DeferredText, PlannedStep, RetryPolicy, Section, resolve_templates


class P(MethodParams):
    kind: str = Field(default="ok", description="What to do.")
    n: int = Field(default=1, description="A number.")


class O(MethodOutput):  # noqa: E742
    value: int = Field(description="A number.")


class Other(BaseModel):
    something: str


@method("t.boundary.run", kind=MethodKind.TRANSFORM, summary="Raise what is asked")
async def boundary(params: P, ctx: MethodContext) -> O:
    """Behave as told."""
    if params.kind == "upstream":
        raise UpstreamError("http://x", 503)
    if params.kind == "client4xx":
        raise UpstreamError("http://x", 404)
    if params.kind == "artifact":
        raise ArtifactNotFoundError("/gone.parquet")
    if params.kind == "config":
        raise ConfigError("misconfigured", hint="set X")
    if params.kind == "pydantic":
        Other.model_validate({})
    if params.kind == "wrong-output":
        return Other(something="x")  # type: ignore[return-value]
    if params.kind == "raw-dict":
        return {"value": params.n}  # type: ignore[return-value]
    return O(value=params.n)


@method("t.rows.make", kind=MethodKind.SOURCE, summary="Rows")
async def make_rows(params: P, ctx: MethodContext) -> RowsOutput:
    """n rows."""
    return rows_output(ctx.store, pl.DataFrame({"i": list(range(params.n))}))


@method(
    "t.needs.extra",
    kind=MethodKind.SOURCE,
    summary="Needs a missing module",
    requires=("no_such_module_xyz",),
)
async def needs_extra(params: P, ctx: MethodContext) -> O:
    """Unavailable."""
    return O(value=0)


class EchoParams(MethodParams):
    token: str = Field(description="A secret.")


class Nested(MethodOutput):
    text: str = Field(description="The token inside text.")
    items: list[str] = Field(description="The token inside a list.")
    nested: dict[str, list[str]] = Field(description="The token inside a mapping of lists.")
    length: int = Field(description="Not text: kept as it is.")


@method("t.careless.echo", kind=MethodKind.TRANSFORM, summary="Return the token everywhere")
async def careless(params: EchoParams, ctx: MethodContext) -> Nested:
    """A careless method that returns its secret in every shape of value."""
    token = params.token
    return Nested(
        text=f"key={token}",
        items=[token, "plain"],
        nested={"deep": [f"{token}/x"]},
        length=len(token),
    )


@pytest.fixture
def activities(tmp_path: Path) -> StepActivities:
    return StepActivities(
        Catalog([boundary, make_rows, needs_extra, careless]), Settings(state_dir=tmp_path)
    )


def step_input(
    method_id: str, params: dict[str, Any], *, use_cache: bool = False, name: str = "s"
) -> StepInput:
    # as the workflow does: secrets are kept, and where they are is recorded
    deferred: list[DeferredText] = []
    resolved = resolve_templates(
        params, lambda ref: KEEP if ref.root == "secrets" else ref.text, deferred=deferred
    )
    return StepInput(
        run_id="run-1",
        pipeline="p",
        workspace="default",
        step=PlannedStep(
            name=name,
            method=method_id,
            method_version="1",
            kind=MethodKind.TRANSFORM,
            section=Section.TRANSFORMS,
            params=params,
            retry=RetryPolicy(),
            timeout=dt.timedelta(seconds=30),
        ),
        params=resolved,
        use_cache=use_cache,
        deferred=deferred,
    )


async def run(activities: StepActivities, data: StepInput) -> Any:
    return await ActivityEnvironment().run(activities.run_step, data)


async def failure(activities: StepActivities, data: StepInput) -> ApplicationError:
    with pytest.raises(ApplicationError) as info:
        await run(activities, data)
    return info.value


async def test_success_and_raw_outputs(activities: StepActivities) -> None:
    out = await run(activities, step_input("t.boundary.run", {"n": 7}))
    assert (out.output, out.cache_hit, out.attempt, out.rows) == ({"value": 7}, False, 1, None)
    out = await run(activities, step_input("t.boundary.run", {"kind": "raw-dict", "n": 3}))
    assert out.output == {"value": 3}


async def test_cache(activities: StepActivities) -> None:
    first = await run(activities, step_input("t.rows.make", {"n": 3}, use_cache=True))
    assert first.rows == 3 and not first.cache_hit
    again = await run(activities, step_input("t.rows.make", {"n": 3}, use_cache=True))
    assert again.cache_hit and again.output == first.output and again.cache_key == first.cache_key


@pytest.mark.parametrize(
    ("method_id", "params", "kind", "retryable", "words"),
    [
        ("nope.nope.nope", {}, "UnknownMethod", False, "does not know the method"),
        ("t.needs.extra", {}, "MethodUnavailable", False, "no_such_module_xyz"),
        (
            "t.boundary.run",
            {"n": "many"},
            "InvalidParams",
            False,
            "n: Input should be a valid integer",
        ),
        ("t.boundary.run", {"kind": "upstream"}, "UpstreamError", True, "answered 503"),
        ("t.boundary.run", {"kind": "client4xx"}, "UpstreamError", False, "answered 404"),
        ("t.boundary.run", {"kind": "artifact"}, "ArtifactNotFound", False, "/gone.parquet"),
        ("t.boundary.run", {"kind": "config"}, "ConfigError", False, "misconfigured"),
        ("t.boundary.run", {"kind": "pydantic"}, "ValidationError", False, "something"),
        (
            "t.boundary.run",
            {"kind": "wrong-output"},
            "InvalidOutput",
            False,
            "does not match its output model",
        ),
    ],
)
async def test_the_boundary_types_every_failure(
    activities: StepActivities,
    method_id: str,
    params: dict[str, Any],
    kind: str,
    retryable: bool,
    words: str,
) -> None:
    error = await failure(activities, step_input(method_id, params))
    assert error.type == kind
    assert error.non_retryable is not retryable
    assert words in error.message
    assert error.details[0]["attempt"] == 1


async def test_missing_secret(activities: StepActivities) -> None:
    error = await failure(
        activities, step_input("t.boundary.run", {"kind": "{{ secrets.ODP_NOPE_NOT_SET }}"})
    )
    assert error.type == "SecretMissingError"
    assert error.non_retryable


async def test_secrets_are_masked_at_any_depth_of_the_output(
    activities: StepActivities, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODP_TEST_MASKED", "s3cret-value")
    out = await run(
        activities, step_input("t.careless.echo", {"token": "{{ secrets.ODP_TEST_MASKED }}"})
    )
    assert out.output == {
        "text": "key=***",
        "items": ["***", "plain"],
        "nested": {"deep": ["***/x"]},
        "length": len("s3cret-value"),
    }
