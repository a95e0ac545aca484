"""Validation cost against PyYAML's own C loader on the same text, and hostile input.

Ratios: ODP's safe loader (positions, limits, no recursion) and the whole validator
against ``yaml.load(text, CSafeLoader)``; hostile documents against validating the
quickstart, in time and in peak memory.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import yaml

from odp.catalog import load_catalog
from odp.spec import load_yaml, validate_text

ROOT = Path(__file__).resolve().parents[1]


def big_pipeline(steps: int = 3000) -> str:
    lines = ["name: big", "sources:"]
    for i in range(steps):
        lines += [
            f"  - name: s{i}",
            "    method: file.csv.read",
            f'    params: {{path: "data/{i}.csv", columns: [a, b, c]}}',
        ]
    return "\n".join(lines) + "\n"


def billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def timed(work: Callable[[], object], repeat: int) -> float:
    work()  # warm up
    started = time.perf_counter()
    for _ in range(repeat):
        work()
    return (time.perf_counter() - started) / repeat


def peak(work: Callable[[], object]) -> int:
    tracemalloc.start()
    work()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def main() -> None:
    catalog = load_catalog()
    quick = (ROOT / "examples" / "quickstart.yaml").read_text()
    big = big_pipeline()

    def pyyaml(text: str) -> Callable[[], object]:
        return lambda: yaml.load(text, Loader=yaml.CSafeLoader)

    print(f"{'work':<48}{'ms':>10}{'ratio':>10}")
    for label, text, repeat in (
        ("quickstart", quick, 200),
        (f"{len(big) // 1024} KiB pipeline", big, 3),
    ):
        base = timed(pyyaml(text), repeat)
        load = timed(lambda text=text: load_yaml(text), repeat)
        full = timed(lambda text=text: validate_text(text, catalog), repeat)
        print(f"{label + ': yaml.load (CSafeLoader), baseline':<48}{base * 1000:>10.2f}{1:>10.1f}")
        print(f"{label + ': odp load_yaml':<48}{load * 1000:>10.2f}{load / base:>10.1f}")
        print(f"{label + ': odp validate_text':<48}{full * 1000:>10.2f}{full / base:>10.1f}")

    normal_t = timed(lambda: validate_text(quick, catalog), 50)
    normal_m = peak(lambda: validate_text(quick, catalog))
    print(
        f"\n{'hostile document (vs validating quickstart)':<48}{'ms':>10}{'time':>8}{'memory':>8}"
    )
    for label, text in (
        ("9-level billion laughs", billion_laughs()),
        ("100,000 nested [", "a: " + "[" * 100_000 + "]" * 100_000),
        ("1 MiB + 1 byte", "# " + "x" * (1 << 20)),
        ("200,001 values", "a: [" + "1," * 200_000 + "1]"),
    ):
        t = timed(lambda text=text: validate_text(text, catalog), 5)
        m = peak(lambda text=text: validate_text(text, catalog))
        print(f"{label:<48}{t * 1000:>10.2f}{t / normal_t:>7.1f}x{m / normal_m:>7.1f}x")


if __name__ == "__main__":
    main()
