"""ODP's built-in methods, one module per domain.

Every module of this package is scanned for method specs by :func:`builtin_methods`
(modules whose names start with ``_`` are skipped); plugins add theirs through the
``odp.methods`` entry point group.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from odp.catalog import MethodSpec

__all__ = ["builtin_methods"]


def builtin_methods() -> list[MethodSpec[Any, Any]]:
    """Every built-in method spec, from every module of ``odp.methods``."""
    specs: list[MethodSpec[Any, Any]] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        specs.extend(v for v in vars(module).values() if isinstance(v, MethodSpec))
    return specs
