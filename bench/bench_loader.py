"""How fast hostile YAML is refused, against loading a normal pipeline in the same run."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

from odp.spec import load_yaml

ROOT = Path(__file__).resolve().parents[1]


def billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def timed(text: str, repeat: int = 20) -> tuple[float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    for _ in range(repeat):
        load_yaml(text)
    elapsed = (time.perf_counter() - started) / repeat
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak


def main() -> None:
    normal = (ROOT / "examples" / "quickstart.yaml").read_text()
    base_t, base_m = timed(normal)
    bomb_t, bomb_m = timed(billion_laughs())
    print(f"{'document':<28}{'ms':>10}{'peak KiB':>12}")
    print(f"{'quickstart.yaml':<28}{base_t * 1000:>10.2f}{base_m / 1024:>12.0f}")
    print(f"{'9-level billion laughs':<28}{bomb_t * 1000:>10.2f}{bomb_m / 1024:>12.0f}")
    print(f"ratio bomb/normal: time {bomb_t / base_t:.1f}x, memory {bomb_m / base_m:.1f}x")


if __name__ == "__main__":
    main()
