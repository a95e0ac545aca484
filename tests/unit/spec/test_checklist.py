"""The validator against the issue's list: each problem with its code, place, step and hint."""

from __future__ import annotations

import textwrap
import tracemalloc
from pathlib import Path

import pytest

from odp.catalog import Catalog
from odp.spec import Diagnostic, Severity, ValidationResult, validate_file, validate_text
from odp.spec.loader import MAX_BYTES


def check(text: str, catalog: Catalog) -> ValidationResult:
    return validate_text(textwrap.dedent(text), catalog, file="p.yaml")


def only(result: ValidationResult, code: str) -> Diagnostic:
    found = [d for d in result.diagnostics if d.code == code]
    assert len(found) == 1, [d.render() for d in result.diagnostics]
    return found[0]


def test_the_design_notes_example_validates_with_a_social_search(test_catalog: Catalog) -> None:
    result = check(
        """\
        name: twitter-investigation
        sources:
          - name: tweets
            method: social.twitter.search
            params: {query: "AI", max_results: 100}
        """,
        test_catalog,
    )
    assert result.ok
    assert [d.code for d in result.diagnostics] == ["no-sink", "unused-source"]


# ---------------------------------------------------------------- the document


def test_yaml_errors_have_a_position_and_a_hint(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - name: a
            method: file.csv.read
            params: {path: x: y}
        """,
        catalog,
    )
    d = only(result, "yaml-syntax")
    assert d.location == "p.yaml:5:21"  # the second colon
    assert d.message == "did not find expected ',' or '}' (while parsing a flow mapping)"
    assert d.hint == "separate items with ', ' and quote values that hold ': ', ',' or brackets"
    assert result.pipeline is None


def test_block_yaml_errors_have_a_position_and_a_hint(catalog: Catalog) -> None:
    d = only(check("name: abc\ndescription: a: b\n", catalog), "yaml-syntax")
    assert d.location == "p.yaml:2:15"
    assert d.hint == "quote values that contain ': ' or put a space after the colon of the key"


def test_files_over_one_mib_are_refused(catalog: Catalog, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"name: abc\n# " + b"x" * MAX_BYTES + b"\n")
    d = only(validate_file(big, catalog), "file-too-large")
    assert d.file == str(big)
    assert "1 MiB" in d.message
    assert d.hint == "split it, or move data out of the pipeline into files"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_read_only_up_to_the_limit(catalog: Catalog) -> None:
    assert only(validate_file("/dev/zero", catalog), "file-too-large").line is None


def test_a_billion_laughs_is_refused_without_growing_memory(catalog: Catalog) -> None:
    lines = ['l0: &l0 "lol"']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    tracemalloc.start()
    result = validate_text("\n".join(lines), catalog, file="p.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    d = only(result, "yaml-too-complex")
    assert d.location == "p.yaml:7:5"  # the first anchor whose expansion is too big
    assert d.hint == "avoid deeply nested anchors and aliases"
    assert peak < 16 * 1024 * 1024


def test_unknown_top_level_keys_suggest_the_right_one(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        source:
          - {name: a, method: file.csv.read, params: {path: x}}
        colour: blue
        """,
        catalog,
    )
    typo, other = [d for d in result.diagnostics if d.code == "unknown-key"]
    assert (typo.location, typo.message) == ("p.yaml:2:1", "unknown key 'source' in the pipeline")
    assert typo.hint == "did you mean 'sources'?"
    assert other.location == "p.yaml:4:1"
    assert other.hint == "allowed keys: description, name, params, sinks, sources, transforms"


def test_a_missing_name(catalog: Catalog) -> None:
    result = check(
        """\
        description: no name
        sources:
          - {method: file.csv.read, params: {path: x}}
        """,
        catalog,
    )
    pipeline, step = [d for d in result.diagnostics if d.code == "missing-field"]
    assert (pipeline.location, pipeline.field) == ("p.yaml:1:1", "name")
    assert pipeline.message == "the pipeline is missing the field 'name'"
    assert pipeline.hint == "add `name: my-pipeline` at the top"
    assert (step.location, step.field) == ("p.yaml:3:5", "sources.0.name")
    assert step.message == "the step is missing the field 'name'"
    assert step.hint == "give the step a unique `name:`"


