from __future__ import annotations

import ipaddress

import httpx
import pytest

from odp.clients import AddressGuard, forbidden_reason, parse_host_address
from odp.errors import AddressBlockedError, ClientError

# at least 30 spellings of addresses a pipeline must not reach
FORBIDDEN_URLS = [
    "http://127.0.0.1/",
    "http://127.0.0.1:8002/social/twitter/search",
    "http://127.1/",
    "http://127.0.1/",
    "http://2130706433/",  # decimal
    "http://017700000001/",  # octal, one part
    "http://0177.0.0.1/",  # octal parts
    "http://0x7f.1/",  # hex
    "http://0x7f000001/",
    "http://0x7f.0x0.0x0.0x1/",
    "http://127.0.0.1./",  # trailing dot
    "http://localhost/",
    "http://LOCALHOST./",
    "http://api.localhost/",
    "http://evil.example@127.0.0.1/",  # userinfo trick
    "http://user:pass@10.0.0.1/",
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:a9fe:a9fe]/",  # mapped metadata address
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64
    "http://[2002:a9fe:a9fe::]/",  # 6to4
    "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/",  # 169.254.169.254 in decimal
    "http://0xa9.0xfe.0xa9.0xfe/",
    "http://169.254.170.2/v2/credentials",
    "http://[fd00:ec2::254]/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://metadata.google.internal./",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://[fc00::1]/",  # unique local
    "http://[fe80::1]/",  # link-local
    "http://169.254.1.1/",
    "http://224.0.0.1/",  # multicast
    "http://[ff02::1]/",
    "http://240.0.0.1/",  # reserved
    "http://255.255.255.255/",
    "http://192.0.2.1/",  # documentation range: not public
    "http://1.2.3.4.5/",  # not an address at all
    "http://256.1/",
    "ftp://example.com/file",
    "file:///etc/passwd",
    "gopher://example.com/",
]

ALLOWED_URLS = [
    "http://example.com/",
    "https://example.com:8443/path?q=1",
    "http://8.8.8.8/",
    "http://[2606:4700:4700::1111]/",
    "http://93.184.216.34/",
    "https://api.github.com/repos",
    "http://localhost.example.com/",
]


def test_there_are_at_least_30_forbidden_forms() -> None:
    assert len(FORBIDDEN_URLS) >= 30


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_guard_refuses(url: str) -> None:
    with pytest.raises(AddressBlockedError) as info:
        AddressGuard().check_url(url)
    assert info.value.url == url
    assert info.value.reason
    assert info.value.hint  # what to do: allow the host, or use http(s)
    assert not info.value.retryable


@pytest.mark.parametrize("url", ALLOWED_URLS)
def test_guard_allows_public_urls(url: str) -> None:
    assert AddressGuard().check_url(url).host


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://2130706433/", "127.0.0.1 is a loopback address"),
        ("http://[::ffff:a9fe:a9fe]/", "cloud metadata address (169.254.169.254)"),
        ("http://metadata.google.internal/", "a cloud metadata host"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("ftp://example.com/", "only http and https"),
        ("http://0177.0.0.1/", "127.0.0.1 is a loopback address"),
    ],
)
def test_reasons_say_why(url: str, reason: str) -> None:
    with pytest.raises(AddressBlockedError, match="refused to connect") as info:
        AddressGuard().check_url(url)
    assert reason in info.value.reason


def test_guard_off_allows_private_but_not_other_schemes() -> None:
    guard = AddressGuard(block_private=False)
    assert guard.check_url("http://127.0.0.1:8002/").port == 8002
    assert guard.check_url("http://2130706433/").host == "2130706433"
    with pytest.raises(AddressBlockedError, match="only http and https"):
        guard.check_url("file:///etc/passwd")


def test_malformed_urls_are_client_errors() -> None:
    with pytest.raises(ClientError, match="invalid URL"):
        AddressGuard().check_url("http://[::1/")
    for relative in ("http:///path", "/social/twitter/search", "example.com/x", ""):
        with pytest.raises(ClientError, match="is not an absolute URL") as info:
            AddressGuard().check_url(relative)
        assert "https://example.com/path" in (info.value.hint or "")
    with pytest.raises(AddressBlockedError) as blocked:
        AddressGuard(block_private=False).check_url("gopher://example.com/")
    assert blocked.value.hint == "use an http:// or https:// URL"


