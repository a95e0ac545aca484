"""The claim-check store: datasets as content-addressed Parquet files.

A dataset is written once under ``<root>/<workspace>/datasets/<sha[:2]>/<sha>.parquet``;
writing the same rows again yields the same reference, so retried steps and cached
steps never duplicate data. The root is a local folder or any fsspec URI
(``s3://bucket/prefix``, ``memory://odp``, ...).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import fsspec
import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from odp.artifacts.footers import describe_files
from odp.artifacts.ref import Column, DatasetRef
from odp.errors import ArtifactError, ArtifactNotFoundError

__all__ = ["ArtifactStore", "TabularData"]

TabularData: TypeAlias = pl.DataFrame | pl.LazyFrame | pa.Table | pa.RecordBatchReader
"""What :meth:`ArtifactStore.write` accepts (lazy frames and readers are streamed)."""

PREVIEW_ROWS = 5
SMALL_VIEW_ROWS = 1000
"""A view of at most this many rows is stored as rows when it is made (see ``view``)."""
_PREVIEW_TEXT = 120
_CHUNK = 1 << 20


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _preview_value(value: Any) -> Any:
    """Make one cell small and JSON-safe for the preview."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= _PREVIEW_TEXT else value[: _PREVIEW_TEXT - 1] + "…"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        items = [_preview_value(v) for v in value[:8]]
        return [*items, "…"] if len(value) > 8 else items
    if isinstance(value, dict):
        return {str(k): _preview_value(v) for k, v in list(value.items())[:8]}
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return _preview_value(str(value))


def preview_rows(df: pl.DataFrame, n: int = PREVIEW_ROWS) -> list[dict[str, Any]]:
    """The first ``n`` rows of ``df`` as small, JSON-safe dictionaries."""
    return [{k: _preview_value(v) for k, v in row.items()} for row in df.head(n).to_dicts()]