@pytest.mark.parametrize("name", ["ab", "Big-Name", "-dash", "x" * 101, "1.5"])
def test_bad_pipeline_names(catalog: Catalog, name: str) -> None:
    result = check(f'name: "{name}"\nsources: []\n', catalog)
    d = only(result, "bad-pipeline-name")
    assert d.location == "p.yaml:1:7"
    assert d.hint is not None
    assert "twitter-investigation" in d.hint


def test_bad_and_reserved_step_names(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: 1st, method: file.csv.read, params: {path: x}}
          - {name: run, method: file.csv.read, params: {path: x}}
        """,
        catalog,
    )
    first, reserved = [d for d in result.diagnostics if d.code == "bad-step-name"]
    assert (first.location, first.step, first.message) == (
        "p.yaml:3:12",
        None,
        "step name '1st' is not an identifier",
    )
    assert "{{ name.field }}" in (first.hint or "")
    assert (reserved.location, reserved.step) == ("p.yaml:4:12", "run")
    assert reserved.message == "'run' is reserved for {{ run.… }} and cannot name a step"


def test_duplicate_step_names_point_at_the_second(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: a, method: file.csv.read, params: {path: x}}
        sinks:
          - {name: a, method: file.csv.write, params: {data: "{{ a.data }}", path: y}}
        """,
        catalog,
    )
    d = only(result, "duplicate-step")
    assert (d.location, d.step) == ("p.yaml:5:12", "a")
    assert d.message == "step name 'a' is used twice (first at line 3)"
    assert d.hint == "step names must be unique: rename one of them"


@pytest.mark.parametrize("method", ["filecsvread", "file.csv", "file.csv.read.now", "file-csv.x.y"])
def test_bad_method_id_format(catalog: Catalog, method: str) -> None:
    result = check(f"name: abc\nsources:\n  - name: a\n    method: {method}\n", catalog)
    d = only(result, "bad-method-id")
    assert (d.location, d.step, d.field) == ("p.yaml:4:13", "a", "sources.0.method")
    assert d.message == f"method id {method!r} is not of the form domain.provider.action"
    assert "social.twitter.search" in (d.hint or "")


@pytest.mark.parametrize(
    ("method", "hint"),
    [
        ("file.csv.reed", "did you mean 'file.csv.read'?"),
        ("data.rows.filtre", "did you mean 'data.rows.filter'?"),
        (
            "zzz.yyy.read",
            "did you mean 'file.csv.read' or 'file.jsonl.read' or 'file.parquet.read'?",
        ),
        ("zzz.yyy.xxx", "run `odp methods list` to see the methods"),
    ],
)
def test_unknown_method_suggests_the_nearest_ids(catalog: Catalog, method: str, hint: str) -> None:
    result = check(f"name: abc\nsources:\n  - name: a\n    method: {method}\n", catalog)
    d = only(result, "unknown-method")
    assert (d.location, d.step, d.message) == ("p.yaml:4:13", "a", f"unknown method {method!r}")
    assert d.hint == hint


# ---------------------------------------------------------------- params


def test_params_missing_wrong_type_and_unknown(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - name: a
            method: file.csv.read
            params:
              path: x.csv
              delimitr: ";"
              has_header: maybe
          - name: b
            method: file.csv.read
        """,
        catalog,
    )
    unknown = only(result, "unknown-param")
    assert (unknown.location, unknown.step, unknown.field) == ("p.yaml:7:7", "a", "params.delimitr")
    assert unknown.message == "file.csv.read has no param 'delimitr'"
    assert unknown.hint == "did you mean 'delimiter'?"
    wrong = only(result, "invalid-param")
    assert (wrong.location, wrong.field) == ("p.yaml:8:19", "params.has_header")
    assert wrong.message.startswith("param 'has_header': Input should be a valid boolean")
    assert wrong.hint == "has_header expects a boolean"
    missing = only(result, "missing-param")
    assert (missing.location, missing.step, missing.field) == ("p.yaml:9:5", "b", "params.path")
    assert missing.message == "file.csv.read needs the param 'path'"
    assert missing.hint is not None
    assert missing.hint.startswith("path: A local path")


def test_an_unknown_param_without_a_near_name_lists_the_params(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - name: a
            method: file.csv.read
            params: {path: x, zzz: 1}
        """,
        catalog,
    )
    d = only(result, "unknown-param")
    assert d.location == "p.yaml:5:23"
    assert d.hint == "its params: path, columns, delimiter, has_header, encoding"


