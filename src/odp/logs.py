"""Structured logging: JSON in services and workers, readable on a terminal.

Call :func:`configure_logging` once at process start (the CLI, the worker and the
service do). Context such as the run id, step, method and workspace is bound with
:func:`structlog.contextvars.bind_contextvars` and appears on every line.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal, TextIO

import structlog

__all__ = ["configure_logging", "get_logger"]

_NOISY = ("temporalio", "httpx", "httpcore", "urllib3", "alembic", "mlflow", "asyncio")
_SDK_FAILURE_LOGGERS = ("temporalio.activity", "temporalio.workflow")


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is now (test runners and daemons swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure_logging(
    level: str = "INFO",
    fmt: Literal["auto", "json", "console"] = "auto",
    *,
    stream: TextIO | None = None,
) -> None:
    """Configure structlog and the standard library's logging together.

    Args:
        level: the lowest level to emit (``DEBUG``, ``INFO``, ...).
        fmt: ``json`` for services and workers, ``console`` for people; ``auto`` picks
            console when stderr is a terminal.
        stream: where to write (default: stderr).
    """
    out: Any = stream if stream is not None else _CurrentStderr()
    use_json = fmt == "json" or (fmt == "auto" and not getattr(out, "isatty", lambda: False)())
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=getattr(out, "isatty", lambda: False)())
    )
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(processors=[*shared[1:], renderer])
        if use_json
        else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in _NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    # the SDK logs every failed attempt with a traceback; ODP logs them itself, typed
    for name in _SDK_FAILURE_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    """Return a structlog logger (bound to ``name`` when given)."""
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
