"""The typed reference to a dataset in the artifact store (the claim check)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Column", "DatasetRef"]


class Column(BaseModel):
    """One column of a dataset."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The column's name.")
    type: str = Field(description="The column's type, as polars names it (Int64, String, ...).")


class DatasetRef(BaseModel):
    """A dataset written to the artifact store; only this reference travels between steps.

    Two references with the same ``sha256`` point at the same rows in the same order.
    """

    model_config = ConfigDict(frozen=True)

    uri: str = Field(
        description="Where the Parquet file lives (a path or an fsspec URI); view:// for views."
    )
    format: Literal["parquet", "view"] = Field(
        default="parquet",
        description="parquet: a file in the store; view: rows computed on read by a SQL query "
        "over Parquet files (lazy, so that chained steps run as one query).",
    )
    rows: int = Field(ge=0, description="How many rows the dataset has.")
    columns: list[Column] = Field(default_factory=list, description="Column names and types.")
    sha256: str = Field(description="The SHA-256 of the file's bytes.")
    size_bytes: int = Field(default=0, ge=0, description="The file's size in bytes.")
    preview: list[dict[str, Any]] = Field(
        default_factory=list,
        description="The first few rows, long values shortened (none for a lazy view of "
        "more than 1,000 rows: its rows are seen when it is read).",
    )
    sql: str | None = Field(
        default=None, description="For views: the SELECT that computes the rows."
    )
    bases: list[str] = Field(
        default_factory=list, description="For views: the Parquet files the query reads."
    )

    @property
    def is_view(self) -> bool:
        """Whether the rows are computed on read."""
        return self.format == "view"

    @property
    def column_names(self) -> list[str]:
        """The names of the columns, in order."""
        return [c.name for c in self.columns]

    def short(self) -> str:
        """A one-line description for logs and terminals."""
        return f"{self.rows} rows, {len(self.columns)} columns ({self.sha256[:12]})"
