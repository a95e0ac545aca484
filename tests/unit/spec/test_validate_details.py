"""The validator's less common paths: broken structure, odd data, params, templates."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from odp.catalog import Catalog
from odp.spec import (
    Diagnostic,
    ValidationResult,
    find_cycles,
    validate_data,
    validate_file,
    validate_text,
)
from odp.spec.loader import MAX_DEPTH, MAX_NODES


def check(text: str, catalog: Catalog, **kwargs: Any) -> ValidationResult:
    return validate_text(textwrap.dedent(text), catalog, file="p.yaml", **kwargs)


def only(result: ValidationResult, code: str) -> Diagnostic:
    found = [d for d in result.diagnostics if d.code == code]
    assert len(found) == 1, [d.render() for d in result.diagnostics]
    return found[0]


def codes(result: ValidationResult) -> list[str]:
    return [d.code for d in result.diagnostics]


STEP = {"name": "a", "method": "file.csv.read", "params": {"path": "x"}}


# ---------------------------------------------------------------- structure


def test_unknown_keys_in_a_step_a_retry_and_a_param_declaration(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params:
          n: {type: integer, defualt: 1}
        sources:
          - name: a
            method: file.csv.read
            parms: {path: x}
            retry: {max_attempt: 2}
        """,
        catalog,
    )
    param, step, retry = [d for d in result.diagnostics if d.code == "unknown-key"]
    assert (param.location, param.message) == (
        "p.yaml:3:22",
        "unknown key 'defualt' in pipeline param 'n'",
    )
    assert param.hint == "did you mean 'default'?"
    assert (step.location, step.step, step.message) == (
        "p.yaml:7:5",
        "a",
        "unknown key 'parms' in the step",
    )
    assert step.hint == "did you mean 'params'?"
    assert (retry.location, retry.message) == (
        "p.yaml:8:13",
        "unknown key 'max_attempt' in `retry`",
    )
    assert retry.hint == "did you mean 'max_attempts'?"


def test_a_step_with_a_broken_setting_still_has_its_params_checked(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - name: a
            method: file.csv.read
            params: {path: x, bogus: 1}
            timeout: forever
            retry: 3
        """,
        catalog,
    )
    timeout, retry = [d for d in result.diagnostics if d.code == "invalid-value"]
    assert (timeout.location, timeout.step, timeout.field) == (
        "p.yaml:6:14",
        "a",
        "sources.0.timeout",
    )
    assert timeout.message.startswith("timeout: 'forever' is not a duration")
    assert timeout.hint == 'write a duration such as 30, "30s", "5m" or "1h30m"'
    assert retry.message == "retry: Input should be a valid dictionary"
    assert retry.hint is None
    assert only(result, "unknown-param").field == "params.bogus"


def test_steps_that_are_not_mappings_and_sections_that_are_not_lists(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - just a string
          - {name: a, method: file.csv.read, params: {path: x}}
        sinks: {name: s}
        """,
        catalog,
    )
    item = only(result, "bad-step")
    assert (item.location, item.message) == ("p.yaml:3:5", "sources item 0 is not a step")
    assert item.hint is not None
    section = only(result, "bad-section")
    assert (section.location, section.message) == ("p.yaml:5:8", "`sinks` must be a list of steps")


def test_a_step_without_a_method(catalog: Catalog) -> None:
    d = only(check("name: abc\nsources:\n  - name: a\n", catalog), "missing-field")
    assert (d.location, d.step, d.field) == ("p.yaml:3:5", "a", "sources.0.method")
    assert d.hint == "set `method:` to a catalog id; `odp methods list` shows them"


def test_a_top_level_value_of_the_wrong_type(catalog: Catalog) -> None:
    d = only(check("name: abc\ndescription: [1]\nsources: []\n", catalog), "invalid-value")
    assert (d.location, d.step, d.hint) == ("p.yaml:2:14", None, None)
    assert d.message == "description: Input should be a valid string"


def test_keys_that_are_not_text_in_data(catalog: Catalog) -> None:
    result = validate_data(
        {"name": "abc", 5: "x", "sources": [{**STEP, "params": {1: "x", "path": "y"}}]}, catalog
    )
    step_key = next(d for d in result.diagnostics if d.field == "sources.0.params.1")
    assert step_key.message == "the key 1 under params is not text"
    assert step_key.step == "a"
    top_key = next(d for d in result.diagnostics if d.field == "5")
    assert top_key.message == "the key 5 under the pipeline is not text"


def test_data_that_is_not_a_mapping(catalog: Catalog) -> None:
    assert codes(validate_data(None, catalog)) == ["empty-pipeline"]
    (d,) = validate_data([STEP], catalog).diagnostics
    assert (d.code, d.message) == (
        "not-a-mapping",
        "a pipeline is a mapping of keys (name, sources, ...), not list",
    )