def test_allowlist_by_name_network_and_wildcard() -> None:
    guard = AddressGuard(
        allowed_hosts=("crawler.internal", "*.corp.example", "10.20.0.0/16", "127.0.0.1", "  ")
    )
    assert guard.check_url("http://crawler.internal/")
    assert guard.check_url("http://CRAWLER.internal./")
    assert guard.check_url("http://a.b.corp.example/")
    assert guard.check_url("http://10.20.3.4/")
    assert guard.check_url("http://127.0.0.1:8002/")
    assert guard.check_url("http://2130706433/")  # the same address, spelled otherwise
    with pytest.raises(AddressBlockedError):
        guard.check_url("http://10.21.0.1/")
    with pytest.raises(AddressBlockedError):
        guard.check_url("http://127.0.0.2/")
    with pytest.raises(AddressBlockedError):
        guard.check_url("http://corp.example.evil.test@169.254.169.254/")
    assert guard.check_url("http://localhost:8002/")  # resolved, then checked
    assert guard.host_allowed("x.corp.example")
    assert not guard.host_allowed("corp.example")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("10.0.258", "10.0.1.2"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x", "0.0.0.0"),
        ("127.0.0.1.", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:7f00:1", "::ffff:7f00:1"),
    ],
)
def test_parse_host_address(host: str, expected: str) -> None:
    assert parse_host_address(host) == ipaddress.ip_address(expected)


@pytest.mark.parametrize("host", ["example.com", "a1.b2", "localhost", "0x7f.example"])
def test_names_are_not_addresses(host: str) -> None:
    assert parse_host_address(host) is None


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.1", "1.256.1.1", "example.127", "08.1"])
def test_numeric_nonsense_is_invalid(host: str) -> None:
    with pytest.raises(ValueError):
        parse_host_address(host)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::808:808", True),
        ("127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("198.18.0.1", False),
        ("2001:db8::1", False),
    ],
)
def test_forbidden_reason(address: str, public: bool) -> None:
    assert (forbidden_reason(ipaddress.ip_address(address)) is None) is public


async def test_resolve_checks_every_address() -> None:
    answers = {
        "public.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
        "private.test": ["10.0.0.7"],
        "mixed.test": ["93.184.216.34", "192.168.0.10"],
        "mapped.test": ["::ffff:169.254.169.254"],
    }

    async def resolver(host: str, port: int) -> list[str]:
        return answers[host]

    guard = AddressGuard(resolver=resolver)
    assert await guard.resolve("public.test", 443) == answers["public.test"]
    for host in ("private.test", "mixed.test", "mapped.test"):
        with pytest.raises(AddressBlockedError, match=f"{host} resolves to"):
            await guard.resolve(host, 80)
    # a literal address is checked without resolving
    with pytest.raises(AddressBlockedError):
        await guard.resolve("10.0.0.1", 80)
    assert await guard.resolve("8.8.8.8", 53) == ["8.8.8.8"]


async def test_resolve_allowlisted_names_and_networks() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["10.1.2.3"]

    by_name = AddressGuard(allowed_hosts=("svc.internal",), resolver=resolver)
    assert await by_name.resolve("svc.internal", 80) == ["10.1.2.3"]
    by_network = AddressGuard(allowed_hosts=("10.1.0.0/16",), resolver=resolver)
    assert await by_network.resolve("other.internal", 80) == ["10.1.2.3"]
    off = AddressGuard(block_private=False, resolver=resolver)
    assert await off.resolve("anything", 80) == ["10.1.2.3"]


async def test_resolve_localhost_with_the_system_resolver() -> None:
    with pytest.raises(AddressBlockedError, match=r"localhost resolves to .*loopback"):
        await AddressGuard().resolve("localhost", 80)


async def test_unresolvable_and_empty_answers() -> None:
    with pytest.raises(ClientError, match="cannot resolve"):
        await AddressGuard().resolve("no-such-host.invalid", 80)

    async def empty(host: str, port: int) -> list[str]:
        return []

    with pytest.raises(ClientError, match="no addresses"):
        await AddressGuard(resolver=empty).resolve("empty.test", 80)


def test_check_url_takes_parsed_urls() -> None:
    url = httpx.URL("https://example.com/x")
    assert AddressGuard().check_url(url) is url
