from __future__ import annotations

import tracemalloc

import pytest

from odp.spec import Position, load_yaml
from odp.spec.loader import MAX_BYTES, MAX_DEPTH, MAX_NODES


def test_values_have_positions() -> None:
    doc = load_yaml("name: x\nsources:\n  - name: a\n    params: {q: 1}\n")
    assert doc.ok
    assert doc.data == {"name": "x", "sources": [{"name": "a", "params": {"q": 1}}]}
    assert doc.source_map.values[("name",)] == Position(1, 7)
    assert doc.source_map.values[("sources", 0, "name")] == Position(3, 11)
    assert doc.source_map.keys[("sources", 0, "params")] == Position(4, 5)
    assert doc.source_map.values[("sources", 0, "params", "q")] == Position(4, 17)
    # unknown deeper paths fall back to the nearest known ancestor
    assert doc.source_map.find(("sources", 0, "params", "q", "deeper")) == Position(4, 17)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("v: no", "no"),
        ("v: yes", "yes"),
        ("v: on", "on"),
        ("v: true", True),
        ("v: FALSE", False),
        ("v: 1:30", "1:30"),
        ("v: 2026-01-01", "2026-01-01"),
        ("v: 0o17", 15),
        ("v: 0x1f", 31),
        ("v: 012", 12),
        ("v: 1e3", 1000.0),
        ("v: .5", 0.5),
        ("v: ~", None),
        ("v:", None),
        ("v: !!str 12", "12"),
    ],
)
def test_yaml_12_core_scalars(text: str, value: object) -> None:
    doc = load_yaml(text)
    assert doc.ok, doc.errors
    assert doc.data == {"v": value}


def test_special_floats() -> None:
    doc = load_yaml("a: .inf\nb: -.Inf\nc: .nan")
    assert doc.data["a"] == float("inf")
    assert doc.data["b"] == float("-inf")
    assert doc.data["c"] != doc.data["c"]


def test_syntax_error_has_a_position() -> None:
    doc = load_yaml("name: x\nsources:\n  - name: a\n   bad: [\n")
    assert not doc.ok
    (error,) = doc.errors
    assert error.code == "yaml-syntax"
    assert error.position is not None
    assert error.position.line >= 3


def test_tabs_get_a_hint() -> None:
    doc = load_yaml("name: x\n\tsources: []\n")
    assert doc.errors[0].hint == "indent with spaces, not tabs"


def test_unquoted_template_is_explained() -> None:
    doc = load_yaml("params:\n  q: {{ params.q }}\n")
    (error,) = doc.errors
    assert error.code == "yaml-complex-key"
    assert "unquoted" in error.message
    assert error.position == Position(2, 7)


def test_custom_tags_are_refused() -> None:
    doc = load_yaml("a: !!python/object:os.system x\n")
    assert doc.errors[0].code == "yaml-unsupported-tag"
    doc = load_yaml("a: !custom [1]\n")
    assert doc.errors[0].code == "yaml-unsupported-tag"
    doc = load_yaml("a: !map {b: 1}\n")
    assert doc.errors[0].code == "yaml-unsupported-tag"


def test_duplicate_keys_are_reported() -> None:
    doc = load_yaml("a: 1\na: 2\n")
    assert doc.data == {"a": 2}
    assert doc.duplicate_keys == [(("a",), Position(2, 1))]


def test_merge_keys() -> None:
    doc = load_yaml("base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  y: 3\n")
    assert doc.data["thing"] == {"x": 1, "y": 3}


def test_non_string_keys_become_text() -> None:
    doc = load_yaml("1: a\ntrue: b\nnull: c\n")
    assert doc.data == {"1": "a", "true": "b", "null": "c"}


def test_empty_document() -> None:
    doc = load_yaml("")
    assert doc.ok
    assert doc.data is None


def test_large_files_are_refused() -> None:
    doc = load_yaml("a: " + "x" * (MAX_BYTES + 1))
    assert doc.errors[0].code == "file-too-large"


def test_non_utf8_bytes() -> None:
    doc = load_yaml(b"a: \xff\xfe")
    assert doc.errors[0].code == "not-utf8"


def test_deep_nesting_is_refused() -> None:
    doc = load_yaml("a: " + "[" * 300 + "]" * 300)
    assert doc.errors[0].code == "yaml-too-deep"


