"""The planning graph's own cost, against the drafter it wraps, measured in one run.

1. Offline: the offline planner's draft plus validation called directly, against the same
   requests through ``plan_request`` (understand, retrieval through the search tool,
   draft, validate, explanation). The ratio is what the graph adds.
2. LLM: a plan through the scripted OpenAI-compatible stand-in (prompt and schema built
   from the candidates, one HTTP call, parsing, validation), against one bare chat call
   to the same endpoint. The ratio is the agent's work around the model call.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path

import httpx
import yaml
from pydantic import SecretStr

from odp.agent import plan_request
from odp.agent.offline import OfflinePlanner
from odp.agent.review import review_draft
from odp.catalog import load_catalog
from odp.config import Settings
from odp.stubs import create_app, running_server

CASES = Path(__file__).parent / "planner" / "dev.yaml"
LLM_CALLS = 20
PIPELINE = {
    "name": "bench",
    "sources": [{"name": "posts", "method": "social.twitter.search", "params": {"query": "AI"}}],
    "sinks": [
        {
            "name": "save",
            "method": "file.csv.write",
            "params": {"data": "{{ posts.data }}", "path": "out/bench.csv"},
        }
    ],
}


def _p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def _offline(requests: list[str]) -> tuple[float, float]:
    catalog = load_catalog()
    planner = OfflinePlanner(catalog)
    settings = Settings()

    async def direct(request: str) -> None:
        draft = await planner.draft(request, [], answers={})
        review_draft(draft.pipeline, catalog)

    async def graph(request: str) -> None:
        await plan_request(request, catalog=catalog, settings=settings, drafter=planner)

    timings: dict[str, list[float]] = {"direct": [], "graph": []}
    for request in requests[:5]:  # warm up both paths
        await direct(request)
        await graph(request)
    for request in requests:
        for name, run in (("direct", direct), ("graph", graph)):
            started = time.perf_counter()
            await run(request)
            timings[name].append(time.perf_counter() - started)
    return _p50(timings["direct"]), _p50(timings["graph"])


async def _llm(url: str, request: str) -> tuple[float, float, int]:
    import openai

    catalog = load_catalog()
    settings = Settings(
        llm_provider="openai",
        llm_base_url=f"{url}/v1",
        llm_model="bench",
        llm_api_key=SecretStr("sk-bench"),
    )
    plans: list[float] = []
    for _ in range(LLM_CALLS):
        started = time.perf_counter()
        result = await plan_request(request, catalog=catalog, settings=settings)
        plans.append(time.perf_counter() - started)
        assert result.ok, result.diagnostics
    client = openai.AsyncOpenAI(base_url=f"{url}/v1", api_key="sk-bench")
    bare: list[float] = []
    for _ in range(LLM_CALLS):
        started = time.perf_counter()
        await client.chat.completions.create(
            model="bench", messages=[{"role": "user", "content": request}]
        )
        bare.append(time.perf_counter() - started)
    await client.close()
    sent = httpx.get(f"{url}/_stub/chat/requests", params={"script": "bench"}).json()[0]
    schema_bytes = len(json.dumps(sent["body"]["response_format"]))
    return _p50(plans), _p50(bare), schema_bytes


def main() -> None:
    """Print both comparisons."""
    requests = [case["request"] for case in yaml.safe_load(CASES.read_text())]
    direct, graph = asyncio.run(_offline(requests))
    print(f"{'path':<44} {'p50 ms':>8}")
    print(f"{'offline draft + validate, called directly':<44} {direct:>8.1f}")
    print(f"{'offline through plan_request (the graph)':<44} {graph:>8.1f}")
    print(f"graph / direct: {graph / direct:.2f}x ({len(requests)} requests)")
    with running_server(create_app(tweets=10, reddit=10, news=10)) as server:
        script = {"name": "bench", "responses": [{"json": {"pipeline": PIPELINE}}]}
        httpx.post(
            f"{server.url}/_stub/chat/script", json=script | {"repeat_last": True}
        ).raise_for_status()
        plan, bare, schema_bytes = asyncio.run(_llm(server.url, requests[0]))
    print(f"{'LLM plan over the stand-in (one attempt)':<44} {plan:>8.1f}")
    print(f"{'one bare chat call to the stand-in':<44} {bare:>8.1f}")
    print(f"plan / bare call: {plan / bare:.2f}x; output schema {schema_bytes} bytes")


if __name__ == "__main__":
    main()