class ArtifactStore:
    """Writes and reads datasets for one workspace.

    Args:
        root: a local folder or an fsspec URI.
        workspace: the workspace the datasets belong to; it is a folder under ``root``.
    """

    def __init__(self, root: str | os.PathLike[str], *, workspace: str = "default") -> None:
        root_str = os.fspath(root)
        self.fs, path = fsspec.core.url_to_fs(root_str)
        self.local = "file" in _protocols(self.fs)
        self.root = str(Path(path).resolve()) if self.local else path.rstrip("/")
        self.workspace = workspace

    # ------------------------------------------------------------------ paths
    def _uri(self, path: str) -> str:
        if self.local:
            return path
        protocol = _protocols(self.fs)[0]
        return f"{protocol}://{path}"

    def _path(self, uri: str) -> str:
        """The filesystem path of a URI written by this kind of store."""
        if self.local:
            return uri.removeprefix("file://")
        _, _, path = uri.partition("://")
        return path or uri

    @property
    def workspace_root(self) -> str:
        """The folder (or URI prefix) that holds this workspace's artifacts."""
        return self._uri(f"{self.root}/{self.workspace}")

    def owns(self, uri: str) -> bool:
        """Whether ``uri`` lies inside this store's workspace."""
        return uri.startswith(self.workspace_root.rstrip("/") + "/")

    # ------------------------------------------------------------------ write
    def write(self, data: TabularData) -> DatasetRef:
        """Write rows as Parquet and return their reference.

        Lazy frames are streamed to disk without being collected in memory. Rows in
        memory are described (count, columns, preview) from memory; streamed ones, and
        columns of types whose reading back is not known to give the same, from the file.
        """
        tmp_dir = self._local_tmp_dir()
        tmp = tmp_dir / f"{uuid.uuid4().hex}.parquet"
        try:
            described = _write_parquet(data, tmp) or _describe_file(tmp)
            sha = _sha256_file(tmp)
            size = tmp.stat().st_size
            final = f"{self.root}/{self.workspace}/datasets/{sha[:2]}/{sha}.parquet"
            self._publish(tmp, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return DatasetRef(
            uri=self._uri(final),
            rows=described.rows,
            columns=described.columns,
            sha256=sha,
            size_bytes=size,
            preview=described.preview,
        )

    def write_bytes(self, name: str, content: bytes) -> str:
        """Store a non-tabular artifact (a report, a plot) and return its URI."""
        sha = hashlib.sha256(content).hexdigest()
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "artifact"
        final = f"{self.root}/{self.workspace}/files/{sha[:16]}/{safe}"
        try:
            self.fs.makedirs(final.rsplit("/", 1)[0], exist_ok=True)
            with self.fs.open(final, "wb") as fh:
                fh.write(content)
        except OSError as e:
            raise ArtifactError(f"could not write {final}: {e}") from e
        return self._uri(final)

    def read_bytes(self, uri: str) -> bytes:
        """Read a non-tabular artifact written by :meth:`write_bytes`."""
        try:
            with self.fs.open(self._path(uri), "rb") as fh:
                data: bytes = fh.read()
        except FileNotFoundError as e:
            raise ArtifactNotFoundError(uri) from e
        return data

    def _local_tmp_dir(self) -> Path:
        if self.local:
            # same filesystem as the destination, so publishing is an atomic rename
            tmp = Path(self.root) / ".tmp"
            tmp.mkdir(parents=True, exist_ok=True)
            return tmp
        return Path(tempfile.gettempdir())

    def _publish(self, tmp: Path, final: str) -> None:
        try:
            if self.local:
                Path(final).parent.mkdir(parents=True, exist_ok=True)
                if not Path(final).exists():
                    os.replace(tmp, final)
                return
            if not self.fs.exists(final):
                self.fs.makedirs(final.rsplit("/", 1)[0], exist_ok=True)
                self.fs.put_file(str(tmp), final)
        except OSError as e:
            raise ArtifactError(f"could not write dataset to {final}: {e}") from e

    # ------------------------------------------------------------------ views
    @property
    def supports_views(self) -> bool:
        """Whether lazy views can be made here (DuckDB reads local files directly)."""
        return self.local

    def view(self, sql: str, bases: list[str]) -> DatasetRef:
        """A lazy dataset: ``sql`` (a SELECT over ``read_parquet`` of ``bases``) runs on read.

        Binding the query and counting its rows check it, so errors surface in the step
        that made the view. A view of at most ``SMALL_VIEW_ROWS`` rows (an aggregate, a
        top N) is run once more and stored as Parquet instead: its rows cost little to
        keep, and every later reader (the next step, the preview, ``odp result``) then
        reads them rather than running the whole query again. A bigger view has no
        preview until read: its first rows would cost a read of every column of a whole
        row group, where the count reads only the columns it needs.
        """
        from odp.artifacts.relations import connect

        sha = _fingerprint(sql, bases)
        with connect(bases) as con:
            rows = int(con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0])
            small = rows <= SMALL_VIEW_ROWS
            # a small view's rows, else only its schema
            table = con.sql(sql if small else f"SELECT * FROM ({sql}) LIMIT 0").to_arrow_table()
        if small:
            return self.write(table)
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return _view_ref(sha, sql, bases, rows, _columns(frame.schema))

    def parquet_view(self, paths: list[str], columns: list[str] | None = None) -> DatasetRef:
        """A lazy dataset of whole Parquet files (or some of their columns), as :meth:`view`.

        The same reference as ``view`` of the same query, but its rows and column types
        come from the files' footers when they tell them exactly (see
        :func:`~odp.artifacts.footers.describe_files`), which saves two queries.
        """
        from odp.artifacts.relations import connect, parquet_sql

        sql = parquet_sql(paths, columns)
        described = describe_files(paths, columns)
        if described is None:
            return self.view(sql, paths)
        rows, found = described
        if rows <= SMALL_VIEW_ROWS:
            with connect(paths) as con:
                return self.write(con.sql(sql).to_arrow_table())
        return _view_ref(_fingerprint(sql, paths), sql, paths, rows, found)

    def _view_table(self, ref: DatasetRef) -> pa.Table:
        from odp.artifacts.relations import connect, relation_sql

        if not self.exists(ref):
            raise ArtifactNotFoundError(", ".join(ref.bases))
        with connect(ref.bases) as con:
            return con.sql(f"SELECT * FROM {relation_sql(ref)}").to_arrow_table()

    def materialize(self, ref: DatasetRef) -> DatasetRef:
        """A Parquet dataset with the rows of ``ref`` (itself when it is one already)."""
        if not ref.is_view:
            return ref
        return self.write(self._view_table(ref))

    # ------------------------------------------------------------------ read
    def exists(self, ref: DatasetRef) -> bool:
        """Whether the dataset's files are still there."""
        if ref.is_view:
            return all(os.path.exists(base) for base in ref.bases)
        return bool(self.fs.exists(self._path(ref.uri)))

    def parquet_file(self, ref: DatasetRef) -> str | None:
        """The local path of a dataset stored here as a Parquet file (None for others).

        Raises:
            ArtifactNotFoundError: when the file is gone.
        """
        if ref.is_view or not self.local or not self.owns(ref.uri):
            return None
        return self._check(ref)

    def _check(self, ref: DatasetRef) -> str:
        path = self._path(ref.uri)
        if not self.fs.exists(path):
            raise ArtifactNotFoundError(ref.uri)
        return path

    def scan(self, ref: DatasetRef) -> pl.LazyFrame:
        """A lazy frame over the dataset (nothing is read until collected, but for views)."""
        if ref.is_view:
            frame = pl.from_arrow(self._view_table(ref))
            assert isinstance(frame, pl.DataFrame)
            return frame.lazy()
        path = self._check(ref)
        if self.local:
            return pl.scan_parquet(path)
        return pl.from_arrow(self.arrow_dataset(ref).to_table()).lazy()  # type: ignore[union-attr]  # a Table gives a DataFrame

    def read(self, ref: DatasetRef) -> pl.DataFrame:
        """The whole dataset in memory."""
        return self.scan(ref).collect()

    def arrow_dataset(self, ref: DatasetRef) -> pads.Dataset:
        """A pyarrow dataset over the file, for DuckDB and streaming readers."""
        if ref.is_view:
            return pads.dataset(self._view_table(ref))
        path = self._check(ref)
        if self.local:
            return pads.dataset(path, format="parquet")
        return pads.dataset(path, format="parquet", filesystem=self.fs)

    def delete_workspace(self) -> None:
        """Remove every artifact of this workspace (used by tests and cleanup)."""
        root = f"{self.root}/{self.workspace}"
        if self.local:
            shutil.rmtree(root, ignore_errors=True)
        elif self.fs.exists(root):
            self.fs.rm(root, recursive=True)


