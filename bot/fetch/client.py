"""Downloads of user-supplied URLs, safely: guarded addresses, size and time limits, retries.

* Every hop (the URL and each redirect, at most `max_redirects`) is checked: scheme, credentials,
  port, and the address. Names are resolved once by `GuardedResolver`, which hands aiohttp only
  the addresses it checked, so the connection goes to exactly the address that passed.
* The body is read in chunks and refused past `max_bytes`, compressed or not: gzip, deflate and
  brotli are decompressed here, incrementally, with the same cap (a small bomb is still refused).
* Timeouts and 5xx answers are retried with exponential backoff; 4xx answers become the specific
  errors users read (AccessDenied, NotFound, RateLimited).
* A small cache sends If-None-Match / If-Modified-Since and serves its copy on 304.
"""

from __future__ import annotations

import asyncio
import re
import socket
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.errors import (
    AccessDenied,
    BadInput,
    FetchError,
    FetchRefused,
    NotFound,
    RateLimited,
    TooLarge,
    UnsupportedSource,
)
from bot.fetch.netguard import Policy, check_address, literal_address

USER_AGENT = "ThreadBrief/0.1 (+https://github.com/threadbrief/threadbrief; thread summaries)"
ALLOWED_PORTS = frozenset({80, 443, 8080, 8443})


@dataclass(frozen=True, slots=True)
class FetchSettings:
    connect_timeout: float = 5.0
    total_timeout: float = 20.0
    max_bytes: int = 5 * 2**20
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 0.5
    per_host_limit: int = 4
    allow_loopback: bool = False
    cache_entries: int = 128


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes = field(repr=False)
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def text(self) -> str:
        from bot.sources import decode

        return decode(self.body, self.charset)


class GuardedResolver(AbstractResolver):
    """Resolves with an inner resolver, then keeps only addresses the policy allows."""

    def __init__(self, policy: Policy, inner: AbstractResolver | None = None) -> None:
        self.policy = policy
        self.inner = inner or aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self.inner.resolve(host, port, family)
        for result in results:
            check_address(result["host"], self.policy, host=host)
        return results

    async def close(self) -> None:
        await self.inner.close()


