"""Regenerate the example data files (deterministic: the same bytes on every run).

    python examples/data/generate.py

``orders.csv`` came first and is kept as it is; this writes ``categories.jsonl`` (a
lookup table for joins) and ``events.parquet`` (a day-stamped event log).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent

CATEGORIES = [
    ("books", "media", 0.32),
    ("electronics", "tech", 0.18),
    ("garden", "home", 0.41),
    ("grocery", "food", 0.12),
    ("toys", "media", 0.37),
    ("sports", "outdoor", 0.27),
]


def categories() -> None:
    lines = [
        json.dumps({"category": name, "department": department, "margin": margin})
        for name, department, margin in CATEGORIES
    ]
    (HERE / "categories.jsonl").write_text("\n".join(lines) + "\n")


def events(rows: int = 2000) -> None:
    rng = random.Random(20260101)
    kinds = ["view"] * 14 + ["click"] * 5 + ["purchase"]
    records = []
    for i in range(rows):
        kind = rng.choice(kinds)
        records.append(
            {
                "event_id": f"E{i:05d}",
                "day": f"2026-03-{rng.randint(1, 28):02d}",
                "user_id": f"U{rng.randint(1, 150):03d}",
                "kind": kind,
                "amount": round(rng.uniform(5, 250), 2) if kind == "purchase" else None,
            }
        )
    frame = pl.DataFrame(records, schema_overrides={"amount": pl.Float64})
    # no statistics and a fixed compression: the same bytes whatever the polars version
    frame.write_parquet(HERE / "events.parquet", compression="zstd", statistics=False)


if __name__ == "__main__":
    categories()
    events()
