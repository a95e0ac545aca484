"""Terminal output shared by the commands: consoles, diagnostics, JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape

from odp.spec import Diagnostic, Severity

__all__ = ["err_console", "out_console", "print_diagnostics", "print_json"]


def out_console() -> Console:
    """A console on stdout (no colour when it is not a terminal)."""
    return Console(soft_wrap=True, highlight=False)


def err_console() -> Console:
    """A console on stderr."""
    return Console(stderr=True, soft_wrap=True, highlight=False)


def print_json(value: Any) -> None:
    """Print JSON to stdout, models included."""
    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2)
    elif isinstance(value, list) and all(isinstance(v, BaseModel) for v in value):
        text = json.dumps([v.model_dump(mode="json") for v in value], indent=2)
    else:
        text = json.dumps(value, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write(text + "\n")


def print_diagnostics(console: Console, diagnostics: Sequence[Diagnostic]) -> None:
    """Print diagnostics compiler-style with a closing count."""
    for d in diagnostics:
        colour = "red" if d.severity is Severity.ERROR else "yellow"
        where = f"step {escape(repr(d.step))}: " if d.step else ""
        console.print(
            f"[bold]{escape(d.location)}[/bold]: [{colour}]{d.severity.value}[/{colour}]"
            f"[dim]\\[{d.code}][/dim] {where}{escape(d.message)}"
        )
        if d.hint:
            console.print(f"    [cyan]hint:[/cyan] {escape(d.hint)}")
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    if errors:
        console.print(
            f"[red]✗ {errors} error{'s' * (errors != 1)}[/red], {warnings} warning{'s' * (warnings != 1)}"
        )
    else:
        suffix = f" ({warnings} warning{'s' * (warnings != 1)})" if warnings else ""
        console.print(f"[green]✓ valid[/green]{suffix}")
