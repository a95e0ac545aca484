"""The step cache, content-addressed by method, version, resolved params and input datasets."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from odp.artifacts import ArtifactStore, DatasetRef

__all__ = ["StepCache", "cache_key"]


def _canonical(value: Any) -> Any:
    """Reduce datasets to their content hash so that equal inputs give equal keys."""
    if isinstance(value, dict):
        if {"uri", "sha256", "rows"} <= value.keys():
            return {"$dataset": value["sha256"]}
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def cache_key(method_id: str, version: str, params: Any, secrets: list[str] | None = None) -> str:
    """The cache key of one step execution.

    Secret values enter the key only as hashes, so that a changed credential (another
    database, another account) is a different key without the value being stored.
    """
    payload = {
        "method": method_id,
        "version": version,
        "params": _canonical(params),
        "secrets": sorted(hashlib.sha256(s.encode()).hexdigest() for s in secrets or []),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _datasets(value: Any) -> list[DatasetRef]:
    if isinstance(value, dict):
        if {"uri", "sha256", "rows"} <= value.keys():
            return [DatasetRef.model_validate(value)]
        return [d for v in value.values() for d in _datasets(v)]
    if isinstance(value, list):
        return [d for v in value for d in _datasets(v)]
    return []


class StepCache:
    """Step outputs stored as JSON beside the workspace's datasets."""

    def __init__(self, store: ArtifactStore) -> None:
        self.store = store

    def _path(self, key: str) -> str:
        return f"{self.store.root}/{self.store.workspace}/cache/{key[:2]}/{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached output, or None when absent or when one of its datasets is gone."""
        path = self._path(key)
        try:
            with self.store.fs.open(path, "rb") as fh:
                output: dict[str, Any] = json.loads(fh.read())
        except (FileNotFoundError, ValueError):
            return None
        if not all(self.store.exists(ref) for ref in _datasets(output)):
            return None
        return output

    def put(self, key: str, output: dict[str, Any]) -> None:
        """Remember an output (last writer wins; writes are whole-file)."""
        path = self._path(key)
        self.store.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        data = json.dumps(output, separators=(",", ":"), default=str).encode()
        tmp = f"{path}.{hashlib.sha256(data).hexdigest()[:8]}.tmp"
        with self.store.fs.open(tmp, "wb") as fh:
            fh.write(data)
        self.store.fs.mv(tmp, path)
