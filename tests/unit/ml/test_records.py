"""Request records against a model's signature, and the frame they become."""

from __future__ import annotations

import json

import pandas as pd
import polars as pl
import pytest

from odp.ml import FeatureSchema, feature_schema, model_frame
from odp.ml.records import RecordsInvalid, RecordValidator
from tests.unit.ml.datasets import churn_frame

SCHEMA = FeatureSchema(
    ("tenure", "monthly_charges", "plan"),
    numeric=["tenure", "monthly_charges"],
    categorical=["plan"],
)


def _validator(max_records: int = 5) -> RecordValidator:
    return RecordValidator(SCHEMA, max_records=max_records)


def test_records_become_the_frame_training_saw() -> None:
    data = churn_frame(40).with_columns(
        pl.when(pl.col("customer_id") % 7 == 0).then(None).otherwise(pl.col("plan")).alias("plan")
    )
    schema = feature_schema(data, ["tenure", "monthly_charges", "support_calls", "plan"])
    records = data.select(schema.columns).to_dicts()
    validator = RecordValidator(schema, max_records=100)
    served = validator.frame(validator.validate_json(json.dumps(records).encode()))
    trained = model_frame(data, schema)
    pd.testing.assert_frame_equal(served, trained)


def test_both_body_shapes_and_lenient_numbers() -> None:
    record = {"tenure": 3, "monthly_charges": "70.5", "plan": None, "other": [1]}
    listed = _validator().validate_json(json.dumps([record]).encode())
    wrapped = _validator().validate_json(json.dumps({"records": [record]}).encode())
    assert listed == wrapped == [{"tenure": 3.0, "monthly_charges": 70.5, "plan": None}]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'[{"tenure": 1}]',
            [
                (0, "monthly_charges", "missing: the model needs this input column"),
                (0, "plan", "missing: the model needs this input column"),
            ],
        ),
        (
            b'[{"tenure": "x", "monthly_charges": 1, "plan": 2}]',
            [
                (0, "tenure", "expected a number or null, got 'x'"),
                (0, "plan", "expected a string or null, got 2"),
            ],
        ),
        (b"[]", [(None, None, "send at least one record")]),
        (
            json.dumps([{"tenure": 1, "monthly_charges": 1, "plan": "a"}] * 6).encode(),
            [(None, None, "at most 5 records per request")],
        ),
        (b'{"rows": []}', [(None, None, 'the body needs a "records" list')]),
        (
            b'"text"',
            [(None, None, 'the body must be a JSON list of records or {"records": [...]}')],
        ),
        (b"[1]", [(0, None, "a record must be a JSON object of column: value")]),
    ],
)
def test_problems_name_the_record_and_field(
    body: bytes, expected: list[tuple[int | None, str | None, str]]
) -> None:
    with pytest.raises(RecordsInvalid) as info:
        _validator().validate_json(body)
    problems = [(p.record, p.field, p.problem) for p in info.value.problems]
    for item in expected:
        assert item in problems
    assert info.value.hint is not None and "/metadata" in info.value.hint


def test_invalid_json_is_a_problem_not_a_crash() -> None:
    with pytest.raises(RecordsInvalid, match="not valid JSON"):
        _validator().validate_json(b'[{"tenure": ')
