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
from pathlib import Path
from typing import Any, TypeAlias

import fsspec
import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

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

        Lazy frames are streamed to disk without being collected in memory.
        """
        tmp_dir = self._local_tmp_dir()
        tmp = tmp_dir / f"{uuid.uuid4().hex}.parquet"
        try:
            _write_parquet(data, tmp)
            sha = _sha256_file(tmp)
            meta = pq.read_metadata(tmp)
            schema = pl.read_parquet_schema(tmp)
            head = pl.read_parquet(tmp, n_rows=PREVIEW_ROWS) if meta.num_rows else None
            size = tmp.stat().st_size
            final = f"{self.root}/{self.workspace}/datasets/{sha[:2]}/{sha}.parquet"
            self._publish(tmp, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return DatasetRef(
            uri=self._uri(final),
            rows=meta.num_rows,
            columns=[Column(name=n, type=str(t)) for n, t in schema.items()],
            sha256=sha,
            size_bytes=size,
            preview=preview_rows(head) if head is not None else [],
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

        fingerprint = hashlib.sha256(sql.encode())
        for base in bases:
            stat = os.stat(base)  # a view's identity follows its files' contents
            fingerprint.update(f"\n{base}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        with connect(bases) as con:
            rows = int(con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0])
            small = rows <= SMALL_VIEW_ROWS
            # a small view's rows, else only its schema
            table = con.sql(sql if small else f"SELECT * FROM ({sql}) LIMIT 0").to_arrow_table()
        if small:
            return self.write(table)
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        sha = fingerprint.hexdigest()
        return DatasetRef(
            uri=f"view://{sha}",
            format="view",
            rows=rows,
            columns=[Column(name=n, type=str(t)) for n, t in frame.schema.items()],
            sha256=sha,
            sql=sql,
            bases=list(bases),
        )

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


def _write_parquet(data: TabularData, path: Path) -> None:
    try:
        if isinstance(data, pl.LazyFrame):
            data.sink_parquet(path, compression="zstd", statistics=True)
        elif isinstance(data, pl.DataFrame):
            data.write_parquet(path, compression="zstd", statistics=True)
        elif isinstance(data, pa.RecordBatchReader):
            with pq.ParquetWriter(path, data.schema, compression="zstd") as writer:
                for batch in data:
                    writer.write_batch(batch)
        else:
            pq.write_table(data, path, compression="zstd")
    except OSError as e:
        raise ArtifactError(f"could not write dataset: {e}") from e