def test_a_missing_param_points_at_params_when_they_are_there(catalog: Catalog) -> None:
    result = check(
        "name: abc\nsources:\n  - name: a\n    method: file.csv.read\n    params: {}\n", catalog
    )
    assert only(result, "missing-param").location == "p.yaml:5:13"


def test_nested_params_unknown_keys_model_rules_and_static_checks(test_catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: t, method: social.twitter.search, params: {query: AI}}
        transforms:
          - name: w
            method: test.rows.window
            params: {data: "{{ t.data }}", window: {start: 1, sise: 3}, mode: turbo}
          - name: v
            method: test.rows.window
            params: {data: {uri: "file:///x.parquet", rows: 1, sha256: s}, limit: 3}
        """,
        test_catalog,
    )
    nested = only(result, "unknown-param")
    assert (nested.location, nested.field) == ("p.yaml:7:55", "params.window.sise")
    assert nested.hint == "did you mean 'size'?"
    static, rule = [d for d in result.diagnostics if d.code == "invalid-param"]
    assert (static.location, static.message, static.hint) == (
        "p.yaml:7:71",
        "unknown mode 'turbo'",
        "fast or slow",
    )
    assert (rule.location, rule.step, rule.field) == ("p.yaml:10:13", "v", "params")
    assert rule.message == "the params of test.rows.window: a limit needs a window"
    assert rule.hint is None


def test_an_unknown_param_holding_a_template_is_still_unknown(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: a, method: file.csv.read, params: {path: x}}
        sinks:
          - {name: s, method: file.csv.write, params: {data: "{{ a.data }}", path: y, dta: "{{ a.data }}"}}
        """,
        catalog,
    )
    d = only(result, "unknown-param")
    assert (d.field, d.hint) == ("params.dta", "did you mean 'data'?")


def test_a_method_whose_own_validation_breaks_is_a_warning(test_catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: t, method: social.twitter.search, params: {query: AI}}
          - {name: f, method: test.fragile.read, params: {text: "{{ t.count }}"}}
        """,
        test_catalog,
    )
    placeholder, check_ = [d for d in result.diagnostics if d.code == "check-failed"]
    assert placeholder.severity is Severity.WARNING
    assert placeholder.message.startswith(
        "could not check the params of test.fragile.read: AttributeError"
    )
    assert check_.message.endswith("RuntimeError: check exploded")
    assert result.ok


# ---------------------------------------------------------------- references


REFS = """\
name: abc
sources:
  - name: orders
    method: file.csv.read
    params: {path: in.csv}
transforms:
  - name: kept
    method: data.rows.filter
    params:
      data: "{{ order.data }}"
      where: "status = '{{ params.statu }}' AND n > {{ orders.cnt }}"
sinks:
  - name: save
    method: file.csv.write
    params:
      data: "{{ kept.count }}"
      path: "out/{{ kept.data }}.csv"
"""


def test_an_unknown_step_points_at_the_template(catalog: Catalog) -> None:
    d = only(check(REFS, catalog), "unknown-step")
    assert (d.location, d.step, d.field) == ("p.yaml:10:14", "kept", "params.data")
    assert d.message == "{{ order.data }} refers to 'order', which is not a step"
    assert d.hint == "did you mean 'orders'?"


def test_an_unknown_pipeline_param_inside_quoted_text(catalog: Catalog) -> None:
    d = only(check(REFS, catalog), "unknown-pipeline-param")
    # column 25: the template itself, not the quote that opens the string (14)
    assert (d.location, d.step, d.field) == ("p.yaml:11:25", "kept", "params.where")
    assert d.message == "{{ params.statu }}: the pipeline has no parameter 'statu'"
    assert d.hint == "declare it: params: {statu: {type: string, default: ...}}"


def test_an_unknown_output_field_lists_the_fields_that_exist(catalog: Catalog) -> None:
    d = only(check(REFS, catalog), "unknown-field")
    assert (d.location, d.step) == ("p.yaml:11:53", "kept")
    assert d.message == "{{ orders.cnt }}: orders has no field 'cnt'"
    assert d.hint == "did you mean 'count'? orders has: data, count"


def test_text_into_a_dataset_param_and_a_dataset_into_text(catalog: Catalog) -> None:
    into_dataset, into_text = [
        d for d in check(REFS, catalog).diagnostics if d.code == "type-mismatch"
    ]
    assert (into_dataset.location, into_dataset.step) == ("p.yaml:16:14", "save")
    assert into_dataset.message == (
        "{{ kept.count }} is an integer, but param 'data' of file.csv.write expects a dataset"
    )
    assert into_dataset.hint == "use {{ kept.data }}"
    assert into_text.location == "p.yaml:17:18"
    assert (
        into_text.message
        == "{{ kept.data }} is a dataset and cannot be put inside text (param 'path')"
    )
    assert into_text.hint is not None
    assert "{{ kept.data.uri }}" in into_text.hint


def test_a_dataset_into_a_text_param(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: a, method: file.csv.read, params: {path: x}}
        sinks:
          - {name: s, method: file.csv.write, params: {data: "{{ a.data }}", path: "{{ a.data }}"}}
        """,
        catalog,
    )
    d = only(result, "type-mismatch")
    assert d.location == "p.yaml:5:77"
    assert d.message == "{{ a.data }} is a dataset, but param 'path' of file.csv.write expects text"
    assert d.hint == (
        "a dataset goes into a dataset param such as `data`; for its location use {{ a.data.uri }}"
    )


