"""Static validation of a pipeline against the catalog.

Every problem is collected (validation does not stop at the first) as a
:class:`~odp.spec.diagnostics.Diagnostic` with a stable code, the position in the
source, the step and the field, and a hint. No input makes validation raise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from odp.catalog import Catalog, MethodKind
from odp.spec._pipeline_params import read_pipeline_params
from odp.spec._references import RUN_FIELDS, References
from odp.spec._reporting import Reporter, StepInfo, did_you_mean, dotted, suggest
from odp.spec._step_params import check_params
from odp.spec._structure import (
    check_literal_fields,
    lenient_step,
    report_structure,
    shape_problem,
    step_items,
)
from odp.spec.diagnostics import Diagnostic, Severity, has_errors
from odp.spec.graph import find_cycles
from odp.spec.loader import MAX_BYTES, load_yaml
from odp.spec.models import Pipeline, PipelineParam, Section
from odp.spec.source import SourceMap
from odp.spec.templates import (
    NAMESPACES,
    Template,
    TemplateSyntaxError,
    find_templates,
    parse_template,
)

__all__ = ["RUN_FIELDS", "ValidationResult", "validate_data", "validate_file", "validate_text"]

_KINDS: Final = {
    Section.SOURCES: MethodKind.SOURCE,
    Section.TRANSFORMS: MethodKind.TRANSFORM,
    Section.SINKS: MethodKind.SINK,
}
_PARAM_USE: Final = re.compile(r"\{\{\s*params\.([A-Za-z][A-Za-z0-9_]*)")


@dataclass(slots=True)
class ValidationResult:
    """What validation found.

    Attributes:
        pipeline: the parsed pipeline (None when its structure is broken).
        diagnostics: every problem, errors first, then by position.
        dependencies: for each step, the steps it needs (from templates and depends_on).
        params: the pipeline's parameter values (defaults with overrides applied).
        file: the file name used in diagnostics.
        source: the YAML text, when validation started from text.
    """

    pipeline: Pipeline | None
    diagnostics: list[Diagnostic]
    dependencies: dict[str, list[str]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    file: str | None = None
    source: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the pipeline has no errors (warnings are allowed)."""
        return self.pipeline is not None and not has_errors(self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        """The errors only."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        """The warnings only."""
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]


def _sort(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(
        diagnostics, key=lambda d: (d.severity is not Severity.ERROR, d.line or 0, d.column or 0)
    )


def validate_file(
    path: str | Path,
    catalog: Catalog,
    *,
    params: Mapping[str, Any] | None = None,
    require_params: bool = False,
) -> ValidationResult:
    """Validate a pipeline file. An unreadable file is a diagnostic, not an exception."""
    name = str(path)
    reporter = Reporter(name, SourceMap())
    try:
        with Path(path).open("rb") as stream:
            # one byte over the limit is enough to refuse it (and /dev/zero never ends)
            raw = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        reporter.report("file-not-found", f"no such file: {name}", hint="check the path")
    except IsADirectoryError:
        reporter.report("file-not-found", f"{name} is a folder", hint="name a .yaml file")
    except (OSError, ValueError) as e:  # permissions, a name too long, a NUL in the name
        reporter.report(
            "file-unreadable",
            f"cannot read {name!r}: {getattr(e, 'strerror', None) or e}",
            hint="check the path and its permissions",
        )
    else:
        return validate_text(raw, catalog, file=name, params=params, require_params=require_params)
    return ValidationResult(None, reporter.diagnostics, file=name)


def validate_text(
    text: str | bytes,
    catalog: Catalog,
    *,
    file: str | None = None,
    params: Mapping[str, Any] | None = None,
    require_params: bool = False,
) -> ValidationResult:
    """Validate pipeline YAML (or JSON, which is YAML) text."""
    doc = load_yaml(text)
    source = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    if not doc.ok:
        diagnostics = [
            Diagnostic(
                code=e.code,
                message=e.message,
                file=file,
                line=e.position.line if e.position else None,
                column=e.position.column if e.position else None,
                hint=e.hint,
            )
            for e in doc.errors
        ]
        return ValidationResult(None, diagnostics, file=file, source=source)
    result = validate_data(
        doc.data,
        catalog,
        file=file,
        source_map=doc.source_map,
        params=params,
        require_params=require_params,
    )
    for path, position in doc.duplicate_keys:
        result.diagnostics.append(
            Diagnostic(
                code="duplicate-key",
                message=f"the key {path[-1]!r} appears twice; the last one would win",
                file=file,
                line=position.line,
                column=position.column,
                field=dotted(path),
                hint="remove one of them",
            )
        )
    result.diagnostics = _sort(result.diagnostics)
    result.source = source
    return result


def validate_data(
    data: Any,
    catalog: Catalog,
    *,
    file: str | None = None,
    source_map: SourceMap | None = None,
    params: Mapping[str, Any] | None = None,
    require_params: bool = False,
) -> ValidationResult:
    """Validate already-parsed pipeline data (a JSON body, an agent's draft).

    Args:
        data: the pipeline as plain data.
        catalog: the methods to check against.
        file: the name to use in diagnostics.
        source_map: positions of values, when the data came from text.
        params: parameter values to apply (strings from a command line are converted
            to the declared types).
        require_params: whether a required parameter without a value is an error
            (true when about to run).
    """
    reporter = Reporter(file, source_map or SourceMap())
    validator = _Validator(catalog, reporter)
    pipeline, deps, values = validator.run(data, params, require_params)
    return ValidationResult(
        pipeline=pipeline,
        diagnostics=_sort(reporter.diagnostics),
        dependencies=deps,
        params=values,
        file=file,
    )


class _Validator:
    """One validation: the checks in order, sharing what earlier ones found."""

    def __init__(self, catalog: Catalog, reporter: Reporter) -> None:
        self.catalog = catalog
        self.reporter = reporter
        self.report = reporter.report
        self.params: dict[str, PipelineParam] = {}
        self.broken_params: set[str] = set()

    def run(
        self, data: Any, overrides: Mapping[str, Any] | None, require_params: bool
    ) -> tuple[Pipeline | None, dict[str, list[str]], dict[str, Any]]:
        if data is None:
            self.report(
                "empty-pipeline",
                "the pipeline is empty",
                hint="start with `name:` and a list of `sources:`",
            )
            return None, {}, {}
        if not isinstance(data, dict):
            self.report(
                "not-a-mapping",
                f"a pipeline is a mapping of keys (name, sources, ...), not {type(data).__name__}",
                hint="start with `name: my-pipeline`",
            )
            return None, {}, {}
        shape = shape_problem(data)
        if shape is not None:
            code, message = shape
            self.report(code, message, hint="a pipeline describes steps; keep data in files")
            return None, {}, {}
        pipeline: Pipeline | None = None
        try:
            pipeline = Pipeline.model_validate(data)
        except ValidationError as e:
            report_structure(self.reporter, e, data)
        infos = self._usable_steps(data)
        self._check_names(infos, data)
        check_literal_fields(self.reporter, data)
        params = read_pipeline_params(self.reporter, data, overrides, require_params)
        self.params, self.broken_params = params.declared, params.broken
        deps = self._check_steps(infos, data)
        self._check_graph(infos, deps)
        self._warnings(infos, deps, data)
        return pipeline, deps, params.values

    # ------------------------------------------------------------------ steps and names
    def _usable_steps(self, data: dict[str, Any]) -> list[StepInfo]:
        """Steps whose own structure is valid, so that their params can be checked too."""
        infos: list[StepInfo] = []
        for section in Section:
            items = data.get(section.value)
            for index, item in enumerate(items if isinstance(items, list) else []):
                step = lenient_step(item)
                if step is not None:  # otherwise reported with the structure
                    infos.append(StepInfo(step, section, index, self.catalog.find(step.method)))
        return infos

    def _check_names(self, infos: list[StepInfo], data: dict[str, Any]) -> None:
        seen: dict[str, StepInfo] = {}
        for info in infos:
            name = info.step.name
            if name in NAMESPACES:
                self.report(
                    "bad-step-name",
                    f"{name!r} is reserved for {{{{ {name}.… }}}} and cannot name a step",
                    (*info.loc, "name"),
                    step=name,
                    hint="choose another name",
                )
            if name in seen:
                first = self.reporter.source_map.find((*seen[name].loc, "name"))
                where = f" (first at line {first.line})" if first else ""
                self.report(
                    "duplicate-step",
                    f"step name {name!r} is used twice{where}",
                    (*info.loc, "name"),
                    step=name,
                    hint="step names must be unique: rename one of them",
                )
            else:
                seen[name] = info
        if not any(isinstance(data.get(s.value), list) and data[s.value] for s in Section):
            self.report(
                "no-steps",
                "the pipeline has no steps",
                ("name",),
                hint="add at least one step under `sources:`",
            )

    # ------------------------------------------------------------------ steps
    def _check_steps(self, infos: list[StepInfo], data: dict[str, Any]) -> dict[str, list[str]]:
        step_names = _declared_step_names(data)
        by_name: dict[str, StepInfo] = {}
        for info in infos:
            by_name.setdefault(info.step.name, info)
        refs = References(self.reporter, by_name, step_names, self.params, self.broken_params)
        deps: dict[str, list[str]] = {}
        for info in infos:
            step = info.step
            if info.spec is None:
                self.report(
                    "unknown-method",
                    f"unknown method {step.method!r}",
                    (*info.loc, "method"),
                    step=step.name,
                    hint=did_you_mean(self.catalog.suggest(step.method))
                    or "run `odp methods list` to see the methods",
                )
            elif info.spec.kind is not _KINDS[info.section]:
                self.report(
                    "kind-mismatch",
                    f"{info.spec.id} is a {info.spec.kind.value} method but the step is under "
                    f"`{info.section.value}`",
                    (*info.loc, "method"),
                    step=step.name,
                    severity=Severity.WARNING,
                    hint=f"move the step to `{info.spec.kind.value}s`",
                )
            templates = self._templates(info)
            if info.spec is not None:
                check_params(self.reporter, info, templates)
            needs: list[str] = []
            for path, template in templates.items():
                refs.check(info, path, template)
                for ref in template.refs:
                    if (
                        ref.is_step
                        and ref.root in step_names
                        and ref.root not in (*needs, step.name)
                    ):
                        needs.append(ref.root)
            for index, name in enumerate(step.depends_on):
                if name not in step_names:
                    self.report(
                        "unknown-step",
                        f"depends_on names {name!r}, which is not a step",
                        (*info.loc, "depends_on", index),
                        step=step.name,
                        hint=did_you_mean(suggest(name, step_names)),
                    )
                elif name not in needs:
                    needs.append(name)
            deps[step.name] = needs
        return deps

    def _templates(self, info: StepInfo) -> dict[tuple[str | int, ...], Template]:
        out: dict[tuple[str | int, ...], Template] = {}
        for path, text in find_templates(info.step.params):
            try:
                out[path] = parse_template(text)
            except TemplateSyntaxError as e:
                self.report(
                    "template-syntax",
                    e.message,
                    (*info.loc, "params", *path),
                    step=info.step.name,
                    hint=e.hint,
                    field=dotted(("params", *path)),
                    offset=e.offset,
                )
                out[path] = Template(())  # a template all the same: not checked as a literal
        return out

    # ------------------------------------------------------------------ graph and warnings
    def _check_graph(self, infos: list[StepInfo], deps: dict[str, list[str]]) -> None:
        by_name = {i.step.name: i for i in infos}
        for cycle in find_cycles(deps):
            self.report(
                "cycle",
                "steps need each other's output in a cycle: "
                + ", ".join(
                    f"{a} needs {b}" for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True)
                ),
                (*by_name[cycle[0]].loc, "name"),
                step=cycle[0],
                hint="break the cycle: a step cannot need its own output, directly or not",
            )

    def _warnings(
        self, infos: list[StepInfo], deps: dict[str, list[str]], data: dict[str, Any]
    ) -> None:
        used = {d for needs in deps.values() for d in needs}
        for info in infos:
            if info.section is Section.SOURCES and info.step.name not in used:
                self.report(
                    "unused-source",
                    f"no step uses the output of source {info.step.name!r}",
                    (*info.loc, "name"),
                    step=info.step.name,
                    severity=Severity.WARNING,
                    hint=f'reference it from a step, e.g. data: "{{{{ {info.step.name}.data }}}}"',
                )
        if infos and not (isinstance(data.get("sinks"), list) and data["sinks"]):
            self.report(
                "no-sink",
                "the pipeline has no sink: its results stay in the artifact store",
                ("name",),
                severity=Severity.WARNING,
                hint="add a step under `sinks:`, e.g. file.csv.write",
            )
        referenced = _referenced_params(data)
        for name in self.params:
            if name not in referenced:
                self.report(
                    "unused-param",
                    f"pipeline parameter {name!r} is not used by any step",
                    ("params", name),
                    severity=Severity.WARNING,
                    key=True,
                    hint=f"use it as {{{{ params.{name} }}}} or remove it",
                )


def _declared_step_names(data: dict[str, Any]) -> set[str]:
    return {item["name"] for _, item in step_items(data) if isinstance(item.get("name"), str)}


def _referenced_params(data: dict[str, Any]) -> set[str]:
    """The pipeline parameters that some step's params mention (even a broken step).

    Read loosely, so that a template broken elsewhere still counts as a use.
    """
    names: set[str] = set()
    for _, item in step_items(data):
        for _, text in find_templates(item.get("params")):
            names.update(_PARAM_USE.findall(text))
    return names
