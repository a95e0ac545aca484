from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from odp.catalog import Catalog
from odp.spec import (
    Severity,
    ValidationResult,
    compile_plan,
    validate_data,
    validate_file,
    validate_text,
)

GOOD = """\
name: orders-report
description: Revenue per category.
params:
  status: {type: string, default: delivered}
  limit: 10
sources:
  - name: orders
    method: file.csv.read
    params: {path: data/orders.csv}
transforms:
  - name: kept
    method: data.rows.filter
    params:
      data: "{{ orders.data }}"
      where: "status = '{{ params.status }}'"
  - name: totals
    method: data.sql.query
    params:
      inputs: {o: "{{ kept.data }}"}
      query: "SELECT category, count(*) AS n FROM o GROUP BY 1 LIMIT {{ params.limit }}"
sinks:
  - name: save
    method: file.csv.write
    params:
      data: "{{ totals.data }}"
      path: "out/{{ run.date }}/{{ run.id }}.csv"
"""


def check(text: str, catalog: Catalog, **kwargs: object) -> ValidationResult:
    return validate_text(textwrap.dedent(text), catalog, file="p.yaml", **kwargs)  # type: ignore[arg-type]


def codes(result: ValidationResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def test_a_good_pipeline_is_valid(catalog: Catalog) -> None:
    result = check(GOOD, catalog)
    assert result.ok, [d.render() for d in result.diagnostics]
    assert result.diagnostics == []
    assert result.dependencies == {
        "orders": [],
        "kept": ["orders"],
        "totals": ["kept"],
        "save": ["totals"],
    }
    assert result.params == {"status": "delivered", "limit": 10}


def test_every_problem_is_collected_with_positions(catalog: Catalog) -> None:
    result = check(
        """\
        name: x
        sources:
          - name: a
            method: file.csv.reed
          - name: a
            method: data.rows.filter
            params: {data: "{{ nope.data }}", where: 1, bogus: 2}
        """,
        catalog,
    )
    assert not result.ok
    found = {(d.code, d.line, d.step) for d in result.errors}
    assert ("bad-pipeline-name", 1, None) in found
    assert ("unknown-method", 4, "a") in found
    assert ("duplicate-step", 5, "a") in found
    assert ("unknown-step", 7, "a") in found
    assert ("unknown-param", 7, "a") in found
    unknown = next(d for d in result.errors if d.code == "unknown-method")
    assert unknown.hint is not None
    assert "file.csv.read" in unknown.hint
    assert unknown.location == "p.yaml:4:13"


def test_missing_name_and_bad_method_id(catalog: Catalog) -> None:
    result = check(
        """\
        sources:
          - name: a
            method: notdotted
          - method: file.csv.read
        extra_key: 1
        """,
        catalog,
    )
    assert set(codes(result)) >= {"missing-field", "bad-method-id", "unknown-key"}
    missing = [d for d in result.errors if d.code == "missing-field"]
    assert {d.field for d in missing} == {"name", "sources.1.name"}


def test_bad_step_names(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: "bad name", method: file.csv.read, params: {path: x}}
          - {name: params, method: file.csv.read, params: {path: x}}
        """,
        catalog,
    )
    assert codes(result).count("bad-step-name") == 2


def test_params_are_checked_against_the_model(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - name: a
            method: file.csv.read
            params: {delimitr: ";", has_header: maybe}
        """,
        catalog,
    )
    by_code = {d.code: d for d in result.errors}
    assert by_code["missing-param"].field == "params.path"
    assert by_code["unknown-param"].hint == "did you mean 'delimiter'?"
    assert by_code["invalid-param"].field == "params.has_header"
    assert "boolean" in (by_code["invalid-param"].hint or "")


def test_unknown_output_field_lists_the_fields(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: a, method: file.csv.read, params: {path: x}}
        sinks:
          - name: s
            method: file.csv.write
            params: {data: "{{ a.dat }}", path: "{{ a.data.nope }}"}
        """,
        catalog,
    )
    fields = [d for d in result.errors if d.code == "unknown-field"]
    assert len(fields) == 2
    assert "a has: data, count" in (fields[0].hint or "")
    assert "uri" in (fields[1].hint or "")


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ('{data: "{{ a.data }}", path: "{{ a.data }}"}', "is a dataset, but param 'path'"),
        ('{data: "{{ a.count }}", path: x}', "is an integer, but param 'data'"),
        ('{data: "x {{ a.data }}", path: x}', "cannot be put inside text"),
        (
            '{data: "{{ a.data }}", path: x, include_header: "{{ a.data.uri }}"}',
            "is text, but param",
        ),
        (
            '{data: "{{ a.data }}", path: x, include_header: "x{{ a.count }}"}',
            "text with a template",
        ),
    ],
)
def test_type_mismatches(catalog: Catalog, params: str, fragment: str) -> None:
    result = check(
        f"""\
        name: abc
        sources:
          - {{name: a, method: file.csv.read, params: {{path: x}}}}
        sinks:
          - {{name: s, method: file.csv.write, params: {params}}}
        """,
        catalog,
    )
    mismatches = [d for d in result.errors if d.code == "type-mismatch"]
    assert len(mismatches) == 1, [d.render() for d in result.diagnostics]
    assert fragment in mismatches[0].message


def test_integer_template_fills_text_and_number_params(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params: {n: 3}
        sources:
          - {name: a, method: file.csv.read, params: {path: "{{ params.n }}"}}
        sinks:
          - {name: s, method: file.csv.write, params: {data: "{{ a.data }}", path: "{{ a.count }}"}}
        """,
        catalog,
    )
    assert result.ok, [d.render() for d in result.diagnostics]


