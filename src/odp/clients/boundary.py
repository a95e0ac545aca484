"""How methods report outbound HTTP failures: as :class:`~odp.errors.MethodError`."""

from __future__ import annotations

from odp.errors import CircuitOpenError, ClientError, MethodError

__all__ = ["method_error"]


def method_error(e: ClientError, *, field: str | None = None, what: str = "") -> MethodError:
    """Turn a client error into a method error that says whether a retry can help.

    A refused address or a 4xx cannot be helped by retrying; a 429, a 5xx, a timeout or
    an open breaker can (the breaker closes after its cool-down).

    Args:
        e: the client error.
        field: the param whose value led to the call (``url``, ``query``...).
        what: what the step was doing, e.g. ``"searching Twitter"``, to start the message.
    """
    prefix = f"{what}: " if what else (f"{field}: " if field else "")
    return MethodError(
        f"{prefix}{e.message}",
        retryable=e.retryable,
        hint=e.hint,
        # an open breaker is about the host, not about what the param says
        field=None if isinstance(e, CircuitOpenError) else field,
    )
