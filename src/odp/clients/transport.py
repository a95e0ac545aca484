"""An httpx transport that applies the address guard on every hop and pins checked addresses.

httpx follows redirects by sending each hop through the transport, so checking in the
transport covers every hop. Name resolution happens once, in the network backend: it
resolves the host, has the guard check every address, and connects to one of those
exact addresses. TLS still verifies the certificate against the host name (httpcore
passes the URL's host as SNI after the TCP connection is made), and the ``Host``
header is untouched, so pinning is invisible to the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import httpcore
import httpx

from odp.clients.guard import AddressGuard
from odp.errors import AddressBlockedError

__all__ = ["DEFAULT_LIMITS", "GuardedTransport", "PinnedBackend"]

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """A network backend that connects only to addresses the guard has checked.

    Args:
        guard: resolves and checks hosts.
        inner: the backend that opens the sockets (anyio by default).
    """

    def __init__(self, guard: AddressGuard, inner: httpcore.AsyncNetworkBackend | None = None):
        self._guard = guard
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve and check ``host``, then connect to the first checked address that answers."""
        try:
            addresses = await asyncio.wait_for(self._guard.resolve(host, port), timeout)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took more than {timeout}s") from None
        error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                error = e
        assert error is not None  # resolve() never returns an empty list
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Unix sockets are local by definition: refused."""
        raise AddressBlockedError(path, "unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        """Sleep on the inner backend."""
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, with the address guard on every request it sends.

    Args:
        guard: the address guard.
        limits: connection pool limits.
        verify: TLS verification (True, a CA bundle path, or an ``ssl.SSLContext``).
    """

    def __init__(
        self,
        guard: AddressGuard,
        *,
        limits: httpx.Limits = DEFAULT_LIMITS,
        verify: bool | str = True,
    ) -> None:
        # environment proxies are ignored: through a proxy the guard would check the
        # proxy's address instead of the target's
        super().__init__(verify=verify, limits=limits, trust_env=False)
        self.guard = guard
        if guard.block_private:
            # httpx takes no network backend, so its pool is rebuilt with the pinning
            # one (the same arguments httpx passes; ``_pool`` is stable since 0.18)
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                network_backend=PinnedBackend(guard),
            )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Check the URL, then send; a refused address names the URL of this hop."""
        self.guard.check_url(request.url)
        try:
            return await super().handle_async_request(request)
        except AddressBlockedError as e:
            raise AddressBlockedError(str(request.url), e.reason) from None