class _Decoder:
    """Incremental decompression with a cap on the decompressed size."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._zlib: Any = None
        self._brotli: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif encoding == "br":
            import brotli

            self._brotli = brotli.Decompressor()
        elif encoding not in ("", "identity"):
            raise UnsupportedSource(
                f"The server sent the page with an encoding I can't read ({encoding})."
            )

    def feed(self, chunk: bytes) -> bytes:
        if self._zlib is not None:
            out = self._zlib.decompress(chunk, self.limit - self.size + 1)
        elif self._brotli is not None:
            out = self._brotli.process(chunk)
        else:
            out = chunk
        self.size += len(out)
        if self.size > self.limit:
            raise TooLarge(
                f"The page is larger than {self.limit / 2**20:g} MB once uncompressed.",
                hint="Ask the bot's owner to raise fetch.max_download_mb, or upload an export.",
            )
        return bytes(out)


def _media_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    media, _, params = header.partition(";")
    match = re.search(r"charset=\"?([\w.:-]+)", params, re.IGNORECASE)
    return media.strip().lower(), match.group(1) if match else None


class Fetcher:
    """One HTTP session for a batch of downloads; use as `async with Fetcher(settings) as f`."""

    def __init__(self, settings: FetchSettings, resolver: AbstractResolver | None = None) -> None:
        self.settings = settings
        self.policy = Policy(allow_loopback=settings.allow_loopback)
        self._resolver = GuardedResolver(self.policy, resolver)
        self._session: aiohttp.ClientSession | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._cache: OrderedDict[str, tuple[str | None, str | None, FetchResult]] = OrderedDict()

    async def __aenter__(self) -> Fetcher:
        connector = aiohttp.TCPConnector(resolver=self._resolver, use_dns_cache=False, limit=32)
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            headers={"User-Agent": USER_AGENT},
            timeout=aiohttp.ClientTimeout(
                total=self.settings.total_timeout, sock_connect=self.settings.connect_timeout
            ),
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    def check_url(self, url: URL) -> None:
        """Refuse a URL before any connection: scheme, credentials, port, literal address."""
        if url.scheme not in ("http", "https"):
            raise FetchRefused(
                f"I only read http and https links, not {url.scheme}: links."
                if url.scheme
                else f"'{str(url)[:200]}' is not a link.",
                hint="Give a link that starts with https://.",
            )
        if url.user or url.password:
            raise FetchRefused("Links with a user name or password in them are not read.")
        if not url.host:
            raise BadInput("This link has no host name.", hint="Give a full https:// link.")
        address = literal_address(url.host)
        if address is not None:
            check_address(address, self.policy, host=url.host)
        loopback = address is not None and address.is_loopback
        if url.port not in ALLOWED_PORTS and not (loopback and self.policy.allow_loopback):
            raise FetchRefused(f"I only read links on the usual web ports, not port {url.port}.")

    async def get(self, url: str, *, accept: Sequence[str] = ()) -> FetchResult:
        """Download `url` (following redirects) and check its media type is one of `accept`."""
        assert self._session is not None, "use Fetcher in `async with`"
        current = URL(url)
        for _ in range(self.settings.max_redirects + 1):
            self.check_url(current)
            result = await self._with_retries(current)
            if result.status in (301, 302, 303, 307, 308):
                location = dict(result.headers).get("location")
                if not location:
                    raise FetchError(f"{current.host} redirected without saying where to.")
                current = current.join(URL(location))
                continue
            if accept and result.content_type not in accept:
                kind = result.content_type or "an unknown type"
                raise UnsupportedSource(
                    f"The link gives {kind}, not a page or thread I can read.",
                    hint="Link to the article page or the discussion itself.",
                )
            if not result.body.strip():
                raise BadInput(f"{current.host} sent an empty page.")
            return result
        raise FetchRefused(
            f"The link redirects more than {self.settings.max_redirects} times.",
            hint="Give the final address of the page.",
        )

    async def _with_retries(self, url: URL) -> FetchResult:
        attempt = 0
        while True:
            try:
                result = await self._once(url)
            except (TimeoutError, aiohttp.ClientConnectionError) as e:
                if attempt >= self.settings.retries:
                    if isinstance(e, TimeoutError):
                        raise FetchError(
                            f"{url.host} did not answer within {self.settings.total_timeout:g} s.",
                            hint="Try again later.",
                        ) from None
                    raise FetchError(
                        f"I could not connect to {url.host}.",
                        hint="Check the link, or try again later.",
                    ) from None
            else:
                if result.status < 500 or attempt >= self.settings.retries:
                    return self._check_status(url, result)
            attempt += 1
            await asyncio.sleep(self.settings.backoff * 2 ** (attempt - 1))

    def _check_status(self, url: URL, result: FetchResult) -> FetchResult:
        status = result.status
        if status in (401, 403):
            raise AccessDenied(
                f"{url.host} refused to show this page (HTTP {status}): it needs "
                "a login or blocks readers.",
                hint="Copy the page as text and upload it instead.",
            )
        if status in (404, 410):
            raise NotFound(
                f"{url.host} says this page does not exist (HTTP {status}).", hint="Check the link."
            )
        if status == 429:
            wait = dict(result.headers).get("retry-after")
            raise RateLimited(
                f"{url.host} asks me to slow down (HTTP 429)"
                + (f"; it says to retry after {wait} s." if wait else "."),
                hint="Try again in a few minutes.",
            )
        if status >= 400:
            raise FetchError(
                f"{url.host} answered with an error (HTTP {status}).", hint="Try again later."
            )
        return result

    async def _once(self, url: URL) -> FetchResult:
        assert self._session is not None
        key = str(url)
        cached = self._cache.get(key)
        headers = {"Accept-Encoding": "gzip, deflate, br"}
        if cached is not None:
            etag, modified, _ = cached
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        host = url.host or ""
        slots = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host_limit))
        async with (
            slots,
            self._session.get(url, headers=headers, allow_redirects=False) as response,
        ):
            if response.status == 304 and cached is not None:
                self._cache.move_to_end(key)
                return cached[2]
            media, charset = _media_type(response.headers.get("Content-Type"))
            declared = response.headers.get("Content-Length")
            limit = self.settings.max_bytes
            if declared and declared.isdigit() and int(declared) > limit:
                raise self._too_large()
            decoder = _Decoder(response.headers.get("Content-Encoding", "").lower(), limit)
            chunks: list[bytes] = []
            received = 0
            async for chunk in response.content.iter_chunked(65536):
                received += len(chunk)
                if received > limit:
                    raise self._too_large()
                chunks.append(decoder.feed(chunk))
            result = FetchResult(
                url=str(response.url),
                status=response.status,
                content_type=media,
                charset=charset,
                body=b"".join(chunks),
                headers=tuple((k.lower(), v) for k, v in response.headers.items()),
            )
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if result.status == 200 and (etag or modified):
            self._cache[key] = (etag, modified, result)
            while len(self._cache) > self.settings.cache_entries:
                self._cache.popitem(last=False)
        return result

    def _too_large(self) -> TooLarge:
        return TooLarge(
            f"The page is larger than {self.settings.max_bytes / 2**20:g} MB.",
            hint="Ask the bot's owner to raise fetch.max_download_mb, or upload an export.",
        )
