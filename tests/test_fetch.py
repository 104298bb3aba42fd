"""Links are read safely: private addresses refused, sizes and times bounded, errors explained."""

from __future__ import annotations

import gzip
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.errors import (
    AccessDenied,
    FetchRefused,
    NotFoundError,
    RateLimited,
    TooLarge,
    UnsupportedSource,
)
from bot.fetch import Fetcher, FetchSettings, Policy, check_address
from bot.fetch.netguard import literal_address
from bot.sources import decode
from tests.localweb import serving

PAGE = (Path(__file__).parent / "fixtures" / "wordpress-post.html").read_bytes()


class StubResolver(AbstractResolver):
    """Answers every name with fixed addresses; records what was asked. Never connects."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        return [
            ResolveResult(
                hostname=host,
                host=a,
                port=port,
                family=socket.AF_INET6 if ":" in a else socket.AF_INET,
                proto=0,
                flags=0,
            )
            for a in self.addresses
        ]

    async def close(self) -> None:
        return None


PRIVATE = [
    "127.0.0.1",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:192.168.1.1",
    "::ffff:127.0.0.1",
    "64:ff9b::a00:1",
    "2002:c0a8:0101::1",
]


@pytest.mark.parametrize("address", PRIVATE)
def test_private_and_special_addresses_are_refused(address: str) -> None:
    with pytest.raises(FetchRefused, match="not on the public internet"):
        check_address(address, Policy())


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_are_allowed(address: str) -> None:
    check_address(address, Policy())


def test_loopback_opt_in_allows_only_loopback() -> None:
    check_address("127.0.0.1", Policy(allow_loopback=True))
    with pytest.raises(FetchRefused):
        check_address("10.0.0.1", Policy(allow_loopback=True))


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "[::1]", "127.1.2.3"])
def test_numeric_spellings_of_loopback_are_recognised(host: str) -> None:
    address = literal_address(host)
    assert address is not None and address.is_loopback


@pytest.mark.parametrize(
    "address", ["10.0.0.1", "169.254.169.254", "::ffff:192.168.1.1", "64:ff9b::a00:1", "fe80::1"]
)
async def test_a_name_resolving_to_a_private_address_is_refused(address: str) -> None:
    resolver = StubResolver(address)
    async with Fetcher(FetchSettings(retries=0), resolver=resolver) as fetcher:
        with pytest.raises(FetchRefused, match=f"evil.test resolves to {address.split('::')[0]}"):
            await fetcher.get("http://evil.test/")
    assert resolver.asked == ["evil.test"]


@pytest.fixture
async def site() -> AsyncIterator[tuple[str, list[web.Request]]]:
    seen: list[web.Request] = []
    calls = {"flaky": 0}

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append(request)
        name = request.match_info["name"]
        if name == "page":
            return web.Response(body=PAGE, content_type="text/html")
        if name == "etag":
            if request.headers.get("If-None-Match") == '"v1"':
                return web.Response(status=304)
            return web.Response(body=PAGE, content_type="text/html", headers={"ETag": '"v1"'})
        if name == "big":
            response = web.StreamResponse(headers={"Content-Type": "text/html"})
            await response.prepare(request)
            for _ in range(64):
                await response.write(b"x" * 65536)
            return response
        if name == "bomb":
            return web.Response(
                body=gzip.compress(b"a" * (8 * 2**20)),
                headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
            )
        if name == "pdf":
            return web.Response(body=b"%PDF-1.7", content_type="application/pdf")
        if name == "loop":
            raise web.HTTPFound("/loop")
        if name == "to-private":
            raise web.HTTPFound("http://10.0.0.1/secret")
        if name == "flaky":
            calls["flaky"] += 1
            if calls["flaky"] == 1:
                return web.Response(status=503)
            return web.Response(body=PAGE, content_type="text/html")
        return web.Response(status=int(name), headers={"Retry-After": "30"})

    app = web.Application()
    app.router.add_get("/{name}", handler)
    async with serving(app) as base:
        yield base, seen


LOCAL = FetchSettings(allow_loopback=True, retries=1, backoff=0.01, max_bytes=2**20)


async def test_loopback_is_refused_by_default_without_connecting(site) -> None:
    base, seen = site
    async with Fetcher(FetchSettings()) as fetcher:
        with pytest.raises(FetchRefused, match="loopback"):
            await fetcher.get(f"{base}/page")
    assert seen == []


async def test_a_page_is_read_with_its_charset(site) -> None:
    base, _ = site
    async with Fetcher(LOCAL) as fetcher:
        result = await fetcher.get(f"{base}/page", accept=["text/html"])
    assert result.content_type == "text/html" and "Sundays" in decode(result.body, result.charset)


async def no_wait(seconds: float) -> None:
    """The fetcher's wait before a retry (a 429's Retry-After: 30), without the 30 s."""


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("big", TooLarge, "larger than 1 MB"),
        ("bomb", TooLarge, "once uncompressed"),
        ("pdf", UnsupportedSource, "application/pdf"),
        ("loop", FetchRefused, "redirects more than 5 times"),
        ("to-private", FetchRefused, "10.0.0.1, a private address"),
        ("404", NotFoundError, "does not exist"),
        ("410", NotFoundError, "does not exist"),
        ("403", AccessDenied, "login"),
        ("429", RateLimited, "retry after 30 s"),
    ],
)
async def test_bad_links_get_specific_messages(site, name: str, error: type, words: str) -> None:
    base, _ = site
    async with Fetcher(LOCAL, sleep=no_wait) as fetcher:
        with pytest.raises(error, match=words):
            await fetcher.get(f"{base}/{name}", accept=["text/html"])


async def test_a_server_error_is_retried(site) -> None:
    base, seen = site
    async with Fetcher(LOCAL) as fetcher:
        result = await fetcher.get(f"{base}/flaky")
    assert result.status == 200 and len(seen) == 2


async def test_an_unchanged_page_is_served_from_the_cache(site) -> None:
    base, seen = site
    async with Fetcher(LOCAL) as fetcher:
        first = await fetcher.get(f"{base}/etag")
        second = await fetcher.get(f"{base}/etag")
    assert second.body == first.body
    assert seen[1].headers["If-None-Match"] == '"v1"'


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "http://user:pw@example.org/"]
)
async def test_other_schemes_and_credentials_are_refused(url: str) -> None:
    async with Fetcher(FetchSettings()) as fetcher:
        with pytest.raises(FetchRefused):
            await fetcher.get(url)


async def test_requests_to_one_host_are_limited_to_the_per_host_bound() -> None:
    import asyncio

    active = 0
    peak = 0

    async def slow(_: web.Request) -> web.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.05)
        active -= 1
        return web.Response(body=b"<p>ok</p>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{n}", slow)
    async with serving(app) as base:
        settings = FetchSettings(allow_loopback=True, per_host_limit=2)
        async with Fetcher(settings) as fetcher:
            await asyncio.gather(*(fetcher.get(f"{base}/{i}") for i in range(8)))
    assert peak == 2
