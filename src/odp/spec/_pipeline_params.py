"""The pipeline's own parameters: declarations, values given to the run, requirements."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from odp.spec._reporting import Reporter, did_you_mean, suggest
from odp.spec._structure import report_stray_templates
from odp.spec.models import STEP_NAME_PATTERN, PipelineParam
from odp.spec.params import coerce_param_value

__all__ = ["PipelineParams", "read_pipeline_params"]


@dataclass(frozen=True, slots=True)
class PipelineParams:
    """What the pipeline declares, and the values a run gets.

    Attributes:
        declared: the parameters declared soundly, by name.
        broken: the names declared with a problem (reported where they are).
        values: the value of each sound parameter: its default or the value given.
    """

    declared: dict[str, PipelineParam]
    broken: set[str]
    values: dict[str, Any]


def read_pipeline_params(
    reporter: Reporter, data: dict[str, Any], overrides: Mapping[str, Any] | None, require: bool
) -> PipelineParams:
    """Read the declarations, apply ``overrides``, and check required values.

    Args:
        reporter: where problems go.
        data: the pipeline.
        overrides: values given to the run (text from a command line is converted).
        require: whether a required parameter without a value is an error.
    """
    declared: dict[str, PipelineParam] = {}
    broken: set[str] = set()
    raw = data.get("params")
    for name, value in (raw if isinstance(raw, dict) else {}).items():
        if not isinstance(name, str):
            continue  # reported with the structure
        if not re.fullmatch(STEP_NAME_PATTERN, name):
            reporter.report(
                "bad-param-name",
                f"pipeline parameter name {name!r} is not an identifier",
                ("params", name),
                key=True,
                hint="use letters, digits and '_', starting with a letter (parameters are "
                "referenced as {{ params.name }})",
            )
            broken.add(name)
            continue
        try:
            declared[name] = PipelineParam.model_validate(value)
        except ValidationError:
            broken.add(name)  # reported with the structure
            continue
        report_stray_templates(reporter, declared[name].default, ("params", name), None)
    values = {name: p.default for name, p in declared.items()}
    for name, value in (overrides or {}).items():
        if name in broken:
            continue
        if name not in declared:
            reporter.report(
                "unknown-pipeline-param",
                f"--param {name}: the pipeline has no parameter {name!r}",
                ("params",),
                hint=did_you_mean(suggest(name, declared))
                or (
                    "declared: " + ", ".join(sorted(declared))
                    if declared
                    else "declare it under `params:`"
                ),
            )
            continue
        try:
            values[name] = coerce_param_value(declared[name], value)
        except ValueError as e:
            reporter.report(
                "invalid-param-value",
                f"--param {name}: {e}",
                ("params", name),
                hint=f"give {declared[name].type.value}",
            )
    if require:
        for name, param in declared.items():
            if values[name] is None and param.required:
                reporter.report(
                    "missing-pipeline-param",
                    f"the pipeline needs a value for parameter {name!r}",
                    ("params", name),
                    hint=f"pass --param {name}=VALUE",
                )
    return PipelineParams(declared, broken, values)
