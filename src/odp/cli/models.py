"""`odp models`: list and show registered models, serve one over HTTP."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from odp.cli.console import err_console, out_console, print_json
from odp.config import load_settings
from odp.errors import ModelError
from odp.ml import ModelRegistry, ModelVersionInfo, RegisteredModelInfo, parse_model_ref

__all__ = ["app"]

app = typer.Typer(help="Registered models: list, show, serve.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]

_KEY_METRICS = ("f1", "accuracy", "roc_auc", "r2", "rmse", "mae")


def _fail(e: ModelError) -> typer.Exit:
    console = err_console()
    console.print(f"[red]error:[/red] {escape(e.message)}")
    if e.hint:
        console.print(f"[cyan]hint:[/cyan] {escape(e.hint)}")
    return typer.Exit(1)


def _registry() -> ModelRegistry:
    return ModelRegistry.from_settings(load_settings())


def _metrics(version: ModelVersionInfo | None, limit: int = 3) -> str:
    if version is None:
        return ""
    keys = [k for k in _KEY_METRICS if k in version.metrics][:limit]
    return "  ".join(f"{k} {version.metrics[k]:.3f}" for k in keys)


def _aliases(model: RegisteredModelInfo) -> str:
    return ", ".join(f"{a}→{v}" for a, v in sorted(model.aliases.items()))


@app.command("list")
def list_models(json_output: JsonOpt = False) -> None:
    """List registered models: versions, aliases and key metrics."""
    try:
        models = _registry().list_models()
    except ModelError as e:
        raise _fail(e) from None
    if json_output:
        print_json(models)
        return
    if not models:
        out_console().print("no registered models yet: train one with the ml.model.train method")
        return
    table = Table(header_style="bold")
    for column in ("model", "versions", "latest", "aliases", "metrics (champion or latest)"):
        table.add_column(column)
    for model in models:
        shown = model.aliases.get("champion")
        version = next((v for v in model.versions if v.version == shown), model.latest)
        table.add_row(
            escape(model.name),
            str(len(model.versions)),
            str(model.latest.version) if model.latest else "",
            escape(_aliases(model)),
            _metrics(version),
        )
    out_console().print(table)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="A registered model's name.")],
    json_output: JsonOpt = False,
) -> None:
    """Show one registered model and its versions."""
    try:
        model = _registry().get_model(name)
    except ModelError as e:
        raise _fail(e) from None
    if json_output:
        print_json(model)
        return
    console = out_console()
    console.print(
        f"[bold]{escape(model.name)}[/bold]  aliases: {escape(_aliases(model)) or 'none'}"
    )
    if model.description:
        console.print(escape(model.description))
    for v in model.versions:
        aliases = f" [green]{escape(', '.join(v.aliases))}[/green]" if v.aliases else ""
        when = v.created_at.strftime("%Y-%m-%d %H:%M UTC") if v.created_at else ""
        what = f"{v.task} of {escape(repr(v.target))}" if v.task and v.target else ""
        console.print(f"  [bold]version {v.version}[/bold]{aliases}  {when}  {what}")
        console.print(f"    run {v.run_id or '-'}")
        if v.metrics:
            console.print("    " + "  ".join(f"{k} {x:.4f}" for k, x in sorted(v.metrics.items())))


@app.command("serve")
def serve(
    model: Annotated[
        str, typer.Argument(metavar="NAME[@ALIAS|:VERSION]", help="The model to serve.")
    ],
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to listen on.")] = 8080,
    poll_interval: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            help="Seconds between registry checks for an alias that moved "
            "(default: ODP_SERVING_POLL_INTERVAL).",
        ),
    ] = None,
) -> None:
    """Serve a registered model over HTTP: POST /predict, /health, /ready, /metadata, /metrics.

    With an alias (churn@champion) or no version, the server follows the alias: when it
    moves to another version, the new version is loaded and swapped in without
    dropping requests.
    """
    import uvicorn

    from odp.logs import configure_logging
    from odp.ml.serving import create_serving_app

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        ref = parse_model_ref(model)
        version = ModelRegistry.from_settings(settings).resolve(ref)
    except ModelError as e:
        raise _fail(e) from None
    app_ = create_serving_app(settings, ref, poll_interval=poll_interval)
    following = " (following the alias)" if ref.alias else ""
    err_console().print(
        f"serving {escape(str(ref))}: version {version.version}{following} "
        f"on http://{host}:{port} (POST /predict, GET /metadata, /metrics)"
    )
    uvicorn.run(app_, host=host, port=port, log_level="warning", lifespan="on")
