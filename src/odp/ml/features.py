"""A model's input columns: which are numbers and which are categories, and their frames.

Training, batch prediction and serving all turn rows into the model's input the same
way: numbers (booleans included) as float64, everything else as text. The model's
MLflow signature records that split (``double`` and ``string`` columns), so a
registered model can be checked against a dataset or a request before it is called.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from odp.errors import MethodError

__all__ = ["FeatureSchema", "feature_schema", "model_frame", "schema_from_signature"]

_NUMERIC_SIGNATURE_TYPES = frozenset({"double", "float", "long", "integer", "boolean"})


@dataclass(frozen=True, slots=True)
class FeatureSchema:
    """A model's input columns in order, split into numeric and categorical ones."""

    columns: tuple[str, ...]
    numeric: list[str]
    categorical: list[str]

    def kind(self, column: str) -> str:
        """``number`` or ``text``."""
        return "number" if column in self.numeric else "text"


def feature_schema(frame: pl.DataFrame | pl.LazyFrame, features: Sequence[str]) -> FeatureSchema:
    """Split the feature columns of a frame by type.

    Raises:
        MethodError: for a feature whose type a model cannot use (dates, lists, ...).
    """
    schema = frame.collect_schema()
    numeric: list[str] = []
    categorical: list[str] = []
    for name in features:
        dtype = schema[name]
        if dtype.is_numeric() or dtype == pl.Boolean:
            numeric.append(name)
        elif dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            categorical.append(name)
        else:
            raise MethodError(
                f"features: column {name!r} is {dtype}, which a model cannot use as it is",
                hint="leave it out of features, or turn it into a number or text first "
                "(e.g. with data.sql.query)",
                field="features",
            )
    return FeatureSchema(tuple(features), numeric, categorical)


def model_frame(frame: pl.DataFrame, schema: FeatureSchema) -> Any:
    """The model's input as pandas: numbers as float64, the rest as text, in order.

    Raises:
        MethodError: when a column cannot be converted (e.g. text in a numeric column).
    """
    exprs = []
    for name in schema.columns:
        if name in schema.numeric:
            exprs.append(pl.col(name).cast(pl.Float64, strict=True))
        else:
            exprs.append(pl.col(name).cast(pl.String))
    try:
        selected = frame.select(exprs)
    except pl.exceptions.InvalidOperationError as e:
        raise MethodError(
            f"data: a numeric input column holds values that are not numbers: "
            f"{str(e).splitlines()[0]}",
            hint="numeric columns: " + ", ".join(schema.numeric),
            field="data",
        ) from e
    return selected.to_pandas()


def schema_from_signature(signature: Any) -> FeatureSchema | None:
    """The input columns recorded in an MLflow model signature (None without one)."""
    if signature is None or signature.inputs is None:
        return None
    names: list[str] = []
    numeric: list[str] = []
    categorical: list[str] = []
    for spec in signature.inputs.inputs:
        name = getattr(spec, "name", None)
        if name is None:  # a tensor signature: not a tabular model
            return None
        names.append(name)
        type_name = getattr(getattr(spec, "type", None), "name", str(getattr(spec, "type", "")))
        if str(type_name).lower() in _NUMERIC_SIGNATURE_TYPES:
            numeric.append(name)
        else:
            categorical.append(name)
    return FeatureSchema(tuple(names), numeric, categorical)
