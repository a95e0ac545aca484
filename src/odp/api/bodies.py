"""Pipelines sent as request bodies: YAML or JSON, by ``Content-Type``."""

from __future__ import annotations

import json
from typing import Any, Final

import yaml
from fastapi import HTTPException, Request

from odp.catalog import Catalog
from odp.spec import Diagnostic, ValidationResult, validate_data, validate_text

__all__ = ["BODY_FILE", "PIPELINE_BODY", "PipelineBody", "read_pipeline", "validate_source"]

BODY_FILE: Final = "<request>"
"""The file name diagnostics give for a pipeline sent in a request body."""

_YAML: Final = frozenset(
    {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"}
)
_JSON: Final = frozenset({"application/json"})

PIPELINE_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "description": "A pipeline as YAML (application/yaml) or JSON (application/json).",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}
"""The OpenAPI description of a pipeline body (the route reads the raw body itself)."""


class PipelineBody:
    """A pipeline body as received: its text, and its data when it was JSON."""

    __slots__ = ("data", "is_json", "text")

    def __init__(self, text: str, data: Any = None, *, is_json: bool = False) -> None:
        self.text = text
        self.data = data
        self.is_json = is_json

    def source(self) -> str:
        """The pipeline as YAML text (JSON bodies are turned into YAML)."""
        if self.is_json:
            return yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True)
        return self.text


async def read_pipeline(request: Request) -> PipelineBody | Diagnostic:
    """The request's pipeline, or a located diagnostic when JSON does not parse.

    Raises:
        HTTPException: 415 for a content type that is neither YAML nor JSON.
    """
    media = request.headers.get("content-type", "application/yaml").split(";")[0].strip().lower()
    if media not in _YAML | _JSON:
        raise HTTPException(
            415, f"send the pipeline as application/yaml or application/json, not {media!r}"
        )
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return Diagnostic(
            code="invalid-encoding",
            message=f"the body is not UTF-8 (byte {e.start})",
            file=BODY_FILE,
            hint="send the pipeline as UTF-8 text",
        )
    if media in _JSON:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            return Diagnostic(
                code="invalid-json",
                message=f"the body is not JSON: {e.msg}",
                file=BODY_FILE,
                line=e.lineno,
                column=e.colno,
                hint="send valid JSON, or YAML with Content-Type: application/yaml",
            )
        return PipelineBody(text, data, is_json=True)
    return PipelineBody(text)


def validate_source(
    body: PipelineBody | Diagnostic,
    catalog: Catalog,
    *,
    params: dict[str, Any] | None = None,
    require_params: bool = False,
) -> ValidationResult:
    """Validate a pipeline body as ``odp validate`` would."""
    if isinstance(body, Diagnostic):
        return ValidationResult(None, [body], file=BODY_FILE)
    if body.is_json:
        # JSON is YAML: validating the text locates problems by line and column; the
        # rare JSON the YAML loader reads otherwise falls back to the parsed data
        result = validate_text(
            body.text, catalog, file=BODY_FILE, params=params, require_params=require_params
        )
        if result.pipeline is None and any(d.code.startswith("yaml-") for d in result.errors):
            result = validate_data(
                body.data, catalog, file=BODY_FILE, params=params, require_params=require_params
            )
        result.source = body.source()
        return result
    return validate_text(
        body.text, catalog, file=BODY_FILE, params=params, require_params=require_params
    )
