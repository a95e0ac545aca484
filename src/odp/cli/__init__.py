"""The ``odp`` command. Each command group lives in its own module."""

from __future__ import annotations

import os
import sys

import typer
from rich.markup import escape

from odp import __version__
from odp.cli import events, keys, methods, models, plan, run, runs, serve, stubs, validate
from odp.cli.console import err_console
from odp.errors import ODPError

__all__ = ["app", "main"]

app = typer.Typer(
    name="odp",
    help="ODP: typed, validated data and ML pipelines, run durably on Temporal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"odp {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """ODP: typed, validated data and ML pipelines, run durably on Temporal."""


app.command("validate")(validate.validate)
app.command("graph")(validate.graph)
app.command("run")(run.run)
app.command("plan")(plan.plan)
app.command("dev")(runs.dev)
app.command("worker")(runs.worker)
app.command("runs")(runs.runs)
app.command("status")(runs.status)
app.command("result")(runs.result)
app.command("cancel")(runs.cancel)
app.command("events")(events.events)
app.command("stubs")(stubs.stubs)
app.add_typer(methods.app, name="methods")
app.add_typer(models.app, name="models")
app.add_typer(keys.app, name="keys")
app.command("serve")(serve.serve)


def main() -> None:
    """Run the CLI; errors become messages, never tracebacks."""
    try:
        app(standalone_mode=True)
    except ODPError as e:
        console = err_console()
        console.print(f"[red]error:[/red] {escape(e.message)}")
        if e.hint:
            console.print(f"[cyan]hint:[/cyan] {escape(e.hint)}")
        sys.exit(2)
    except KeyboardInterrupt:
        err_console().print("interrupted")
        sys.exit(130)
    except Exception as e:  # the last line of defence: no tracebacks for users
        if os.environ.get("ODP_DEBUG"):
            raise
        err_console().print(
            f"[red]internal error:[/red] {escape(type(e).__name__)}: {escape(str(e))}\n"
            "[cyan]hint:[/cyan] this is a bug in ODP; rerun with ODP_DEBUG=1 for the traceback "
            "and report it"
        )
        sys.exit(70)
