"""``{{ secrets.NAME }}``: resolved inside the activity, never in history, events or logs."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from odp.errors import ConfigError, SpecError
from odp.spec import DeferredText, Ref, fill_deferred

__all__ = ["SecretMissingError", "Secrets", "read_secrets_file"]


class SecretMissingError(ConfigError):
    """A ``{{ secrets.NAME }}`` that neither the environment nor the secrets file defines."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"secret {name!r} is not set",
            hint=f"set the environment variable {name} for the worker, or add {name}=... to the "
            "file named by ODP_SECRETS_FILE",
        )


def read_secrets_file(path: Path) -> dict[str, str]:
    """Read ``KEY=VALUE`` lines (``#`` comments, optional quotes, ``export`` allowed).

    Raises:
        ConfigError: when the file cannot be read.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(
            f"cannot read the secrets file {path}: {e.strerror or e}",
            hint="check ODP_SECRETS_FILE",
        ) from e
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


class Secrets:
    """Looks secrets up in the environment first, then in the secrets file.

    Args:
        file: the ``KEY=VALUE`` file (``Settings.secrets_file``), if any.
        environ: the environment (``os.environ`` by default).
    """

    def __init__(self, file: Path | None = None, environ: Mapping[str, str] | None = None) -> None:
        self._file = file
        self._environ = environ if environ is not None else os.environ
        self._from_file: dict[str, str] | None = None

    def get(self, name: str) -> str:
        """The secret's value.

        Raises:
            SecretMissingError: when it is not defined anywhere.
        """
        if name in self._environ:
            return self._environ[name]
        if self._file is not None:
            if self._from_file is None:
                self._from_file = read_secrets_file(self._file)
            if name in self._from_file:
                return self._from_file[name]
        raise SecretMissingError(name)

    def resolve(self, params: Any, deferred: Sequence[DeferredText] = ()) -> tuple[Any, list[str]]:
        """Fill the ``{{ secrets.NAME }}`` lookups the workflow kept, where it recorded them.

        Nothing else in ``params`` is read as a template: a value that merely holds the
        text of one (a pipeline parameter, a scraped page) stays as it is, so that no
        input can make a step reveal a secret.

        Returns:
            The resolved params and the secret values used (to mask them in errors).
        """
        used: list[str] = []

        def resolver(ref: Ref) -> Any:
            if ref.root != "secrets" or len(ref.path) != 1:
                raise SpecError(f"{ref.text} is not a secret", hint="this is a bug in ODP")
            value = self.get(str(ref.path[0]))
            used.append(value)
            return value

        return fill_deferred(params, deferred, resolver), used


def mask(text: str, secrets: list[str]) -> str:
    """Replace every secret value in ``text`` by ``***``."""
    for value in sorted(set(secrets), key=len, reverse=True):
        if len(value) >= 3:
            text = text.replace(value, "***")
    return text
