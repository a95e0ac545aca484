"""The one exception tree of ODP.

Every error ODP raises on purpose is an :class:`ODPError`. Subclasses carry typed
attributes (the step, the method id, the location) so that the CLI and the API can
render them without parsing strings::

    ODPError
    ├── ConfigError              settings or the environment are unusable
    ├── SpecError                the pipeline language (see odp.spec.PipelineInvalid)
    ├── CatalogError             the method registry
    │   ├── UnknownMethodError   a method id that is not registered
    │   └── DuplicateMethodError two registrations of one id
    ├── ArtifactError            the dataset store
    │   └── ArtifactNotFoundError
    ├── MethodError              raised by method code; says whether a retry can help
    ├── ExecutionError           a run on the engine
    │   ├── StepFailedError      a step failed; the run fails with it
    │   ├── RunCancelledError    the run was cancelled
    │   └── RunNotFoundError     no run with that id
    ├── ClientError              outbound HTTP
    │   ├── AddressBlockedError  the address guard refused a URL
    │   ├── CircuitOpenError     the host's circuit breaker is open
    │   └── UpstreamError        the remote service answered with an error
    ├── EventsError              the event bus
    ├── PlanningError            the agent could not plan
    ├── ServiceError             the API refused a request
    │   ├── AuthenticationError  no API key, or an unknown or revoked one (401)
    │   ├── PermissionDeniedError  the key's role does not allow it (403)
    │   ├── NotFoundError        no such saved pipeline, key or step output (404)
    │   └── ConflictError        not possible in the current state (409)
    └── ModelError               the model lifecycle (registry, serving)
        ├── ModelNotFoundError   no such registered model, version or alias
        └── RegistryUnavailableError  the model registry cannot be reached

User-facing messages say what is wrong, where, and what to do (``hint``).
"""

from __future__ import annotations

__all__ = [
    "AddressBlockedError",
    "ArtifactError",
    "ArtifactNotFoundError",
    "AuthenticationError",
    "CatalogError",
    "CircuitOpenError",
    "ClientError",
    "ConfigError",
    "ConflictError",
    "DuplicateMethodError",
    "EventsError",
    "ExecutionError",
    "MethodError",
    "ModelError",
    "ModelNotFoundError",
    "NotFoundError",
    "ODPError",
    "PermissionDeniedError",
    "PlanningError",
    "RegistryUnavailableError",
    "RunCancelledError",
    "RunNotFoundError",
    "ServiceError",
    "SpecError",
    "StepFailedError",
    "UnknownMethodError",
    "UpstreamError",
]


class ODPError(Exception):
    """Base of every error ODP raises on purpose.

    Args:
        message: what is wrong, in the user's terms.
        hint: what to do about it, when there is something to do.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} (hint: {self.hint})"
        return self.message


class ConfigError(ODPError):
    """Settings or the environment cannot be used as they are."""


class SpecError(ODPError):
    """A problem with a pipeline definition."""


class CatalogError(ODPError):
    """A problem with the method registry."""


class UnknownMethodError(CatalogError):
    """A method id that the catalog does not know.

    Attributes:
        method_id: the id that was asked for.
        suggestions: the nearest registered ids.
    """

    def __init__(self, method_id: str, suggestions: list[str] | None = None) -> None:
        self.method_id = method_id
        self.suggestions = suggestions or []
        hint = (
            "did you mean " + ", ".join(self.suggestions) + "?"
            if self.suggestions
            else "run `odp methods list` to see the methods that exist"
        )
        super().__init__(f"unknown method {method_id!r}", hint=hint)


class DuplicateMethodError(CatalogError):
    """Two methods were registered under one id."""

    def __init__(self, method_id: str) -> None:
        self.method_id = method_id
        super().__init__(
            f"method {method_id!r} is registered twice",
            hint="give one of them another id, or raise its version instead",
        )


class ArtifactError(ODPError):
    """A problem reading or writing the dataset store."""


class ArtifactNotFoundError(ArtifactError):
    """A dataset reference whose file is gone."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        super().__init__(
            f"dataset {uri!r} does not exist in the artifact store",
            hint="the artifact store may have been cleaned; rerun the producing step with --no-cache",
        )


