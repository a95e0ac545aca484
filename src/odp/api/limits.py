"""Refuse request bodies over ``Settings.max_body_bytes`` with 413, declared or streamed."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from odp.api.errors import error_response

__all__ = ["BodyLimit"]


class BodyLimit:
    """ASGI middleware reading a body up to a limit before the app sees it.

    A ``Content-Length`` over the limit is refused at once; a chunked body is counted
    as it arrives and refused as soon as it passes the limit. Bodies within the limit
    are handed to the app unchanged.

    Args:
        app: the application.
        max_bytes: the largest body accepted.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or refuse it with 413."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await error_response(
                    400, "bad-request", "the Content-Length header is not a number"
                )(scope, receive, send)
                return
            if declared > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if declared == 0:
                await self.app(scope, receive, send)
                return
        elif b"chunked" not in headers.get(b"transfer-encoding", b""):
            await self.app(scope, receive, send)  # no body
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            "payload-too-large",
            f"the request body is larger than {self.max_bytes} bytes",
            hint="send a smaller body, or raise ODP_MAX_BODY_BYTES on the service",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
