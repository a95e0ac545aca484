"""Deterministic repairs of a draft from the validator's diagnostics.

Each fix follows a diagnostic code: an unknown method or param becomes the suggested
one (or goes), a template naming an unknown field or step points at the suggested one,
a value of the wrong shape is converted when a conversion validates, a step in the wrong
section moves, a missing ``data`` takes the step before. What cannot be fixed without
the person (a missing query, a path) becomes a question.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError

from odp.agent.models import Question
from odp.catalog import Catalog, MethodKind
from odp.spec import Diagnostic, Severity

__all__ = ["repair_pipeline"]

_SECTIONS: Final = ("sources", "transforms", "sinks")
_SECTION_OF: Final = {
    MethodKind.SOURCE: "sources",
    MethodKind.TRANSFORM: "transforms",
    MethodKind.SINK: "sinks",
}
_QUOTED: Final = re.compile(r"'([^']+)'")


def _steps(pipeline: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for section in _SECTIONS:
        for step in pipeline.get(section) or []:
            if isinstance(step, dict):
                found.append((section, step))
    return found


def _suggestion(diagnostic: Diagnostic) -> str | None:
    if diagnostic.hint and diagnostic.hint.startswith("did you mean"):
        match = _QUOTED.search(diagnostic.hint)
        return match.group(1) if match else None
    return None


def _param_name(diagnostic: Diagnostic) -> str | None:
    if diagnostic.field and diagnostic.field.startswith("params."):
        return diagnostic.field.split(".")[1]
    match = re.search(r"(?:no param|param) '([^']+)'", diagnostic.message)
    return match.group(1) if match else None


def _convert(value: Any, annotation: Any) -> tuple[bool, Any]:
    """A conversion of ``value`` that the param's type accepts, if there is one."""
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    candidates: list[Any] = [[value]] if not isinstance(value, list) else []
    if isinstance(value, str):
        candidates += [int(value)] if value.strip().lstrip("-").isdigit() else []
        candidates += [[v.strip() for v in value.split(",") if v.strip()]]
    if isinstance(value, list) and len(value) == 1:
        candidates.append(value[0])
    if isinstance(value, int | float) and not isinstance(value, bool):
        candidates.append(str(value))
    for candidate in candidates:
        try:
            adapter.validate_python(candidate)
        except ValidationError:
            continue
        return True, candidate
    return False, None