def test_billion_laughs_is_refused_quickly_and_without_memory() -> None:
    lines = ['l0: &l0 "lol"']
    for i in range(1, 10):
        refs = ", ".join([f"*l{i - 1}"] * 10)
        lines.append(f"l{i}: &l{i} [{refs}]")
    text = "\n".join(lines) + "\n"
    tracemalloc.start()
    doc = load_yaml(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # refused by the node budget, long before 10^9 values are built
    assert doc.errors[0].code == "yaml-too-complex"
    assert peak < 64 * 1024 * 1024


# ---------------------------------------------------------------- hostile structure


def test_deep_flow_nesting_is_refused_without_exhausting_the_stack() -> None:
    # PyYAML's own composer recurses once per level (in C with libyaml) and crashes the
    # process somewhere past 10,000 levels; 100,000 fits in 200 KB
    doc = load_yaml("a: " + "[" * 100_000 + "]" * 100_000)
    (error,) = doc.errors
    assert error.code == "yaml-too-deep"
    # our composer stops at the level past MAX_DEPTH; PyYAML >= 6.0.3's scanner may stop
    # first at its own limit (1,000 flow levels), further on the same line
    assert error.position is not None
    assert error.position.line == 1
    assert error.position.column >= 4 + MAX_DEPTH


def test_deep_nesting_through_aliases_is_refused() -> None:
    # each anchor adds one level, so the data nests deeper than the text does
    lines = ["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, MAX_DEPTH + 5)]
    (error,) = load_yaml("\n".join(lines)).errors
    assert error.code == "yaml-too-deep"
    short = "\n".join(["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 3)])
    assert load_yaml(short).data == {"a0": [1], "a1": [[1]], "a2": [[[1]]]}


def test_alias_loops_are_refused() -> None:
    doc = load_yaml("a: &a [1, *a]\n")
    (error,) = doc.errors
    assert error.code == "yaml-recursive"
    assert error.position == Position(1, 4)
    assert error.hint == "remove the alias loop"


def test_unknown_alias_has_a_position_and_a_hint() -> None:
    doc = load_yaml("name: x\nsources: *steps\n")
    (error,) = doc.errors
    assert (error.code, error.position) == ("yaml-syntax", Position(2, 10))
    assert error.message == "unknown alias *steps"
    assert error.hint == "define the anchor &steps before using it"


def test_a_second_document_is_refused() -> None:
    doc = load_yaml("name: a\n---\nname: b\n")
    (error,) = doc.errors
    assert (error.code, error.position) == ("yaml-multiple-documents", Position(2, 1))
    assert "---" in (error.hint or "")


def test_a_document_end_marker_alone_is_fine() -> None:
    assert load_yaml("a: [1]\n...\n").data == {"a": [1]}


def test_control_characters_are_refused_with_their_position() -> None:
    doc = load_yaml("name: é\nb: x\x07y\n")
    (error,) = doc.errors
    assert error.code == "yaml-syntax"
    assert error.message.startswith("the character U+0007 is not allowed")
    assert error.position == Position(2, 5)


def test_lone_surrogates_are_refused() -> None:
    doc = load_yaml("name: ok\nq: a\ud800b\n")
    (error,) = doc.errors
    assert (error.code, error.position) == ("not-utf8", Position(2, 5))


def test_a_byte_order_mark_is_not_content() -> None:
    doc = load_yaml('\ufeffname: "x {{ a.b }}"\n')
    assert doc.data == {"name": "x {{ a.b }}"}
    assert doc.source_map.values[("name",)] == Position(1, 7)
    assert doc.source_map.templates[("name",)] == {2: Position(1, 10)}


def test_bytes_with_a_bom_are_read() -> None:
    assert load_yaml("\ufeffa: 1".encode()).data == {"a": 1}


def test_non_utf8_bytes_say_where() -> None:
    (error,) = load_yaml(b"a: ok\nb: \xff").errors
    assert error.code == "not-utf8"
    assert "byte 9" in error.message


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ('a: "C:\\data"', "backslash"),
        ("a: b: c", "quote values that contain ': '"),
        ("a: @x", None),
    ],
)
def test_syntax_hints(text: str, hint: str | None) -> None:
    (error,) = load_yaml(text).errors
    assert error.code == "yaml-syntax"
    assert error.position is not None
    if hint is None:
        assert error.hint is None
    else:
        assert hint in (error.hint or "")


def test_unquoted_template_in_a_block_value() -> None:
    (error,) = load_yaml("a:\n  - {{ x }}\n").errors
    assert error.code == "yaml-complex-key"
    assert "unquoted" in error.message
    assert error.position == Position(2, 6)  # the inner mapping is the key


def test_a_list_as_a_key_is_refused() -> None:
    (error,) = load_yaml("? [a, b]\n: 1\n").errors
    assert error.code == "yaml-complex-key"
    assert "unquoted" not in error.message


# ---------------------------------------------------------------- tags and scalars


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("v: !!int 12", 12),
        ("v: !!float 1.5", 1.5),
        ("v: !!float 2", 2.0),
        ("v: !!bool True", True),
        ("v: !!null ''", None),
        ("v: !!str true", "true"),
        ("v: !!timestamp 2024-01-01", "2024-01-01"),
        ("v: +.inf", float("inf")),
        ("v: -0x1", "-0x1"),
        ("v: ! 12", "12"),
        ("v: ! [1]", [1]),
    ],
)
def test_explicit_tags(text: str, value: object) -> None:
    doc = load_yaml(text)
    assert doc.ok, doc.errors
    assert doc.data == {"v": value}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("v: !!int abc", "'abc' is not a valid int"),
        ("v: !!bool yes", "'yes' is not a valid bool"),
        ("v: !!float x", "'x' is not a valid float"),
        ("v: !!null nothing", "'nothing' is not a valid null"),
        ("v: !!int " + "9x" * 25, "'" + "9x" * 20 + "…' is not a valid int"),
    ],
)
def test_explicit_tags_that_do_not_fit_are_refused(text: str, message: str) -> None:
    (error,) = load_yaml(text).errors
    assert (error.code, error.message, error.position) == (
        "yaml-bad-value",
        message,
        Position(1, 4),
    )


