from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from odp.artifacts import DatasetRef
from odp.errors import SpecError
from odp.spec import (
    KEEP,
    DeferredText,
    Ref,
    TemplateSyntaxError,
    fill_deferred,
    find_templates,
    has_template,
    lookup_path,
    parse_template,
    resolve_templates,
    to_text,
)


def test_whole_template_is_one_ref() -> None:
    template = parse_template("{{ tweets.data }}")
    assert template.whole == Ref("tweets", ("data",), "{{ tweets.data }}", 0)
    assert template.whole.is_step
    assert template.whole.dotted() == "tweets.data"


def test_deep_paths_with_indexes() -> None:
    ref = parse_template("{{ s.items.0.name }}").whole
    assert ref is not None
    assert ref.path == ("items", 0, "name")


def test_text_with_templates_is_split() -> None:
    template = parse_template("q={{ params.q }}&n={{params.n}}")
    assert template.whole is None
    assert [p if isinstance(p, str) else p.dotted() for p in template.parts] == [
        "q=",
        "params.q",
        "&n=",
        "params.n",
    ]
    assert [r.root for r in template.refs] == ["params", "params"]
    assert not template.refs[0].is_step


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{{ a.b() }}", "function calls"),
        ("{{ a.b | upper }}", "filters"),
        ("{{ a['b'] }}", "brackets"),
        ("{{ a.__class__ }}", "private names"),
        ("{{ a._x }}", "private names"),
        ("{{ }}", "empty template"),
        ("{{ {% if %} }}", "Jinja"),
        ("{{ a + b }}", "is not a lookup"),
        ("{{ a.b ", "unclosed"),
    ],
)
def test_anything_but_a_lookup_is_refused(text: str, fragment: str) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        parse_template(text)
    assert fragment in info.value.message
    assert info.value.hint


def test_find_and_has_templates() -> None:
    params = {"a": "x", "b": {"c": ["{{ s.data }}", 1]}, "d": "{{ params.q }}"}
    assert list(find_templates(params)) == [
        (("b", "c", 0), "{{ s.data }}"),
        (("d",), "{{ params.q }}"),
    ]
    assert has_template(params)
    assert not has_template({"a": [1, "plain"]})


def test_resolve_keeps_types_and_interpolates_text() -> None:
    values = {"s.n": 5, "s.flag": True, "params.q": "AI", "s.none": None, "s.f": 0.5}

    def resolver(ref: Ref) -> object:
        return values[ref.dotted()]

    out = resolve_templates(
        {
            "n": "{{ s.n }}",
            "t": "n={{ s.n }} q={{ params.q }} {{ s.flag }}{{ s.none }} {{ s.f }}",
            "l": ["{{ s.n }}", 2],
        },
        resolver,
    )
    assert out == {"n": 5, "t": "n=5 q=AI true 0.5", "l": [5, 2]}


def test_resolve_can_keep_templates_for_later() -> None:
    def resolver(ref: Ref) -> object:
        return KEEP if ref.root == "secrets" else "v"

    out = resolve_templates({"a": "{{ secrets.K }}", "b": "x {{ secrets.K }} {{ s.f }}"}, resolver)
    assert out == {"a": "{{ secrets.K }}", "b": "x {{ secrets.K }} v"}


def test_to_text() -> None:
    ref = DatasetRef(uri="u", rows=1, sha256="x")
    assert to_text(ref).startswith('{"uri":"u"')
    assert to_text([1, "a"]) == '[1, "a"]'
    assert to_text(False) == "false"


def test_lookup_path_through_models_dicts_and_lists() -> None:
    output = {"data": DatasetRef(uri="u", rows=3, sha256="x"), "items": [{"a": 1}], "empty": None}
    assert lookup_path(output, ("data", "rows"), label="s") == 3
    assert lookup_path(output, ("items", 0, "a"), label="s") == 1
    with pytest.raises(SpecError, match="has no 'nope'"):
        lookup_path(output, ("nope",), label="s")
    with pytest.raises(SpecError, match="is empty"):
        lookup_path(output, ("empty", "x"), label="s")


# ---------------------------------------------------------------- resolution semantics


