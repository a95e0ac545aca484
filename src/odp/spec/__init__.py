"""The pipeline language: models, YAML loading with positions, templates, validation."""

from odp.spec.diagnostics import Diagnostic, PipelineInvalid, Severity, has_errors, render_text
from odp.spec.graph import find_cycles, mermaid, topological_order
from odp.spec.loader import MAX_BYTES, LoadedDocument, LoadError, load_yaml
from odp.spec.models import (
    Duration,
    ParamType,
    Pipeline,
    PipelineParam,
    RetryPolicy,
    Section,
    Step,
    parse_duration,
)
from odp.spec.params import coerce_param_value, parse_param_assignments
from odp.spec.plan import Plan, PlannedStep, compile_plan
from odp.spec.source import Position, SourceMap
from odp.spec.templates import (
    KEEP,
    NAMESPACES,
    DeferredText,
    Ref,
    Template,
    TemplateSyntaxError,
    fill_deferred,
    find_templates,
    has_template,
    lookup_path,
    parse_template,
    resolve_templates,
    to_text,
)
from odp.spec.validate import (
    RUN_FIELDS,
    ValidationResult,
    validate_data,
    validate_file,
    validate_text,
)

__all__ = [
    "KEEP",
    "MAX_BYTES",
    "NAMESPACES",
    "RUN_FIELDS",
    "DeferredText",
    "Diagnostic",
    "Duration",
    "LoadError",
    "LoadedDocument",
    "ParamType",
    "Pipeline",
    "PipelineInvalid",
    "PipelineParam",
    "Plan",
    "PlannedStep",
    "Position",
    "Ref",
    "RetryPolicy",
    "Section",
    "Severity",
    "SourceMap",
    "Step",
    "Template",
    "TemplateSyntaxError",
    "ValidationResult",
    "coerce_param_value",
    "compile_plan",
    "fill_deferred",
    "find_cycles",
    "find_templates",
    "has_errors",
    "has_template",
    "load_yaml",
    "lookup_path",
    "mermaid",
    "parse_duration",
    "parse_param_assignments",
    "parse_template",
    "render_text",
    "resolve_templates",
    "to_text",
    "topological_order",
    "validate_data",
    "validate_file",
    "validate_text",
]
