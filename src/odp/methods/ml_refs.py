"""What the model methods share: naming a registered model, checking it exists, errors.

The check runs at validation time (``odp validate``), so that a pipeline naming a model,
version or alias the registry does not have fails before it runs. It reads the registry
directly and quickly (see :mod:`odp.ml.lookup`); when the registry cannot be reached it
raises, which validation reports as a warning rather than an error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import Field

from odp.catalog import MethodParams, ParamIssue
from odp.config import load_settings
from odp.errors import MethodError, ModelError, ModelNotFoundError, RegistryUnavailableError
from odp.ml import ModelRef, check_ref, parse_model_ref, read_registry, tracking_config

__all__ = ["ModelParams", "model_errors", "model_ref", "registry_check"]

MLFLOW_HINT = "pip install 'odp[ml]'"

_TEMPLATED_HINT = (
    "if an earlier step of this pipeline trains it, refer to that step's output instead, "
    'e.g. model: "{{ train.model_uri }}"'
)


class ModelParams(MethodParams):
    """A registered model, by version or alias."""

    model: str = Field(
        min_length=1,
        description="The registered model: NAME, NAME@ALIAS, NAME:VERSION or models:/NAME/VERSION "
        "(e.g. churn@champion, or {{ train.model_uri }}).",
    )
    version: int | None = Field(
        default=None, ge=1, description="A version number (instead of writing NAME:VERSION)."
    )
    alias: str | None = Field(
        default=None,
        min_length=1,
        description="An alias such as champion (instead of writing NAME@ALIAS). Without a "
        "version or an alias, the latest version is used.",
    )


def model_ref(model: str, version: int | None = None, alias: str | None = None) -> ModelRef:
    """The model a step names.

    Raises:
        MethodError: for a malformed reference (not retryable).
    """
    try:
        return parse_model_ref(model, version=version, alias=alias)
    except ModelError as e:
        raise MethodError(e.message, hint=e.hint, field="model") from e


@contextlib.contextmanager
def model_errors() -> Iterator[None]:
    """Turn model lifecycle errors into method errors (a registry outage may be retried)."""
    try:
        yield
    except RegistryUnavailableError as e:
        raise MethodError(e.message, retryable=True, hint=e.hint) from e
    except ModelNotFoundError as e:
        raise MethodError(e.message, hint=e.hint, field="model") from e
    except ModelError as e:
        raise MethodError(e.message, hint=e.hint) from e


def registry_check(*, alias_is_ref: bool = True) -> Callable[[dict[str, Any]], list[ParamIssue]]:
    """A static check that the step's ``model`` (with ``version``/``alias``) is registered.

    Args:
        alias_is_ref: whether the ``alias`` param picks the model (predict, evaluate)
            rather than naming an alias to set (promote).
    """

    def check(params: dict[str, Any]) -> list[ParamIssue]:
        text = params.get("model")
        if not isinstance(text, str) or not text.strip():
            return []  # a template, or missing (the params model reports that)
        version = params.get("version")
        alias = params.get("alias") if alias_is_ref else None
        try:
            ref = parse_model_ref(
                text,
                version=version if isinstance(version, int | str) else None,
                alias=alias if isinstance(alias, str) else None,
            )
        except ModelError as e:
            return [ParamIssue("model", e.message, e.hint, code="invalid-model-ref")]
        # raises RegistryUnavailableError when the registry cannot be read: a warning
        entries = read_registry(tracking_config(load_settings()))
        try:
            check_ref(entries, ref)
        except ModelNotFoundError as e:
            hint = f"{e.hint}; {_TEMPLATED_HINT}" if e.hint else _TEMPLATED_HINT
            return [ParamIssue("model", e.message, hint, code="unknown-model")]
        return []

    return check
