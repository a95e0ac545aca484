"""Files: read CSV, Parquet and JSON Lines into datasets, and write datasets out.

Paths are local paths (globs allowed when reading) or fsspec URIs (``s3://...``,
``memory://...``). Writers are idempotent: they write to a temporary file and move it
into place, so a retried step leaves exactly one complete file.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import fsspec
import polars as pl
from pydantic import Field

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext, MethodKind, MethodParams, method
from odp.errors import ArtifactNotFoundError, MethodError
from odp.methods.tabular import (
    RowsOutput,
    WriteOutput,
    can_view,
    in_thread,
    parquet_view_output,
    rows_output,
)

__all__ = [
    "read_csv",
    "read_jsonl",
    "read_parquet",
    "write_csv",
    "write_jsonl",
    "write_parquet",
]

Format = Literal["csv", "parquet", "jsonl"]


def _is_uri(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def local_path(ctx: MethodContext, path: str, *, field: str = "path") -> str:
    """Check a local path against ``ODP_FILES_ROOT`` and return it as a string.

    Raises:
        MethodError: when the path leaves the allowed folder.
    """
    path = path.removeprefix("file://")
    root = ctx.settings.files_root
    if root is None:
        return os.path.expanduser(path)
    resolved = Path(root, path).resolve() if not os.path.isabs(path) else Path(path).resolve()
    if not resolved.is_relative_to(Path(root).resolve()):
        raise MethodError(
            f"{field}: {path!r} is outside the folder this service may use",
            hint=f"use a path inside {root}",
            field=field,
        )
    return str(resolved)


# ---------------------------------------------------------------------- readers
class ReadParams(MethodParams):
    """Where to read from."""

    path: str = Field(
        min_length=1,
        description="A local path (globs such as data/*.csv allowed) or an fsspec URI.",
    )
    columns: list[str] | None = Field(
        default=None, description="Keep only these columns (default: all)."
    )


class CsvReadParams(ReadParams):
    """Where and how to read CSV."""

    delimiter: str = Field(default=",", min_length=1, max_length=1, description="Field separator.")
    has_header: bool = Field(default=True, description="Whether the first line names the columns.")
    encoding: Literal["utf8", "utf8-lossy"] = Field(
        default="utf8", description="utf8, or utf8-lossy to replace invalid bytes."
    )


def _scan(ctx: MethodContext, params: ReadParams, fmt: Format) -> pl.LazyFrame:
    if _is_uri(params.path):
        fs, fs_path = fsspec.core.url_to_fs(params.path)
        with fs.open(fs_path, "rb") as fh:
            raw = io.BytesIO(fh.read())
        frame = _read_eager(raw, params, fmt)
        return frame.lazy()
    path = local_path(ctx, params.path)
    has_glob = any(ch in path for ch in "*?[")
    if not has_glob and not os.path.exists(path):
        raise FileNotFoundError(path)
    if fmt == "csv":
        assert isinstance(params, CsvReadParams)
        return pl.scan_csv(
            path,
            separator=params.delimiter,
            has_header=params.has_header,
            encoding=params.encoding,
        )
    if fmt == "jsonl":
        return pl.scan_ndjson(path)
    return pl.scan_parquet(path)


def _read_eager(raw: io.BytesIO, params: ReadParams, fmt: Format) -> pl.DataFrame:
    if fmt == "csv":
        assert isinstance(params, CsvReadParams)
        return pl.read_csv(
            raw, separator=params.delimiter, has_header=params.has_header, encoding=params.encoding
        )
    if fmt == "jsonl":
        return pl.read_ndjson(raw)
    return pl.read_parquet(raw)


async def _read(ctx: MethodContext, params: ReadParams, fmt: Format) -> RowsOutput:
    def work() -> RowsOutput:
        try:
            frame = _scan(ctx, params, fmt)
            if params.columns:
                existing = frame.collect_schema().names()
                missing = [c for c in params.columns if c not in existing]
                if missing:
                    raise MethodError(
                        f"columns: {', '.join(map(repr, missing))} not in {params.path}",
                        hint="the file has: " + ", ".join(existing),
                        field="columns",
                    )
                frame = frame.select(params.columns)
            return rows_output(ctx.store, frame)
        except FileNotFoundError:
            raise MethodError(
                f"path: no such file: {params.path}",
                hint="check the path (relative paths start from the worker's folder)",
                field="path",
            ) from None
        except (pl.exceptions.PolarsError, OSError, ValueError) as e:
            if isinstance(e, MethodError):
                raise
            raise MethodError(
                f"could not read {params.path} as {fmt}: {str(e).splitlines()[0]}",
                hint=f"check that the file is {fmt}",
                field="path",
            ) from e

    return await in_thread(work)


@method(
    "file.csv.read",
    kind=MethodKind.SOURCE,
    summary="Read a CSV file into a dataset",
    tags=("csv", "file", "load", "import", "spreadsheet", "table"),
    examples=[{"description": "Read a local CSV file", "params": {"path": "data/posts.csv"}}],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def read_csv(params: CsvReadParams, ctx: MethodContext) -> RowsOutput:
    """Read a CSV file (or every file a glob matches) into a dataset.

    Column types are inferred from the data. Use `columns` to keep only some columns.
    """
    return await _read(ctx, params, "csv")


@method(
    "file.parquet.read",
    kind=MethodKind.SOURCE,
    summary="Read a Parquet file into a dataset",
    tags=("parquet", "file", "load", "import", "columnar"),
    examples=[{"description": "Read a Parquet file", "params": {"path": "data/events.parquet"}}],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def read_parquet(params: ReadParams, ctx: MethodContext) -> RowsOutput:
    """Read a Parquet file (or every file a glob matches) into a dataset.

    When the rows feed a single next step, the file is not copied: the next step's query
    reads it directly.
    """
    if can_view(ctx) and not _is_uri(params.path) and not any(c in params.path for c in "*?["):
        path = os.path.abspath(local_path(ctx, params.path))
        if os.path.isfile(path):

            def view() -> RowsOutput:
                try:
                    return parquet_view_output(ctx.store, [path], params.columns, field="columns")
                except MethodError as e:
                    raise MethodError(
                        f"could not read {params.path} as parquet: {e.message}",
                        hint=e.hint,
                        field="columns" if params.columns else "path",
                    ) from e

            return await in_thread(view)
    return await _read(ctx, params, "parquet")


@method(
    "file.jsonl.read",
    kind=MethodKind.SOURCE,
    summary="Read a JSON Lines file into a dataset",
    tags=("json", "jsonl", "ndjson", "file", "load", "import"),
    examples=[
        {"description": "Read newline-delimited JSON", "params": {"path": "data/posts.jsonl"}}
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def read_jsonl(params: ReadParams, ctx: MethodContext) -> RowsOutput:
    """Read a JSON Lines file (one JSON object per line) into a dataset."""
    return await _read(ctx, params, "jsonl")


# ---------------------------------------------------------------------- writers
class WriteParams(MethodParams):
    """What to write, and where."""

    data: DatasetRef = Field(description="The dataset to write.")
    path: str = Field(min_length=1, description="The file to write: a local path or an fsspec URI.")


class CsvWriteParams(WriteParams):
    """What to write as CSV, and how."""

    delimiter: str = Field(default=",", min_length=1, max_length=1, description="Field separator.")
    include_header: bool = Field(default=True, description="Whether to write a header line.")


def _writer(ctx: MethodContext, params: WriteParams, fmt: Format) -> Callable[[str], None]:
    """What writes the rows to a file.

    Raises:
        MethodError: when the dataset is gone from the artifact store.
    """
    try:
        source = _stored_parquet(ctx, params, fmt)
        frame = None if source is not None else ctx.store.scan(params.data)
    except ArtifactNotFoundError as e:
        raise MethodError(str(e), hint=e.hint, field="data") from e

    def write(target: str) -> None:
        if source is not None:
            # the stored file holds these rows as zstd Parquet already
            shutil.copyfile(source, target)
            return
        assert frame is not None
        if fmt == "csv":
            assert isinstance(params, CsvWriteParams)
            frame.sink_csv(target, separator=params.delimiter, include_header=params.include_header)
        elif fmt == "jsonl":
            frame.sink_ndjson(target)
        else:
            frame.sink_parquet(target, compression="zstd")

    return write


_PLAIN_WRITE = frozenset(WriteParams.model_fields)


def _stored_parquet(ctx: MethodContext, params: WriteParams, fmt: Format) -> str | None:
    """The stored file to copy as it is, when writing it out as Parquet would change nothing.

    That is a dataset stored here as a Parquet file (not a view), written as Parquet by
    a sink with no options beyond what and where: an option such as a column selection
    or a compression changes the file, so it takes the normal way.

    Raises:
        ArtifactNotFoundError: when the file is gone.
    """
    if fmt != "parquet" or frozenset(type(params).model_fields) != _PLAIN_WRITE:
        return None
    return ctx.store.parquet_file(params.data)


async def _write(ctx: MethodContext, params: WriteParams, fmt: Format) -> WriteOutput:
    def work() -> WriteOutput:
        write = _writer(ctx, params, fmt)
        try:
            if _is_uri(params.path):
                fs, fs_path = fsspec.core.url_to_fs(params.path)
                tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"odp-{uuid.uuid4().hex}.{fmt}"
                try:
                    write(str(tmp))
                    parent = fs_path.rsplit("/", 1)[0]
                    if parent:
                        fs.makedirs(parent, exist_ok=True)
                    fs.put_file(str(tmp), fs_path)
                finally:
                    with contextlib.suppress(FileNotFoundError):
                        tmp.unlink()
                written = params.path
            else:
                target = Path(local_path(ctx, params.path))
                target.parent.mkdir(parents=True, exist_ok=True)
                # one temporary name per attempt; the move makes the file appear whole
                tmp_path = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
                try:
                    write(str(tmp_path))
                    os.replace(tmp_path, target)
                finally:
                    with contextlib.suppress(FileNotFoundError):
                        tmp_path.unlink()
                written = str(target)
        except IsADirectoryError:
            raise MethodError(
                f"path: {params.path} is a folder", hint="name a file", field="path"
            ) from None
        except PermissionError as e:
            raise MethodError(
                f"path: no permission to write {params.path}: {e.strerror}", field="path"
            ) from e
        except (OSError, pl.exceptions.PolarsError) as e:
            raise MethodError(
                f"could not write {params.path}: {str(e).splitlines()[0]}",
                retryable=isinstance(e, OSError),
                field="path",
            ) from e
        return WriteOutput(path=written, rows_written=params.data.rows)

    return await in_thread(work)


_WRITE_EXAMPLE = {"data": "{{ clean.data }}", "path": "out/result"}


@method(
    "file.csv.write",
    kind=MethodKind.SINK,
    summary="Write a dataset to a CSV file",
    tags=("csv", "file", "save", "export", "spreadsheet"),
    examples=[
        {
            "description": "Save the rows as CSV",
            "params": {**_WRITE_EXAMPLE, "path": "out/result.csv"},
        }
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def write_csv(params: CsvWriteParams, ctx: MethodContext) -> WriteOutput:
    """Write a dataset to a CSV file, replacing the file if it exists.

    Nested columns (lists, structs) cannot be written as CSV; select them away first.
    """
    return await _write(ctx, params, "csv")


@method(
    "file.parquet.write",
    kind=MethodKind.SINK,
    summary="Write a dataset to a Parquet file",
    tags=("parquet", "file", "save", "export", "columnar"),
    examples=[
        {
            "description": "Save the rows as Parquet",
            "params": {**_WRITE_EXAMPLE, "path": "out/result.parquet"},
        }
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def write_parquet(params: WriteParams, ctx: MethodContext) -> WriteOutput:
    """Write a dataset to a Parquet file (zstd-compressed), replacing it if it exists."""
    return await _write(ctx, params, "parquet")


@method(
    "file.jsonl.write",
    kind=MethodKind.SINK,
    summary="Write a dataset to a JSON Lines file",
    tags=("json", "jsonl", "ndjson", "file", "save", "export"),
    examples=[
        {
            "description": "Save the rows as JSON Lines",
            "params": {**_WRITE_EXAMPLE, "path": "out/result.jsonl"},
        }
    ],
    local=True,  # in-process DuckDB/polars work or a local file
)
async def write_jsonl(params: WriteParams, ctx: MethodContext) -> WriteOutput:
    """Write a dataset to a JSON Lines file (one object per row), replacing it if it exists."""
    return await _write(ctx, params, "jsonl")
