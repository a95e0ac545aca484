"""The LLM drafter with scripted fake chat models, through the planning graph."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from langchain_anthropic import ChatAnthropic
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from odp.agent import LLMDrafter, PlanResult, PlanStatus, chat_model, plan_request
from odp.agent.llm import DRAFT_TOOL, connected_chat_model, llm_drafter
from odp.catalog import Catalog
from odp.config import Settings
from odp.errors import ConfigError
from tests.unit.agent.scripted import REQUEST, valid, with_bad_param, with_unknown_method


class RecordingChat(GenericFakeChatModel):
    """A scripted chat model that records the prompts and options it was called with."""

    calls: list[tuple[list[BaseMessage], dict[str, Any]]] = []
    tools: list[Any] = []

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls.append((list(messages), dict(kwargs)))
        return await super()._agenerate(messages, stop, run_manager, **kwargs)

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        self.tools.extend(tools)
        return self.bind(tool_choice=kwargs.get("tool_choice"))


def scripted(*answers: str | AIMessage | Exception) -> RecordingChat:
    def messages() -> Iterator[str | AIMessage]:
        for answer in answers:
            if isinstance(answer, Exception):
                raise answer
            yield answer

    return RecordingChat(messages=messages(), calls=[], tools=[])


def answer(pipeline: Any, **extra: Any) -> str:
    return json.dumps({"pipeline": pipeline, "notes": [], "questions": []} | extra)


async def plan(model: RecordingChat, catalog: Catalog, **options: Any) -> PlanResult:
    provider = options.pop("provider", "openai")
    drafter = LLMDrafter(model, provider=provider, model_name="fake")
    return await plan_request(
        REQUEST, catalog=catalog, settings=Settings(), drafter=drafter, **options
    )


def prompt_of(model: RecordingChat, call: int) -> str:
    messages, _ = model.calls[call]
    return str(messages[-1].content)


async def test_a_valid_first_answer(catalog: Catalog) -> None:
    notes = [{"step": "posts", "note": "the posts about AI"}]
    model = scripted(answer(valid(), notes=notes))
    result = await plan(model, catalog)

    assert result.status is PlanStatus.OK
    assert result.pipeline == valid()
    assert result.attempts[0].drafter == "llm:openai/fake"
    assert json.loads(result.attempts[0].raw)["pipeline"] == valid()
    assert result.explanation[0].note == "the posts about AI"
    # the answer is constrained by a schema built from the candidates
    messages, options = model.calls[0]
    assert messages[0].type == "system" and "Never" in str(messages[0].content)
    response_format = options["response_format"]
    assert response_format["type"] == "json_schema"
    schema = response_format["json_schema"]["schema"]
    sources = schema["properties"]["pipeline"]["properties"]["sources"]["items"]["anyOf"]
    methods = [branch["properties"]["method"]["const"] for branch in sources]
    assert "social.twitter.search" in methods
    assert all(m in catalog for m in methods)
    prompt = prompt_of(model, 0)
    assert prompt.startswith(f"Request: {REQUEST}")
    assert "### social.twitter.search (source)" in prompt
    assert "output fields: data" in prompt and "example (" in prompt


async def test_an_invalid_answer_is_repaired_with_the_diagnostics(catalog: Catalog) -> None:
    model = scripted(answer(with_unknown_method()), answer(valid()))
    result = await plan(model, catalog)

    assert result.status is PlanStatus.OK
    assert len(result.attempts) == 2
    repair = prompt_of(model, 1)
    assert "Your previous draft:" in repair and "social.twitter.find" in repair
    assert "[unknown-method] error at <draft>:4:11 (step 'posts', field sources.0.method)" in (
        repair
    )
    assert "unknown method 'social.twitter.find'" in repair
    assert "hint: did you mean" in repair


async def test_never_valid_is_bounded_and_keeps_every_raw_answer(catalog: Catalog) -> None:
    answers = [answer(with_bad_param(), notes=[{"step": "save", "note": str(i)}]) for i in range(3)]
    model = scripted(*answers)
    result = await plan(model, catalog, max_repairs=2)

    assert result.status is PlanStatus.FAILED
    assert [a.raw for a in result.attempts] == answers
    assert [d.code for d in result.diagnostics] == ["unknown-param"]
    assert len(model.calls) == 3


async def test_questions_in_the_answer_need_input(catalog: Catalog) -> None:
    question = {
        "slot": "sink.path",
        "question": "Where should the CSV go?",
        "step": "save",
        "param": "path",
        "default": "out/negative.csv",
    }
    model = scripted(answer(valid(), questions=[question, {"no": "slot"}, "junk"]))
    result = await plan(model, catalog)

    assert result.status is PlanStatus.NEEDS_INPUT
    assert [q.model_dump() for q in result.questions] == [question]


async def test_answers_and_defaults_reach_the_prompt(catalog: Catalog) -> None:
    question = {"slot": "sink.path", "question": "Where?", "default": "out/n.csv"}
    model = scripted(answer(valid(), questions=[question]), answer(valid()))
    result = await plan(model, catalog, assume_defaults=True)

    assert result.status is PlanStatus.OK
    assert "Answers to earlier questions" not in prompt_of(model, 0)
    assert '- sink.path: "out/n.csv"' in prompt_of(model, 1)


@pytest.mark.parametrize(
    "text",
    [
        "Here is the pipeline:\n```json\n{body}\n```\nEnjoy.",
        "```\n{body}\n```",
        "Sure! {body} Hope it helps.",
    ],
)
async def test_answers_around_prose_and_fences_are_read(catalog: Catalog, text: str) -> None:
    model = scripted(text.replace("{body}", answer(valid())))
    result = await plan(model, catalog)
    assert result.status is PlanStatus.OK and result.pipeline == valid()


async def test_an_unreadable_answer_is_shown_back_for_repair(catalog: Catalog) -> None:
    model = scripted("I cannot do that", answer(valid()))
    result = await plan(model, catalog)

    assert result.status is PlanStatus.OK
    assert result.attempts[0].pipeline is None
    assert result.attempts[0].diagnostics[0].code == "unreadable-draft"
    assert "```\nI cannot do that\n```" in prompt_of(model, 1)


async def test_a_failing_model_ends_in_failed(catalog: Catalog) -> None:
    model = scripted(ConnectionError("connection refused"))
    result = await plan(model, catalog)

    assert result.status is PlanStatus.FAILED
    assert result.diagnostics[0].code == "drafter-error"
    assert "llm:openai/fake failed during the first draft" in result.diagnostics[0].message
    assert "connection refused" in result.diagnostics[0].message


async def test_anthropic_is_made_to_call_the_draft_tool(catalog: Catalog) -> None:
    call = AIMessage(
        content="",
        tool_calls=[{"name": DRAFT_TOOL, "args": {"pipeline": valid()}, "id": "t1"}],
    )
    model = scripted(call)
    result = await plan(model, catalog, provider="anthropic")

    assert result.status is PlanStatus.OK
    assert result.attempts[0].drafter == "llm:anthropic/fake"
    assert json.loads(result.attempts[0].raw) == {"pipeline": valid()}
    (tool,) = model.tools
    assert tool["name"] == DRAFT_TOOL and "pipeline" in tool["input_schema"]["properties"]
    assert model.calls[0][1]["tool_choice"] == DRAFT_TOOL


async def test_an_anthropic_answer_without_a_tool_call_is_read_as_text(catalog: Catalog) -> None:
    text = AIMessage(content=[{"type": "text", "text": answer(valid())}])
    result = await plan(scripted(text), catalog, provider="anthropic")
    assert result.status is PlanStatus.OK


def test_an_openai_compatible_model_from_the_settings() -> None:
    settings = Settings(
        llm_provider="openai",
        llm_base_url="http://127.0.0.1:8000/v1",
        llm_model="qwen2.5-7b",
        llm_timeout=12.5,
        llm_max_retries=5,
    )
    model = chat_model(settings)
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "qwen2.5-7b"
    assert model.openai_api_base == "http://127.0.0.1:8000/v1"
    assert model.temperature == 0
    assert model.request_timeout == 12.5 and model.max_retries == 5
    # local servers need no key; the client is given a placeholder
    assert isinstance(model.openai_api_key, SecretStr)
    assert model.openai_api_key.get_secret_value() == "not-needed"


def test_an_anthropic_model_from_the_settings() -> None:
    settings = Settings(
        llm_provider="anthropic",
        llm_model="claude-sonnet-4-5",
        llm_api_key=SecretStr("sk-test"),
        llm_base_url="http://127.0.0.1:9/anthropic",
        llm_timeout=7,
        llm_max_retries=1,
    )
    model = chat_model(settings)
    assert isinstance(model, ChatAnthropic)
    assert model.model == "claude-sonnet-4-5" and model.temperature == 0
    assert model.default_request_timeout == 7 and model.max_retries == 1
    assert model.anthropic_api_url == "http://127.0.0.1:9/anthropic"
    assert model.anthropic_api_key.get_secret_value() == "sk-test"
    assert llm_drafter(settings).name == "llm:anthropic/claude-sonnet-4-5"


def test_incomplete_llm_settings_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="no model is named"):
        chat_model(Settings(llm_provider="anthropic"))
    with pytest.raises(ConfigError, match="needs an API key"):
        chat_model(Settings(llm_provider="anthropic", llm_model="claude"))
    default_url = chat_model(
        Settings(llm_provider="anthropic", llm_model="claude", llm_api_key=SecretStr("k"))
    )
    assert isinstance(default_url, ChatAnthropic)
    assert default_url.anthropic_api_url == "https://api.anthropic.com"


def closed(client: Any) -> bool:
    return bool(client.is_closed)  # a call, so that mypy does not narrow the attribute


async def test_each_call_connects_with_a_client_of_its_own() -> None:
    anthropic_settings = Settings(
        llm_provider="anthropic", llm_model="claude", llm_api_key=SecretStr("sk-test")
    )
    async with connected_chat_model(anthropic_settings) as model:
        assert isinstance(model, ChatAnthropic)
        client = model._async_client._client
        assert not closed(client)
    assert closed(client)
    openai_settings = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="local")
    async with connected_chat_model(openai_settings) as model:
        assert isinstance(model, ChatOpenAI)
        http = model.http_async_client
        assert http is not None and not closed(http)
    assert closed(http)
