"""Network failures say what happened, and only what retrying can fix is retried."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.config import FetchConfig
from bot.errors import FetchError, NotFoundError, RateLimited
from bot.fetch import Fetcher, FetchSettings
from tests.localweb import read_link, serving

PAGE = (Path(__file__).parent / "fixtures" / "wordpress-post.html").read_bytes()
LOCAL = FetchSettings(allow_loopback=True, retries=2, backoff=0.01, deadline=20)


class NoSuchName(AbstractResolver):
    """What the system resolver does offline or for a typo: fail, having connected nowhere."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        return None


class Delays:
    """Stands in for the fetcher's sleep: records each wait, waits not at all."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def fetcher(settings: FetchSettings = LOCAL, **kw: object) -> tuple[Fetcher, Delays]:
    f = Fetcher(settings, **kw)  # type: ignore[arg-type]
    delays = Delays()
    f._sleep = delays  # type: ignore[assignment]
    return f, delays


async def test_a_name_that_does_not_resolve_says_so_and_is_not_retried() -> None:
    resolver = NoSuchName()
    f, delays = fetcher(FetchSettings(retries=2), resolver=resolver)
    async with f:
        with pytest.raises(FetchError) as caught:
            await f.get("https://example.com/post")
    assert caught.value.message == "example.com does not resolve: is this machine online?"
    assert resolver.asked == ["example.com"] and delays.waits == []


@pytest.fixture
async def site() -> AsyncIterator[tuple[str, dict[str, list[str]]]]:
    seen: dict[str, list[str]] = {}
    answers = {
        "slow-down": [(429, {"Retry-After": "2"}), (200, {})],
        "down-until": [(503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), (200, {})],
        "busy": [(503, {})] * 10,
        "gone": [(404, {})] * 10,
        "nope": [(403, {})] * 10,
    }

    async def handler(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        seen.setdefault(name, []).append(request.path)
        status, headers = answers[name][len(seen[name]) - 1]
        if status == 200:
            return web.Response(body=PAGE, content_type="text/html")
        return web.Response(status=status, headers=headers)

    app = web.Application()
    app.router.add_get("/{name}", handler)
    async with serving(app) as base:
        yield base, seen


async def test_retry_after_is_honoured_on_429_and_503(site) -> None:
    base, seen = site
    f, delays = fetcher()
    async with f:
        assert (await f.get(f"{base}/slow-down")).status == 200
        assert (await f.get(f"{base}/down-until")).status == 200  # a date in the past: now
    assert len(seen["slow-down"]) == 2 and len(seen["down-until"]) == 2
    assert delays.waits == [2.0, 0.0]


async def test_a_wait_longer_than_the_time_limit_is_not_waited_for(site) -> None:
    base, seen = site
    f, delays = fetcher(FetchSettings(allow_loopback=True, retries=2, deadline=1.5))
    async with f:
        with pytest.raises(RateLimited, match="retry after 2 s"):
            await f.get(f"{base}/slow-down")
    assert len(seen["slow-down"]) == 1 and delays.waits == []


@pytest.mark.parametrize("name", ["gone", "nope"])
async def test_client_errors_are_not_retried(site, name: str) -> None:
    base, seen = site
    f, delays = fetcher()
    async with f:
        with pytest.raises(FetchError if name == "nope" else NotFoundError):
            await f.get(f"{base}/{name}")
    assert len(seen[name]) == 1 and delays.waits == []


async def test_server_errors_are_retried_with_jittered_backoff(site) -> None:
    base, seen = site
    waits: list[float] = []
    for _ in range(8):
        f, delays = fetcher(FetchSettings(allow_loopback=True, retries=2, backoff=1.0))
        async with f:
            with pytest.raises(FetchError, match="HTTP 503"):
                await f.get(f"{base}/busy")
        first, second = delays.waits
        assert 0.5 <= first <= 1.5 and 1.0 <= second <= 3.0
        waits += delays.waits
        seen.clear()
    assert len(set(waits)) == len(waits), "no two clients wait in step"


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    request = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
    ]
    subprocess.run(
        ["openssl", *request, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def test_a_bad_certificate_says_so_and_is_not_retried(self_signed: ssl.SSLContext) -> None:
    seen: list[str] = []

    async def page(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.Response(body=PAGE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=self_signed)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    f, delays = fetcher()
    attempts = 0
    once = f._once

    async def counted(url):  # type: ignore[no-untyped-def]
        nonlocal attempts
        attempts += 1
        return await once(url)

    f._once = counted  # type: ignore[method-assign]
    try:
        async with f:
            with pytest.raises(FetchError) as caught:
                await f.get(f"https://127.0.0.1:{port}/")
    finally:
        await runner.cleanup()
    assert "127.0.0.1's secure connection failed: self-signed certificate" in caught.value.message
    assert attempts == 1 and delays.waits == [] and seen == []


async def test_a_hacker_news_error_names_the_site_the_user_linked(site) -> None:
    base, _ = site
    config = FetchConfig(allow_loopback=True, hackernews_api=f"{base}/gone")
    with pytest.raises(NotFoundError) as caught:
        await read_link("https://news.ycombinator.com/item?id=4100", config)
    assert caught.value.message.startswith("news.ycombinator.com (read through 127.0.0.1)")