class MethodError(ODPError):
    """An error raised by a method implementation.

    Args:
        message: what went wrong, in the terms of the step's params.
        retryable: whether running the step again can help (a 503 can, a missing
            column cannot). Non-retryable errors fail the step at once.
        hint: what the user can change.
        field: the param the problem is about, when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        hint: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.retryable = retryable
        self.field = field


class ExecutionError(ODPError):
    """A problem running a pipeline."""


class StepFailedError(ExecutionError):
    """A step failed and so did its run.

    Attributes:
        step: the step's name.
        method_id: the method it ran.
        attempts: how many attempts were made.
        error: the last error, as text.
        error_type: the class name of the last error.
    """

    def __init__(
        self,
        *,
        step: str,
        method_id: str,
        attempts: int,
        error: str,
        error_type: str = "MethodError",
        hint: str | None = None,
    ) -> None:
        self.step = step
        self.method_id = method_id
        self.attempts = attempts
        self.error = error
        self.error_type = error_type
        self.result: object | None = None  # the run's partial result, when known
        plural = "attempt" if attempts == 1 else "attempts"
        super().__init__(
            f"step {step!r} ({method_id}) failed after {attempts} {plural}: {error}", hint=hint
        )


class RunCancelledError(ExecutionError):
    """The run was cancelled before it finished."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(f"run {run_id} was cancelled")


class RunNotFoundError(ExecutionError):
    """No run with that id exists (or it is not visible to the caller)."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(f"no run with id {run_id!r}", hint="`odp runs` lists the runs that exist")


class ClientError(ODPError):
    """A problem calling an outside HTTP service."""

    def __init__(self, message: str, *, retryable: bool = False, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retryable = retryable


class AddressBlockedError(ClientError):
    """The address guard refused a URL (loopback, private, link-local, metadata)."""

    def __init__(self, url: str, reason: str, *, hint: str | None = None) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"refused to connect to {url}: {reason}",
            retryable=False,
            hint=hint
            or "add the host to ODP_HTTP_ALLOWED_HOSTS if this address is meant to be reached",
        )


class CircuitOpenError(ClientError):
    """The circuit breaker for a host is open after repeated failures."""

    def __init__(self, host: str, retry_in: float) -> None:
        self.host = host
        self.retry_in = retry_in
        super().__init__(
            f"{host} failed repeatedly; not calling it again for {retry_in:.0f}s (circuit open)",
            retryable=True,
            hint="check that the service is up; the breaker closes by itself after the cool-down",
        )


class UpstreamError(ClientError):
    """The remote service answered with an error status."""

    def __init__(
        self,
        url: str,
        status: int,
        detail: str = "",
        *,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        self.url = url
        self.status = status
        self.retry_after = retry_after
        retryable = status == 429 or status >= 500
        text = f"{url} answered {status}"
        if detail:
            text += f": {detail[:300]}"
        super().__init__(text, retryable=retryable, hint=hint)


class EventsError(ODPError):
    """A problem with the event bus."""


class PlanningError(ODPError):
    """The agent could not turn a request into a pipeline."""


class ServiceError(ODPError):
    """The service refused a request; the API answers with the subclass's status."""


class AuthenticationError(ServiceError):
    """No API key was given, or it is unknown or revoked."""


class PermissionDeniedError(ServiceError):
    """The API key's role does not allow the request."""


class NotFoundError(ServiceError):
    """No such object in the caller's workspace (other workspaces' objects look absent)."""


class ConflictError(ServiceError):
    """The request cannot be done in the object's current state."""


class ModelError(ODPError):
    """A problem with the model lifecycle (registry, prediction, serving)."""


class ModelNotFoundError(ModelError):
    """A registered model, version or alias that does not exist.

    Attributes:
        ref: the model as it was asked for (``name``, ``name@alias``, ``name:version``).
        known: what does exist at the level that failed (model names, versions or aliases).
    """

    def __init__(
        self, message: str, *, ref: str, known: list[str], hint: str | None = None
    ) -> None:
        self.ref = ref
        self.known = known
        super().__init__(message, hint=hint)


class RegistryUnavailableError(ModelError):
    """The model registry (MLflow) cannot be reached or read.

    Attributes:
        uri: the registry URI that failed.
    """

    def __init__(self, uri: str, reason: str) -> None:
        self.uri = uri
        super().__init__(
            f"cannot reach the model registry at {uri}: {reason}",
            hint="check ODP_MLFLOW_TRACKING_URI / ODP_MLFLOW_REGISTRY_URI and that the server is up",
        )
