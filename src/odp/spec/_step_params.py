"""A step's params against its method's params model and static checks.

Values that are templates cannot be checked as literals: a whole-value template is
replaced by a placeholder before the model sees the params, and the model's complaints
about template values are dropped (the references are typed separately).
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from odp.spec._reporting import Reporter, StepInfo, did_you_mean, suggest
from odp.spec.diagnostics import Severity
from odp.spec.source import Path
from odp.spec.templates import Template
from odp.spec.types import fields_at, param_type_at

__all__ = ["check_params"]


class _Placeholder:
    """Stands in for a whole-value template while the params model is checked."""


_PLACEHOLDER: Final = _Placeholder()


def _probe(params: dict[str, Any], templates: dict[Path, Template]) -> Any:
    """The params with every whole-value template replaced by a placeholder."""

    def walk(value: Any, path: Path) -> Any:
        if path in templates:
            # a template in text stays text; a whole one (or a broken one) can be anything
            template = templates[path]
            return value if template.whole is None and template.parts else _PLACEHOLDER
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        return value

    return walk(params, ())


def check_params(reporter: Reporter, info: StepInfo, templates: dict[Path, Template]) -> None:
    """Report the params of a step that its method's params model or checks refuse."""
    assert info.spec is not None
    model = info.spec.params_model
    try:
        model.model_validate(_probe(info.step.params, templates))
    except ValidationError as e:
        for err in e.errors():
            loc: Path = tuple(err["loc"])
            under_template = any(loc[: len(t)] == t for t in templates)
            if under_template and err["type"] != "extra_forbidden":
                continue
            _param_error(reporter, info, model, err, loc)
    except Exception as e:  # a validator of the method that did not expect a placeholder
        _could_not_check(reporter, info, e)
    literal = {
        k: v for k, v in info.step.params.items() if not any(t[:1] == (k,) for t in templates)
    }
    for check in info.spec.checks:
        try:
            issues = check(literal)
        except Exception as e:  # a check must not crash validation
            _could_not_check(reporter, info, e)
            continue
        for issue in issues:
            reporter.report(
                issue.code,
                issue.message,
                (*info.loc, "params", *issue.field.split(".")),
                step=info.step.name,
                hint=issue.hint,
                field=f"params.{issue.field}",
            )


def _could_not_check(reporter: Reporter, info: StepInfo, error: Exception) -> None:
    assert info.spec is not None
    reporter.report(
        "check-failed",
        f"could not check the params of {info.spec.id}: {type(error).__name__}: {error}",
        (*info.loc, "params"),
        step=info.step.name,
        severity=Severity.WARNING,
        hint="the method's own validation failed; report it to the method's authors",
    )


def _param_error(
    reporter: Reporter, info: StepInfo, model: type[BaseModel], err: ErrorDetails, loc: Path
) -> None:
    assert info.spec is not None
    method = info.spec.id
    step = info.step.name
    name = ".".join(str(p) for p in loc)
    params_loc = (*info.loc, "params")
    kind = err["type"]
    if kind == "missing":
        described = model.model_fields[str(loc[0])].description if len(loc) == 1 else None
        reporter.report(
            "missing-param",
            f"{method} needs the param {name!r}",
            params_loc if params_loc in reporter.source_map.values else info.loc,
            step=step,
            hint=f"{name}: {described}" if described else f"add `{name}:` under params",
            field=f"params.{name}",
        )
    elif kind == "extra_forbidden":
        options = fields_at(model, loc[:-1])
        reporter.report(
            "unknown-param",
            f"{method} has no param {name!r}",
            (*params_loc, *loc),
            step=step,
            key=True,
            hint=did_you_mean(suggest(str(loc[-1]), options))
            or ("its params: " + ", ".join(options) if options else None),
            field=f"params.{name}",
        )
    else:
        message = err["msg"].removeprefix("Value error, ")
        expected = param_type_at(model, loc) if loc else None
        reporter.report(
            "invalid-param",
            f"param {name!r}: {message}" if loc else f"the params of {method}: {message}",
            (*params_loc, *loc),
            step=step,
            hint=f"{name} expects {expected.describe()}" if expected is not None else None,
            field=f"params.{name}" if loc else "params",
        )