class _Repair:
    def __init__(self, pipeline: dict[str, Any], catalog: Catalog) -> None:
        self.pipeline = copy.deepcopy(pipeline)
        self.catalog = catalog
        self.questions: list[Question] = []
        self.changed = False

    def step(self, name: str | None) -> tuple[str, dict[str, Any]] | None:
        return next(((sec, s) for sec, s in _steps(self.pipeline) if s.get("name") == name), None)

    def params(self, step: dict[str, Any]) -> dict[str, Any]:
        params = step.get("params")
        if not isinstance(params, dict):
            params = step["params"] = {}
        return params

    def fix(self, diagnostic: Diagnostic) -> None:
        if diagnostic.code == "bad-step":  # not a mapping: nothing to keep of it
            for section in _SECTIONS:
                items = self.pipeline.get(section)
                if isinstance(items, list) and not all(isinstance(i, dict) for i in items):
                    self.pipeline[section] = [i for i in items if isinstance(i, dict)]
                    self.changed = True
            return
        handler = getattr(self, "_" + diagnostic.code.replace("-", "_"), None)
        found = self.step(diagnostic.step)
        if handler is not None and found is not None:
            handler(diagnostic, *found)

    def _unknown_method(self, d: Diagnostic, section: str, step: dict[str, Any]) -> None:
        options = [o for o in self.catalog.suggest(str(step.get("method"))) if o != step["method"]]
        if options:
            step["method"] = options[0]
            self.changed = True

    def _kind_mismatch(self, d: Diagnostic, section: str, step: dict[str, Any]) -> None:
        spec = self.catalog.find(str(step.get("method")))
        if spec is None or _SECTION_OF[spec.kind] == section:
            return
        self.pipeline[section].remove(step)
        if not self.pipeline[section]:
            del self.pipeline[section]
        self.pipeline.setdefault(_SECTION_OF[spec.kind], []).append(step)
        self.changed = True

    def _unknown_param(self, d: Diagnostic, section: str, step: dict[str, Any]) -> None:
        params = self.params(step)
        name = _param_name(d)
        if name not in params:
            return
        value = params.pop(name)
        better = _suggestion(d)
        if better and better not in params:
            params[better] = value
        self.changed = True

    def _missing_param(self, d: Diagnostic, section: str, step: dict[str, Any]) -> None:
        name = _param_name(d)
        if name is None:
            return
        params = self.params(step)
        ordered = [s for _, s in _steps(self.pipeline)]
        position = ordered.index(step)
        if name in ("data", "left", "current") and position > 0:
            params[name] = f"{{{{ {ordered[position - 1]['name']}.data }}}}"
            self.changed = True
            return
        self.questions.append(
            Question(
                slot=f"{step['name']}.{name}",
                question=f"What should {name!r} of step {step['name']!r} be?",
                step=str(step["name"]),
                param=name,
            )
        )

    def _wrong_value(self, d: Diagnostic, section: str, step: dict[str, Any]) -> None:
        name = _param_name(d)
        spec = self.catalog.find(str(step.get("method")))
        params = self.params(step)
        if name is None or spec is None or name not in params:
            return
        field = spec.params_model.model_fields.get(name)
        if field is None:
            return
        ok, value = _convert(params[name], field.annotation)
        if ok:
            params[name] = value
            self.changed = True
        elif not field.is_required():
            del params[name]
            self.changed = True

    _invalid_param = _wrong_value
    _type_mismatch = _wrong_value

    def _replace_in(self, step: dict[str, Any], old: str, new: str) -> None:
        def walk(value: Any) -> Any:
            if isinstance(value, str):
                return value.replace(old, new)
            if isinstance(value, list):
                return [walk(v) for v in value]
            if isinstance(value, dict):
                return {k: walk(v) for k, v in value.items()}
            return value

        before = step.get("params")
        step["params"] = walk(before)
        self.changed = self.changed or step["params"] != before

    def _unknown_field(self, d: Diagnostic, section: str, step: dict[str, Any]) -> None:
        match = re.search(r"\{\{\s*([\w.]+)\s*\}\}.*has no field '([^']+)'", d.message)
        if match is None:
            return
        better = _suggestion(d)
        if better is None and match.group(2) == "data":
            # `{{ train.data }}`: a step without rows; the rows it was given instead
            rows = self._rows_before(match.group(1).split(".")[0])
            if rows is not None:
                self._replace_in(step, match.group(1), f"{rows}.data")
            return
        self._replace_in(step, f".{match.group(2)}", f".{better or 'data'}")

    def _rows_before(self, name: str) -> str | None:
        """The nearest step up from ``name`` whose output has rows (``data``)."""
        seen: set[str] = set()
        while name not in seen:
            seen.add(name)
            found = self.step(name)
            if found is None:
                return None
            step = found[1]
            spec = self.catalog.find(str(step.get("method")))
            if spec is not None and "data" in spec.output_model.model_fields:
                return name
            given = re.search(r"\{\{\s*(\w+)\.data\s*\}\}", str(self.params(step).get("data", "")))
            if given is None:
                return None
            name = given.group(1)
        return None

    def _unknown_step(self, d: Diagnostic, section: str, step: dict[str, Any]) -> None:
        match = re.search(r"\{\{\s*(\w+)\.", d.message)
        ordered = [s for _, s in _steps(self.pipeline)]
        position = ordered.index(step)
        if match is None or position == 0:
            return
        better = _suggestion(d) or str(ordered[position - 1]["name"])
        self._replace_in(step, f"{match.group(1)}.", f"{better}.")

    def _duplicate_step(self, d: Diagnostic, section: str, step: dict[str, Any]) -> None:
        names = {s.get("name") for _, s in _steps(self.pipeline)}
        dupes = [s for _, s in _steps(self.pipeline) if s.get("name") == step["name"]]
        n = 2
        while f"{step['name']}_{n}" in names:
            n += 1
        dupes[-1]["name"] = f"{step['name']}_{n}"
        self.changed = True


def repair_pipeline(
    pipeline: dict[str, Any], diagnostics: Sequence[Diagnostic], catalog: Catalog
) -> tuple[dict[str, Any] | None, list[Question]]:
    """A repaired copy of ``pipeline`` (None when nothing could be fixed) and new questions."""
    repair = _Repair(pipeline, catalog)
    for diagnostic in diagnostics:
        if diagnostic.severity is Severity.ERROR or diagnostic.code == "kind-mismatch":
            repair.fix(diagnostic)
    return (repair.pipeline if repair.changed else None), repair.questions
