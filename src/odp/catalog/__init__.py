"""The method catalog: typed specs of every method a pipeline step can run."""

from odp.catalog.context import MethodContext
from odp.catalog.models import (
    METHOD_ID_PATTERN,
    MethodExample,
    MethodInfo,
    MethodKind,
    MethodOutput,
    MethodParams,
    MethodSpec,
    ParamIssue,
    RetryDefaults,
    StaticCheck,
)
from odp.catalog.registry import ENTRY_POINT_GROUP, Catalog, SearchHit, load_catalog, method

__all__ = [
    "ENTRY_POINT_GROUP",
    "METHOD_ID_PATTERN",
    "Catalog",
    "MethodContext",
    "MethodExample",
    "MethodInfo",
    "MethodKind",
    "MethodOutput",
    "MethodParams",
    "MethodSpec",
    "ParamIssue",
    "RetryDefaults",
    "SearchHit",
    "StaticCheck",
    "load_catalog",
    "method",
]
