"""Small deterministic datasets for the model tests (no downloads)."""

from __future__ import annotations

import numpy as np
import polars as pl

PLANS = ("basic", "plus", "pro")


def churn_frame(n: int = 400, *, seed: int = 0, shift: float = 0.0) -> pl.DataFrame:
    """Customers with numeric and categorical columns and a yes/no ``churned`` label.

    ``shift`` moves the numeric columns (in standard deviations) and the plan mix, to
    make drifted data.
    """
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, n) + int(shift * 20)
    charges = rng.normal(70 + shift * 30, 20, n).round(2)
    calls = rng.poisson(2 + shift * 3, n)
    plan_p = np.array([0.5, 0.3, 0.2]) if shift == 0 else np.array([0.1, 0.3, 0.6])
    plan = rng.choice(PLANS, n, p=plan_p)
    score = -0.05 * tenure + 0.03 * charges + 0.6 * calls + (plan == "basic") * 0.8 - 2.5
    churned = np.where(rng.random(n) < 1 / (1 + np.exp(-score)), "yes", "no")
    charges_with_gaps = [None if i % 37 == 0 else float(v) for i, v in enumerate(charges)]
    return pl.DataFrame(
        {
            "customer_id": np.arange(n),
            "tenure": tenure,
            "monthly_charges": charges_with_gaps,
            "support_calls": calls,
            "plan": plan,
            "churned": churned,
        }
    )


def price_frame(n: int = 300, *, seed: int = 1) -> pl.DataFrame:
    """Houses with a continuous ``price`` to regress."""
    rng = np.random.default_rng(seed)
    area = rng.uniform(30, 200, n).round(1)
    rooms = rng.integers(1, 7, n)
    city = rng.choice(["north", "south", "east"], n)
    price = 1000 * area + 15000 * rooms + (city == "north") * 40000 + rng.normal(0, 10000, n)
    return pl.DataFrame({"area": area, "rooms": rooms, "city": city, "price": price.round(0)})
