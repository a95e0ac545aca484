"""How a pipeline or a command names a registered model: ``name``, ``name@alias``, ``name:3``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from odp.errors import ModelError

__all__ = ["ALIAS_PATTERN", "MODEL_NAME_PATTERN", "ModelRef", "parse_model_ref"]

MODEL_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
"""Registered model names: letters, digits, ``_``, ``.``, ``-`` (no ``@``, ``:`` or ``/``)."""

ALIAS_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$"
"""Aliases such as ``champion`` or ``staging`` (not ``v3``-style numbers alone)."""

_NAME = re.compile(MODEL_NAME_PATTERN)
_ALIAS = re.compile(ALIAS_PATTERN)
_FORMS = "write NAME, NAME@ALIAS, NAME:VERSION or models:/NAME/VERSION, e.g. churn@champion"


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A registered model, pinned to a version or following an alias (or the latest version).

    Attributes:
        name: the registered model's name.
        version: a version number, or None.
        alias: an alias such as ``champion``, or None.
    """

    name: str
    version: int | None = None
    alias: str | None = None

    def __str__(self) -> str:
        if self.version is not None:
            return f"{self.name}:{self.version}"
        if self.alias is not None:
            return f"{self.name}@{self.alias}"
        return self.name

    @property
    def uri(self) -> str:
        """The MLflow URI of the model (``models:/name/3``, ``models:/name@alias``)."""
        if self.version is not None:
            return f"models:/{self.name}/{self.version}"
        if self.alias is not None:
            return f"models:/{self.name}@{self.alias}"
        return f"models:/{self.name}/latest"


def parse_model_ref(
    text: str, *, version: int | str | None = None, alias: str | None = None
) -> ModelRef:
    """Read a model reference, with an optional separate version or alias.

    Accepted forms: ``churn``, ``churn@champion``, ``churn:3``, ``churn/3``,
    ``models:/churn/3`` and ``models:/churn@champion``. ``version`` and ``alias`` give
    the version or alias separately; a reference cannot name both.

    Raises:
        ModelError: for a malformed reference, or one naming both a version and an alias.
    """
    body = text.strip()
    body = body.removeprefix("models:/")
    name, ref_version, ref_alias = body, None, None
    if "@" in body:
        name, _, ref_alias = body.partition("@")
    elif ":" in body or "/" in body:
        name, _, number = body.replace("/", ":", 1).partition(":")
        ref_version = _version(number, text)
    if not _NAME.match(name):
        raise ModelError(f"{text!r} is not a model reference", hint=_FORMS)
    if ref_alias is not None and not _ALIAS.match(ref_alias):
        raise ModelError(
            f"{ref_alias!r} in {text!r} is not an alias",
            hint="aliases are words such as champion or staging",
        )
    extra_version = _version(version, text) if version not in (None, "") else None
    extra_alias = alias or None
    if extra_alias is not None and not _ALIAS.match(extra_alias):
        raise ModelError(
            f"{extra_alias!r} is not an alias", hint="aliases are words such as champion or staging"
        )
    versions = {v for v in (ref_version, extra_version) if v is not None}
    aliases = {a for a in (ref_alias, extra_alias) if a is not None}
    if len(versions) > 1 or len(aliases) > 1 or (versions and aliases):
        raise ModelError(
            f"the model {text!r} is given more than one version or alias",
            hint="name either a version or an alias, once",
        )
    return ModelRef(
        name=name,
        version=next(iter(versions)) if versions else None,
        alias=next(iter(aliases)) if aliases else None,
    )


def _version(value: int | str | None, text: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if isinstance(value, str) and value.strip().isdigit() and int(value) >= 1:
        return int(value)
    raise ModelError(
        f"{value!r} in {text!r} is not a model version",
        hint="versions are whole numbers from 1, e.g. churn:3",
    )