def _protocols(fs: fsspec.AbstractFileSystem) -> tuple[str, ...]:
    proto = fs.protocol
    return (proto,) if isinstance(proto, str) else tuple(proto)


def _fingerprint(sql: str, bases: list[str]) -> str:
    """A view's identity: its query and its files' contents (as their sizes and times)."""
    fingerprint = hashlib.sha256(sql.encode())
    for base in bases:
        stat = os.stat(base)
        fingerprint.update(f"\n{base}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return fingerprint.hexdigest()


def _columns(schema: Mapping[str, pl.DataType]) -> list[Column]:
    """A reference's columns: each name with its polars type."""
    return [Column(name=n, type=str(t)) for n, t in schema.items()]


def _view_ref(sha: str, sql: str, bases: list[str], rows: int, columns: list[Column]) -> DatasetRef:
    return DatasetRef(
        uri=f"view://{sha}",
        format="view",
        rows=rows,
        columns=columns,
        sha256=sha,
        sql=sql,
        bases=list(bases),
    )


@dataclass(frozen=True, slots=True)
class _Description:
    """What a written dataset holds, as its reference tells it."""

    rows: int
    columns: list[Column]
    preview: list[dict[str, Any]]


_Head: TypeAlias = tuple[list[Column], list[dict[str, Any]]]
"""The columns and the preview of some rows."""


def _write_parquet(data: TabularData, path: Path) -> _Description | None:
    """Write ``data`` to ``path``; what was written, when memory can tell (see ``_head``)."""
    try:
        if isinstance(data, pl.LazyFrame):
            data.sink_parquet(path, compression="zstd", statistics=True)
            return None  # streamed: its rows are not in memory
        if isinstance(data, pl.DataFrame):
            data.write_parquet(path, compression="zstd", statistics=True)
            head = _head(data)
            return None if head is None else _Description(data.height, *head)
        if isinstance(data, pa.RecordBatchReader):
            first: list[pa.RecordBatch] = []
            rows = 0
            with pq.ParquetWriter(path, data.schema, compression="zstd") as writer:
                for batch in data:
                    writer.write_batch(batch)
                    if rows < PREVIEW_ROWS:
                        first.append(batch)
                        if rows + batch.num_rows >= PREVIEW_ROWS:
                            # described now, so that the batch need not stay in memory
                            head = _head(pa.Table.from_batches(first, data.schema))
                            first.clear()
                    rows += batch.num_rows
            if rows < PREVIEW_ROWS:
                head = _head(pa.Table.from_batches(first, data.schema))
            return None if head is None else _Description(rows, *head)
        pq.write_table(data, path, compression="zstd")
        head = _head(data)
        return None if head is None else _Description(data.num_rows, *head)
    except OSError as e:
        raise ArtifactError(f"could not write dataset: {e}") from e


def _head(data: pl.DataFrame | pa.Table) -> _Head | None:
    """The columns and the preview that reading the written file would give, from memory.

    None when a column's type is not one known to read back from Parquet as it is (see
    ``_readable_as_is``, ``_arrow_readable_as_is``), or the names would not.
    """
    if isinstance(data, pa.Table):
        names = data.column_names
        if not names or len(set(names)) != len(names):
            return None
        if not all(_arrow_readable_as_is(field.type) for field in data.schema):
            return None
        frame = pl.from_arrow(data.slice(0, PREVIEW_ROWS))
        assert isinstance(frame, pl.DataFrame)  # a Table gives a DataFrame
    else:
        frame = data
        if not frame.width or not all(_readable_as_is(t) for t in frame.schema.values()):
            return None
    return _columns(frame.schema), preview_rows(frame)


def _describe_file(path: Path) -> _Description:
    """What a Parquet file holds, read from it."""
    meta = pq.read_metadata(path)
    schema = pl.read_parquet_schema(path)
    head = pl.read_parquet(path, n_rows=PREVIEW_ROWS) if meta.num_rows else None
    return _Description(
        rows=meta.num_rows,
        columns=_columns(schema),
        preview=preview_rows(head) if head is not None else [],
    )


_SCALARS = (
    pl.Boolean,
    pl.String,
    pl.Binary,
    pl.Date,
    pl.Datetime,
    pl.Duration,
    pl.Time,
    pl.Decimal,
    pl.Null,
    pl.Categorical,
    pl.Enum,
)

_WIDE_INTEGERS = tuple(getattr(pl, name) for name in ("Int128", "UInt128") if hasattr(pl, name))
"""128-bit integer types (as far as this polars has them)."""


def _readable_as_is(dtype: object) -> bool:
    """Whether polars reads a column of this type back from Parquet with the same type.

    128-bit integers are left out: pyarrow cannot read the footer of a file that has them.
    """
    if isinstance(dtype, pl.List | pl.Array):
        return _readable_as_is(dtype.inner)
    if isinstance(dtype, pl.Struct):
        return all(_readable_as_is(field.dtype) for field in dtype.fields)
    if isinstance(dtype, _WIDE_INTEGERS):
        return False
    return isinstance(dtype, pl.DataType) and (dtype.is_numeric() or isinstance(dtype, _SCALARS))


def _arrow_readable_as_is(dtype: pa.DataType) -> bool:
    """Whether polars reads a column of this Arrow type back from Parquet as it converts it.

    Dictionaries, maps, unions, extension types, intervals and half floats are left out.
    """
    t = pa.types
    if t.is_list(dtype) or t.is_large_list(dtype) or t.is_fixed_size_list(dtype):
        return _arrow_readable_as_is(dtype.value_type)
    if t.is_struct(dtype):
        return all(_arrow_readable_as_is(dtype.field(i).type) for i in range(dtype.num_fields))
    return bool(
        t.is_integer(dtype)
        or t.is_float32(dtype)
        or t.is_float64(dtype)
        or t.is_boolean(dtype)
        or t.is_string(dtype)
        or t.is_large_string(dtype)
        or t.is_string_view(dtype)
        or t.is_binary(dtype)
        or t.is_large_binary(dtype)
        or t.is_fixed_size_binary(dtype)
        or t.is_binary_view(dtype)
        or t.is_date32(dtype)
        or t.is_timestamp(dtype)
        or t.is_time(dtype)
        or t.is_duration(dtype)
        or t.is_decimal128(dtype)
        or t.is_null(dtype)
    )
