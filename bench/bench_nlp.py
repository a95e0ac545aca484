"""Rows per second of nlp.text.sentiment and ml.text.embed against the libraries called directly.

Baselines, measured in the same run on the same texts:
- VADER: one ``SentimentIntensityAnalyzer`` and a plain Python loop of ``polarity_scores``;
- sentence-transformers: ``model.encode(texts, batch_size=B)`` on the very model object
  the method uses (loaded once, outside the timings).

The ODP side is the whole step: read the Parquet input, analyse, write the Parquet output.
Both sides do their work in a worker thread (as a worker runs a method's blocking work).
Runs alternate (baseline, method, baseline, ...) and the best of each is kept, so that
other work on the machine weighs on both alike. Two inputs: every text distinct, and a
social feed where 30% of the rows repeat an earlier text (reposts), which ODP analyses
once.

Environment: ODP_BENCH_TEXTS (default 10000), ODP_BENCH_EMBED_REPEAT (default 2).
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import polars as pl

from odp.artifacts import ArtifactStore, DatasetRef
from odp.catalog import MethodContext
from odp.config import Settings

OPENERS = [
    "Just tried",
    "Can't believe",
    "Honestly,",
    "Hot take:",
    "PSA:",
    "Update on",
    "Day 3 with",
    "Anyone else think",
    "My review of",
    "So apparently",
    "Thread about",
    "Quick thoughts on",
]
SUBJECTS = [
    "the new phone update",
    "my bank's app",
    "the morning train",
    "this heatwave",
    "last night's debate",
    "remote work",
    "the coffee place on 5th",
    "the AI assistant at work",
    "the stadium food",
    "our internet provider",
    "the museum's new wing",
    "the delivery service",
    "that airline",
    "the city's bike lanes",
    "the season finale",
]
OPINIONS = [
    "is absolutely amazing",
    "was a total disaster",
    "is kind of okay I guess",
    "made my day!!",
    "is not worth the money",
    "broke again 😡",
    "works fine, nothing special",
    "is SO GOOD",
    "is the worst, never again",
    "could be better but not bad",
    "is surprisingly great 😍",
    "left me really disappointed",
    "is fine",
    "was way better than expected",
    "keeps crashing, so annoying",
]
TAILS = [
    "",
    " #fail",
    " #love",
    " @support please fix",
    " details: https://example.com/p/{n}",
    " 👍",
    " lol",
    " :(",
    " :)",
    " thoughts?",
    " #tech #news",
    " (cc @editor)",
]
FILLERS = [
    "",
    " The staff were friendly though.",
    " Waited 40 minutes for nothing.",
    " Price went up again.",
    " Would recommend to friends.",
    " No idea why people like it.",
    " It's been like this since March.",
    " Customer service never answered.",
]


def make_texts(n: int, *, repost_share: float = 0.0, seed: int = 11) -> list[str]:
    """``n`` social posts; with ``repost_share``, that share of rows repeats an earlier post."""
    rng = random.Random(seed)
    seen: set[str] = set()
    texts: list[str] = []
    while len(texts) < n:
        if texts and rng.random() < repost_share:
            texts.append(rng.choice(texts))
            continue
        text = (
            f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)}: it {rng.choice(OPINIONS)}."
            f"{rng.choice(FILLERS)}{rng.choice(FILLERS)}{rng.choice(TAILS)}"
        ).replace("{n}", str(rng.randrange(10_000)))
        if text in seen:
            text += f" #{rng.randrange(1_000_000)}"
        if text in seen:
            continue
        seen.add(text)
        texts.append(text)
    return texts


def best_of(repeat: int, fns: list[Callable[[], float]]) -> list[float]:
    """Run the functions in turn ``repeat`` times; the best (smallest) time of each.

    The order flips every round, so that neither side always runs first (cold).
    """
    best = [float("inf")] * len(fns)
    for round_ in range(repeat):
        order = range(len(fns)) if round_ % 2 == 0 else reversed(range(len(fns)))
        for i in order:
            best[i] = min(best[i], fns[i]())
    return best


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    """Time ``fn`` run in a worker thread, where ODP runs a method's blocking work too.

    (torch can run at a different speed in the main thread than in a worker thread; both
    sides run in the same kind of thread so that only their work is compared.)
    """

    def run() -> float:
        started = time.perf_counter()
        asyncio.run(asyncio.to_thread(fn))
        return time.perf_counter() - started

    return run


def timed_async(fn: Callable[[], Awaitable[object]]) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        asyncio.run(fn())  # the method hands its work to a worker thread itself
        return time.perf_counter() - started

    return run


def row(name: str, n: int, base: float, odp: float) -> str:
    return f"{name:<44}{n:>8}{n / base:>14,.1f}{n / odp:>14,.1f}{base / odp:>9.2f}x"


def main() -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from odp.methods import embed, nlp

    n = int(os.environ.get("ODP_BENCH_TEXTS", "10000"))
    embed_repeat = int(os.environ.get("ODP_BENCH_EMBED_REPEAT", "2"))
    with tempfile.TemporaryDirectory() as tmp:
        store = ArtifactStore(Path(tmp) / "artifacts")
        ctx = MethodContext.for_testing(store, settings=Settings(state_dir=Path(tmp) / ".odp"))
        inputs: dict[str, tuple[list[str], DatasetRef]] = {}
        for label, share in (("distinct texts", 0.0), ("30% reposts", 0.3)):
            texts = make_texts(n, repost_share=share)
            inputs[label] = (texts, store.write(pl.DataFrame({"id": range(n), "text": texts})))

        lines = [f"{'':<44}{'rows':>8}{'baseline r/s':>14}{'odp r/s':>14}{'ratio':>10}"]

        vader = SentimentIntensityAnalyzer()
        asyncio.run(nlp.score_sentiment(nlp.TextParams(data=inputs["30% reposts"][1]), ctx))
        for label, (texts, ref) in inputs.items():
            base, odp = best_of(
                3,
                [
                    timed(lambda t=texts: [vader.polarity_scores(x)["compound"] for x in t]),
                    timed_async(lambda r=ref: nlp.score_sentiment(nlp.TextParams(data=r), ctx)),
                ],
            )
            lines.append(row(f"nlp.text.sentiment, {label}", n, base, odp))
            print(lines[-1], flush=True)

        model = embed.embedding_model()
        model.encode(inputs["distinct texts"][0][:128], batch_size=64)  # warm up
        for label, (texts, ref) in inputs.items():
            base, odp = best_of(
                embed_repeat,
                [
                    timed(lambda t=texts: model.encode(t, batch_size=64)),
                    timed_async(
                        lambda r=ref: embed.embed_text(
                            embed.EmbedParams(data=r, batch_size=64), ctx
                        )
                    ),
                ],
            )
            lines.append(row(f"ml.text.embed (batch 64), {label}", n, base, odp))
            print(lines[-1], flush=True)

    print()
    print("\n".join(lines))
    print("ratio = ODP rows/s / baseline rows/s (targets: >= 1.0 for both methods)")


if __name__ == "__main__":
    main()