def test_huge_integers_are_refused_not_crashed_on() -> None:
    (error,) = load_yaml("v: " + "1" * 5000).errors
    assert error.code == "yaml-bad-value"
    assert "5,000 digits" in error.message
    assert error.hint == "quote it to keep it as text"
    assert load_yaml("v: '" + "1" * 5000 + "'").data == {"v": "1" * 5000}


@pytest.mark.parametrize("text", ["a: !!set {x}", "a: !!omap [x: 1]", "a: !!binary aGk="])
def test_unsupported_collection_and_scalar_tags(text: str) -> None:
    (error,) = load_yaml(text).errors
    assert error.code == "yaml-unsupported-tag"
    assert error.position == Position(1, 4)


# ---------------------------------------------------------------- merge keys


def test_merge_list_earlier_sources_win_and_own_keys_win_over_all() -> None:
    doc = load_yaml("a: &a {x: 1, z: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n")
    assert doc.data["c"] == {"x": 1, "y": 2, "z": 3}
    assert doc.duplicate_keys == []  # merged keys are not duplicates


def test_nested_merges_and_explicit_merge_tags() -> None:
    doc = load_yaml("a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {!!merge <<: *b, z: 3}\n")
    assert doc.data["c"] == {"x": 1, "y": 2, "z": 3}


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load_yaml('a: {"<<": 1}').data == {"a": {"<<": 1}}


@pytest.mark.parametrize("text", ["c: {<<: 1}", "c: {<<: [{x: 1}, 2]}"])
def test_merging_something_else_than_mappings_is_refused(text: str) -> None:
    (error,) = load_yaml(text).errors
    assert error.code == "yaml-bad-merge"
    assert error.hint == "merge an anchored mapping: <<: *defaults"


def test_merged_values_keep_the_position_of_their_anchor() -> None:
    doc = load_yaml("base: &b {x: 1}\nthing:\n  <<: *b\n")
    assert doc.source_map.values[("thing", "x")] == Position(1, 14)


# ---------------------------------------------------------------- template positions


def test_template_positions_in_quoted_and_plain_scalars() -> None:
    doc = load_yaml("q: \"a {{ x }} and {{ y }}\"\np: plain {{ z }}\ns: 'it''s {{ w }}'\n")
    templates = doc.source_map.templates
    assert templates[("q",)] == {2: Position(1, 7), 14: Position(1, 19)}
    assert templates[("p",)] == {6: Position(2, 10)}
    # the doubled quote shortens the value but not the order of templates
    assert templates[("s",)] == {5: Position(3, 11)}


def test_template_positions_in_block_scalars() -> None:
    doc = load_yaml("r: |\n  select\n    {{ z }}\nf: >\n  a\n  {{ y }}\n")
    assert doc.source_map.templates[("r",)] == {9: Position(3, 5)}
    assert doc.source_map.templates[("f",)] == {2: Position(6, 3)}


def test_template_positions_give_up_when_escapes_change_the_braces() -> None:
    doc = load_yaml('e: "\\x7b{ a }} {{ b }}"\n')
    assert doc.data == {"e": "{{ a }} {{ b }}"}
    assert doc.source_map.templates[("e",)] == {}
    # diagnostics then point at the start of the value
    assert doc.source_map.find_template(("e",), 8) == Position(1, 4)


def test_template_positions_ignore_keys() -> None:
    doc = load_yaml('"{{ k }}": v\n')
    assert doc.source_map.templates == {}


def test_too_many_values_without_aliases_are_refused() -> None:
    doc = load_yaml("a: [" + "1," * MAX_NODES + "1]")
    (error,) = doc.errors
    assert error.code == "yaml-too-complex"
    assert error.message == f"the document holds more than {MAX_NODES:,} values"
    # the value that went over: the mapping, its key and the list count first
    assert error.position == Position(1, 5 + 2 * (MAX_NODES - 3))