def test_pipeline_params_and_namespaces(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params: {q: AI, things: [1, 2]}
        sources:
          - name: a
            method: file.csv.read
            params:
              path: "{{ params.qq }}/{{ run.nope }}/{{ secrets.A.B }}/{{ params }}/{{ params.q.x }}"
          - name: b
            method: file.csv.read
            params: {path: "{{ secrets.TOKEN }}{{ params.things.0 }}{{ run.id }}"}
        """,
        catalog,
    )
    found = codes(result)
    assert found.count("unknown-pipeline-param") == 2
    assert "unknown-run-field" in found
    assert "bad-secret-ref" in found
    assert "unknown-field" in found  # params.q is text and has no fields
    assert not [d for d in result.errors if d.step == "b"]


def test_cycles_and_self_references(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        transforms:
          - {name: a, method: data.rows.filter, params: {data: "{{ b.data }}", where: x}}
          - {name: b, method: data.rows.filter, params: {data: "{{ a.data }}", where: x}}
          - {name: c, method: data.rows.filter, params: {data: "{{ c.data }}", where: x}}
        """,
        catalog,
    )
    cycles = [d for d in result.errors if d.code == "cycle"]
    assert len(cycles) == 2
    assert any("a needs b, b needs a" in d.message for d in cycles)


def test_depends_on(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: a, method: file.csv.read, params: {path: x}}
        sinks:
          - {name: s1, method: file.csv.write, params: {data: "{{ a.data }}", path: x}}
          - {name: s2, method: file.csv.write, params: {data: "{{ a.data }}", path: y}, depends_on: [s1, ghost]}
        """,
        catalog,
    )
    assert result.dependencies["s2"] == ["a", "s1"]
    assert [d.code for d in result.errors] == ["unknown-step"]


def test_warnings(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params: {unused: 1}
        sources:
          - {name: a, method: file.csv.read, params: {path: x}}
          - {name: b, method: file.csv.write, params: {data: "{{ a.data }}", path: x}}
        """,
        catalog,
    )
    assert result.ok
    assert {d.code for d in result.warnings} == {
        "no-sink",
        "unused-param",
        "kind-mismatch",
        "unused-source",
    }
    assert all(d.severity is Severity.WARNING for d in result.warnings)


def test_unused_source_warning(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: a, method: file.csv.read, params: {path: x}}
          - {name: b, method: file.csv.read, params: {path: y}}
        sinks:
          - {name: s, method: file.csv.write, params: {data: "{{ a.data }}", path: x}}
        """,
        catalog,
    )
    assert [(d.code, d.step) for d in result.warnings] == [("unused-source", "b")]


def test_param_overrides(catalog: Catalog) -> None:
    text = """\
        name: abc
        params:
          n: {type: integer, default: 1}
          flag: {type: boolean, default: false}
          tags: {type: list, default: []}
          req: {type: string, required: true}
        sources:
          - {name: a, method: file.csv.read, params: {path: "{{ params.req }}{{ params.n }}{{ params.flag }}{{ params.tags }}"}}
        """
    ok = check(
        text,
        catalog,
        params={"n": "5", "flag": "yes", "tags": "a,b", "req": "r"},
        require_params=True,
    )
    assert ok.ok
    assert ok.params == {"n": 5, "flag": True, "tags": ["a", "b"], "req": "r"}
    bad = check(text, catalog, params={"n": "five", "ghost": "1"}, require_params=True)
    assert {d.code for d in bad.errors} == {
        "invalid-param-value",
        "unknown-pipeline-param",
        "missing-pipeline-param",
    }


def test_structural_problems_with_params(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params:
          n: {type: integer, default: "x"}
          m: {type: wrong}
        sources: not-a-list
        """,
        catalog,
    )
    assert {d.code for d in result.errors} >= {"invalid-value", "bad-section"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty-pipeline"),
        ("- a\n- b\n", "not-a-mapping"),
        ("name: abc\n", "no-steps"),
        ("name: [unclosed\n", "yaml-syntax"),
        ("name: abc\nname: abd\nsources: []\n", "duplicate-key"),
    ],
)
def test_document_level_problems(catalog: Catalog, text: str, code: str) -> None:
    result = validate_text(text, catalog, file="p.yaml")
    assert code in codes(result)
    assert not result.ok


def test_validate_file_problems(catalog: Catalog, tmp_path: Path) -> None:
    assert codes(validate_file(tmp_path / "nope.yaml", catalog)) == ["file-not-found"]
    assert codes(validate_file(tmp_path, catalog)) == ["file-not-found"]
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    assert validate_file(good, catalog).ok


def test_validate_data_from_json(catalog: Catalog) -> None:
    result = validate_data(
        {
            "name": "abc",
            "sources": [{"name": "a", "method": "file.csv.read", "params": {"path": "x"}}],
        },
        catalog,
    )
    assert result.ok
    assert result.diagnostics[0].line is None


def test_compile_plan(catalog: Catalog) -> None:
    result = check(GOOD, catalog)
    plan = compile_plan(result, catalog)
    assert [s.name for s in plan.steps] == ["orders", "kept", "totals", "save"]
    assert plan.step("save").depends_on == ["totals"]
    assert plan.dependents("orders") == ["kept"]
    assert plan.step("kept").retry.max_attempts == 3
    assert plan.source_sha256 is not None
    roundtrip = type(plan).model_validate_json(plan.model_dump_json())
    assert roundtrip == plan
