"""`odp validate` and `odp graph`: static checks and the step DAG."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from odp.catalog import Catalog, load_catalog
from odp.cli.console import err_console, out_console, print_diagnostics, print_json
from odp.spec import (
    MAX_BYTES,
    ValidationResult,
    mermaid,
    parse_param_assignments,
    validate_file,
    validate_text,
)

__all__ = ["graph", "load_and_validate", "validate"]

FileArg = Annotated[str, typer.Argument(help="The pipeline YAML file ('-' reads standard input).")]
ParamOpt = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="Set a pipeline parameter: NAME=VALUE (repeatable)."),
]


def load_and_validate(
    file: str,
    params: list[str] | None,
    *,
    catalog: Catalog | None = None,
    require_params: bool = False,
) -> ValidationResult:
    """Validate a file (or stdin) with ``--param`` values applied.

    Raises:
        typer.BadParameter: for a malformed ``--param``.
    """
    try:
        overrides = parse_param_assignments(params or [])
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--param") from None
    catalog = catalog or load_catalog()
    if file == "-":
        return validate_text(
            # one byte over the limit is enough to refuse it, and an endless stream ends
            sys.stdin.buffer.read(MAX_BYTES + 1),
            catalog,
            file="<stdin>",
            params=overrides,
            require_params=require_params,
        )
    return validate_file(Path(file), catalog, params=overrides, require_params=require_params)


def validate(
    file: FileArg,
    json_output: Annotated[bool, typer.Option("--json", help="Print diagnostics as JSON.")] = False,
    param: ParamOpt = None,
) -> None:
    """Check a pipeline against the catalog without running it.

    Exits 0 when there is no error (warnings are fine), 1 otherwise.
    """
    result = load_and_validate(file, param)
    if json_output:
        print_json(result.diagnostics)
    else:
        print_diagnostics(err_console() if not result.ok else out_console(), result.diagnostics)
    raise typer.Exit(0 if result.ok else 1)


def graph(file: FileArg, param: ParamOpt = None) -> None:
    """Print the pipeline's step graph as Mermaid text."""
    result = load_and_validate(file, param)
    if result.pipeline is None or not result.ok:
        print_diagnostics(err_console(), result.diagnostics)
        raise typer.Exit(1)
    labels = {s.name: f"{s.name}<br/>{s.method}" for _, _, s in result.pipeline.steps()}
    out_console().out(mermaid(result.dependencies, labels), end="")
