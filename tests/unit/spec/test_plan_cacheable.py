from __future__ import annotations

from odp.catalog import Catalog
from odp.spec import compile_plan, validate_text


def test_steps_of_uncacheable_methods_are_never_cached(catalog: Catalog) -> None:
    result = validate_text(
        """
name: scoring
params: {model: "m@champion"}
sources:
  - {name: rows, method: file.csv.read, params: {path: x.csv}}
transforms:
  - {name: scored, method: ml.model.predict, params: {data: "{{ rows.data }}", model: "{{ params.model }}"}}
sinks:
  - {name: save, method: file.csv.write, params: {data: "{{ scored.data }}", path: out.csv}}
""",
        catalog,
    )
    plan = compile_plan(result, catalog)
    assert catalog.get("ml.model.predict").cacheable is False
    assert {s.name: s.cache for s in plan.steps} == {"rows": True, "scored": False, "save": True}
