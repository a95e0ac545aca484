"""Outbound HTTP: one client factory, retries with backoff, a breaker per host, the address guard.

Also the crawler API's contract and client. Imports nothing of ODP but ``errors`` and
``config``.
"""

from odp.clients.boundary import method_error
from odp.clients.breaker import BreakerState, CircuitBreaker, CircuitBreakers
from odp.clients.client import (
    USER_AGENT,
    HttpClient,
    HttpResponse,
    aclose_shared_clients,
    create_http_client,
    http_client,
)
from odp.clients.crawler import (
    CrawlerClient,
    CrawlerPost,
    CrawlerSearchRequest,
    CrawlerSearchResponse,
    CrawlerSource,
)
from odp.clients.guard import AddressGuard, forbidden_reason, parse_host_address, system_resolver
from odp.clients.retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after
from odp.clients.transport import GuardedTransport, PinnedBackend

__all__ = [
    "RETRYABLE_STATUSES",
    "USER_AGENT",
    "AddressGuard",
    "BreakerState",
    "CircuitBreaker",
    "CircuitBreakers",
    "CrawlerClient",
    "CrawlerPost",
    "CrawlerSearchRequest",
    "CrawlerSearchResponse",
    "CrawlerSource",
    "GuardedTransport",
    "HttpClient",
    "HttpResponse",
    "PinnedBackend",
    "RetryPolicy",
    "aclose_shared_clients",
    "create_http_client",
    "forbidden_reason",
    "http_client",
    "method_error",
    "parse_host_address",
    "parse_retry_after",
    "system_resolver",
]
