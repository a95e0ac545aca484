"""`odp methods`: list, show, search and document the catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from odp.catalog import Catalog, MethodKind, MethodSpec, load_catalog
from odp.cli.console import err_console, out_console, print_json
from odp.errors import UnknownMethodError

__all__ = ["app", "render_markdown"]

app = typer.Typer(help="Browse the method catalog.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _table(specs: list[MethodSpec[Any, Any]], scores: list[float] | None = None) -> Table:
    table = Table(show_lines=False, header_style="bold")
    table.add_column("method")
    table.add_column("kind")
    table.add_column("summary")
    if scores is not None:
        table.add_column("score", justify="right")
    for i, spec in enumerate(specs):
        summary = (
            spec.summary if spec.unavailable_reason is None else f"{spec.summary} (not installed)"
        )
        row = [spec.id, spec.kind.value, escape(summary)]
        if scores is not None:
            row.append(f"{scores[i]:.2f}" if scores[i] != float("inf") else "exact")
        table.add_row(*row)
    return table


@app.command("list")
def list_methods(
    kind: Annotated[MethodKind | None, typer.Option(help="Only this kind.")] = None,
    json_output: JsonOpt = False,
) -> None:
    """List every method."""
    catalog = load_catalog()
    specs = [s for s in catalog if kind is None or s.kind is kind]
    if json_output:
        print_json([{"id": s.id, "kind": s.kind.value, "summary": s.summary} for s in specs])
        return
    out_console().print(_table(specs))
    for problem in catalog.load_errors:
        err_console().print(f"[yellow]warning:[/yellow] {escape(problem)}")


@app.command("show")
def show(
    method_id: Annotated[str, typer.Argument(metavar="ID", help="A method id.")],
    json_output: JsonOpt = False,
) -> None:
    """Show one method: its params, output, examples and defaults."""
    catalog = load_catalog()
    try:
        spec = catalog.get(method_id)
    except UnknownMethodError as e:
        err_console().print(f"[red]error:[/red] {escape(str(e))}")
        raise typer.Exit(1) from None
    if json_output:
        print_json(spec.info())
        return
    out_console().print(render_markdown_one(spec), markup=False)


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="What you are looking for, in words.")],
    kind: Annotated[MethodKind | None, typer.Option(help="Only this kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many results.")] = 10,
    json_output: JsonOpt = False,
) -> None:
    """Search methods by words (ids, summaries, descriptions, examples)."""
    hits = load_catalog().search(text, kind=kind, limit=limit)
    if json_output:
        print_json(
            [
                {
                    "id": h.spec.id,
                    "kind": h.spec.kind.value,
                    "summary": h.spec.summary,
                    "score": None if h.score == float("inf") else round(h.score, 4),
                }
                for h in hits
            ]
        )
        return
    if not hits:
        err_console().print(f"no method matches {text!r}; `odp methods list` shows them all")
        raise typer.Exit(1)
    out_console().print(_table([h.spec for h in hits], [h.score for h in hits]))


@app.command("docs")
def docs(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write a Markdown reference of the whole catalog."""
    text = render_markdown(load_catalog())
    if out is None:
        out_console().out(text, end="")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        err_console().print(f"wrote {out}")


def _type_text(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_text(s, defs) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list[{_type_text(schema.get('items', {}), defs)}]"
    if kind == "object" and "additionalProperties" in schema:
        return f"map[string, {_type_text(schema['additionalProperties'], defs)}]"
    return str(kind)


def _fields_table(schema: dict[str, Any]) -> list[str]:
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    defs = schema.get("$defs", {})
    lines = ["| name | type | required | default | description |", "|---|---|---|---|---|"]
    for name, prop in props.items():
        default = json.dumps(prop["default"]).replace("|", "\\|") if "default" in prop else ""
        desc = str(prop.get("description", "")).replace("|", "\\|").replace("\n", " ")
        kind = _type_text(prop, defs).replace("|", "\\|")
        lines.append(
            f"| `{name}` | {kind} | {'yes' if name in required else ''} | {default} | {desc} |"
        )
    return lines


def render_markdown_one(spec: MethodSpec[Any, Any]) -> str:
    """One method's reference as Markdown."""
    info = spec.info()
    lines = [f"## `{spec.id}`", "", f"*{spec.kind.value}* · version {spec.version}", ""]
    lines += [spec.description, ""]
    if info.unavailable_reason:
        lines += [f"> Not available here: {info.unavailable_reason}", ""]
    lines += ["**Params**", "", *_fields_table(info.params_schema), ""]
    lines += ["**Output**", "", *_fields_table(info.output_schema), ""]
    retry = spec.retry
    lines += [
        f"Defaults: {retry.max_attempts} attempts (backoff x{retry.backoff}), "
        f"timeout {spec.timeout.total_seconds():g}s"
        + (f", queue `{spec.queue}`" if spec.queue else ""),
        "",
    ]
    for example in spec.examples:
        lines += [f"Example — {example.description}:", "", "```yaml"]
        lines += [f"method: {spec.id}", "params:"]
        for key, value in example.params.items():
            lines.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
        lines += ["```", ""]
    return "\n".join(lines)


def render_markdown(catalog: Catalog) -> str:
    """The whole catalog as a Markdown reference."""
    lines = ["# ODP method reference", "", "Generated by `odp methods docs`.", ""]
    for kind in MethodKind:
        specs = [s for s in catalog if s.kind is kind]
        if not specs:
            continue
        lines += [f"# {kind.value.capitalize()}s", ""]
        for spec in specs:
            lines.append(f"- [`{spec.id}`](#{spec.id.replace('.', '')}) — {spec.summary}")
        lines.append("")
        for spec in specs:
            lines.append(render_markdown_one(spec))
    return "\n".join(lines)