def test_data_nesting_too_deep_or_too_large_or_containing_itself(catalog: Catalog) -> None:
    deep: Any = "x"
    for _ in range(MAX_DEPTH + 1):
        deep = {"k": deep}
    result = validate_data({"name": "abc", "sources": [{**STEP, "params": deep}]}, catalog)
    assert codes(result) == ["too-deep"]
    assert result.pipeline is None
    big = {"name": "abc", "description": [0] * (MAX_NODES + 1)}
    assert codes(validate_data(big, catalog)) == ["too-large"]
    selfish: dict[str, Any] = {"path": "x"}
    selfish["again"] = selfish
    assert codes(
        validate_data({"name": "abc", "sources": [{**STEP, "params": selfish}]}, catalog)
    ) == ["too-deep"]


def test_files_that_cannot_be_read(catalog: Catalog, tmp_path: Path) -> None:
    (missing,) = validate_file(tmp_path / "nope.yaml", catalog).diagnostics
    assert (missing.code, missing.hint) == ("file-not-found", "check the path")
    (folder,) = validate_file(tmp_path, catalog).diagnostics
    assert (folder.code, folder.message) == ("file-not-found", f"{tmp_path} is a folder")
    (long,) = validate_file(tmp_path / ("x" * 300), catalog).diagnostics
    assert long.code == "file-unreadable"
    assert "File name too long" in long.message
    (nul,) = validate_file("bad\x00name.yaml", catalog).diagnostics
    assert nul.code == "file-unreadable"


# ---------------------------------------------------------------- pipeline params


def test_param_names_must_be_identifiers_and_broken_params_are_not_unknown(
    catalog: Catalog,
) -> None:
    result = check(
        """\
        name: abc
        params:
          "bad name": 1
          broken: {type: integer, default: x}
        sources:
          - {name: a, method: file.csv.read, params: {path: "{{ params.broken }}"}}
        """,
        catalog,
        params={"broken": "3", "bad name": "4"},
    )
    bad = only(result, "bad-param-name")
    assert (bad.location, bad.field) == ("p.yaml:3:3", "params.bad name")
    assert "{{ params.name }}" in (bad.hint or "")
    only(result, "invalid-value")  # the broken default, reported once, where it is
    assert "unknown-pipeline-param" not in codes(result)
    assert "invalid-param-value" not in codes(result)


def test_param_keys_that_are_not_text_in_data(catalog: Catalog) -> None:
    result = validate_data({"name": "abc", "params": {1: 2}, "sources": [STEP]}, catalog)
    d = only(result, "invalid-value")
    assert (d.field, d.message) == ("params.1", "the key 1 under params is not text")


def test_templates_are_not_resolved_outside_params(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params:
          out: "{{ run.date }}.csv"
        sources:
          - name: a
            method: file.csv.read
            params: {path: "{{ params.out }}"}
            queue: "{{ params.q }}"
            depends_on: ["x{{ b }}"]
        """,
        catalog,
    )
    default, queue, depends = [d for d in result.diagnostics if d.code == "template-not-allowed"]
    assert (default.location, default.step, default.field) == ("p.yaml:3:8", None, "params.out")
    assert (queue.location, queue.step, queue.field) == ("p.yaml:8:12", "a", "sources.0.queue")
    assert queue.hint == "move the value into params, or write it literally"
    assert depends.field == "sources.0.depends_on.0"


def test_unused_params_count_references_from_broken_steps_too(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params: {q: AI, n: 1, unused: x}
        sources:
          - {name: a, method: file.csv.read, params: {path: "{{ params.q }}"}, bogus: 1}
          - {name: 9, method: file.csv.read, params: {path: "{{ params.n }} {{ params | x }}"}}
          - {name: c, method: file.csv.read, params: "not a mapping"}
        """,
        catalog,
    )
    assert [d.field for d in result.diagnostics if d.code == "unused-param"] == ["params.unused"]


# ---------------------------------------------------------------- templates and references


def test_a_template_syntax_error_points_at_the_template(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - name: a
            method: file.csv.read
            params: {path: "x/{{ run.id | upper }}", columns: ["{{ params.c"]}
        """,
        catalog,
    )
    filters, unclosed = [d for d in result.diagnostics if d.code == "template-syntax"]
    assert (filters.location, filters.field) == ("p.yaml:5:23", "params.path")
    assert filters.message == "filters are not supported in templates: {{ run.id | upper }}"
    assert (unclosed.location, unclosed.field) == ("p.yaml:5:57", "params.columns.0")
    assert unclosed.hint == "close it with '}}'"
    # the broken templates are not then checked as literal values
    assert "invalid-param" not in codes(result)


def test_references_to_broken_steps_and_unknown_methods_are_not_typed(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: a, method: file.csv.read, params: {path: x}, retry: {max_attempts: 0}}
          - {name: b, method: file.csv.raed, params: {path: "{{ ghost.data }}"}}
          - {name: c, method: file.csv.read}
        sinks:
          - {name: s, method: file.csv.write, params: {data: "{{ b.data }}", path: "{{ c.count }}"}}
        """,
        catalog,
    )
    # b's method is unknown: its own reference is still checked, its output cannot be typed
    assert codes(result).count("unknown-step") == 1
    assert "type-mismatch" not in codes(result)
    assert result.dependencies["s"] == ["b", "c"]


