"""The planning graph with scripted drafters: ok, repaired, bounded, needs input, errors."""

from __future__ import annotations

import asyncio
import sys
import types
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from odp.agent import (
    Draft,
    LLMDrafter,
    PlanResult,
    PlanState,
    PlanStatus,
    build_graph,
    default_drafter,
    plan_request,
)
from odp.agent.graph import _COMPILED, _compile, recursion_limit
from odp.agent.nodes import split_clauses
from odp.catalog import Catalog
from odp.config import Settings
from odp.errors import ConfigError, PlanningError
from tests.unit.agent.scripted import (
    NOTES,
    PATH_QUESTION,
    QUERY_QUESTION,
    REQUEST,
    ScriptedDrafter,
    valid,
    with_bad_param,
    with_unknown_method,
)


async def plan(
    drafter: ScriptedDrafter, catalog: Catalog, request: str = REQUEST, **options: Any
) -> PlanResult:
    return await plan_request(
        request, catalog=catalog, settings=Settings(), drafter=drafter, **options
    )


async def test_a_valid_first_draft_is_ok(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(Draft(valid(), raw="first", notes=NOTES))
    result = await plan(drafter, catalog)

    assert result.status is PlanStatus.OK and result.ok
    assert result.request == REQUEST
    assert result.pipeline == valid()
    assert result.yaml is not None and yaml.safe_load(result.yaml) == valid()
    assert result.yaml.startswith("name: negative-ai-posts\nsources:")
    assert result.diagnostics == [] and result.questions == []
    assert [(a.round, a.drafter, a.raw) for a in result.attempts] == [(0, "scripted", "first")]
    # one note per step: the drafter's where it gave one, the catalog's otherwise
    assert [(n.step, n.method) for n in result.explanation] == [
        ("posts", "social.twitter.search"),
        ("scored", "nlp.text.sentiment"),
        ("negative", "data.rows.filter"),
        ("save", "file.csv.write"),
    ]
    notes = {n.step: n.note for n in result.explanation}
    assert notes["posts"] == "fetch the posts about AI"
    assert notes["scored"].startswith("Score the sentiment") and "'negative'" in notes["scored"]
    # the drafter got catalog methods retrieved for the request
    call = drafter.calls[0]
    assert call.kind == "draft" and call.request == REQUEST and call.answers == {}
    for method in ("social.twitter.search", "nlp.text.sentiment", "file.csv.write"):
        assert method in call.candidates
    assert len(call.candidates) <= 12


async def test_an_invalid_draft_is_repaired_from_the_diagnostics(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(Draft(with_bad_param(), raw="bad"), Draft(valid(), raw="good"))
    result = await plan(drafter, catalog)

    assert result.status is PlanStatus.OK
    assert [a.round for a in result.attempts] == [0, 1]
    first, second = result.attempts
    assert [d.code for d in first.diagnostics] == ["unknown-param"]
    assert first.diagnostics[0].file == "<draft>" and first.diagnostics[0].line is not None
    assert second.diagnostics == []
    repair = drafter.calls[1]
    assert repair.kind == "repair"
    assert repair.previous is not None and repair.previous.raw == "bad"
    assert [d.code for d in repair.diagnostics] == ["unknown-param"]
    assert "colour" in repair.diagnostics[0].message


async def test_a_method_outside_the_catalog_is_flagged_and_repaired(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(Draft(with_unknown_method(), raw="x"), Draft(valid(), raw="y"))
    result = await plan(drafter, catalog)

    assert result.ok
    unknown = result.attempts[0].diagnostics[0]
    assert unknown.code == "unknown-method" and unknown.step == "posts"
    assert (unknown.line, unknown.column) == (4, 11)
    assert "social.twitter.search" in (unknown.hint or "")


@pytest.mark.parametrize("max_repairs", [0, 1, 3])
async def test_a_draft_never_valid_fails_after_the_bounded_rounds(
    catalog: Catalog, max_repairs: int
) -> None:
    drafter = ScriptedDrafter(Draft(with_unknown_method(), raw="same mistake"))
    result = await plan(drafter, catalog, max_repairs=max_repairs)

    assert result.status is PlanStatus.FAILED and not result.ok
    assert len(result.attempts) == max_repairs + 1
    assert [a.round for a in result.attempts] == list(range(max_repairs + 1))
    assert all(a.raw == "same mistake" for a in result.attempts)
    assert all([d.code for d in a.diagnostics] == ["unknown-method"] for a in result.attempts)
    # the last draft and its diagnostics are kept
    assert result.pipeline == with_unknown_method()
    assert result.yaml is not None and "social.twitter.find" in result.yaml
    assert [d.code for d in result.diagnostics] == ["unknown-method"]
    assert [c.kind for c in drafter.calls] == ["draft"] + ["repair"] * max_repairs


async def test_the_default_bound_is_three_repairs(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(Draft(None, raw="not a pipeline"))
    result = await plan(drafter, catalog)

    assert result.status is PlanStatus.FAILED
    assert len(result.attempts) == 4
    assert result.yaml is None and result.pipeline is None
    assert [d.code for d in result.diagnostics] == ["unreadable-draft"]
    assert result.attempts[-1].raw == "not a pipeline"


async def test_questions_make_the_plan_need_input(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(
        Draft(valid(), raw="asks", questions=(PATH_QUESTION, QUERY_QUESTION, PATH_QUESTION))
    )
    result = await plan(drafter, catalog)

    assert result.status is PlanStatus.NEEDS_INPUT
    assert result.questions == [PATH_QUESTION, QUERY_QUESTION]  # each slot once
    assert result.yaml is not None  # the draft so far is shown
    assert len(result.attempts) == 1


async def test_answered_questions_are_not_asked_again(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(Draft(valid(), raw="ok", questions=(PATH_QUESTION,)))
    result = await plan(drafter, catalog, answers={"sink.path": "out/x.csv"})

    assert result.status is PlanStatus.OK and result.questions == []
    assert drafter.calls[0].answers == {"sink.path": "out/x.csv"}


async def test_assume_defaults_fills_the_answers_and_drafts_again(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(
        Draft(valid(), raw="asks", questions=(PATH_QUESTION,)), Draft(valid(), raw="answered")
    )
    result = await plan(drafter, catalog, assume_defaults=True)

    assert result.status is PlanStatus.OK
    assert [c.answers for c in drafter.calls] == [{}, {"sink.path": "out/negative.csv"}]
    assert [a.raw for a in result.attempts] == ["asks", "answered"]


async def test_assume_defaults_still_asks_what_has_no_default(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(Draft(valid(), raw="asks", questions=(QUERY_QUESTION,)))
    result = await plan(drafter, catalog, assume_defaults=True)

    assert result.status is PlanStatus.NEEDS_INPUT
    assert result.questions == [QUERY_QUESTION]
    assert len(drafter.calls) == 1


async def test_a_drafter_that_raises_ends_in_failed(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(RuntimeError("the endpoint is down"))
    result = await plan(drafter, catalog)

    assert result.status is PlanStatus.FAILED
    assert result.attempts == [] and result.yaml is None
    (error,) = result.diagnostics
    assert error.code == "drafter-error"
    assert "scripted failed during the first draft" in error.message
    assert "RuntimeError: the endpoint is down" in error.message
    assert "ODP_LLM" in (error.hint or "")


async def test_a_drafter_that_raises_while_repairing_keeps_the_last_draft(
    catalog: Catalog,
) -> None:
    drafter = ScriptedDrafter(Draft(with_bad_param(), raw="bad"), TimeoutError())
    result = await plan(drafter, catalog)

    assert result.status is PlanStatus.FAILED
    assert [a.raw for a in result.attempts] == ["bad"]
    assert result.pipeline == with_bad_param()
    assert [d.code for d in result.diagnostics] == ["unknown-param", "drafter-error"]
    assert "repair round 1: TimeoutError: TimeoutError" in result.diagnostics[-1].message


async def test_a_drafter_returning_none_ends_in_failed(catalog: Catalog) -> None:
    result = await plan(ScriptedDrafter(None), catalog)

    assert result.status is PlanStatus.FAILED
    assert "returned NoneType, not a draft" in result.diagnostics[0].message


async def test_an_empty_request_fails_without_drafting(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(Draft(valid(), raw=""))
    result = await plan(drafter, catalog, request="   \n ")

    assert result.status is PlanStatus.FAILED
    assert [d.code for d in result.diagnostics] == ["empty-request"]
    assert drafter.calls == [] and result.attempts == []


async def test_a_draft_yaml_cannot_hold_is_a_diagnostic(catalog: Catalog) -> None:
    odd = valid(description=object())
    result = await plan(ScriptedDrafter(Draft(odd, raw="odd")), catalog, max_repairs=0)

    assert result.status is PlanStatus.FAILED
    assert result.yaml is None
    assert result.diagnostics[0].code == "unreadable-draft"
    assert "cannot be written as YAML" in result.diagnostics[0].message


async def test_a_draft_that_is_not_a_mapping_is_reported_by_the_validator(
    catalog: Catalog,
) -> None:
    drafter = ScriptedDrafter(Draft([1, 2], raw="[1, 2]"))  # type: ignore[arg-type]
    result = await plan(drafter, catalog, max_repairs=0)

    assert result.status is PlanStatus.FAILED
    assert result.pipeline is None and result.explanation == []
    assert result.diagnostics and result.attempts[0].pipeline is None


async def test_a_request_matching_nothing_hands_the_whole_catalog(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(Draft(valid(), raw=""))
    # with BM25 alone (embeddings would hand the methods nearest in meaning)
    settings = Settings(agent_embeddings="off")
    await plan_request("zzzz qqqq", catalog=catalog, settings=settings, drafter=drafter)

    assert drafter.calls[0].candidates == catalog.ids()


async def test_the_graph_is_built_fresh_and_bounded(catalog: Catalog) -> None:
    drafter = ScriptedDrafter(Draft(with_unknown_method(), raw=""))
    graph = build_graph(drafter, catalog, max_repairs=2)
    assert graph is not build_graph(drafter, catalog, max_repairs=2)
    out = await graph.ainvoke(
        PlanState(request=REQUEST), config={"recursion_limit": recursion_limit(2)}
    )
    assert out["result"].status is PlanStatus.FAILED
    assert len(out["result"].attempts) == 3
    # a long repair budget needs no config from the caller: the limit comes with the graph
    many = await build_graph(drafter, catalog, max_repairs=15).ainvoke(PlanState(request=REQUEST))
    assert len(many["result"].attempts) == 16
    with pytest.raises(ValueError, match="max_repairs must be 0 or more"):
        build_graph(drafter, catalog, max_repairs=-1)


def test_split_clauses() -> None:
    assert split_clauses("read a.csv, keep the rows and then save them; done. Thanks") == [
        "read a.csv",
        "keep the rows",
        "save them",
        "done",
        "Thanks",
    ]


def test_the_default_drafter_follows_the_settings(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm = default_drafter(
        Settings(llm_provider="openai", llm_model="gpt-4o-mini", llm_api_key=SecretStr("k")),
        catalog,
    )
    assert isinstance(llm, LLMDrafter) and llm.name == "llm:openai/gpt-4o-mini"
    # a base URL alone means an OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp)
    local = default_drafter(
        Settings(llm_base_url="http://127.0.0.1:11434/v1", llm_model="llama3"), catalog
    )
    assert local.name == "llm:openai/llama3"

    class FakeOffline:
        name = "offline"

        def __init__(self, catalog: Catalog, *, embeddings: str | None = None) -> None:
            self.catalog = catalog
            self.embeddings = embeddings

    module = types.ModuleType("odp.agent.offline")
    module.OfflinePlanner = FakeOffline  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "odp.agent.offline", module)
    offline = default_drafter(Settings(agent_embeddings="off"), catalog)
    assert isinstance(offline, FakeOffline) and offline.catalog is catalog
    assert offline.embeddings == "off"  # the setting reaches the offline planner's search


async def test_an_llm_without_a_model_is_a_config_error(catalog: Catalog) -> None:
    with pytest.raises(ConfigError, match="no model is named") as caught:
        await plan_request(REQUEST, catalog=catalog, settings=Settings(llm_provider="openai"))
    assert "ODP_LLM_MODEL" in (caught.value.hint or "")


async def test_one_compiled_graph_serves_drafters_side_by_side(catalog: Catalog) -> None:
    first = ScriptedDrafter(Draft(valid(), raw="first"), name="first")
    second = ScriptedDrafter(Draft(with_bad_param(), raw="second"), name="second")
    build_graph(first, catalog)
    compiled = _COMPILED[catalog][3]
    build_graph(second, catalog)
    assert _COMPILED[catalog][3] is compiled  # compiled once per catalog and bound
    one, two = await asyncio.gather(plan(first, catalog), plan(second, catalog))
    assert one.ok and {a.drafter for a in one.attempts} == {"first"}
    assert two.status is PlanStatus.FAILED and {a.drafter for a in two.attempts} == {"second"}


async def test_a_graph_run_without_a_drafter_says_so(catalog: Catalog) -> None:
    with pytest.raises(PlanningError, match="without a drafter"):
        await _compile(catalog, 0).ainvoke(PlanState(request=REQUEST))


async def test_a_drafter_that_ignores_candidates_gets_them_without_embeddings(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    import odp.agent.planner as planner_module

    modes: list[object] = []
    real_build = planner_module.build_graph

    def spy(*args: Any, **kwargs: Any) -> Any:
        modes.append(kwargs.pop("embeddings"))
        return real_build(*args, **kwargs, embeddings="off")  # no model load in this test

    monkeypatch.setattr(planner_module, "build_graph", spy)
    settings = Settings(agent_embeddings="on")

    reader = ScriptedDrafter(Draft(valid(), "raw", notes=NOTES))
    await plan_request(REQUEST, catalog=catalog, settings=settings, drafter=reader)

    class Blind(ScriptedDrafter):
        uses_candidates = False

    blind = Blind(Draft(valid(), "raw", notes=NOTES))
    result = await plan_request(REQUEST, catalog=catalog, settings=settings, drafter=blind)
    assert result.ok, result.diagnostics
    assert modes == ["on", "off"]
    assert blind.calls[0].candidates  # still retrieved, by BM25 alone
