"""Drafting with an LLM: an OpenAI-compatible endpoint or Anthropic, from the settings.

Any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, a llama.cpp server) is reached
through ``langchain-openai``'s ``ChatOpenAI`` with ``ODP_LLM_BASE_URL``, and Anthropic
through ``langchain-anthropic``. Temperature is 0; timeouts and retries (429 and 5xx,
honouring ``Retry-After``) come from ``ODP_LLM_TIMEOUT`` and ``ODP_LLM_MAX_RETRIES``.

The answer is constrained by :func:`~odp.agent.schema.draft_schema` (the candidate
methods' ids and params): sent as ``response_format`` ``json_schema`` to
OpenAI-compatible endpoints, as a forced tool call to Anthropic. The answer is still read
defensively (:mod:`odp.agent.parsing`) and its raw text kept for the trace.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, Final, Literal, cast

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from odp.agent.drafting import Draft
from odp.agent.parsing import draft_from_text
from odp.agent.prompts import SYSTEM_PROMPT, draft_prompt, repair_prompt
from odp.agent.review import draft_yaml
from odp.agent.schema import SCHEMA_NAME, draft_schema
from odp.catalog import MethodSpec
from odp.config import Settings
from odp.errors import ConfigError
from odp.spec import Diagnostic

__all__ = [
    "DRAFT_TOOL",
    "LLMDrafter",
    "Provider",
    "chat_model",
    "connected_chat_model",
    "llm_drafter",
]

Provider = Literal["openai", "anthropic"]
DRAFT_TOOL: Final = "submit_pipeline"
"""The tool an Anthropic model is made to call with its draft."""


def chat_model(settings: Settings, *, http_client: Any = None) -> BaseChatModel:
    """The chat model the settings describe (temperature 0, timeout, retries).

    Args:
        settings: the ``llm_*`` settings.
        http_client: for OpenAI-compatible endpoints, the async HTTP client to use (the
            caller closes it); by default the library's shared client.

    Raises:
        ConfigError: when no model is named, or Anthropic is chosen without a key.
    """
    provider = settings.llm_provider or "openai"
    if not settings.llm_model:
        raise ConfigError(
            "an LLM is configured but no model is named",
            hint="set ODP_LLM_MODEL (e.g. gpt-4o-mini, or the model your endpoint serves), "
            "or unset ODP_LLM_PROVIDER and ODP_LLM_BASE_URL to plan offline",
        )
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    if provider == "anthropic":
        from langchain_anthropic import ChatAnthropic

        if key is None:
            raise ConfigError("the Anthropic provider needs an API key", hint="set ODP_LLM_API_KEY")
        # pydantic aliases (model, api_key, timeout, base_url) are what the docs show
        options: dict[str, Any] = {
            "model": settings.llm_model,
            "api_key": key,
            "temperature": 0,
            "timeout": settings.llm_timeout,
            "max_retries": settings.llm_max_retries,
            "max_tokens": 4096,
        }
        if settings.llm_base_url:
            options["base_url"] = settings.llm_base_url
        return ChatAnthropic(**options)
    from langchain_openai import ChatOpenAI

    openai_options: dict[str, Any] = {
        "model": settings.llm_model,
        "base_url": settings.llm_base_url,
        # local servers (vLLM, Ollama, llama.cpp) take any key; the client insists on one
        "api_key": key or "not-needed",
        "temperature": 0,
        "timeout": settings.llm_timeout,
        "max_retries": settings.llm_max_retries,
    }
    if http_client is not None:
        openai_options["http_async_client"] = http_client
    return ChatOpenAI(**openai_options)


@contextlib.asynccontextmanager
async def connected_chat_model(settings: Settings) -> AsyncIterator[BaseChatModel]:
    """The settings' chat model with HTTP connections of its own, closed on leaving.

    The libraries' shared clients keep pooled connections on the event loop that opened
    them; a drafter used from several event loops (``asyncio.run`` per request) would
    then fail with "Event loop is closed". One client per call cannot.

    Raises:
        ConfigError: when the LLM settings are incomplete.
    """
    client: Any
    if (settings.llm_provider or "openai") == "anthropic":
        import anthropic
        from langchain_anthropic import ChatAnthropic

        model = chat_model(settings)
        client = anthropic.DefaultAsyncHttpxClient()
        # langchain-anthropic takes no HTTP client: fill its cached async client with one
        params = cast(ChatAnthropic, model)._client_params
        model.__dict__["_async_client"] = anthropic.AsyncAnthropic(**params, http_client=client)
    else:
        import openai

        client = openai.DefaultAsyncHttpxClient()
        model = chat_model(settings, http_client=client)
    try:
        yield model
    finally:
        await client.aclose()


def llm_drafter(settings: Settings) -> LLMDrafter:
    """The LLM drafter the settings describe (a fresh HTTP client for every call).

    Raises:
        ConfigError: when the LLM settings are incomplete.
    """
    model = chat_model(settings)  # checks the settings now, not at the first draft
    provider: Provider = settings.llm_provider or "openai"
    return LLMDrafter(
        model,
        provider=provider,
        model_name=settings.llm_model or "",
        connect=lambda: connected_chat_model(settings),
    )


def _text(message: BaseMessage) -> str:
    return message.text if isinstance(message.content, list) else str(message.content)


class LLMDrafter:
    """Drafts and repairs pipelines with a chat model, constrained by the candidates' schema.

    Args:
        model: the chat model (``ChatOpenAI``, ``ChatAnthropic``, or a fake in tests).
        provider: ``openai`` (any OpenAI-compatible endpoint: ``response_format``) or
            ``anthropic`` (a forced tool call).
        model_name: the model's name, for the trace.
        connect: when given, each call takes a model from it (an async context manager,
            e.g. :func:`connected_chat_model`) instead of using ``model``.
    """

    def __init__(
        self,
        model: BaseChatModel,
        *,
        provider: Provider,
        model_name: str,
        connect: Callable[[], contextlib.AbstractAsyncContextManager[BaseChatModel]] | None = None,
    ) -> None:
        self.model = model
        self.provider = provider
        self.model_name = model_name
        self._connect = connect

    @property
    def name(self) -> str:
        """``llm:<provider>/<model>``."""
        return f"llm:{self.provider}/{self.model_name}"

    async def draft(
        self,
        request: str,
        candidates: Sequence[MethodSpec[Any, Any]],
        *,
        answers: Mapping[str, Any],
    ) -> Draft:
        """A first draft: the request, the answers and the candidates, in one prompt."""
        prompt = draft_prompt(request, candidates, answers)
        return await self._ask(prompt, candidates)

    async def repair(
        self,
        request: str,
        previous: Draft,
        diagnostics: Sequence[Diagnostic],
        candidates: Sequence[MethodSpec[Any, Any]],
        *,
        answers: Mapping[str, Any],
    ) -> Draft:
        """A corrected draft: the previous one and every diagnostic go into the prompt."""
        shown = draft_yaml(previous.pipeline) if previous.pipeline is not None else previous.raw
        prompt = repair_prompt(request, shown, diagnostics, candidates, answers)
        return await self._ask(prompt, candidates)

    async def _ask(self, prompt: str, candidates: Sequence[MethodSpec[Any, Any]]) -> Draft:
        if self._connect is None:
            return await self._ask_model(self.model, prompt, candidates)
        async with self._connect() as model:
            return await self._ask_model(model, prompt, candidates)

    async def _ask_model(
        self, model: BaseChatModel, prompt: str, candidates: Sequence[MethodSpec[Any, Any]]
    ) -> Draft:
        messages: list[BaseMessage] = [SystemMessage(SYSTEM_PROMPT), HumanMessage(prompt)]
        schema = draft_schema(candidates)
        if self.provider == "anthropic":
            tool = {
                "name": DRAFT_TOOL,
                "description": "Submit the pipeline draft, its notes and its questions.",
                "input_schema": schema,
            }
            bound = model.bind_tools([tool], tool_choice=DRAFT_TOOL)
        else:
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": SCHEMA_NAME, "schema": schema, "strict": False},
            }
            bound = model.bind(response_format=response_format)
        message = await bound.ainvoke(messages)
        raw = _raw(message)
        return draft_from_text(raw)


def _raw(message: BaseMessage) -> str:
    if isinstance(message, AIMessage) and message.tool_calls:
        return json.dumps(message.tool_calls[0]["args"], ensure_ascii=False)
    return _text(message)
