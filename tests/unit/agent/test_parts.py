"""The agent's parts one by one: reading answers, schemas, prompts, explanations, tools."""

from __future__ import annotations

import enum
import json
from typing import Any

from pydantic import Field

from odp.agent import StepNote
from odp.agent.explain import explain, pipeline_steps
from odp.agent.parsing import draft_from_text, read_payload
from odp.agent.prompts import describe_method, repair_prompt
from odp.agent.review import draft_yaml, review_draft
from odp.agent.schema import _simplify, draft_schema, method_params_schema
from odp.agent.tools import search_methods_tool
from odp.catalog import Catalog, MethodContext, MethodKind, MethodOutput, MethodParams, method
from odp.spec import Diagnostic, Severity
from tests.unit.agent.scripted import valid


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


class PaintParams(MethodParams):
    colour: Colour = Field(default=Colour.RED)
    coats: int = 1


class PaintOutput(MethodOutput):
    done: bool


@method("test.paint.wall", kind="sink", summary="Paint a wall")
async def paint(params: PaintParams, ctx: MethodContext) -> PaintOutput:
    """Paint a wall"""  # the same as the summary, so not shown twice
    return PaintOutput(done=True)


def test_reading_answers() -> None:
    assert read_payload("") is None
    assert read_payload("   ") is None
    assert read_payload("[1, 2]") is None
    assert read_payload("name: x\nsources: []\n") == {"name": "x", "sources": []}
    assert read_payload("{not json: [") is None
    # a bare pipeline is a pipeline too
    bare = draft_from_text(json.dumps(valid()))
    assert bare.pipeline == valid() and bare.notes == () and bare.questions == ()
    # a mapping that is no pipeline gives no pipeline, but is kept as raw text
    other = draft_from_text('{"answer": 42}')
    assert other.pipeline is None and other.raw == '{"answer": 42}'
    notes = draft_from_text(
        json.dumps(
            {
                "pipeline": valid(),
                "notes": [{"step": "posts", "note": "n"}, {"step": "x"}, 3],
                "questions": "none",
            }
        )
    )
    assert notes.notes == (StepNote(step="posts", method="social.twitter.search", note="n"),)
    assert draft_from_text(json.dumps({"pipeline": valid(), "notes": "n"})).notes == ()


def test_the_params_schema_an_llm_fills(catalog: Catalog) -> None:
    schema = method_params_schema(catalog.get("data.rows.filter"))
    assert schema["required"] == ["data", "where"]
    assert schema["properties"]["data"]["type"] == "string"
    assert "{{ posts.data }}" in schema["properties"]["data"]["description"]
    assert "title" not in schema["properties"]["where"]
    # an enum behind a $ref is inlined, not turned into a template
    paint_schema = method_params_schema(paint)
    assert paint_schema["properties"]["colour"]["enum"] == ["red", "blue"]
    # a long description is cut short
    assert all(
        len(p.get("description", "")) <= 200
        for spec in catalog
        for p in method_params_schema(spec)["properties"].values()
    )


def test_a_wrapped_reference_to_an_object_is_a_template() -> None:
    defs = {"Ref": {"type": "object", "description": "a dataset"}}
    node = _simplify({"allOf": [{"$ref": "#/$defs/Ref"}]}, defs)
    assert node["type"] == "string" and node["description"].startswith("a dataset")


def test_a_section_without_candidates_stays_empty(catalog: Catalog) -> None:
    schema = draft_schema([catalog.get("file.csv.read")])
    pipeline = schema["properties"]["pipeline"]["properties"]
    assert pipeline["sinks"] == {"type": "array", "maxItems": 0}
    assert len(pipeline["sources"]["items"]["anyOf"]) == 1
    assert len(json.dumps(draft_schema(list(catalog)[:12]))) < 20_000


def test_prompts(catalog: Catalog) -> None:
    text = describe_method(paint)
    assert text.startswith("### test.paint.wall (sink)\nPaint a wall\nparams schema:")
    assert "output fields: done (value)" in text and "example" not in text
    long = describe_method(catalog.get("ml.model.train"))
    assert "…" in long
    diagnostics = [
        Diagnostic(code="a", message="top", field="name", line=1, column=1),
        Diagnostic(code="b", severity=Severity.WARNING, message="bare"),
        Diagnostic(code="c", message="m", step="s", hint="do this"),
    ]
    prompt = repair_prompt("r", "name: x\n", diagnostics, [paint], {})
    assert "- [a] error at <pipeline>:1:1 (field name): top\n- [b] warning at <pipeline>: bare" in (
        prompt
    )
    assert "- [c] error at <pipeline> (step 's'): m\n  hint: do this" in prompt
    assert "- (none reported)" in repair_prompt("r", "x", [], [], {})


def test_explanations_for_odd_drafts(catalog: Catalog) -> None:
    assert pipeline_steps("text") == []
    odd: dict[str, Any] = {
        "sources": [{"name": "a", "method": "file.csv.read"}, "junk", {"method": "x.y.z"}],
        "transforms": "none",
        "sinks": [{"name": "b", "method": "no.such.method"}],
    }
    assert pipeline_steps(odd) == [("a", "file.csv.read"), ("b", "no.such.method")]
    notes = explain("zz", odd, [StepNote(step="a", method="", note=" ")], catalog)
    assert notes[0].note == (
        "Read a CSV file into a dataset; chosen because it brings in the rows the rest of "
        "the pipeline works on"
    )
    assert notes[1].note == "no.such.method is not in the catalog"


def test_drafts_as_yaml(catalog: Catalog) -> None:
    text = draft_yaml({"sinks": [], "name": "x", "sources": ["odd", {"params": {}, "name": "a"}]})
    assert text.splitlines()[:4] == ["name: x", "sources:", "- odd", "- name: a"]
    assert draft_yaml([1]) == "- 1\n"
    yaml_text, diagnostics = review_draft(valid(), catalog)
    assert yaml_text is not None and diagnostics == []


async def test_the_search_tool(catalog: Catalog) -> None:
    tool = search_methods_tool(catalog)
    assert tool.name == "search_methods"
    hits = await tool.ainvoke({"query": "save as csv", "kind": "sink", "limit": 2})
    assert hits[0]["id"] == "file.csv.write" and len(hits) == 2
    assert all(h["kind"] == "sink" for h in hits)
    exact = await tool.ainvoke({"query": "data.rows.filter"})
    assert exact[0] == {
        "id": "data.rows.filter",
        "kind": "transform",
        "summary": "Keep the rows that match a SQL condition",
        "score": 1e9,
    }
    assert MethodKind.SINK.value == "sink"
