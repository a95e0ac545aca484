"""No input crashes validation: arbitrary text, bytes and pipeline-shaped data.

Each property feeds generated input to ``validate_text`` or ``validate_data`` and
checks that a result comes back whose diagnostics render, that a result without
errors compiles into a plan, and that bad input is never reported as valid.
"""

from __future__ import annotations

import json
import math
import textwrap
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odp.catalog import Catalog, load_catalog
from odp.spec import (
    Diagnostic,
    Severity,
    ValidationResult,
    compile_plan,
    mermaid,
    validate_data,
    validate_text,
)

CATALOG: Catalog = load_catalog(plugins=False)
PROFILE = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------- strategies

names = st.sampled_from(["a", "b", "orders", "kept", "params", "run", "secrets", "1a", "x y", ""])
roots = st.sampled_from(["a", "b", "orders", "params", "run", "secrets", "nope", "", " ", "_x"])
segments = st.sampled_from(
    ["data", "count", "uri", "rows", "columns", "0", "-1", "id", "date", "__class__", "q", "n"]
)
braces = st.sampled_from(
    [
        ("{{ ", " }}"),
        ("{{", "}}"),
        ("{{ ", ""),
        ("{{ ", " | upper }}"),
        ("{{{", "}}}"),
        ("{%", "%}"),
    ]
)


@st.composite
def templates(draw: st.DrawFn) -> str:
    """Text holding one template, well or badly formed."""
    opening, closing = draw(braces)
    path = ".".join([draw(roots), *draw(st.lists(segments, max_size=3))])
    before = draw(st.sampled_from(["", "x ", "{", "}}", "'"]))
    after = draw(st.sampled_from(["", " y", "{{", "}", "'"]))
    return f"{before}{opening}{path}{closing}{after}"


scalars = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | templates()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["data", "path", "where", "inputs", "query", "t"])
            | st.text(max_size=5),
            inner,
            max_size=3,
        )
    ),
    max_leaves=12,
)
method_ids = st.sampled_from([*CATALOG.ids(), "file.csv.reed", "a.b.c", "notdotted", "x.y", ""])
param_names = st.sampled_from(
    ["data", "path", "where", "inputs", "query", "columns", "delimiter", "has_header", "zz"]
)
steps = st.fixed_dictionaries(
    {},
    optional={
        "name": names | values,
        "method": method_ids | values,
        "params": st.dictionaries(param_names, values, max_size=4) | values,
        "retry": st.dictionaries(
            st.sampled_from(["max_attempts", "initial_interval", "backoff", "max_interval", "x"]),
            values,
            max_size=2,
        )
        | values,
        "timeout": st.sampled_from(["30s", "1h30m", "PT5S", "forever", "0", "-1"]) | values,
        "queue": values,
        "cache": values,
        "depends_on": st.lists(names, max_size=3) | values,
        "description": values,
    },
)
declared_params = st.dictionaries(
    st.sampled_from(["q", "n", "limit", "out", "bad name"]) | st.text(max_size=4),
    values
    | st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(
                ["string", "integer", "number", "boolean", "list", "object", "x"]
            ),
            "default": values,
            "required": values,
            "description": values,
        },
    ),
    max_size=3,
)
pipelines = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["abc", "ok-name", "x", "Bad Name"]) | values,
        "description": values,
        "params": declared_params | values,
        "sources": st.lists(steps | values, max_size=3) | values,
        "transforms": st.lists(steps | values, max_size=3) | values,
        "sinks": st.lists(steps | values, max_size=3) | values,
        "extra": values,
    },
)
overrides = st.none() | st.dictionaries(
    st.sampled_from(["q", "n", "limit", "x"]), values, max_size=2
)