def resolver_of(values: dict[str, object]) -> Callable[[Ref], object]:
    calls: list[str] = []

    def resolve(ref: Ref) -> object:
        calls.append(ref.dotted())
        return values[ref.dotted()]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def test_a_whole_template_keeps_the_type_of_what_it_references() -> None:
    ref = DatasetRef(uri="file:///d.parquet", rows=2, sha256="s")
    values = {
        "a.data": ref,
        "a.count": 2,
        "a.ratio": 0.5,
        "a.flag": False,
        "a.none": None,
        "a.items": [1, {"k": "v"}],
        "params.filter": {"lang": "en"},
    }
    resolve = resolver_of(values)
    out = resolve_templates(
        {
            "data": "{{ a.data }}",
            "count": "{{a.count}}",
            "ratio": "{{   a.ratio   }}",
            "flag": "{{ a.flag }}",
            "none": "{{ a.none }}",
            "items": "{{ a.items }}",
            "filter": "{{ params.filter }}",
        },
        resolve,
    )
    assert out["data"] is ref  # the same object: a dataset stays a dataset
    assert out == {
        "data": ref,
        "count": 2,
        "ratio": 0.5,
        "flag": False,
        "none": None,
        "items": [1, {"k": "v"}],
        "filter": {"lang": "en"},
    }
    assert type(out["count"]) is int


def test_templates_inside_text_interpolate_as_text() -> None:
    ref = DatasetRef(uri="u", rows=1, sha256="s")
    values = {"a.n": 3, "a.f": 2.5, "a.b": True, "a.none": None, "a.l": ["x", 1], "a.d": ref}
    out = resolve_templates(
        " {{ a.n }}|{{ a.f }}|{{ a.b }}|{{ a.none }}|{{ a.l }}|{{ a.d.uri }} ",
        resolver_of({**values, "a.d.uri": "u"}),
    )
    # spaces around a lone template make it text, too
    assert out == ' 3|2.5|true||["x", 1]|u '


def test_nested_params_are_resolved_everywhere_but_in_keys() -> None:
    resolve = resolver_of({"a.data": "D", "params.q": "AI", "run.id": "r1"})
    out = resolve_templates(
        {
            "inputs": {"t": "{{ a.data }}", "{{ not.a_key }}": 1},
            "steps": [{"q": "{{ params.q }}", "n": 1}, ("{{ run.id }}", None)],
            "plain": "no braces",
            "n": 5,
        },
        resolve,
    )
    assert out == {
        "inputs": {"t": "D", "{{ not.a_key }}": 1},
        "steps": [{"q": "AI", "n": 1}, ["r1", None]],
        "plain": "no braces",
        "n": 5,
    }
    assert resolve.calls == ["a.data", "params.q", "run.id"]  # type: ignore[attr-defined]


def test_resolved_values_are_never_read_as_templates() -> None:
    # a value that looks like a template (user input, scraped text) stays as it is
    resolve = resolver_of({"params.q": "{{ secrets.TOKEN }}", "a.text": "x {{ y"})
    out = resolve_templates({"q": "{{ params.q }}", "t": "got: {{ a.text }}"}, resolve)
    assert out == {"q": "{{ secrets.TOKEN }}", "t": "got: x {{ y"}
    assert resolve.calls == ["params.q", "a.text"]  # type: ignore[attr-defined]


def test_keep_leaves_the_template_exactly_as_written() -> None:
    def resolve(ref: Ref) -> object:
        return KEEP if ref.root == "secrets" else 7

    out = resolve_templates(
        {"whole": "{{secrets.K}}", "text": "Bearer {{  secrets.K }} n={{ a.n }}", "n": "{{ a.n }}"},
        resolve,
    )
    assert out == {"whole": "{{secrets.K}}", "text": "Bearer {{  secrets.K }} n=7", "n": 7}


def test_resolution_refuses_what_is_not_a_lookup() -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        resolve_templates({"a": "ok {{ a | b }}"}, resolver_of({}))
    assert info.value.offset == 3


def test_parse_offsets_and_literal_braces() -> None:
    template = parse_template("a } b {{ x.y }} c }}")
    assert template.parts == ("a } b ", Ref("x", ("y",), "{{ x.y }}", 6), " c }}")
    assert parse_template("").parts == ()
    with pytest.raises(TemplateSyntaxError) as info:
        parse_template("ok {{ a }} then {{ b")
    assert info.value.offset == 16


def test_to_text_of_every_kind() -> None:
    assert to_text("s") == "s"
    assert to_text(None) == ""
    assert to_text(True) == "true"
    assert to_text(3) == "3"
    assert to_text(0.1) == "0.1"
    assert to_text({"a": "é"}) == '{"a": "é"}'
    assert to_text(DatasetRef(uri="u", rows=1, sha256="s")).startswith('{"uri":"u"')


def test_lookup_path_refuses_what_is_not_there() -> None:
    value = {"items": [10, 20], "text": "abc", "model": DatasetRef(uri="u", rows=1, sha256="s")}
    assert lookup_path(value, (), label="s") is value
    assert lookup_path(value, ("items", 1), label="s") == 20
    assert lookup_path(value, ("model", "uri"), label="s") == "u"
    for path, message in [
        (("items", 2), "s.items has no 2"),
        (("items", -1), "s.items has no -1"),
        (("items", "first"), "s.items has no 'first'"),
        (("text", "x"), "s.text has no 'x'"),
        (("model", "nope"), "s.model has no 'nope'"),
    ]:
        with pytest.raises(SpecError, match=re.escape(message)):
            lookup_path(value, path, label="s")


