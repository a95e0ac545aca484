"""Records sent to a served model, checked against its signature.

A validator is compiled once per loaded model (pydantic-core, straight from the JSON
bytes): every input column of the signature must be present in every record; numeric
columns take numbers (or null, which the model imputes), text columns take strings (or
null). Unknown keys are ignored. Problems are reported per record and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from odp.errors import ModelError
from odp.ml.features import FeatureSchema

__all__ = ["RecordProblem", "RecordValidator", "RecordsInvalid"]

_MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One problem in a request: which record, which field, what is wrong."""

    record: int | None
    field: str | None
    problem: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"record": self.record, "field": self.field, "problem": self.problem}


class RecordsInvalid(ModelError):
    """The records do not match the model's signature.

    Attributes:
        problems: what is wrong, per record and field (at most 50).
    """

    def __init__(self, problems: list[RecordProblem], *, total: int | None = None) -> None:
        self.problems = problems
        count = total if total is not None else len(problems)
        first = problems[0]
        where = (
            f"record {first.record}" + (f", field {first.field!r}" if first.field else "")
            if first.record is not None
            else "the body"
        )
        super().__init__(
            f"{count} problem{'s' * (count != 1)} in the records; first: {where}: {first.problem}",
            hint='send a list of objects (or {"records": [...]}) with the model\'s input columns; '
            "GET /metadata shows them",
        )


class RecordValidator:
    """Checks request bodies against a model's input columns and makes the model's frame.

    Args:
        schema: the model's input columns (from its signature).
        max_records: the most records one request may carry.
    """

    def __init__(self, schema: FeatureSchema, *, max_records: int) -> None:
        self.schema = schema
        self.max_records = max_records
        fields = {
            name: cs.typed_dict_field(
                cs.nullable_schema(
                    cs.float_schema(allow_inf_nan=False)
                    if name in schema.numeric
                    else cs.str_schema()
                )
            )
            for name in schema.columns
        }
        record = cs.typed_dict_schema(fields, extra_behavior="ignore")
        records = cs.list_schema(record, min_length=1, max_length=max_records)
        self._list = SchemaValidator(records)
        self._wrapped = SchemaValidator(
            cs.typed_dict_schema({"records": cs.typed_dict_field(records)}, extra_behavior="forbid")
        )

    def validate_json(self, body: bytes) -> list[dict[str, Any]]:
        """The records of a JSON body: a list of objects, or ``{"records": [...]}``.

        Raises:
            RecordsInvalid: naming each record and field that does not fit.
        """
        head = body.lstrip()[:1]
        try:
            if head == b"{":
                wrapped: dict[str, Any] = self._wrapped.validate_json(body)
                records: list[dict[str, Any]] = wrapped["records"]
                return records
            if head == b"[":
                listed: list[dict[str, Any]] = self._list.validate_json(body)
                return listed
        except ValidationError as e:
            raise self._invalid(e, offset=1 if head == b"{" else 0) from None
        raise RecordsInvalid(
            [
                RecordProblem(
                    None, None, 'the body must be a JSON list of records or {"records": [...]}'
                )
            ]
        )

    def frame(self, records: list[dict[str, Any]]) -> Any:
        """The records as the model's pandas input, with the dtypes training gave them.

        Numbers become float64 (null: NaN); text goes through polars as at training, so
        that a missing value is missing in the same way.
        """
        import numpy as np
        import pandas as pd
        import polars as pl

        columns: dict[str, Any] = {}
        for name in self.schema.columns:
            values = [r[name] for r in records]
            if name in self.schema.numeric:
                columns[name] = np.array(values, dtype=np.float64)  # None becomes NaN
            else:
                columns[name] = pl.Series(name, values, dtype=pl.String).to_pandas()
        return pd.DataFrame(columns, copy=False)

    def _invalid(self, error: ValidationError, *, offset: int) -> RecordsInvalid:
        problems = []
        errors = error.errors(include_url=False)
        for item in errors[:_MAX_PROBLEMS]:
            loc = item["loc"][offset:]
            index = loc[0] if loc and isinstance(loc[0], int) else None
            field = str(loc[1]) if len(loc) > 1 else None
            message = str(item["msg"])
            if item["type"] == "too_long":
                message = f"at most {self.max_records} records per request"
            elif item["type"] == "too_short":
                message = "send at least one record"
            elif item["type"] == "missing" and field is not None:
                message = "missing: the model needs this input column"
            elif item["type"] == "missing" and offset and not loc:
                message = 'the body needs a "records" list'
            elif item["type"] == "json_invalid":
                message = f"the body is not valid JSON: {item.get('ctx', {}).get('error', message)}"
            elif field is None and index is not None:
                message = "a record must be a JSON object of column: value"
            elif field is not None:
                kind = "a number" if field in self.schema.numeric else "a string"
                message = f"expected {kind} or null, got {item['input']!r:.60}"
            problems.append(RecordProblem(index, field, message))
        return RecordsInvalid(problems, total=len(errors))
