"""Downloads of user-supplied URLs, safely: guarded addresses, size and time limits, retries.

* Every hop (the URL and each redirect, at most `max_redirects`) is checked: scheme, credentials,
  port, and the address. Names are resolved once by `GuardedResolver`, which hands aiohttp only
  the addresses it checked, so the connection goes to exactly the address that passed.
* The body is read in chunks and refused past `max_bytes`, compressed or not: gzip, deflate and
  brotli are decompressed here, incrementally, with the same cap (a small bomb is still refused).
* Timeouts, dropped connections and 5xx answers are retried with jittered exponential backoff;
  what retrying cannot fix is not retried: a name that does not resolve, a bad certificate, 4xx
  answers (AccessDenied, NotFoundError, RateLimited). A 429 or 503 with Retry-After is retried after
  the wait it asks for, when that fits in the time limit.
* A small cache sends If-None-Match / If-Modified-Since and serves its copy on 304.

One `Fetcher` serves a whole process (the bot owns one, a CLI run owns one), so the cache and
the per-host limits hold across briefs and digest polls. What it sends through is a `Transport`:
`AiohttpTransport` on the network (where the address guard also checks every resolved name),
`MockTransport` in tests, which answers in-process. The checks above are the Fetcher's own and
apply whatever the transport.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import random
import re
import socket
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol

import aiohttp
import brotli
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDict
from yarl import URL

from bot.config import FetchConfig
from bot.errors import (
    AccessDenied,
    BadInput,
    FetchError,
    FetchRefused,
    MalformedInput,
    NotFoundError,
    RateLimited,
    TooLarge,
    UnsupportedSource,
)
from bot.fetch.netguard import Policy, check_address, check_host_name, literal_address

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
    deadline: float = 45.0
    """Seconds for everything one source read asks of the network: all requests, redirects and
    retries together. A slow server can hold a worker this long, never longer."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes = field(repr=False)
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)


def settings_from(config: FetchConfig) -> FetchSettings:
    """The fetcher's settings from the `[fetch]` table of the config."""
    return FetchSettings(
        connect_timeout=config.connect_timeout,
        total_timeout=config.total_timeout,
        max_bytes=int(config.max_download_mb * 2**20),
        max_redirects=config.max_redirects,
        retries=config.retries,
        per_host_limit=config.per_host_limit,
        allow_loopback=config.allow_loopback,
        deadline=config.deadline,
    )


@dataclass(frozen=True, slots=True)
class Request:
    """One GET the fetcher sends: the address (already checked) and its headers."""

    url: URL
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Response:
    """A transport's answer. `chunks` is read once, and only while the `send` context is open;
    the fetcher counts and caps its bytes itself."""

    status: int
    headers: Mapping[str, str]
    """Looked up case-insensitively (a `CIMultiDict`)."""
    chunks: AsyncIterator[bytes] = field(repr=False)
    url: str = ""
    """Where the answer came from; empty means the URL asked for."""

    @classmethod
    def of(
        cls,
        status: int = 200,
        body: bytes = b"",
        headers: Mapping[str, str] | Sequence[tuple[str, str]] = (),
        *,
        url: str = "",
    ) -> Response:
        """An answer held in memory, as a test's transport gives it."""

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 65536):
                yield body[start : start + 65536]

        return cls(status, CIMultiDict(headers), chunks(), url)


class Transport(Protocol):
    """What the fetcher sends requests through (httpx's transports are the model)."""

    def send(self, request: Request) -> AbstractAsyncContextManager[Response]:
        """Open the answer to `request`; network failures raise aiohttp's ClientError types."""
        ...

    async def aclose(self) -> None: ...


Handler = Callable[[Request], "Response | Awaitable[Response]"]


