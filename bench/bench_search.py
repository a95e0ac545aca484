"""Catalog search over a catalog of many methods, against a naive substring scan.

The catalog holds the built-in methods and synthetic ones; each query is ranked by
BM25 with synonyms. The baseline scans every method's text for the query's words in
the same run (no ranking): the ratio is what ranking costs.
"""

from __future__ import annotations

import random
import time

from pydantic import Field

from odp.catalog import Catalog, MethodContext, MethodOutput, MethodParams, load_catalog, method

QUERIES = [
    "save as csv",
    "keep rows where status is delivered",
    "join two tables",
    "tweets about AI",
    "how people feel about a product",
    "average price by region",
    "export to parquet",
    "scrape a web page",
]
WORDS = [
    "read",
    "write",
    "fetch",
    "score",
    "detect",
    "train",
    "predict",
    "table",
    "file",
    "page",
    "feed",
    "post",
    "text",
    "image",
    "audio",
    "model",
    "vector",
    "index",
    "search",
    "merge",
    "split",
    "clean",
    "parse",
    "store",
    "queue",
    "stream",
]


class _Params(MethodParams):
    text: str = Field(default="", description="Input text.")


class _Out(MethodOutput):
    count: int = Field(description="How many.")


def synthetic(n: int) -> list[object]:
    rng = random.Random(7)
    specs = []
    for i in range(n):
        words = rng.sample(WORDS, 6)

        async def impl(params: _Params, ctx: MethodContext) -> _Out:
            raise NotImplementedError

        impl.__doc__ = " ".join(rng.sample(WORDS, 12))
        specs.append(
            method(
                f"{words[0]}.{words[1]}{i}.{words[2]}",
                kind="transform",
                summary=" ".join(words[2:]),
                tags=tuple(words[3:5]),
            )(impl)
        )
    return specs


def main() -> None:
    for size in (100, 1000):
        catalog: Catalog = load_catalog(plugins=False)
        for spec in synthetic(size):
            catalog.register(spec)  # type: ignore[arg-type]
        started = time.perf_counter()
        catalog.search("warm up")  # builds the index
        build = time.perf_counter() - started
        texts = {
            s.id: f"{s.id} {s.summary} {s.description} {' '.join(s.tags)}".lower() for s in catalog
        }
        rounds = 20
        started = time.perf_counter()
        for _ in range(rounds):
            for q in QUERIES:
                words = q.lower().split()
                [k for k, t in texts.items() if any(w in t for w in words)]
        naive = (time.perf_counter() - started) / (rounds * len(QUERIES))
        started = time.perf_counter()
        for _ in range(rounds):
            for q in QUERIES:
                catalog.search(q)
        ranked = (time.perf_counter() - started) / (rounds * len(QUERIES))
        print(f"{len(catalog)} methods: index built in {build * 1000:.1f} ms")
        print(f"  substring scan (baseline) {naive * 1000:8.3f} ms/query")
        print(f"  BM25 + synonyms           {ranked * 1000:8.3f} ms/query  ({ranked / naive:.1f}x)")


if __name__ == "__main__":
    main()
