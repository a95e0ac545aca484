"""Generic HTTP: read records from a JSON API (with paging), post rows to a webhook."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Literal, Self

import httpx
import polars as pl
from pydantic import Field, model_validator

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext, MethodKind, MethodParams, method
from odp.clients import HttpResponse, http_client, method_error
from odp.errors import ArtifactNotFoundError, ClientError, MethodError
from odp.methods.social import SOURCE_RETRY
from odp.methods.tabular import RowsOutput, WriteOutput, in_thread, rows_output

__all__ = ["get_json", "post_webhook"]

Scalar = str | int | float | bool


# ---------------------------------------------------------------------- http.json.get
class JsonGetParams(MethodParams):
    """Which JSON API to read, and how to page through it."""

    url: str = Field(min_length=1, description="The API endpoint (http or https).")
    params: dict[str, Scalar] = Field(
        default_factory=dict, description="Query parameters added to the URL."
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="Request headers, e.g. {Authorization: 'Bearer {{ secrets.API_TOKEN }}'}.",
    )
    records_path: str | None = Field(
        default=None,
        description="Dotted path to the list of records in each answer, e.g. 'data.items' "
        "(default: the answer itself, a list or one object).",
    )
    paging: Literal["none", "page", "cursor", "link"] = Field(
        default="none",
        description="How to get more pages: none; page (a page-number parameter); cursor "
        "(a cursor from each answer sent back as a parameter); link (the Link header's "
        "rel=next URL).",
    )
    page_param: str = Field(default="page", description="paging=page: the page-number parameter.")
    start_page: int = Field(default=1, ge=0, description="paging=page: the first page's number.")
    cursor_param: str = Field(
        default="cursor", description="paging=cursor: the parameter the cursor is sent in."
    )
    cursor_path: str | None = Field(
        default=None,
        description="paging=cursor: dotted path to the next cursor in each answer, e.g. "
        "'meta.next_cursor'; paging stops when it is missing or null.",
    )
    max_pages: int = Field(
        default=10, ge=1, le=1000, description="The most pages to read (a safety limit)."
    )

    @model_validator(mode="after")
    def _cursor_needs_path(self) -> Self:
        if self.paging == "cursor" and not self.cursor_path:
            raise ValueError("paging: cursor needs cursor_path, the place of the next cursor")
        return self


class JsonOutput(RowsOutput):
    """Records read from a JSON API."""

    pages: int = Field(ge=0, description="How many pages were read.")


_MISSING = object()


def _lookup(payload: Any, path: str) -> Any:
    """The value at a dotted path (``data.items``, ``results.0.rows``), or ``_MISSING``."""
    value = payload
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif (
            isinstance(value, list)
            and part.lstrip("-").isdigit()
            and -len(value) <= int(part) < len(value)
        ):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _keys(payload: Any) -> str:
    if isinstance(payload, dict):
        return "the answer has keys: " + ", ".join(map(str, list(payload)[:20]))
    return f"the answer is a {type(payload).__name__}"


def _records(payload: Any, path: str | None, url: str) -> list[Any]:
    value = payload if path is None else _lookup(payload, path)
    if value is _MISSING:
        raise MethodError(
            f"records_path: {path!r} is not in the answer of {url}",
            hint=_keys(payload),
            field="records_path",
        )
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and path is None:
        return [value]
    raise MethodError(
        f"records_path: the value at {path or 'the top'} is a {type(value).__name__}, not a list",
        hint="point records_path at the list of records, e.g. data.items",
        field="records_path",
    )


def _frame(records: list[Any]) -> pl.DataFrame:
    if not records:
        return pl.DataFrame()
    if all(isinstance(r, dict) for r in records):
        return pl.from_dicts(records, infer_schema_length=None)
    return pl.DataFrame({"value": records}, strict=False)


@method(
    "http.json.get",
    kind=MethodKind.SOURCE,
    summary="Read records from a JSON API over HTTP, following its pages",
    retry=SOURCE_RETRY,
    timeout=dt.timedelta(minutes=15),
    tags=("http", "json", "api", "rest", "get", "download", "endpoint", "pagination"),
    examples=[
        {
            "description": "Read a paged API, 5 pages at most",
            "params": {
                "url": "http://127.0.0.1:8002/api/items",
                "records_path": "items",
                "paging": "page",
                "params": {"per_page": 50},
                "max_pages": 5,
            },
        },
        {
            "description": "Read a cursor-paged API with a token",
            "params": {
                "url": "http://127.0.0.1:8002/api/cursor",
                "headers": {"Authorization": "Bearer {{ secrets.API_TOKEN }}"},
                "records_path": "data.records",
                "paging": "cursor",
                "cursor_path": "meta.next_cursor",
            },
        },
    ],
)
async def get_json(params: JsonGetParams, ctx: MethodContext) -> JsonOutput:
    """GET a JSON API and turn its records into rows, following pages if asked.

    Nested objects become struct columns and lists list columns. Paging stops at an
    empty page, at the last page (no cursor, no next link) or at `max_pages`.
    """
    http = http_client(ctx.settings)
    records: list[Any] = []
    url: str | None = params.url
    query: dict[str, Scalar] = dict(params.params)
    page_number = params.start_page
    pages = 0
    while url is not None and pages < params.max_pages:
        if params.paging == "page":
            query[params.page_param] = page_number
        try:
            response = await http.get(url, params=query, headers=params.headers)
            payload = response.json()
        except ClientError as e:
            raise method_error(e, field="url", what=f"reading {url}") from e
        page = _records(payload, params.records_path, url)
        pages += 1
        records.extend(page)
        ctx.heartbeat(pages)
        url = _next_url(params, response, payload, page, url, query) if page else None
        page_number += 1
    try:
        frame = await in_thread(lambda: _frame(records))
    except (pl.exceptions.PolarsError, TypeError, ValueError) as e:
        raise MethodError(
            f"the records of {params.url} cannot form a table: {str(e).splitlines()[0]}",
            hint="point records_path at a list of objects with consistent field types",
            field="records_path",
        ) from e
    out = await in_thread(lambda: rows_output(ctx.store, frame))
    return JsonOutput(data=out.data, count=out.count, pages=pages)


def _next_url(
    params: JsonGetParams,
    response: HttpResponse,
    payload: Any,
    page: list[Any],
    url: str,
    query: dict[str, Scalar],
) -> str | None:
    if params.paging == "page":
        return url
    if params.paging == "cursor":
        assert params.cursor_path is not None  # checked by the params model
        cursor = _lookup(payload, params.cursor_path)
        if cursor is _MISSING or cursor is None or cursor == "":
            return None
        if not isinstance(cursor, str | int):
            raise MethodError(
                f"cursor_path: the value at {params.cursor_path!r} is a {type(cursor).__name__}",
                hint="point cursor_path at the next page's cursor (text or a number)",
                field="cursor_path",
            )
        query[params.cursor_param] = cursor
        return url
    if params.paging == "link":
        # the next link carries its own query: do not add ours again
        query.clear()
        return response.links.get("next")
    return None


# ---------------------------------------------------------------------- http.webhook.post
class WebhookParams(MethodParams):
    """Where to post the rows, and how many per request."""

    url: str = Field(min_length=1, description="The webhook's URL (http or https).")
    data: DatasetRef = Field(description="The rows to post.")
    batch_size: int = Field(
        default=100, ge=1, le=10_000, description="Rows per request (one POST per batch)."
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="Extra request headers, e.g. {Authorization: 'Bearer {{ secrets.HOOK_TOKEN }}'}.",
    )


class WebhookOutput(WriteOutput):
    """Where the rows were posted (the URL without user info or query), and in how many requests."""

    batches: int = Field(ge=0, description="How many POST requests were made.")


def _batch_body(batch: pl.DataFrame, index: int, batches: int) -> bytes:
    return f'{{"batch":{index},"batches":{batches},"rows":{batch.write_json()}}}'.encode()


@method(
    "http.webhook.post",
    kind=MethodKind.SINK,
    summary="Post rows as JSON to a webhook, in batches",
    tags=("webhook", "http", "post", "send", "notify", "push", "api", "export"),
    examples=[
        {
            "description": "Post the results to a webhook, 50 rows per request",
            "params": {
                "url": "http://127.0.0.1:8002/webhooks/alerts",
                "data": "{{ negative.data }}",
                "batch_size": 50,
            },
        }
    ],
)
async def post_webhook(params: WebhookParams, ctx: MethodContext) -> WebhookOutput:
    """POST the rows as JSON, `batch_size` rows per request.

    Each body is `{"batch": i, "batches": n, "rows": [...]}` and each request carries an
    `Idempotency-Key` header (`<run id>:<step>:<batch index>`), the same in every
    attempt of the step, so a receiver that honours it gets each batch once even when
    the step is retried. Transient failures (timeouts, 429, 5xx) are retried.
    """
    http = http_client(ctx.settings)
    try:
        frame = await in_thread(lambda: ctx.store.read(params.data))
    except ArtifactNotFoundError as e:
        raise MethodError(str(e), hint=e.hint, field="data") from e
    batches = (frame.height + params.batch_size - 1) // params.batch_size
    headers = {**params.headers, "Content-Type": "application/json"}
    for index, batch in enumerate(frame.iter_slices(params.batch_size)):
        body = await in_thread(functools.partial(_batch_body, batch, index, batches))
        try:
            await http.request(
                "POST",
                params.url,
                content=body,
                headers={**headers, "Idempotency-Key": f"{ctx.idempotency_key}:{index}"},
            )
        except ClientError as e:
            raise method_error(
                e, field="url", what=f"posting batch {index + 1} of {batches} to {params.url}"
            ) from e
        ctx.heartbeat(index + 1)
    return WebhookOutput(path=_shown_url(params.url), rows_written=frame.height, batches=batches)


def _shown_url(url: str) -> str:
    """The URL without user info or query, where tokens often travel (outputs enter history)."""
    return str(httpx.URL(url).copy_with(username=None, password=None, query=None))
