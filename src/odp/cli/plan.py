"""`odp plan`: a request in plain language → a validated pipeline (and optionally a run)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax

from odp.agent import PlanResult, PlanStatus, Question, plan_request
from odp.catalog import Catalog, load_catalog
from odp.cli.console import err_console, out_console, print_diagnostics, print_json
from odp.cli.validate import ParamOpt
from odp.config import Settings, load_settings
from odp.errors import ODPError
from odp.logs import configure_logging
from odp.spec import compile_plan, parse_param_assignments, validate_text

__all__ = ["EXIT_FAILED", "EXIT_NEEDS_INPUT", "plan"]

EXIT_FAILED = 1
EXIT_NEEDS_INPUT = 2
_MAX_ROUNDS_OF_QUESTIONS = 3


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def plan(
    request: Annotated[str, typer.Argument(help="What the pipeline should do, in plain words.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the pipeline's YAML to this file.")
    ] = None,
    run_it: Annotated[
        bool, typer.Option("--run", help="Run the pipeline once it is planned.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Take the default answer to every question.")
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the whole result (status, yaml, ...) as JSON.")
    ] = False,
    answer: Annotated[
        list[str] | None,
        typer.Option("--answer", "-a", help="Answer a question: SLOT=VALUE (repeatable)."),
    ] = None,
    param: ParamOpt = None,
) -> None:
    """Plan a pipeline from a request in plain language, then print, save or run it.

    Uses the LLM set in ODP_LLM_* when there is one, else the offline planner. When the
    request leaves something open, asks (in a terminal) or takes defaults (--yes).
    Exits 0 when planned, 1 when no valid pipeline was found, 2 when questions remain.
    """
    if run_it and json_output:
        raise typer.BadParameter("--run shows the run live; leave out --json", param_hint="--run")
    try:
        overrides = parse_param_assignments(param or [])
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--param") from None
    given = _parse_answers(answer or [])
    settings = load_settings()
    configure_logging("WARNING", settings.log_format)
    catalog = load_catalog()
    console, errors = out_console(), err_console()
    interactive = not json_output and _stdin_is_tty()
    try:
        # one event loop for every round, so that an LLM client's connections stay valid
        result = asyncio.run(
            _plan_until_answered(
                request,
                catalog,
                settings,
                given,
                yes=yes,
                interactive=interactive,
                console=errors,
            )
        )
    except ODPError as e:
        errors.print(f"[red]error:[/red] {escape(e.message)}")
        if e.hint:
            errors.print(f"[cyan]hint:[/cyan] {escape(e.hint)}")
        raise typer.Exit(EXIT_FAILED) from None

    if json_output:
        print_json(result)
    else:
        _show(result, console, errors)
    if result.status is PlanStatus.NEEDS_INPUT:
        raise typer.Exit(EXIT_NEEDS_INPUT)
    if result.status is not PlanStatus.OK or result.yaml is None:
        raise typer.Exit(EXIT_FAILED)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result.yaml, encoding="utf-8")
        errors.print(f"[dim]wrote {escape(str(out))}[/]")
    if run_it:
        raise typer.Exit(_run_plan(result.yaml, overrides, catalog, settings, errors))


async def _plan_until_answered(
    request: str,
    catalog: Catalog,
    settings: Settings,
    given: Mapping[str, Any],
    *,
    yes: bool,
    interactive: bool,
    console: Console,
) -> PlanResult:
    """Plan; while questions remain and a person is there to answer, ask and plan again."""
    answers = dict(given)
    result = await plan_request(
        request, catalog=catalog, settings=settings, answers=answers, assume_defaults=yes
    )
    rounds = 0
    while (
        result.status is PlanStatus.NEEDS_INPUT
        and interactive
        and rounds < _MAX_ROUNDS_OF_QUESTIONS
    ):
        rounds += 1
        answers |= _ask(result.questions, console)
        result = await plan_request(request, catalog=catalog, settings=settings, answers=answers)
    return result


def _parse_answers(items: list[str]) -> dict[str, Any]:
    """``SLOT=VALUE`` pairs; a value that reads as JSON (20, true) keeps its type."""
    answers: dict[str, Any] = {}
    for item in items:
        slot, sep, value = item.partition("=")
        if not sep or not slot.strip():
            raise typer.BadParameter(f"{item!r} is not SLOT=VALUE", param_hint="--answer")
        try:
            answers[slot.strip()] = json.loads(value)
        except ValueError:
            answers[slot.strip()] = value
    return answers


def _ask(questions: list[Question], console: Console) -> dict[str, Any]:
    console.print("[bold]The request leaves some things open:[/bold]")
    answers: dict[str, Any] = {}
    for q in questions:
        if q.default is None:
            answers[q.slot] = typer.prompt(q.question)
        else:
            answers[q.slot] = typer.prompt(q.question, default=q.default)
    return answers


def _show(result: PlanResult, console: Console, errors: Console) -> None:
    if result.yaml is not None and result.status is not PlanStatus.FAILED:
        console.print(Syntax(result.yaml, "yaml", theme="ansi_dark", background_color="default"))
    if result.explanation and result.status is PlanStatus.OK:
        console.print("[bold]Why these steps[/bold]")
        for note in result.explanation:
            console.print(
                f"  [cyan]{escape(note.step)}[/cyan] [dim]({escape(note.method)})[/dim]: "
                f"{escape(note.note)}"
            )
    if result.status is PlanStatus.NEEDS_INPUT:
        errors.print("[yellow]the request leaves these open:[/yellow]")
        for q in result.questions:
            default = f" [dim](default: {escape(repr(q.default))})[/dim]" if q.default else ""
            errors.print(f"  [bold]{escape(q.slot)}[/bold]: {escape(q.question)}{default}")
        errors.print(
            "[cyan]hint:[/cyan] run it in a terminal to answer, give --answer SLOT=VALUE, "
            "or add --yes to take the defaults"
        )
    elif result.status is PlanStatus.FAILED:
        tries = len(result.attempts)
        errors.print(
            f"[red]could not plan a valid pipeline[/red] "
            f"({tries} attempt{'s' * (tries != 1)}); the last draft and its problems:"
        )
        if result.yaml is not None:
            errors.print(Syntax(result.yaml, "yaml", theme="ansi_dark", line_numbers=True))
        if result.diagnostics:
            print_diagnostics(errors, result.diagnostics)


def _run_plan(
    text: str, params: Mapping[str, Any], catalog: Catalog, settings: Settings, errors: Console
) -> int:
    from odp.cli.run import _run

    checked = validate_text(text, catalog, file="<plan>", params=params, require_params=True)
    if not checked.ok:
        print_diagnostics(errors, checked.diagnostics)
        return EXIT_FAILED
    compiled = compile_plan(checked, catalog)
    return asyncio.run(
        _run(settings, catalog, compiled, detach=False, no_cache=False, workspace="default")
    )
