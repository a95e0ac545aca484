from __future__ import annotations

from odp.errors import SpecError
from odp.spec import Diagnostic, PipelineInvalid, Severity, has_errors, render_text


def error(**kwargs: object) -> Diagnostic:
    return Diagnostic.model_validate({"code": "c", "message": "m", **kwargs})


def test_location_has_as_much_as_is_known() -> None:
    assert error().location == "<pipeline>"
    assert error(file="p.yaml").location == "p.yaml"
    assert error(file="p.yaml", line=3).location == "p.yaml:3"
    assert error(file="p.yaml", line=3, column=7).location == "p.yaml:3:7"
    assert error(column=7).location == "<pipeline>"


def test_render_is_compiler_style() -> None:
    d = error(file="p.yaml", line=3, column=7, step="read", hint="do this")
    assert d.render() == "p.yaml:3:7: error[c] step 'read': m\n    hint: do this"
    w = error(severity="warning")
    assert w.render() == "<pipeline>: warning[c] m"


def test_render_text_counts() -> None:
    assert render_text([]) == "0 errors, 0 warnings"
    text = render_text([error(), error(severity=Severity.WARNING)])
    assert text.splitlines()[-1] == "1 error, 1 warning"
    assert render_text([error(), error()]).endswith("2 errors, 0 warnings")


def test_has_errors() -> None:
    assert not has_errors([])
    assert not has_errors([error(severity="warning")])
    assert has_errors([error(severity="warning"), error()])


def test_pipeline_invalid_names_the_first_error() -> None:
    e = PipelineInvalid([error(severity="warning"), error(file="p.yaml", line=1), error()])
    assert isinstance(e, SpecError)
    assert len(e.diagnostics) == 3
    assert e.message == "the pipeline is not valid: p.yaml:1: error[c] m (and 1 more)"
    assert e.hint == "run `odp validate` on it to see every problem"
    assert PipelineInvalid([error()]).message == "the pipeline is not valid: <pipeline>: error[c] m"
    assert PipelineInvalid([]).message == "the pipeline is not valid: invalid pipeline"