yaml_pieces = st.sampled_from(
    [
        "name: abc\n",
        "sources:\n",
        "  - name: a\n",
        "    method: file.csv.read\n",
        "    params:\n",
        "      path: ",
        '"{{ a.data }}"',
        "'x {{ params.q }}'",
        "{{",
        "}}",
        "&a ",
        "*a",
        "<<: ",
        "!!int ",
        "!!str ",
        "!!bool ",
        "!!merge ",
        "!custom ",
        "---\n",
        "? ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ",",
        ": ",
        "|\n",
        ">-\n",
        "\t",
        "\n",
        "  ",
        "#c\n",
        "\ufeff",
        "\x85",
        "\u2028",
        "\r\n",
        '"\\x7b{"',
        "%YAML 1.2\n",
        "1e400",
        ".nan",
        "~",
    ]
)
yaml_texts = st.lists(yaml_pieces | st.text(max_size=3), max_size=40).map("".join)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=False)


yaml_pipelines = pipelines.filter(lambda d: _is_plain(d)).map(_dump)


def _is_plain(value: Any) -> bool:
    """Whether PyYAML can dump it and read it back the same (no NaN, plain keys)."""
    if isinstance(value, float):
        return not math.isnan(value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_is_plain(v) for v in value)
    return True


# ---------------------------------------------------------------- the properties


def _sound(result: ValidationResult) -> None:
    """What every validation result must be, whatever the input."""
    assert isinstance(result.diagnostics, list)
    for d in result.diagnostics:
        assert isinstance(d, Diagnostic)
        assert d.code
        assert d.message
        assert d.render()
        assert (d.column is None) or (d.line is not None and d.column >= 1)
        json.dumps(d.model_dump(mode="json"))
    severities = [d.severity for d in result.diagnostics]
    assert severities == sorted(severities, key=lambda s: s is not Severity.ERROR)
    if result.ok:
        assert result.pipeline is not None
        plan = compile_plan(result, CATALOG)
        assert {s.name for s in plan.steps} == set(result.dependencies)
        assert mermaid(result.dependencies).startswith("flowchart LR")
    elif result.pipeline is None:
        assert result.errors


@PROFILE
@given(st.text(max_size=300))
def test_any_text(text: str) -> None:
    _sound(validate_text(text, CATALOG, file="p.yaml"))


@PROFILE
@given(st.binary(max_size=300))
def test_any_bytes(data: bytes) -> None:
    _sound(validate_text(data, CATALOG, file="p.yaml"))


@PROFILE
@given(yaml_texts)
def test_yaml_shaped_text(text: str) -> None:
    _sound(validate_text(text, CATALOG, file="p.yaml"))


@PROFILE
@given(yaml_pipelines, overrides, st.booleans())
def test_pipeline_shaped_yaml(text: str, params: dict[str, Any] | None, require: bool) -> None:
    result = validate_text(text, CATALOG, file="p.yaml", params=params, require_params=require)
    _sound(result)
    # YAML that a pipeline was dumped to loads: whatever is wrong is about the pipeline
    assert not any(d.code.startswith("yaml-") for d in result.diagnostics)


@PROFILE
@given(pipelines | values, overrides, st.booleans())
def test_pipeline_shaped_data(data: Any, params: dict[str, Any] | None, require: bool) -> None:
    _sound(validate_data(data, CATALOG, params=params, require_params=require))


@PROFILE
@given(pipelines)
def test_a_step_with_a_broken_template_is_never_valid(data: dict[str, Any]) -> None:
    broken = {"name": "t", "method": "file.csv.read", "params": {"path": "{{ a.b | x }}"}}
    data = (
        {**data, "sources": [broken, *(data.get("sources") or [])]}
        if isinstance(data.get("sources"), list)
        else {**data, "sources": [broken]}
    )
    result = validate_data(data, CATALOG)
    _sound(result)
    assert not result.ok
    assert any(d.code == "template-syntax" for d in result.errors)


GOOD = textwrap.dedent(
    """\
    name: prop-base
    sources:
      - {name: a, method: file.csv.read, params: {path: in.csv}}
    sinks:
      - {name: s, method: file.csv.write, params: {data: "{{ a.data }}", path: out.csv}}
    """
)


@PROFILE
@given(st.integers(min_value=0, max_value=len(GOOD)), st.text(min_size=1, max_size=8))
def test_edits_of_a_valid_pipeline(at: int, inserted: str) -> None:
    text = GOOD[:at] + inserted + GOOD[at:]
    result = validate_text(text, CATALOG, file="p.yaml")
    _sound(result)
    if not result.ok:
        assert result.errors