# ---------------------------------------------------------------- deferred lookups (secrets)


def keep_secrets(values: dict[str, object]) -> Callable[[Ref], object]:
    def resolve(ref: Ref) -> object:
        return KEEP if ref.root == "secrets" else values[ref.dotted()]

    return resolve


def test_kept_lookups_are_recorded_with_the_text_around_them() -> None:
    deferred: list[DeferredText] = []
    out = resolve_templates(
        {
            "auth": "Bearer {{ secrets.T }} for {{ params.user }}",
            "token": "{{secrets.T}}",
            "items": ["{{ params.user }}", "k={{ secrets.K }}&t={{ secrets.T }}"],
        },
        keep_secrets({"params.user": "ann"}),
        deferred=deferred,
    )
    # the kept lookups stay readable in the params
    assert out == {
        "auth": "Bearer {{ secrets.T }} for ann",
        "token": "{{secrets.T}}",
        "items": ["ann", "k={{ secrets.K }}&t={{ secrets.T }}"],
    }
    assert [d.model_dump() for d in deferred] == [
        {"path": ["auth"], "pieces": ["Bearer ", " for ann"], "refs": ["{{ secrets.T }}"]},
        {"path": ["token"], "pieces": ["", ""], "refs": ["{{secrets.T}}"]},
        {
            "path": ["items", 1],
            "pieces": ["k=", "&t=", ""],
            "refs": ["{{ secrets.K }}", "{{ secrets.T }}"],
        },
    ]


def test_filling_deferred_lookups_reads_nothing_else_as_a_template() -> None:
    # a parameter that holds a secret's template must not reveal the secret
    values = {"params.q": "{{ secrets.T }}", "a.text": "x {{ y"}
    deferred: list[DeferredText] = []
    params = {
        "q": "{{ params.q }}",
        "t": "got {{ a.text }}",
        "auth": "Bearer {{ secrets.T }} q={{ params.q }}",
        "token": "{{ secrets.T }}",
        "n": 1,
    }
    resolved = resolve_templates(params, keep_secrets(values), deferred=deferred)
    secrets = {"T": "s3cret"}
    asked: list[str] = []

    def secret(ref: Ref) -> object:
        asked.append(ref.dotted())
        return secrets[str(ref.path[0])]

    filled = fill_deferred(resolved, deferred, secret)
    assert filled == {
        "q": "{{ secrets.T }}",
        "t": "got x {{ y",
        "auth": "Bearer s3cret q={{ secrets.T }}",
        "token": "s3cret",
        "n": 1,
    }
    assert asked == ["secrets.T", "secrets.T"]
    assert resolved["token"] == "{{ secrets.T }}"  # the input is not changed


def test_a_whole_kept_lookup_keeps_the_type_of_its_value() -> None:
    deferred = [DeferredText(path=["n"], pieces=["", ""], refs=["{{ secrets.N }}"])]
    assert fill_deferred({"n": "{{ secrets.N }}"}, deferred, lambda ref: 7) == {"n": 7}


def test_without_a_list_nothing_is_recorded() -> None:
    assert resolve_templates("a {{ secrets.T }}", keep_secrets({})) == "a {{ secrets.T }}"


@pytest.mark.parametrize(
    ("deferred", "message"),
    [
        (DeferredText(path=[], pieces=["", ""], refs=["{{ secrets.T }}"]), "whole params"),
        (DeferredText(path=["nope"], pieces=["", ""], refs=["{{ secrets.T }}"]), "no nope"),
        (DeferredText(path=["l", 5], pieces=["", ""], refs=["{{ secrets.T }}"]), "no l.5"),
        (DeferredText(path=["l", 0], pieces=[""], refs=["{{ secrets.T }}"]), "one more piece"),
        (
            DeferredText(path=["l", 0], pieces=["", ""], refs=["x {{ secrets.T }}"]),
            "not one lookup",
        ),
    ],
)
def test_deferred_lookups_that_do_not_fit_the_params(deferred: DeferredText, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        fill_deferred({"l": ["{{ secrets.T }}"]}, [deferred], lambda ref: "v")


def test_deferred_lookups_fill_lists() -> None:
    deferred = [DeferredText(path=["l", 0], pieces=["a", "b"], refs=["{{ secrets.T }}"])]
    assert fill_deferred({"l": ["a{{ secrets.T }}b"]}, deferred, lambda ref: 1) == {"l": ["a1b"]}