def test_walking_into_a_value_without_fields(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params: {limit: 5, tags: [a], opts: {k: v}}
        sources:
          - name: a
            method: file.csv.read
            params: {path: "{{ params.limit.x }}{{ params.tags.0 }}{{ params.opts.k }}"}
        sinks:
          - {name: s, method: file.csv.write, params: {data: "{{ a.data }}", path: "{{ a.count.x }}"}}
        """,
        catalog,
    )
    on_param, on_output = [d for d in result.diagnostics if d.code == "unknown-field"]
    assert on_param.message == "{{ params.limit.x }}: params.limit is an integer and has no fields"
    assert on_param.hint == "use {{ params.limit }}"
    assert on_output.message == "{{ a.count.x }}: a.count has no 'x' (an integer has no fields)"
    assert on_output.hint is None


def test_a_broken_param_reference_is_not_reported_again(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params: {broken: {type: integer, default: x}}
        sources:
          - {name: a, method: file.csv.read, params: {path: "{{ params.broken }}"}}
        """,
        catalog,
    )
    assert codes(result) == ["invalid-value", "no-sink", "unused-source"]


def test_a_value_without_datasets_into_a_dataset_param(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: a, method: file.csv.read, params: {path: x}}
        sinks:
          - {name: s, method: file.csv.write, params: {data: "{{ a.data }}", path: y}}
          - {name: t, method: file.csv.write, params: {data: "{{ s }}", path: z}}
        """,
        catalog,
    )
    d = only(result, "type-mismatch")
    assert d.message == "{{ s }} is an object, but param 'data' of file.csv.write expects a dataset"
    assert d.hint == "reference a step's dataset output, e.g. {{ step.data }}"


def test_templates_inside_lists_are_typed(test_catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: t, method: social.twitter.search, params: {query: AI}}
        transforms:
          - name: w
            method: test.rows.window
            params: {data: "{{ t.data }}", labels: ["{{ t.count }}", "n={{ t.count }}", "{{ t.data }}"]}
        """,
        test_catalog,
    )
    d = only(result, "type-mismatch")
    assert (d.field, d.location) == ("params.labels.2", "p.yaml:7:82")


def test_depends_on_adds_to_what_templates_need(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: a, method: file.csv.read, params: {path: x}}
          - {name: b, method: file.csv.read, params: {path: y}}
        sinks:
          - {name: s, method: file.csv.write, params: {data: "{{ a.data }}", path: z}, depends_on: [a, b, ghost]}
        """,
        catalog,
    )
    assert result.dependencies["s"] == ["a", "b"]
    d = only(result, "unknown-step")
    assert (d.location, d.field, d.hint) == ("p.yaml:6:99", "sinks.0.depends_on.2", None)
    # b is used through depends_on: not an unused source
    assert "unused-source" not in codes(result)


def test_an_unknown_step_when_there_is_no_other_step(catalog: Catalog) -> None:
    result = check(
        'name: abc\nsources:\n  - {name: a, method: file.csv.read, params: {path: "{{ zz.data }}"}}\n',
        catalog,
    )
    assert only(result, "unknown-step").hint == "the pipeline has no other step to reference"
    result = check(
        'name: abc\nsources:\n  - {name: a, method: file.csv.read, params: {path: "{{ zz.data }}"}}\n'
        "  - {name: b, method: file.csv.read, params: {path: x}}\n",
        catalog,
    )
    assert only(result, "unknown-step").hint == "steps available: b"


def test_duplicate_dependency_lists_report_a_cycle_once() -> None:
    assert find_cycles({"a": ["b"], "b": ["a", "a"]}) == [["a", "b"]]


def test_diagnostics_are_sorted_errors_first_then_by_position(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params: {unused: 1}
        sources:
          - {name: a, method: file.csv.read, params: {path: x}}
          - {name: b, method: file.csv.raed, params: {path: x, zz: 1}}
        name: abd
        """,
        catalog,
    )
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [
        ("unknown-method", 5, 23),
        ("duplicate-key", 6, 1),
        ("no-sink", 1, 7),
        ("unused-param", 2, 10),
        ("unused-source", 4, 12),
        ("unused-source", 5, 12),
    ]
