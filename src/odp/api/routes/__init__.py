"""The API's routers, one module per resource. Adding a resource is one line in ``ROUTERS``."""

from __future__ import annotations

from fastapi import APIRouter

from odp.api.routes import events, health, keys, methods, outputs, pipelines, plan, runs

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [
    health.router,
    pipelines.router,
    runs.router,
    events.router,
    outputs.router,
    methods.router,
    keys.router,
    plan.router,
]
"""Every router the app includes, in this order."""
