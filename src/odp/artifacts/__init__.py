"""Data by reference: datasets live as Parquet in the artifact store; steps pass :class:`DatasetRef`."""

from odp.artifacts import relations
from odp.artifacts.ref import Column, DatasetRef
from odp.artifacts.store import ArtifactStore, TabularData, preview_rows

__all__ = ["ArtifactStore", "Column", "DatasetRef", "TabularData", "preview_rows", "relations"]
