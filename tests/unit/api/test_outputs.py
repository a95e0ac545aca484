"""How a step's dataset is chosen and encoded (one function each)."""

from __future__ import annotations

import polars as pl
import pytest

from odp.api.routes.outputs import PARQUET, _csv, _dataset_field, _negotiate
from odp.artifacts import ArtifactStore
from odp.errors import NotFoundError, ServiceError


@pytest.mark.parametrize(
    ("fmt", "accept", "chosen"),
    [
        ("csv", PARQUET, "csv"),  # the parameter wins
        (None, "text/csv", "csv"),
        (None, "text/html, application/x-parquet;q=0.9", "parquet"),
        (None, "application/json", "json"),
        (None, "*/*", "json"),
        (None, None, "json"),
    ],
)
def test_format_by_parameter_or_accept(fmt: str | None, accept: str | None, chosen: str) -> None:
    assert _negotiate(fmt, accept) == chosen  # type: ignore[arg-type]


def test_the_dataset_field_defaults_to_data_and_names_the_others(store: ArtifactStore) -> None:
    ref = store.write(pl.DataFrame({"a": [1]})).model_dump()
    assert _dataset_field({"count": 1, "data": ref}, None)[0] == "data"
    assert _dataset_field({"model": "x", "scored": ref}, None)[0] == "scored"
    with pytest.raises(NotFoundError) as info:
        _dataset_field({"scored": ref}, "other")
    assert info.value.hint == "its datasets: scored"
    with pytest.raises(NotFoundError, match="no dataset"):
        _dataset_field({"path": "out.csv"}, None)


def test_csv_refuses_nested_columns_and_says_what_to_ask_for(store: ArtifactStore) -> None:
    flat = store.write(pl.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    assert _csv(store, flat).decode().splitlines() == ["a,b", "1,x", "2,y"]
    nested = store.write(pl.DataFrame({"a": [1], "tags": [["x", "y"]]}))
    with pytest.raises(ServiceError, match="tags") as info:
        _csv(store, nested)
    assert "format=json" in str(info.value.hint)
