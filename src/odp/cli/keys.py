"""`odp keys create / list / revoke`: the service's API keys, in its database."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from odp.api import Database, Role
from odp.api.accounts import create_key, list_keys, revoke_key
from odp.cli.console import err_console, out_console, print_json
from odp.config import load_settings
from odp.logs import configure_logging

__all__ = ["app"]

app = typer.Typer(
    help="Manage the service's API keys (in ODP_DATABASE_URL, or the state folder's SQLite).",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _database() -> Database:
    settings = load_settings()
    configure_logging("WARNING", settings.log_format)
    database = Database.from_settings(settings)
    database.migrate()
    return database


@app.command("create")
def create(
    workspace: Annotated[
        str, typer.Option("--workspace", "-w", help="The workspace (created when new).")
    ],
    role: Annotated[
        Role,
        typer.Option(
            "--role", "-r", help="viewer reads; runner also runs; admin also manages keys."
        ),
    ],
    name: Annotated[str, typer.Option("--name", "-n", help="A label for people.")] = "",
    json_output: JsonOpt = False,
) -> None:
    """Create an API key and print it: it is shown this once, only its hash is kept."""
    database = _database()
    try:
        with database.session() as session:
            created = create_key(session, workspace=workspace, role=role, name=name)
    finally:
        database.dispose()
    if json_output:
        print_json(created)
        return
    out_console().print(created.key, soft_wrap=True)
    err_console().print(
        f"[dim]key {created.id} · workspace {escape(created.workspace)} · role "
        f"{created.role.value}: store it now, it is not shown again[/]"
    )


@app.command("list")
def list_(
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Only this workspace's keys.")
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """List the keys (never their secrets), revoked ones included."""
    database = _database()
    try:
        with database.session() as session:
            keys = list_keys(session, workspace=workspace)
    finally:
        database.dispose()
    if json_output:
        print_json(keys)
        return
    if not keys:
        out_console().print("no keys yet: create one with `odp keys create`")
        return
    table = Table(header_style="bold")
    for column in ("id", "workspace", "role", "name", "created", "last used", "revoked"):
        table.add_column(column, no_wrap=column == "id")
    for key in keys:
        table.add_row(
            key.id,
            escape(key.workspace),
            key.role.value,
            escape(key.name),
            key.created_at.strftime("%Y-%m-%d %H:%M"),
            key.last_used_at.strftime("%Y-%m-%d %H:%M") if key.last_used_at else "",
            key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "",
        )
    out_console().print(table)


@app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(metavar="KEY_ID", help="The key's id (odp keys list).")],
) -> None:
    """Revoke a key: requests with it are refused from now on."""
    database = _database()
    try:
        with database.session() as session:
            info = revoke_key(session, key_id)
    finally:
        database.dispose()
    out_console().print(f"revoked key {info.id} ({escape(info.workspace)}, {info.role.value})")
