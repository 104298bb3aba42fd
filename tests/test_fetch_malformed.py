"""Broken and hostile servers: every malformed answer ends as one clear error, bounded in memory.

The servers are raw sockets on 127.0.0.1 that write exactly the bytes under test, so the HTTP
client sees what a broken or hostile server sends, not what a well-behaved framework would.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import brotli
import pytest

from bot import cli
from bot.errors import FetchError, MalformedInput, ThreadBriefError, TooLarge
from bot.fetch import Fetcher, FetchSettings

PAGE = b"<html><head><title>Tram</title></head><body><p>" + b"The tram runs. " * 200 + b"</p>"


@asynccontextmanager
async def raw_server(answer: bytes | Callable[..., object]) -> AsyncIterator[str]:
    """Answer every request with `answer` (bytes, or a coroutine writing to the socket)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            if callable(answer):
                await answer(writer)  # type: ignore[misc]
            else:
                writer.write(answer)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.close()


def response(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    head = [f"HTTP/1.1 {status}", "Content-Type: text/html", "Connection: close", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def with_length(body: bytes, encoding: str) -> bytes:
    return response(body, f"Content-Encoding: {encoding}", f"Content-Length: {len(body)}")


@functools.cache
def brotli_bomb() -> bytes:
    """About 1.6 KB of brotli that expands to 1 GiB of zeros."""
    compressor = brotli.Compressor(quality=5)
    zeros = bytes(2**20)
    return b"".join([*(compressor.process(zeros) for _ in range(1024)), compressor.finish()])


LOCAL = FetchSettings(allow_loopback=True, retries=0, max_bytes=2**20, total_timeout=5)


async def fetch(answer: bytes | Callable[..., object], settings: FetchSettings = LOCAL) -> bytes:
    async with raw_server(answer) as url, Fetcher(settings) as fetcher:
        return (await fetcher.get(url)).body


def truncated(body: bytes) -> bytes:
    return body[: len(body) // 2]


MALFORMED: dict[str, tuple[bytes, type[ThreadBriefError], str]] = {
    "bad deflate": (
        with_length(b"\x78\x9c" + b"garbage" * 20, "deflate"),
        MalformedInput,
        "damaged",
    ),
    "bad gzip": (with_length(b"\x1f\x8b" + b"garbage" * 20, "gzip"), MalformedInput, "damaged"),
    "bad brotli": (with_length(b"\xff" * 64, "br"), MalformedInput, "damaged"),
    "truncated gzip": (
        with_length(truncated(gzip.compress(PAGE * 4)), "gzip"),
        MalformedInput,
        "ends early",
    ),
    "truncated brotli": (
        with_length(truncated(brotli.compress(PAGE * 4)), "br"),
        MalformedInput,
        "ends early",
    ),
    "truncated body": (
        response(PAGE[:100], f"Content-Length: {len(PAGE)}"),
        FetchError,
        "stopped before its end",
    ),
    "1 MB header": (response(PAGE, "X-Big: " + "a" * 2**20), FetchError, "malformed response"),
    "100,000 headers": (
        response(PAGE, *(f"X-H{i}: v" for i in range(100_000))),
        FetchError,
        "malformed response",
    ),
    "bad chunk": (
        response(b"zz\r\nhello\r\n0\r\n\r\n", "Transfer-Encoding: chunked"),
        FetchError,
        "malformed response",
    ),
    "garbage status line": (b"HTXP/9 banana\r\n\r\nhello", FetchError, "malformed response"),
    "negative Content-Length": (response(PAGE, "Content-Length: -5"), FetchError, "malformed"),
    "bad redirect": (
        response(b"", "Location: http://[::1", status="302 Found"),
        FetchError,
        "redirected to a malformed address",
    ),
    "no answer at all": (b"", FetchError, "could not connect|closed the connection"),
}


@pytest.mark.parametrize("case", MALFORMED)
async def test_a_malformed_response_is_one_clear_error(case: str) -> None:
    answer, error, words = MALFORMED[case]
    with pytest.raises(error, match=words):
        await fetch(answer)


@pytest.mark.parametrize("encoding", ["deflate", "gzip", "br"])
async def test_compressed_pages_are_read_whole(encoding: str) -> None:
    body = {
        "deflate": zlib.compress(PAGE * 40),
        "gzip": gzip.compress(PAGE * 40),
        "br": brotli.compress(PAGE * 40),
    }[encoding]
    assert await fetch(with_length(body, encoding)) == PAGE * 40


async def test_raw_deflate_is_read_too() -> None:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = packer.compress(PAGE * 40) + packer.flush()
    assert await fetch(with_length(body, "deflate")) == PAGE * 40


@pytest.mark.parametrize("encoding", ["deflate", "gzip", "br"])
async def test_a_decompression_bomb_is_refused_in_bounded_memory(encoding: str) -> None:
    body = {
        "deflate": zlib.compress(bytes(16 * 2**20), 9),
        "gzip": gzip.compress(bytes(16 * 2**20), 9),
        "br": brotli_bomb(),
    }[encoding]
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge, match="larger than 1 MB once uncompressed"):
            await fetch(with_length(body, encoding))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20, f"{encoding}: {peak / 2**20:.1f} MB held for a 1 MB cap"


def test_the_brotli_bomb_is_small() -> None:
    assert len(brotli_bomb()) < 2000


async def test_the_command_line_reports_a_malformed_response_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nallow_loopback = true\nretries = 0\n")
    answer, _, _ = MALFORMED["truncated gzip"]
    async with raw_server(answer) as url:
        code = await asyncio.to_thread(cli.main, ["--config", str(config), "summarize", url])
    err = capsys.readouterr().err
    assert code == 2 and "ends early" in err and err.count("\n") == 1


async def slowloris(writer: asyncio.StreamWriter) -> None:
    """Headers at once, then one byte of body every 0.1 s, for ever."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
    while True:
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(0.1)


async def test_a_slowloris_server_is_cut_off_by_the_request_timeout_named_right() -> None:
    settings = FetchSettings(allow_loopback=True, retries=1, backoff=0.01, total_timeout=0.5)
    with pytest.raises(FetchError, match=r"did not answer within 0\.5 s \(each of 2 tries\)"):
        await fetch(slowloris, settings)


async def test_a_slowloris_server_cannot_outlast_the_deadline_of_the_whole_read() -> None:
    settings = FetchSettings(
        allow_loopback=True, retries=5, backoff=0.01, total_timeout=0.4, deadline=1.0
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(FetchError, match=r"longer than the 1 s allowed for one source"):
        await fetch(slowloris, settings)
    # Operation count, not timing: six tries of 0.4 s would need 2.4 s; the read stopped at
    # its deadline, before the fourth try began.
    assert loop.time() - started < 2.4
