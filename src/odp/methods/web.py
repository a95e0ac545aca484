"""Web pages: fetch pages and extract their main text (trafilatura)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any, Self

import polars as pl
import trafilatura
from pydantic import Field, model_validator

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext, MethodKind, MethodParams, method
from odp.clients import HttpClient, http_client
from odp.errors import ArtifactNotFoundError, ClientError, MethodError, UpstreamError
from odp.methods.social import SOURCE_RETRY
from odp.methods.tabular import RowsOutput, check_columns, in_thread, rows_output

__all__ = ["fetch_pages"]

MAX_PAGES = 10_000

PAGE_SCHEMA: dict[str, pl.DataType] = {
    "url": pl.String(),
    "final_url": pl.String(),
    "status": pl.Int64(),
    "title": pl.String(),
    "text": pl.String(),
    "error": pl.String(),
}

_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


class FetchParams(MethodParams):
    """Which pages to fetch: a list of URLs, or a dataset with a URL column."""

    urls: list[str] | None = Field(
        default=None,
        max_length=MAX_PAGES,
        description="The pages' URLs (give either urls, or data and url_column).",
    )
    data: DatasetRef | None = Field(
        default=None, description="A dataset with the pages' URLs in `url_column`."
    )
    url_column: str = Field(
        default="url", min_length=1, description="The column of `data` holding the URLs."
    )
    concurrency: int = Field(
        default=8, ge=1, le=64, description="How many pages are fetched at the same time."
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.urls is None) == (self.data is None):
            raise ValueError("give either urls or data (with url_column), not both or neither")
        return self


@dataclass(slots=True)
class Page:
    """One fetched page, as a row."""

    url: str
    final_url: str | None = None
    status: int | None = None
    title: str | None = None
    text: str | None = None
    error: str | None = None
    retryable: bool = False


def extract(html: str | bytes) -> tuple[str | None, str | None]:
    """The title and main text of an HTML page (None when there is no main text)."""
    document = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True
    )
    if document is None:
        return None, None
    if isinstance(document, dict):  # older trafilatura versions answer a dict
        title, body = document.get("title"), document.get("text")
    else:
        title, body = document.title, document.text
    title = title or None
    text = (body or "").strip()
    # the main text often starts with the headline, which is already in `title`
    if title and text.startswith(title):
        text = text[len(title) :].lstrip()
    return title, text or None


async def _fetch(http: HttpClient, url: str) -> Page:
    try:
        response = await http.get(url, headers={"Accept": "text/html,application/xhtml+xml"})
    except UpstreamError as e:
        return Page(url, status=e.status, error=e.message, retryable=e.retryable)
    except ClientError as e:
        return Page(url, error=e.message, retryable=e.retryable)
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    page = Page(url, final_url=response.url, status=response.status)
    if kind not in _HTML_TYPES:
        page.error = f"not an HTML page (content type {kind})"
        return page
    # without a charset in the headers, trafilatura reads the page's own <meta charset>
    declared = "charset=" in response.headers.get("content-type", "").lower()
    html: str | bytes = response.text if declared else response.content
    title, text = await in_thread(lambda: extract(html))
    page.title, page.text = title, text
    if text is None:
        page.error = "no main text found on the page"
    return page


async def _urls(params: FetchParams, ctx: MethodContext) -> list[str]:
    if params.urls is not None:
        return list(dict.fromkeys(params.urls))
    assert params.data is not None  # the params model requires one of the two
    ref = params.data
    check_columns(ref, [params.url_column], field="url_column")

    def read() -> list[str]:
        frame = ctx.store.scan(ref).select(pl.col(params.url_column).cast(pl.String))
        values = frame.drop_nulls().unique(maintain_order=True).collect().to_series()
        return [str(v) for v in values.to_list()]

    try:
        urls = await in_thread(read)
    except ArtifactNotFoundError as e:
        raise MethodError(str(e), hint=e.hint, field="data") from e
    if len(urls) > MAX_PAGES:
        raise MethodError(
            f"data has {len(urls)} distinct URLs; at most {MAX_PAGES} pages are fetched per step",
            hint="split the dataset (data.rows.sample or a filter) into smaller steps",
            field="data",
        )
    return urls


@method(
    "web.page.fetch",
    kind=MethodKind.SOURCE,
    summary="Fetch web pages and extract their title and main text",
    retry=SOURCE_RETRY,
    tags=("web", "page", "html", "scrape", "crawl", "article", "text", "extract", "download"),
    examples=[
        {
            "description": "Fetch two pages",
            "params": {
                "urls": [
                    "http://127.0.0.1:8002/articles/news-00001.html",
                    "http://127.0.0.1:8002/articles/news-00002.html",
                ]
            },
        },
        {
            "description": "Fetch the pages of articles found by a search",
            "params": {"data": "{{ articles.data }}", "url_column": "url", "concurrency": 4},
        },
    ],
)
async def fetch_pages(params: FetchParams, ctx: MethodContext) -> RowsOutput:
    """Fetch pages concurrently and extract each one's title and main text.

    Rows (one per distinct URL, in order): url, final_url (after redirects), status,
    title, text, error. A page that fails is a row with its `error`; the step fails
    only when every page fails.
    """
    urls = await _urls(params, ctx)
    http = http_client(ctx.settings)
    limit = asyncio.Semaphore(params.concurrency)
    done = 0

    async def one(url: str) -> Page:
        nonlocal done
        async with limit:
            page = await _fetch(http, url)
        done += 1
        ctx.heartbeat(done)
        return page

    pages = await asyncio.gather(*(one(u) for u in urls))
    failed = [p for p in pages if p.error is not None]
    if pages and len(failed) == len(pages):
        first = failed[0]
        raise MethodError(
            f"none of the {len(pages)} pages could be fetched; {first.url}: {first.error}",
            retryable=any(p.retryable for p in failed),
            hint="check the URLs (the rows would each carry their error)",
            field="urls" if params.urls is not None else "data",
        )
    if failed:
        ctx.log.warning("pages_failed", failed=len(failed), pages=len(pages))

    def store() -> RowsOutput:
        rows: list[dict[str, Any]] = [asdict(p) for p in pages]
        for row in rows:
            del row["retryable"]
        return rows_output(ctx.store, pl.DataFrame(rows, schema=PAGE_SCHEMA))

    return await in_thread(store)
