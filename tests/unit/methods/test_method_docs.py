"""The transform, NLP, ML and SQL methods are documented, and their examples are valid."""

from __future__ import annotations

from typing import Any

import pytest

from odp.artifacts import Column, DatasetRef
from odp.catalog import Catalog, MethodSpec

METHODS = [
    "data.rows.select",
    "data.rows.dedupe",
    "data.rows.sort",
    "data.rows.sample",
    "data.rows.join",
    "data.rows.aggregate",
    "nlp.text.sentiment",
    "nlp.text.language",
    "nlp.text.extract",
    "ml.text.embed",
    "ml.text.cluster",
    "sql.query.read",
    "sql.table.write",
]

DUMMY = DatasetRef(
    uri="/tmp/x.parquet", rows=0, sha256="0" * 64, columns=[Column(name="text", type="String")]
)


def literal_params(spec: MethodSpec[Any, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The example's params with dataset templates replaced by a dataset reference."""
    out = dict(params)
    for name, value in params.items():
        field = spec.params_model.model_fields[name]
        if isinstance(value, str) and value.startswith("{{") and field.annotation is DatasetRef:
            out[name] = DUMMY
    return out


@pytest.mark.parametrize("method_id", METHODS)
def test_documented_with_valid_examples(catalog: Catalog, method_id: str) -> None:
    spec = catalog.get(method_id)
    assert spec.summary and spec.description
    assert len(spec.examples) >= 1
    for name, field in {**spec.params_model.model_fields, **spec.output_model.model_fields}.items():
        assert field.description, f"{method_id}.{name} has no description"
    for example in spec.examples:
        params = literal_params(spec, example.params)
        spec.params_model.model_validate(params)
        for check in spec.checks:
            assert check(example.params) == [], (method_id, example.description)


def test_found_by_search(catalog: Catalog) -> None:
    expectations = {
        "sentiment of posts": "nlp.text.sentiment",
        "detect the language": "nlp.text.language",
        "remove duplicate rows": "data.rows.dedupe",
        "join two datasets": "data.rows.join",
        "write to a postgres table": "sql.table.write",
        "cluster similar texts": "ml.text.cluster",
    }
    for query, method_id in expectations.items():
        hits = [hit.spec.id for hit in catalog.search(query)[:3]]
        assert method_id in hits, (query, hits)
