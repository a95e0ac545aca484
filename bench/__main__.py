"""``python -m bench``: run every benchmark module and print its table."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    """Run the benchmarks named on the command line, or all of them."""
    here = Path(__file__).parent
    names = sys.argv[1:] or [
        m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")
    ] + ["planner.run"]  # the offline planner on both splits of bench/planner/
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n== {name} ==")
        module.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