def test_text_with_a_template_into_a_non_text_param(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params: {flag: true}
        sources:
          - {name: a, method: file.csv.read, params: {path: x, has_header: "is {{ params.flag }}"}}
        """,
        catalog,
    )
    d = only(result, "type-mismatch")
    assert d.location == "p.yaml:4:72"
    assert d.message == (
        "text with a template in it is text, but param 'has_header' of file.csv.read expects a boolean"
    )
    assert d.hint == 'use the template alone to keep its type: has_header: "{{ params.flag }}"'


def test_a_param_ref_into_a_dataset_param(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        params: {limit: 10}
        transforms:
          - name: t
            method: data.sql.query
            params: {inputs: {a: "{{ params.limit }}"}, query: select 1}
        """,
        catalog,
    )
    d = only(result, "type-mismatch")
    assert (d.location, d.field) == ("p.yaml:6:27", "params.inputs.a")
    assert d.hint == "reference a step's dataset output, e.g. {{ step.data }}"


def test_cycles_name_every_step_and_self_references(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        transforms:
          - {name: a, method: data.rows.filter, params: {data: "{{ c.data }}", where: x}}
          - {name: b, method: data.rows.filter, params: {data: "{{ a.data }}", where: x}}
          - {name: c, method: data.rows.filter, params: {data: "{{ b.data }}", where: x}}
          - {name: s, method: data.rows.filter, params: {data: "{{ s.data }}", where: x}}
        """,
        catalog,
    )
    loop, own = [d for d in result.diagnostics if d.code == "cycle"]
    assert (loop.location, loop.step) == ("p.yaml:3:12", "a")
    assert (
        loop.message == "steps need each other's output in a cycle: a needs c, c needs b, b needs a"
    )
    assert loop.hint == "break the cycle: a step cannot need its own output, directly or not"
    assert (own.location, own.step) == ("p.yaml:6:57", "s")
    assert own.message == "step 's' refers to its own output in {{ s.data }}"
    assert result.dependencies == {"a": ["c"], "b": ["a"], "c": ["b"], "s": []}


def test_a_cycle_through_depends_on(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: a, method: file.csv.read, params: {path: x}, depends_on: [b]}
        sinks:
          - {name: b, method: file.csv.write, params: {data: "{{ a.data }}", path: y}}
        """,
        catalog,
    )
    assert only(result, "cycle").message.endswith("a needs b, b needs a")


# ---------------------------------------------------------------- warnings


def test_warnings_do_not_fail_validation(catalog: Catalog) -> None:
    result = check(
        """\
        name: abc
        sources:
          - {name: a, method: file.csv.read, params: {path: x}}
          - {name: b, method: file.csv.read, params: {path: y}}
        transforms:
          - {name: t, method: data.rows.filter, params: {data: "{{ a.data }}", where: "x > 1"}}
        """,
        catalog,
    )
    assert result.ok
    unused = only(result, "unused-source")
    assert (unused.severity, unused.location, unused.step) == (Severity.WARNING, "p.yaml:4:12", "b")
    assert unused.hint == 'reference it from a step, e.g. data: "{{ b.data }}"'
    no_sink = only(result, "no-sink")
    assert (no_sink.severity, no_sink.location) == (Severity.WARNING, "p.yaml:1:7")
    assert no_sink.hint == "add a step under `sinks:`, e.g. file.csv.write"
