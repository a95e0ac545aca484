"""Every ``{{ }}`` reference typed before a run.

A reference to a step is typed by walking the producing method's output model; one to
``params`` by the pipeline parameter's declared type; ``secrets`` and ``run`` give text.
The type must then fit the param the template fills: a whole-value template keeps its
type, a template inside text makes text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from odp.spec._reporting import Reporter, StepInfo, did_you_mean, dotted, suggest
from odp.spec.models import ParamType, PipelineParam
from odp.spec.source import Path
from odp.spec.templates import NAMESPACES, Ref, Template
from odp.spec.types import (
    ANY,
    STRING,
    Kind,
    PathError,
    ValueType,
    compatible,
    dataset_fields,
    param_type_at,
    type_at,
)

__all__ = ["RUN_FIELDS", "References"]

RUN_FIELDS: Final = {
    "id": "the run's id",
    "pipeline": "the pipeline's name",
    "workspace": "the workspace the run belongs to",
    "started_at": "when the run started (ISO 8601, UTC)",
    "date": "the day the run started (YYYY-MM-DD, UTC)",
}

_PARAM_TYPES: Final = {
    ParamType.STRING: STRING,
    ParamType.INTEGER: ValueType(Kind.INTEGER),
    ParamType.NUMBER: ValueType(Kind.NUMBER),
    ParamType.BOOLEAN: ValueType(Kind.BOOLEAN),
    ParamType.LIST: ValueType(Kind.LIST, item=ANY),
    ParamType.OBJECT: ValueType(Kind.OBJECT, item=ANY),
}


@dataclass(slots=True)
class References:
    """Types the templates of a pipeline's steps.

    Attributes:
        reporter: where problems go.
        steps: the steps that can be checked, by name.
        step_names: every step name declared, checkable or not.
        params: the pipeline parameters, by name.
        broken_params: parameters declared with a problem already reported.
    """

    reporter: Reporter
    steps: dict[str, StepInfo]
    step_names: set[str]
    params: dict[str, PipelineParam]
    broken_params: set[str]

    def check(self, info: StepInfo, path: Path, template: Template) -> None:
        """Check the template at ``path`` in the step's params: references and types."""
        loc = (*info.loc, "params", *path)
        types = [(ref, self._type_of(info, loc, ref)) for ref in template.refs]
        if info.spec is None or not types:
            return  # an unknown method (params cannot be typed), or a broken template
        expected = param_type_at(info.spec.params_model, path)
        if expected is None:
            return  # an unknown param: reported by the params check
        param = dotted(path)
        method = info.spec.id
        if template.whole is not None:
            ref, ref_type = types[0]
            if ref_type is not None and not compatible(ref_type, expected):
                self.reporter.report(
                    "type-mismatch",
                    f"{ref.text} is {ref_type.describe()}, but param {param!r} of "
                    f"{method} expects {expected.describe()}",
                    loc,
                    step=info.step.name,
                    hint=self._mismatch_hint(ref, ref_type, expected),
                    field=f"params.{param}",
                    offset=ref.offset,
                )
            return
        datasets = [r for r, t in types if t is not None and t.kind is Kind.DATASET]
        for ref in datasets:
            self.reporter.report(
                "type-mismatch",
                f"{ref.text} is a dataset and cannot be put inside text (param {param!r})",
                loc,
                step=info.step.name,
                hint=f'pass the dataset on its own: {param}: "{{{{ {ref.dotted()} }}}}", '
                f"or reference one of its fields such as {{{{ {ref.dotted()}.uri }}}}",
                field=f"params.{param}",
                offset=ref.offset,
            )
        if not datasets and not compatible(STRING, expected):
            first = types[0][0]
            self.reporter.report(
                "type-mismatch",
                f"text with a template in it is text, but param {param!r} of {method} "
                f"expects {expected.describe()}",
                loc,
                step=info.step.name,
                hint=f'use the template alone to keep its type: {param}: "{first.text}"',
                field=f"params.{param}",
                offset=first.offset,
            )

    def _report(
        self, info: StepInfo, loc: Path, ref: Ref, code: str, message: str, hint: str | None
    ) -> None:
        self.reporter.report(
            code,
            message,
            loc,
            step=info.step.name,
            hint=hint,
            field=dotted(loc[2:]),  # params.…, as for the params model's own findings
            offset=ref.offset,
        )

    def _type_of(self, info: StepInfo, loc: Path, ref: Ref) -> ValueType | None:
        """The type of what ``ref`` reads, or None when it reads nothing (reported)."""
        if ref.root == "params":
            return self._param_type(info, loc, ref)
        if ref.root == "secrets":
            if len(ref.path) == 1 and isinstance(ref.path[0], str):
                return STRING
            self._report(
                info,
                loc,
                ref,
                "bad-secret-ref",
                f"{ref.text} must name one secret",
                "write {{ secrets.NAME }}",
            )
            return None
        if ref.root == "run":
            if len(ref.path) == 1 and ref.path[0] in RUN_FIELDS:
                return STRING
            self._report(
                info,
                loc,
                ref,
                "unknown-run-field",
                f"{ref.text}: the run has no field {dotted(ref.path) or '(none given)'}",
                "available: " + ", ".join(f"run.{k}" for k in RUN_FIELDS),
            )
            return None
        return self._step_type(info, loc, ref)

    def _step_type(self, info: StepInfo, loc: Path, ref: Ref) -> ValueType | None:
        if ref.root == info.step.name:
            self._report(
                info,
                loc,
                ref,
                "cycle",
                f"step {ref.root!r} refers to its own output in {ref.text}",
                "a step can only use the outputs of other steps",
            )
            return None
        if ref.root not in self.step_names:
            others = sorted(self.step_names - {info.step.name})
            self._report(
                info,
                loc,
                ref,
                "unknown-step",
                f"{ref.text} refers to {ref.root!r}, which is not a step",
                did_you_mean(suggest(ref.root, [*others, *sorted(NAMESPACES)]))
                or (
                    "steps available: " + ", ".join(others)
                    if others
                    else "the pipeline has no other step to reference"
                ),
            )
            return None
        producer = self.steps.get(ref.root)
        if producer is None or producer.spec is None:
            return None  # the producer's own problems are reported on it
        try:
            return type_at(ValueType(Kind.OBJECT, model=producer.spec.output_model), ref.path)
        except PathError as e:
            at = ".".join([ref.root, *(str(p) for p in e.walked)])
            if e.available:
                hint = did_you_mean(suggest(str(e.segment), e.available))
                listing = f"{at} has: {', '.join(e.available)}"
                self._report(
                    info,
                    loc,
                    ref,
                    "unknown-field",
                    f"{ref.text}: {at} has no field {e.segment!r}",
                    f"{hint} {listing}" if hint else listing,
                )
            else:
                self._report(
                    info,
                    loc,
                    ref,
                    "unknown-field",
                    f"{ref.text}: {at} has no {e.segment!r} ({e.reason})",
                    None,
                )
            return None

    def _param_type(self, info: StepInfo, loc: Path, ref: Ref) -> ValueType | None:
        name = ref.path[0] if ref.path else None
        if not isinstance(name, str):
            self._report(
                info,
                loc,
                ref,
                "unknown-pipeline-param",
                f"{ref.text} must name a pipeline parameter",
                "write {{ params.NAME }}",
            )
            return None
        if name in self.broken_params:
            return None  # its declaration's problem is reported there
        if name not in self.params:
            self._report(
                info,
                loc,
                ref,
                "unknown-pipeline-param",
                f"{ref.text}: the pipeline has no parameter {name!r}",
                did_you_mean(suggest(name, self.params))
                or f"declare it: params: {{{name}: {{type: string, default: ...}}}}",
            )
            return None
        declared = _PARAM_TYPES[self.params[name].type]
        if len(ref.path) == 1:
            return declared
        if declared.kind in (Kind.LIST, Kind.OBJECT):
            return ANY
        self._report(
            info,
            loc,
            ref,
            "unknown-field",
            f"{ref.text}: params.{name} is {declared.describe()} and has no fields",
            f"use {{{{ params.{name} }}}}",
        )
        return None

    def _mismatch_hint(self, ref: Ref, ref_type: ValueType, expected: ValueType) -> str | None:
        if ref_type.kind is Kind.DATASET:
            return (
                "a dataset goes into a dataset param such as `data`; for its location use "
                f"{{{{ {ref.dotted()}.uri }}}}"
            )
        if expected.kind is not Kind.DATASET:
            return None
        producer = self.steps.get(ref.root) if ref.is_step else None
        if producer is not None and producer.spec is not None:
            datasets = dataset_fields(producer.spec.output_model)
            if datasets:
                return f"use {{{{ {ref.root}.{datasets[0]} }}}}"
        return "reference a step's dataset output, e.g. {{ step.data }}"
