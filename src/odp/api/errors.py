"""One error shape for every answer that is not a success, and the handlers that make it.

Every error reads ``{"error": {"code", "message", "hint", "diagnostics"?}}``. ODP's
exceptions map to statuses by kind (a foreign workspace's run is a 404 like a missing
one); anything unexpected is logged and answered as a 500 in the same shape, never a
traceback.
"""

from __future__ import annotations

from typing import Any, Final

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from odp.errors import (
    AddressBlockedError,
    ArtifactNotFoundError,
    AuthenticationError,
    ClientError,
    ConfigError,
    ConflictError,
    EventsError,
    ExecutionError,
    NotFoundError,
    ODPError,
    PermissionDeniedError,
    RunCancelledError,
    RunNotFoundError,
    SpecError,
    StepFailedError,
    UnknownMethodError,
)
from odp.spec import Diagnostic, PipelineInvalid

__all__ = [
    "ERROR_RESPONSES",
    "ErrorDetail",
    "ErrorResponse",
    "error_response",
    "install_error_handlers",
    "status_of",
]

_log = structlog.stdlib.get_logger("odp.api")


class ErrorDetail(BaseModel):
    """What went wrong, where, and what to do."""

    code: str = Field(description="A stable identifier of the kind of error.")
    message: str = Field(description="What is wrong.")
    hint: str | None = Field(default=None, description="What to do about it.")
    diagnostics: list[Diagnostic] | None = Field(
        default=None, description="Every problem found, located (invalid pipelines and requests)."
    )


class ErrorResponse(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


def _doc(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


ERROR_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    400: _doc("The request cannot be done as asked."),
    401: _doc("No API key, or an invalid or revoked one."),
    403: _doc("The key's role does not allow this."),
    404: _doc("No such object in the key's workspace."),
    413: _doc("The request body is larger than the service accepts."),
    422: _doc("The request or the pipeline is invalid; diagnostics say where."),
}
"""The error answers every route may give, for the OpenAPI document."""

# most specific first: the first class an error is an instance of decides
_STATUSES: Final[list[tuple[type[ODPError], int, str]]] = [
    (AuthenticationError, 401, "unauthenticated"),
    (PermissionDeniedError, 403, "forbidden"),
    (NotFoundError, 404, "not-found"),
    (RunNotFoundError, 404, "not-found"),
    (UnknownMethodError, 404, "not-found"),
    (ArtifactNotFoundError, 410, "gone"),
    (ConflictError, 409, "conflict"),
    (RunCancelledError, 409, "run-cancelled"),
    (StepFailedError, 409, "run-failed"),
    (PipelineInvalid, 422, "invalid-pipeline"),
    (SpecError, 422, "invalid-pipeline"),
    (AddressBlockedError, 422, "address-blocked"),
    (ClientError, 502, "upstream-error"),
    (ExecutionError, 503, "engine-unavailable"),
    (EventsError, 503, "events-unavailable"),
    (ConfigError, 503, "unavailable"),
]


def status_of(error: ODPError) -> tuple[int, str]:
    """The HTTP status and error code of an ODP error (400 for kinds without their own)."""
    for kind, status, code in _STATUSES:
        if isinstance(error, kind):
            return status, code
    return 400, "bad-request"


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    hint: str | None = None,
    diagnostics: list[Diagnostic] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An error answer in the one shape."""
    body = ErrorResponse(
        error=ErrorDetail(code=code, message=message, hint=hint, diagnostics=diagnostics)
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers
    )


async def _odp_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ODPError)
    status, code = status_of(exc)
    diagnostics = exc.diagnostics if isinstance(exc, PipelineInvalid) else None
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status >= 500:
        _log.warning("request_failed", path=request.url.path, status=status, error=exc.message)
    return error_response(
        status, code, exc.message, hint=exc.hint, diagnostics=diagnostics, headers=headers
    )


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    diagnostics = [
        Diagnostic(
            code="invalid-request",
            message=f"{_location(tuple(err.get('loc', ())))}: {err.get('msg', 'invalid')}",
            field=_location(tuple(err.get("loc", ()))),
        )
        for err in exc.errors()
    ]
    first = diagnostics[0].message if diagnostics else "the request is invalid"
    more = f" (and {len(diagnostics) - 1} more)" if len(diagnostics) > 1 else ""
    return error_response(
        422,
        "invalid-request",
        f"invalid request: {first}{more}",
        hint="see the API's OpenAPI document at /openapi.json",
        diagnostics=diagnostics,
    )


_HTTP_CODES: Final = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "payload-too-large",
    415: "unsupported-media-type",
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no route {request.method} {request.url.path}"
    hint = "see the API's routes at /docs" if exc.status_code in (404, 405) else None
    return error_response(
        exc.status_code,
        code,
        message,
        hint=hint,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    _log.error(
        "request_crashed",
        path=request.url.path,
        error=f"{type(exc).__name__}: {exc}",
        exc_info=exc,
    )
    return error_response(
        500,
        "internal",
        "the service failed to answer this request",
        hint="this is a bug in ODP; the service log has the details",
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error in the one shape."""
    app.add_exception_handler(ODPError, _odp_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
