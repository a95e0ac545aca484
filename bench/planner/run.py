"""Plan every request of a split, score the drafts against the gold pipelines, print tables.

Both planners run through the planning graph (``odp.agent.planner.plan_request``) with
the questions' defaults taken (as ``odp plan --yes`` does): draft, validate, repair at
most three times. The LLM planner needs the ``ODP_LLM_*`` settings.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.planner.scoring import CaseScore, Summary, score_case, summarize
from odp.agent.drafting import Drafter
from odp.agent.offline import OfflinePlanner
from odp.agent.planner import default_drafter, plan_request
from odp.catalog import Catalog, load_catalog
from odp.config import Settings
from odp.errors import ConfigError
from odp.logs import configure_logging

HERE = Path(__file__).parent
SPLITS = ("dev", "heldout")
STRATA = ("single", "chain", "dag")


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    stratum: str
    request: str
    gold: dict[str, Any]
    batch: int = 1


@dataclass(frozen=True, slots=True)
class Outcome:
    pipeline: dict[str, Any] | None
    valid: bool


def load_cases(split: str) -> list[Case]:
    """The requests of a split (``dev``, ``heldout`` or ``all``)."""
    names = SPLITS if split == "all" else (split,)
    cases = []
    for name in names:
        for item in yaml.safe_load((HERE / f"{name}.yaml").read_text()):
            cases.append(
                Case(
                    item["id"],
                    item["stratum"],
                    item["request"],
                    item["gold"],
                    item.get("batch", 1),
                )
            )
    return cases


def batch_range(text: str) -> range:
    """``7`` or ``1-6``: the held-out batches to score.

    Raises:
        argparse.ArgumentTypeError: for anything else.
    """
    first, _, last = text.partition("-")
    try:
        return range(int(first), int(last or first) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a batch or a range like 1-6") from None


def make_planner(
    kind: str, catalog: Catalog, settings: Settings | None = None
) -> tuple[str, Callable[[str], Outcome]]:
    """The planning function to score (through the planning graph) and its name."""
    settings = settings or Settings()
    drafter: Drafter
    if kind == "llm":
        if not (settings.llm_provider or settings.llm_base_url):
            raise SystemExit(
                "no LLM is configured: set ODP_LLM_PROVIDER (or ODP_LLM_BASE_URL), "
                "ODP_LLM_MODEL and ODP_LLM_API_KEY, or score --planner offline"
            )
        try:
            drafter = default_drafter(settings, catalog)
        except ConfigError as e:
            raise SystemExit(f"the LLM settings are incomplete: {e}") from None
    else:
        drafter = OfflinePlanner(catalog)

    def plan(request: str) -> Outcome:
        result = asyncio.run(
            plan_request(
                request, catalog=catalog, settings=settings, drafter=drafter, assume_defaults=True
            )
        )
        return Outcome(result.pipeline, result.ok)

    return f"{drafter.name} via plan_request", plan


def evaluate(
    cases: Sequence[Case], plan: Callable[[str], Outcome], catalog: Catalog
) -> list[CaseScore]:
    """Plan and score every case."""
    scores = []
    ids = catalog.ids()
    for case in cases:
        start = time.perf_counter()
        outcome = plan(case.request)
        seconds = time.perf_counter() - start
        scores.append(
            score_case(
                case.id,
                case.stratum,
                case.gold,
                outcome.pipeline,
                valid=outcome.valid,
                catalog_ids=ids,
                seconds=seconds,
            )
        )
    return scores


def table(title: str, rows: Sequence[tuple[str, Summary]]) -> str:
    """A plain-text table of summaries."""
    head = f"{'':<16}{'n':>4}{'valid':>8}{'halluc':>8}{'node F1':>9}{'edge F1':>9}{'param F1':>10}{'p50 ms':>9}"
    lines = [title, head]
    for label, s in rows:
        lines.append(
            f"{label:<16}{s.n:>4}{s.valid_rate:>8.1%}{s.hallucinated_rate:>8.1%}"
            f"{s.node_f1:>9.3f}{s.edge_f1:>9.3f}{s.param_f1:>10.3f}{s.p50_ms:>9.1f}"
        )
    return "\n".join(lines)


def report(
    split: str, scores: Sequence[CaseScore], batches: Mapping[str, int] | None = None
) -> str:
    """The table of one split: every stratum, each batch when there are several, then all."""
    rows = [(stratum, summarize([s for s in scores if s.stratum == stratum])) for stratum in STRATA]
    numbers = sorted({(batches or {}).get(s.id, 1) for s in scores})
    if len(numbers) > 1:
        for number in numbers:
            chosen = [s for s in scores if (batches or {}).get(s.id, 1) == number]
            rows.append((f"batch {number}", summarize(chosen)))
    rows.append(("all", summarize(scores)))
    return table(f"split: {split}", rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Score a planner on a split and print a table per split and stratum."""
    parser = argparse.ArgumentParser(prog="python -m bench.planner", description=__doc__)
    parser.add_argument("--planner", choices=("offline", "llm"), default="offline")
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--show", action="store_true", help="list the requests scored below 1")
    parser.add_argument(
        "--batches",
        type=batch_range,
        default=None,
        help="only these held-out batches, e.g. 7 or 1-6 (a new batch's first run stays apart)",
    )
    args = parser.parse_args(list(argv) if argv is not None else [])
    configure_logging("WARNING")
    catalog = load_catalog()
    how, plan = make_planner(args.planner, catalog)
    print(f"planner: {how}")
    for split in SPLITS if args.split == "all" else (args.split,):
        cases = load_cases(split)
        if args.batches is not None and split == "heldout":
            cases = [c for c in cases if c.batch in args.batches]
        scores = evaluate(cases, plan, catalog)
        print(report(split, scores, {c.id: c.batch for c in cases}))
        if args.show:
            for s in scores:
                if not s.valid or min(s.node_f1, s.edge_f1, s.param_f1) < 1:
                    print(
                        f"  {s.id}: valid={s.valid} node={s.node_f1:.2f} edge={s.edge_f1:.2f} param={s.param_f1:.2f}"
                    )
    return 0
