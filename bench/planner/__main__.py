"""``python -m bench.planner``: score a planner on the evaluation set."""

from __future__ import annotations

from bench.planner.run import main

if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
