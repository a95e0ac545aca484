"""A catalog with a few test methods besides the built-ins.

The methods here stand in for the kinds of contract later methods have (a social
search, nested params, static checks), so that the validator can be tested against
them; they are registered in this catalog only, never in ODP's.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field, model_validator

from odp.artifacts import DatasetRef
from odp.catalog import (
    Catalog,
    MethodContext,
    MethodOutput,
    MethodParams,
    ParamIssue,
    load_catalog,
    method,
)


class SearchParams(MethodParams):
    """Params of the stand-in social search."""

    query: str = Field(description="What to search for.")
    max_results: int = Field(default=100, ge=1, description="How many posts at most.")


class SearchOutput(MethodOutput):
    """Output of the stand-in social search."""

    data: DatasetRef = Field(description="The posts.")
    count: int = Field(description="How many posts.")


@method("social.twitter.search", kind="source", summary="Search posts (test stand-in)")
async def twitter_search(params: SearchParams, ctx: MethodContext) -> SearchOutput:
    """Test stand-in: never run."""
    raise NotImplementedError


class Window(BaseModel):
    """A nested params model."""

    model_config = {"extra": "forbid"}
    start: int = Field(description="First row.")
    size: int = Field(default=10, description="Rows.")


class NestedParams(MethodParams):
    """Params with nested models, lists and a model-level rule."""

    data: DatasetRef = Field(description="The rows.")
    window: Window | None = Field(default=None, description="A window.")
    labels: list[str] = Field(default_factory=list, description="Labels.")
    limit: int | None = Field(default=None, description="A limit.")
    mode: str = Field(default="fast", description="fast or slow.")

    @model_validator(mode="after")
    def _limit_needs_a_window(self) -> NestedParams:
        if self.limit is not None and self.window is None:
            raise ValueError("a limit needs a window")
        return self


def _mode_check(params: dict[str, Any]) -> list[ParamIssue]:
    if params.get("mode") not in (None, "fast", "slow"):
        return [ParamIssue("mode", f"unknown mode {params['mode']!r}", hint="fast or slow")]
    return []


@method(
    "test.rows.window",
    kind="transform",
    summary="Take a window of rows (test stand-in)",
    checks=[_mode_check],
)
async def rows_window(params: NestedParams, ctx: MethodContext) -> SearchOutput:
    """Test stand-in: never run."""
    raise NotImplementedError


class FragileParams(MethodParams):
    """Params whose validator breaks on anything it did not expect."""

    text: str = Field(description="Some text.")

    @model_validator(mode="before")
    @classmethod
    def _lower(cls, data: Any) -> Any:
        return {k: v.lower() for k, v in data.items()}  # AttributeError on a non-string


def _broken_check(params: dict[str, Any]) -> list[ParamIssue]:
    raise RuntimeError("check exploded")


@method(
    "test.fragile.read", kind="source", summary="Fragile (test stand-in)", checks=[_broken_check]
)
async def fragile(params: FragileParams, ctx: MethodContext) -> SearchOutput:
    """Test stand-in: never run."""
    raise NotImplementedError


@pytest.fixture(scope="session")
def test_catalog() -> Catalog:
    """The built-in methods and the stand-ins above."""
    catalog = load_catalog(plugins=False)
    for spec in (twitter_search, rows_window, fragile):
        if spec.id not in catalog:  # the real social search is used once it exists
            catalog.register(spec)
    return catalog
