"""A fast, read-only look at the model registry, for checks at validation time.

``odp validate`` must not pay for importing MLflow and opening its store (seconds), nor
hang on a registry that is down. So this module reads what it needs directly: the
registry's tables when the registry is a database (SQLite by default, through
SQLAlchemy), or MLflow's REST API with a short timeout when it is a tracking server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx

from odp.errors import ModelNotFoundError, RegistryUnavailableError
from odp.ml.refs import ModelRef
from odp.ml.tracking import TrackingConfig, sqlite_path

__all__ = ["RegistryEntry", "check_ref", "read_registry"]

LOOKUP_TIMEOUT = 3.0
_DELETED = "Deleted_Internal"  # MLflow's stage for a deleted version kept in the table


@dataclass(slots=True)
class RegistryEntry:
    """What validation needs to know about one registered model."""

    name: str
    versions: set[int] = field(default_factory=set)
    aliases: dict[str, int] = field(default_factory=dict)


def read_registry(
    config: TrackingConfig, *, timeout: float = LOOKUP_TIMEOUT
) -> dict[str, RegistryEntry]:
    """Every registered model with its versions and aliases.

    A SQLite registry whose file does not exist yet is empty, not unreachable.

    Raises:
        RegistryUnavailableError: when the registry cannot be read within ``timeout``.
    """
    uri = config.registry_uri
    scheme = urlparse(uri).scheme
    try:
        if scheme in ("http", "https"):
            return _read_rest(uri, timeout)
        if scheme.startswith("databricks") or scheme in ("file", ""):
            raise RegistryUnavailableError(uri, "this kind of registry cannot be checked offline")
        path = sqlite_path(uri)
        if path is not None and not path.exists():
            return {}
        return _read_sql(uri, timeout)
    except RegistryUnavailableError:
        raise
    except Exception as e:
        reason = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        raise RegistryUnavailableError(uri, reason) from e


def _read_sql(uri: str, timeout: float) -> dict[str, RegistryEntry]:
    import sqlalchemy as sa

    connect_args: dict[str, Any] = {}
    if uri.startswith("sqlite"):
        connect_args["timeout"] = timeout
    elif uri.startswith("postgresql"):
        connect_args["connect_timeout"] = max(1, int(timeout))
    engine = sa.create_engine(uri, connect_args=connect_args, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as con:
            entries = {
                row[0]: RegistryEntry(row[0])
                for row in con.execute(sa.text("SELECT name FROM registered_models"))
            }
            for name, version, stage in con.execute(
                sa.text("SELECT name, version, current_stage FROM model_versions")
            ):
                if name in entries and stage != _DELETED:
                    entries[name].versions.add(int(version))
            for name, alias, version in con.execute(
                sa.text("SELECT name, alias, version FROM registered_model_aliases")
            ):
                if name in entries:
                    entries[name].aliases[alias] = int(version)
    finally:
        engine.dispose()
    return entries


def _read_rest(uri: str, timeout: float) -> dict[str, RegistryEntry]:
    base = uri.rstrip("/") + "/api/2.0/mlflow"
    entries: dict[str, RegistryEntry] = {}
    with httpx.Client(timeout=timeout) as http:
        token: str | None = None
        for _ in range(100):  # bounded: at most 100 pages of 1000 models
            query: dict[str, Any] = {"max_results": 1000}
            if token:
                query["page_token"] = token
            body = _get(http, f"{base}/registered-models/search", query)
            for model in body.get("registered_models", []):
                entry = entries.setdefault(model["name"], RegistryEntry(model["name"]))
                for alias in model.get("aliases", []):
                    entry.aliases[alias["alias"]] = int(alias["version"])
            token = body.get("next_page_token")
            if not token:
                break
        token = None
        for _ in range(100):
            query = {"max_results": 10_000}
            if token:
                query["page_token"] = token
            body = _get(http, f"{base}/model-versions/search", query)
            for version in body.get("model_versions", []):
                if version["name"] in entries:
                    entries[version["name"]].versions.add(int(version["version"]))
            token = body.get("next_page_token")
            if not token:
                break
    return entries


def _get(http: httpx.Client, url: str, query: Mapping[str, Any]) -> dict[str, Any]:
    response = http.get(url, params=dict(query))
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def check_ref(entries: Mapping[str, RegistryEntry], ref: ModelRef) -> None:
    """Check that a reference names a registered model, version or alias.

    Raises:
        ModelNotFoundError: naming what does exist instead.
    """
    entry = entries.get(ref.name)
    if entry is None:
        names = sorted(entries)
        raise ModelNotFoundError(
            f"no registered model named {ref.name!r}",
            ref=str(ref),
            known=names,
            hint=(
                "registered models: " + ", ".join(names[:20])
                if names
                else "no model is registered yet: train one with ml.model.train"
            )
            + " (`odp models list` shows them)",
        )
    if ref.version is not None and ref.version not in entry.versions:
        versions = sorted(entry.versions)
        raise ModelNotFoundError(
            f"model {ref.name!r} has no version {ref.version}",
            ref=str(ref),
            known=[str(v) for v in versions],
            hint="its versions: " + ", ".join(str(v) for v in versions[-20:]),
        )
    if ref.alias is not None and ref.alias not in entry.aliases:
        aliases = sorted(entry.aliases)
        raise ModelNotFoundError(
            f"model {ref.name!r} has no alias {ref.alias!r}",
            ref=str(ref),
            known=aliases,
            hint=(
                "its aliases: " + ", ".join(f"{a} (version {entry.aliases[a]})" for a in aliases)
                if aliases
                else "it has no alias yet: set one with ml.model.promote or name a version"
            ),
        )
