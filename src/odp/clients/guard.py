"""The address guard: which hosts and IP addresses outbound requests may reach.

A pipeline author controls the URLs a method fetches. On a shared service that must
not let them reach the service's own network: loopback, private ranges, link-local
addresses and, above all, the cloud metadata endpoint that hands out credentials.

The guard works in two places, and both run on every redirect hop:

* :meth:`AddressGuard.check_url` looks at the URL itself: only ``http``/``https``, and a
  host that is not a forbidden literal address in any spelling a resolver accepts
  (``2130706433``, ``0177.0.0.1``, ``0x7f.1``, ``127.1``, ``[::ffff:7f00:1]``...) nor a
  forbidden name (``localhost``, ``metadata.google.internal``).
* :meth:`AddressGuard.resolve` resolves the host with ``getaddrinfo``, refuses it when
  any address is forbidden, and returns the checked addresses; the transport then
  connects to one of those exact addresses (see ``odp.clients.transport``), so a DNS
  answer that changes between the check and the connection (DNS rebinding) cannot
  smuggle in another address.

``allowed_hosts`` lets named hosts (``crawler.internal``, ``*.corp.example``) or networks
(``10.1.0.0/16``, ``127.0.0.1``) through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import httpx

from odp.errors import AddressBlockedError, ClientError

__all__ = [
    "AddressGuard",
    "IPAddress",
    "Resolver",
    "forbidden_reason",
    "parse_host_address",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Resolves ``(host, port)`` to IP address strings (``getaddrinfo`` by default)."""

SCHEMES = frozenset({"http", "https"})

# names of cloud metadata services (the addresses are listed below)
_METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.tencentyun.com",
    }
)
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "100.100.100.200",  # Alibaba Cloud
    )
)
_SHARED_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why an address must not be reached, or None for a public address.

    IPv6 forms that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, NAT64
    ``64:ff9b::a.b.c.d``, 6to4 ``2002:AABB:CCDD::``) are judged by that IPv4 address.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = forbidden_reason(embedded)
            if inner is not None:
                return f"{inner} ({embedded}) inside an IPv6 address"
            return None
    if ip in _METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED_SPACE:
        return "a shared (carrier-grade NAT) address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "not a public address"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    return None


def _ipv4_part(text: str) -> int | None:
    """One dotted part as ``inet_aton`` reads it: decimal, ``0``-octal or ``0x``-hex."""
    lowered = text.lower()
    try:
        if lowered.startswith("0x"):
            return int(lowered[2:] or "0", 16)
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered[1:], 8)
        if lowered.isdigit():
            return int(lowered)
    except ValueError:
        return None
    return None


def _loose_ipv4(host: str) -> ipaddress.IPv4Address | bool | None:
    """Read ``host`` the way resolvers read numeric hosts (``127.1``, ``0x7f.0.0.1``).

    Returns:
        The address; None when the host is a name; False when it looks numeric but
        is no valid address (such a host is refused rather than guessed at).
    """
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    values = [_ipv4_part(p) for p in parts]
    if any(v is None for v in values):
        if _ipv4_part(parts[-1]) is not None and len(parts) > 1:
            return False  # a numeric last label: browsers and resolvers refuse it
        return None
    if not 1 <= len(parts) <= 4:
        return False
    numbers = [v for v in values if v is not None]
    *head, last = numbers
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        return False
    value = last
    for i, v in enumerate(head):
        value += v << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def parse_host_address(host: str) -> IPAddress | None:
    """The IP address a URL host stands for, in any spelling, or None for a name.

    Raises:
        ValueError: for a host that looks numeric but is not a valid address.
    """
    text = host.strip().lower().strip("[]")
    if ":" in text:
        return ipaddress.IPv6Address(text)
    loose = _loose_ipv4(text)
    if isinstance(loose, bool):
        raise ValueError(f"{host!r} is not a valid IPv4 address")
    return loose


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve a host with the system's ``getaddrinfo`` (run off the event loop)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise ClientError(
            f"cannot resolve {host}: {e.strerror}",
            retryable=True,
            hint="check the host name in the URL",
        ) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _normalise(host: str) -> str:
    return host.strip().lower().strip("[]").rstrip(".")


