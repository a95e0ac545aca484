"""`odp stubs`: serve the local stand-ins of outside services (the crawler API, web pages...)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
import uvicorn
from rich.markup import escape

from odp.cli.console import err_console
from odp.stubs import bind, create_app, url_of

__all__ = ["stubs"]


def stubs(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="The port to listen on (0: any free port).")
    ] = 8002,
    seed: Annotated[int, typer.Option(help="The sample corpus's seed.")] = 42,
) -> None:
    """Serve the crawler API, web pages, feeds and a webhook receiver from sample data.

    Everything runs locally from a deterministic corpus: point ODP_CRAWLER_API_URL at
    the printed address. Faults (latency, errors, 429 with Retry-After) can be injected
    per request with X-Stub-* headers or stub_* query parameters.
    """
    try:
        sock = bind(host, port)
    except OSError as e:
        err_console().print(
            f"[red]error:[/red] cannot listen on {escape(host)}:{port}: {escape(e.strerror or str(e))}\n"
            "[cyan]hint:[/cyan] choose another --port (0 picks a free one), or stop what uses it"
        )
        raise typer.Exit(2) from None
    url = url_of(sock)
    app = create_app(seed=seed)
    lines = [
        f"ODP stand-ins serving on {url}",
        f"  crawler API   POST {url}/social/twitter/search | /social/reddit/search | /news/search",
        f"  web           {url}/articles/news-00001.html  {url}/feeds/ai.rss  {url}/api/items",
        f"  webhooks      POST/GET {url}/webhooks/NAME",
        f"  LLM chat      POST {url}/v1/chat/completions, scripts at POST {url}/_stub/chat/script",
        f"  use it with   export ODP_CRAWLER_API_URL={url}",
        "Press Ctrl+C to stop.",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # Ctrl+C is how a stand-in is meant to stop
    finally:
        sock.close()
    sys.stdout.write("stopped\n")