class MockTransport:
    """Answers each request with `handler(request)`, in-process: no socket is opened.

    The handler may raise what a real transport raises (`aiohttp.ClientConnectionError`,
    `TimeoutError`) to stand for a network failure."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []

    @asynccontextmanager
    async def send(self, request: Request) -> AsyncIterator[Response]:
        self.requests.append(request)
        answer = self.handler(request)
        if not isinstance(answer, Response):
            answer = await answer
        yield answer

    async def aclose(self) -> None:
        return None


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


class AiohttpTransport:
    """The network: one aiohttp session, opened on first use, whose every connection goes to an
    address `GuardedResolver` checked. Decompression is left to the fetcher (it caps it)."""

    def __init__(
        self, settings: FetchSettings, policy: Policy, resolver: AbstractResolver | None = None
    ) -> None:
        self.settings = settings
        self.policy = policy
        self._inner = resolver
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Made here, in the running loop: aiohttp's resolver and session belong to one loop.
        if self._session is None or self._session.closed:
            resolver = GuardedResolver(self.policy, self._inner)
            connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False, limit=32)
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                headers={"User-Agent": USER_AGENT},
                timeout=aiohttp.ClientTimeout(
                    total=self.settings.total_timeout, sock_connect=self.settings.connect_timeout
                ),
            )
        return self._session

    @asynccontextmanager
    async def send(self, request: Request) -> AsyncIterator[Response]:
        session = self._open()
        async with session.get(
            request.url, headers=dict(request.headers), allow_redirects=False
        ) as answer:
            yield Response(
                answer.status, answer.headers, answer.content.iter_chunked(65536), str(answer.url)
            )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


_PIECE = 256 * 1024
"""Decompressed bytes produced per step: a small bomb never holds more than this at once."""


class _Decoder:
    """Incremental decompression in bounded pieces, with a cap on the decompressed size.

    zlib and brotli are both asked for at most `_PIECE` bytes per call (zlib's `max_length`,
    brotli's `output_buffer_limit`), so a 1.6 KB brotli body that expands to 1 GiB is refused once
    the cap is passed, having held a few hundred KB, not the gigabyte. A stream that stops before
    its end (a truncated gzip) is refused by `finish`, never read as a partial page.
    """

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.encoding = encoding
        self._zlib: Any = None
        self._brotli: Any = None
        self._raw_deflate_tried = False
        self._seen = b""
        self._brotli_errors: tuple[type[Exception], ...] = ()
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif encoding == "br":
            self._brotli = brotli.Decompressor()
            self._brotli_errors = (brotli.error,)
        elif encoding not in ("", "identity"):
            raise UnsupportedSource(
                f"The server sent the page with an encoding I can't read ({encoding[:40]})."
            )

    def _damaged(self) -> MalformedInput:
        return MalformedInput(
            f"The server sent a damaged {self.encoding} body: it does not decompress.",
            hint="Try again later, or copy the page as text and upload it.",
        )

    def _grow(self, piece: bytes, out: list[bytes]) -> None:
        self.size += len(piece)
        if self.size > self.limit:
            raise TooLarge(
                f"The page is larger than {self.limit / 2**20:g} MB once uncompressed.",
                hint="Ask the bot's owner to raise fetch.max_download_mb, or upload an export.",
            )
        out.append(piece)

    def feed(self, chunk: bytes) -> bytes:
        out: list[bytes] = []
        if self._zlib is None and self._brotli is None:
            self._grow(bytes(chunk), out)
            return out[0]
        try:
            if self._zlib is not None:
                self._feed_zlib(bytes(chunk), out)
            else:
                self._feed_brotli(bytes(chunk), out)
        except zlib.error:
            raise self._damaged() from None
        except self._brotli_errors:
            raise self._damaged() from None
        return b"".join(out)

    def _feed_zlib(self, data: bytes, out: list[bytes]) -> None:
        if self.encoding == "deflate" and not self._raw_deflate_tried:
            # "deflate" is zlib-wrapped by the standard, raw in some servers: tell them apart by
            # the zlib header (method 8, header checksum a multiple of 31).
            self._seen += data
            if len(self._seen) < 2:
                return
            first, second = self._seen[0], self._seen[1]
            if not (first & 0x0F == 8 and ((first << 8) | second) % 31 == 0):
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            self._raw_deflate_tried = True
            data, self._seen = self._seen, b""
        while not self._zlib.eof:
            piece = self._zlib.decompress(data, _PIECE)
            self._grow(piece, out)
            data = self._zlib.unconsumed_tail
            if not data and len(piece) < _PIECE:
                break

    def _feed_brotli(self, data: bytes, out: list[bytes]) -> None:
        if self._brotli.is_finished():
            return
        self._grow(self._brotli.process(data, output_buffer_limit=_PIECE), out)
        while not self._brotli.can_accept_more_data() and not self._brotli.is_finished():
            self._grow(self._brotli.process(b"", output_buffer_limit=_PIECE), out)

    def finish(self) -> None:
        """Refuse a compressed body that ended before its end."""
        if self._seen or (self._zlib is not None and not self._zlib.eof):
            raise MalformedInput(
                f"The server's {self.encoding} body ends early: the page arrived incomplete.",
                hint="Try again later.",
            )
        if self._brotli is not None and not self._brotli.is_finished():
            raise MalformedInput(
                "The server's br body ends early: the page arrived incomplete.",
                hint="Try again later.",
            )


def _retry_after(header: str | None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), if it is valid."""
    if not header:
        return None
    value = header.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _media_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    media, _, params = header.partition(";")
    match = re.search(r"charset=\"?([\w.:-]+)", params, re.IGNORECASE)
    return media.strip().lower(), match.group(1) if match else None


class Fetcher:
    """The process's HTTP client: `async with Fetcher(settings) as f`, or `aclose()` when done.

    Each `get` has its own deadline (`settings.deadline`), or shares the one a caller passes as
    `ends` (from `deadline()`), so every request one source read makes counts against one budget.
    """

    def __init__(
        self,
        settings: FetchSettings,
        resolver: AbstractResolver | None = None,
        *,
        transport: Transport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.policy = Policy(allow_loopback=settings.allow_loopback)
        self.transport: Transport = transport or AiohttpTransport(settings, self.policy, resolver)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._random = random.Random()
        self._sleep = sleep
        """Waits between retries: a test passes one that records the wait and returns."""
        self._cache: OrderedDict[str, tuple[str | None, str | None, FetchResult]] = OrderedDict()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.transport.aclose()

    def deadline(self) -> float:
        """The loop time by which one source read, started now, must be done."""
        return asyncio.get_running_loop().time() + self.settings.deadline

    def check_url(self, url: URL) -> None:
        """Refuse a URL before any connection: scheme, credentials, port, host and address.

        The host is read here, never left to the HTTP client: numeric spellings are checked as
        the addresses they name, and malformed names are refused with the fault named.
        """
        if url.scheme not in ("http", "https"):
            raise FetchRefused(
                f"I only read http and https links, not {url.scheme[:20]}: links."
                if url.scheme
                else f"'{str(url)[:200]}' is not a link.",
                hint="Give a link that starts with https://.",
            )
        if url.user is not None or url.password is not None:
            raise FetchRefused("Links with a user name or password in them are not read.")
        host = url.raw_host
        if not host:
            raise BadInput("This link has no host name.", hint="Give a full https:// link.")
        try:
            address = literal_address(host)
        except ValueError:
            raise BadInput(
                f"The link's host {host[:80]} looks like a numeric address but is not a valid one.",
                hint="Check the link.",
            ) from None
        if address is None:
            check_host_name(host)
        else:
            check_address(address, self.policy, host=host)
            canonical = str(address)
            if isinstance(address, ipaddress.IPv4Address) and host.rstrip(".") != canonical:
                raise FetchRefused(
                    f"The link writes the address {canonical} in an unusual form ({host[:40]}).",
                    hint=f"Write it as {canonical}.",
                )
        loopback = address is not None and address.is_loopback
        if url.port not in ALLOWED_PORTS and not (loopback and self.policy.allow_loopback):
            raise FetchRefused(f"I only read links on the usual web ports, not port {url.port}.")

    @staticmethod
    def _remaining(ends: float) -> float:
        return ends - asyncio.get_running_loop().time()

    def _deadline_passed(self) -> FetchError:
        return FetchError(
            f"Reading this link took longer than the {self.settings.deadline:g} s allowed for "
            "one source (fetch.deadline), all requests and retries together.",
            hint="The site is too slow right now; try again later.",
        )

    async def get(
        self,
        url: str,
        *,
        accept: Sequence[str] = (),
        shown_as: str | None = None,
        ends: float | None = None,
    ) -> FetchResult:
        """Download `url` (following redirects) and check its media type is one of `accept`.

        `shown_as` names the site in error messages when `url` is an API the user never typed
        (a Hacker News link is read through hn.algolia.com)."""
        ends = self.deadline() if ends is None else ends
        current = parse_link(url)
        previous: URL | None = None
        for _ in range(self.settings.max_redirects + 1):
            try:
                self.check_url(current)
            except BadInput as e:
                if previous is None:
                    raise
                raise FetchError(
                    f"{previous.host} redirected to a malformed address: {e.message}",
                    hint="Give the final address of the page.",
                ) from None
            result = await self._with_retries(current, shown_as or current.host or "", ends)
            if result.status in (301, 302, 303, 307, 308):
                location = dict(result.headers).get("location")
                if not location:
                    raise FetchError(f"{current.host} redirected without saying where to.")
                previous, current = current, _redirect_target(current, location)
                continue
            if accept and result.content_type not in accept:
                kind = result.content_type[:80] or "an unknown type"
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

    async def _with_retries(self, url: URL, name: str, ends: float) -> FetchResult:
        """Retry what may pass (timeouts, refused or reset connections, 5xx), with jitter;
        never what cannot (a name that does not resolve, a bad certificate, 4xx); wait as long
        as a 429 or 503 asks (Retry-After) when that fits in the time limit."""
        attempt = 0
        while True:
            delay = self.settings.backoff * 2**attempt * (0.5 + self._random.random())
            remaining = self._remaining(ends)
            if remaining <= 0:
                raise self._deadline_passed()
            try:
                async with asyncio.timeout(remaining):
                    result = await self._once(url)
            except TimeoutError as e:
                if self._remaining(ends) <= 0:
                    raise self._deadline_passed() from None
                if attempt >= self.settings.retries:
                    tries = f" (each of {attempt + 1} tries)" if attempt else ""
                    raise FetchError(
                        f"{name} did not answer within {self.settings.total_timeout:g} s{tries}.",
                        hint="Try again later.",
                    ) from e
            except aiohttp.InvalidURL:
                raise BadInput(
                    f"The link {str(url)[:200]} is not one I can read.", hint="Check the link."
                ) from None
            except aiohttp.ClientConnectorDNSError:
                raise FetchError(
                    f"{name} does not resolve: is this machine online?",
                    hint="If it is, check the spelling of the link.",
                ) from None
            except aiohttp.ClientSSLError as e:
                reason = getattr(e, "certificate_error", None) or getattr(e, "os_error", e)
                raise FetchError(
                    f"{name}'s secure connection failed: "
                    f"{getattr(reason, 'verify_message', None) or reason}.",
                    hint="The site's certificate is not valid; copy the page as text instead.",
                ) from None
            except aiohttp.ClientConnectionError:
                if attempt >= self.settings.retries:
                    raise FetchError(
                        f"I could not connect to {name}, or it closed the connection early.",
                        hint="Check the link, or try again later.",
                    ) from None
            except (aiohttp.ClientResponseError, aiohttp.ClientPayloadError) as e:
                raise _malformed_response(url, e) from None
            else:
                wait = _retry_after(dict(result.headers).get("retry-after"))
                if result.status in (429, 503) and wait is not None:
                    if wait >= self._remaining(ends) or attempt >= self.settings.retries:
                        return self._check_status(url, result, name)
                    delay = wait
                elif result.status < 500 or attempt >= self.settings.retries:
                    return self._check_status(url, result, name)
            attempt += 1
            if delay >= self._remaining(ends):
                raise self._deadline_passed()
            await self._sleep(delay)

    def _check_status(self, url: URL, result: FetchResult, name: str) -> FetchResult:
        status = result.status
        if status in (401, 403):
            raise AccessDenied(
                f"{name} refused to show this page (HTTP {status}): it needs "
                "a login or blocks readers.",
                hint="Copy the page as text and upload it instead.",
            )
        if status in (404, 410):
            raise NotFoundError(
                f"{name} says this page does not exist (HTTP {status}).", hint="Check the link."
            )
        if status == 429:
            wait = dict(result.headers).get("retry-after")
            raise RateLimited(
                f"{name} asks me to slow down (HTTP 429)"
                + (f"; it says to retry after {wait} s." if wait else "."),
                hint="Try again in a few minutes.",
            )
        if status >= 400:
            raise FetchError(
                f"{name} answered with an error (HTTP {status}).", hint="Try again later."
            )
        return result

    async def _once(self, url: URL) -> FetchResult:
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
        async with slots, self.transport.send(Request(url, headers)) as response:
            if response.status == 304 and cached is not None:
                self._cache.move_to_end(key)
                return cached[2]
            media, charset = _media_type(response.headers.get("Content-Type"))
            declared = response.headers.get("Content-Length")
            limit = self.settings.max_bytes
            if declared and declared.strip().isdigit() and int(declared) > limit:
                raise self._too_large()
            decoder = _Decoder(response.headers.get("Content-Encoding", "").lower(), limit)
            chunks: list[bytes] = []
            received = 0
            async for chunk in response.chunks:
                received += len(chunk)
                if received > limit:
                    raise self._too_large()
                chunks.append(decoder.feed(chunk))
            decoder.finish()
            result = FetchResult(
                url=response.url or str(url),
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


def parse_link(link: str) -> URL:
    """A user's link as a URL, or BadInput naming what makes it unreadable.

    A backslash in the authority is refused outright: browsers read it as "/", RFC 3986 parsers
    as part of the user name or host, so the two would reach different hosts.
    """
    text = link.strip()
    _, sep, rest = text.partition("://")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0] if sep else ""
    if "\\" in authority:
        raise BadInput(
            "The link has a backslash (\\) in its host part, which browsers and servers read "
            "differently.",
            hint="Check the link; use / after the host name.",
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in authority):
        raise BadInput("The link has a space or control character in its host name.")
    try:
        return URL(text)
    except ValueError as e:
        raise BadInput(
            f"'{text[:200]}' is not a valid link ({_why_invalid(e)}).", hint="Check the link."
        ) from None


def _why_invalid(error: ValueError) -> str:
    if isinstance(error, UnicodeError):
        return "its host name is not a valid international name"
    reason = str(error).split(":", 1)[0].strip().rstrip(".")
    if "IPv6" in reason:
        return "its [IPv6] address is not closed or not valid"
    return reason[:80] or "it cannot be parsed"


def _redirect_target(current: URL, location: str) -> URL:
    try:
        target = current.join(parse_link(location))
    except (BadInput, ValueError):
        raise FetchError(
            f"{current.host} redirected to a malformed address ({location[:100]}).",
            hint="Give the final address of the page.",
        ) from None
    return target


def _malformed_response(url: URL, error: aiohttp.ClientError) -> FetchError:
    """A broken HTTP answer (bad status line, oversized headers, bad chunk, short body)."""
    text = str(getattr(error, "message", "") or error)
    if isinstance(error, aiohttp.ClientPayloadError):
        what = "the page stopped before its end or was sent in broken pieces"
    elif "too long" in text.lower() or "too many" in text.lower():
        what = "its headers are too large"
    else:
        what = "its answer is not valid HTTP"
    return FetchError(
        f"{url.host} sent a malformed response: {what}.", hint="Try again later, or another link."
    )