@dataclass(frozen=True, slots=True)
class AddressGuard:
    """Which URLs and addresses outbound requests may reach.

    Args:
        block_private: refuse loopback, private, link-local, metadata and other
            non-public addresses (the service turns this on; the local CLI leaves it
            off so that the stand-ins on 127.0.0.1 work).
        allowed_hosts: host names (``api.internal``, ``*.corp.example``) or networks
            (``10.0.0.0/8``, ``127.0.0.1``) let through even when blocking.
        resolver: resolves host names; injectable so tests can resolve names offline.
    """

    block_private: bool = True
    allowed_hosts: tuple[str, ...] = ()
    resolver: Resolver = system_resolver
    _names: frozenset[str] = field(init=False, repr=False)
    _suffixes: tuple[str, ...] = field(init=False, repr=False)
    _networks: tuple[IPNetwork, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names: set[str] = set()
        suffixes: list[str] = []
        networks: list[IPNetwork] = []
        for entry in _entries(self.allowed_hosts):
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if entry.startswith("*."):
                suffixes.append(entry[1:])
            else:
                names.add(entry)
        object.__setattr__(self, "_names", frozenset(names))
        object.__setattr__(self, "_suffixes", tuple(suffixes))
        object.__setattr__(self, "_networks", tuple(networks))

    def host_allowed(self, host: str) -> bool:
        """Whether ``host`` is let through by name (its addresses are not checked)."""
        name = _normalise(host)
        return name in self._names or any(name.endswith(s) for s in self._suffixes)

    def address_allowed(self, ip: IPAddress) -> bool:
        """Whether ``ip`` may be reached: public, or inside an allowed network."""
        if any(ip.version == net.version and ip in net for net in self._networks):
            return True
        return forbidden_reason(ip) is None

    def check_url(self, url: httpx.URL | str) -> httpx.URL:
        """Refuse a URL whose scheme or literal host is forbidden.

        Names are resolved later, at connection time (:meth:`resolve`).

        Returns:
            The parsed URL.

        Raises:
            AddressBlockedError: for another scheme, or a forbidden literal address or name.
            ClientError: for a URL that cannot be parsed.
        """
        text = str(url)
        try:
            parsed = url if isinstance(url, httpx.URL) else httpx.URL(text)
        except httpx.InvalidURL as e:
            # httpx rejects some spellings resolvers accept (``0177.0.0.1``): say why
            # the address is refused rather than only that the URL is malformed
            try:
                host = urllib.parse.urlsplit(text).hostname
            except ValueError:
                host = None
            reason = self._host_reason(host) if host and self.block_private else None
            if reason is not None:
                raise AddressBlockedError(text, reason) from None
            raise ClientError(
                f"invalid URL {text!r}: {e}", hint="write a full http:// or https:// URL"
            ) from None
        if parsed.scheme and parsed.scheme not in SCHEMES:
            raise AddressBlockedError(
                text,
                f"only http and https URLs are allowed, not {parsed.scheme!r}",
                hint="use an http:// or https:// URL",
            )
        if not parsed.scheme or not parsed.host:
            raise ClientError(
                f"{text!r} is not an absolute URL",
                hint="write the full URL, e.g. https://example.com/path",
            )
        if not self.block_private or self.host_allowed(parsed.host):
            return parsed
        reason = self._host_reason(parsed.host)
        if reason is not None:
            raise AddressBlockedError(text, reason)
        return parsed

    def _host_reason(self, host: str) -> str | None:
        name = _normalise(host)
        try:
            ip = parse_host_address(name)
        except ValueError:
            return "the host looks like an IP address but is not a valid one"
        if ip is not None:
            if self.address_allowed(ip):
                return None
            return f"{ip} is {forbidden_reason(ip)}"
        if name in _METADATA_NAMES:
            return "a cloud metadata host"
        if (name == "localhost" or name.endswith(".localhost")) and not self._loopback_allowed():
            return "a loopback host"
        return None

    def _loopback_allowed(self) -> bool:
        # an allowed network holding a loopback address lets localhost be resolved and checked
        return any(
            ipaddress.ip_address("127.0.0.1" if net.version == 4 else "::1") in net
            for net in self._networks
        )

    async def resolve(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` and return the addresses a connection may use.

        Every address of the answer is checked; one forbidden address refuses the
        host (a name that resolves partly to a private address is not trusted).

        Raises:
            AddressBlockedError: when an address is forbidden.
            ClientError: when the host does not resolve.
        """
        literal = _literal(host)
        addresses = [str(literal)] if literal is not None else await self.resolver(host, port)
        if not addresses:
            raise ClientError(f"cannot resolve {host}: no addresses", retryable=True)
        if not self.block_private or self.host_allowed(host):
            return addresses
        for text in addresses:
            ip = ipaddress.ip_address(text.split("%", 1)[0])
            if not self.address_allowed(ip):
                raise AddressBlockedError(
                    f"{host}:{port}", f"{host} resolves to {ip}, {forbidden_reason(ip)}"
                )
        return addresses


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _entries(values: Iterable[str]) -> list[str]:
    return [_normalise(v) for v in values if v.strip()]
