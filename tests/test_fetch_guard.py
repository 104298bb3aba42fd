"""A link cannot reach the bot's own network, however its host is spelled, first or redirected.

Every refusal here is decided before any connection: the tests forbid connecting at all (except
to the local test server), so a regression fails instead of reaching a private address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot import cli
from bot.errors import BadInput, FetchError, FetchRefused
from bot.fetch import Fetcher, FetchSettings, Policy, check_address
from bot.fetch.netguard import literal_address, parse_ipv4
from tests.localweb import serving

# Each inet_aton spelling and the address it names.
SPELLINGS = {
    "10.1": "10.0.0.1",
    "012.0.0.1": "10.0.0.1",
    "192.168.1": "192.168.0.1",
    "169.254.43518": "169.254.169.254",
    "0251.0376.0251.0376": "169.254.169.254",
    "127.1": "127.0.0.1",
    "127.0.1": "127.0.0.1",
    "0177.0.0.1": "127.0.0.1",
    "017700000001": "127.0.0.1",
    "127.000.000.001": "127.0.0.1",
    "0x7f.1": "127.0.0.1",
    "0x7f000001": "127.0.0.1",
    "2130706433": "127.0.0.1",
    "10.0.0.1.": "10.0.0.1",
    "167772161": "10.0.0.1",
}
SPECIAL = [
    "192.0.0.8",
    "192.0.0.9",
    "192.88.99.1",
    "192.0.2.1",
    "198.18.0.1",
    "198.51.100.7",
    "203.0.113.9",
    "255.255.255.255",
    "[::a00:1]",
    "[3fff::1]",
    "[2001:db8::1]",
    "[2001:2::1]",
    "[100::1]",
    "[fec0::1]",
    "[::ffff:169.254.169.254]",
    "[64:ff9b:1::a00:1]",
    "[fe80::1%25eth0]",
]
MALFORMED = {
    "http://a..b/": "empty part",
    "http://" + "a" * 70 + ".example/": "70 characters long; 63 is the most",
    "http://xn--/": "invalid international part",
    "http://[::1": "not a valid link",
    "http://example.org\\@10.0.0.1/": "backslash",
    "http://1.2.3.999/": "not a valid one",
    "http://10.0.0.08/": "not a valid one",
    "http://1.2.3.4.5/": "not a valid one",
    "http://a_b-.example/": "not a valid name",
    "http://exa mple.org/": "space",
}


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail any attempt to open a connection; records the hosts it was asked for."""
    attempts: list[str] = []

    async def refuse(self: object, req: aiohttp.ClientRequest, *args: object, **kw: object) -> None:
        attempts.append(str(req.url))
        raise AssertionError(f"attempted a connection to {req.url}")

    monkeypatch.setattr(aiohttp.TCPConnector, "connect", refuse)
    yield attempts
    assert attempts == []


@pytest.mark.parametrize(("spelling", "address"), SPELLINGS.items())
def test_every_inet_aton_spelling_names_its_address(spelling: str, address: str) -> None:
    assert literal_address(spelling) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["example.org", "1example.org", "a.b.c.d.e", "0x.example"])
def test_names_are_not_taken_for_addresses(host: str) -> None:
    assert parse_ipv4(host) is None


@pytest.mark.parametrize("host", ["1.2.3.999", "10.0.0.08", "1.2.3.4.5", "4294967296"])
def test_numeric_hosts_that_name_no_address_are_rejected(host: str) -> None:
    with pytest.raises(ValueError, match=host):
        parse_ipv4(host)


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_a_numeric_spelling_of_a_private_address_is_refused(
    spelling: str, no_connections: list[str]
) -> None:
    async with Fetcher(FetchSettings(retries=0)) as fetcher:
        with pytest.raises(FetchRefused, match=f"is the address {SPELLINGS[spelling]}"):
            await fetcher.get(f"http://{spelling}/")


@pytest.mark.parametrize("host", SPECIAL)
async def test_special_use_addresses_are_refused(host: str, no_connections: list[str]) -> None:
    async with Fetcher(FetchSettings(retries=0)) as fetcher:
        with pytest.raises(FetchRefused, match="not on the public internet"):
            await fetcher.get(f"http://{host}/")


@pytest.mark.parametrize("address", [h.strip("[]").split("%")[0] for h in SPECIAL])
def test_special_use_addresses_are_refused_when_resolved(address: str) -> None:
    with pytest.raises(FetchRefused):
        check_address(address, Policy())


async def test_an_unusual_spelling_of_a_public_address_is_refused(no_connections) -> None:
    async with Fetcher(FetchSettings(retries=0)) as fetcher:
        with pytest.raises(FetchRefused, match=r"Write it as 93\.184\.215\.14"):
            await fetcher.get("http://93.184.55054/")


@pytest.mark.parametrize(("url", "words"), MALFORMED.items())
async def test_malformed_links_are_refused_with_the_fault_named(
    url: str, words: str, no_connections: list[str]
) -> None:
    async with Fetcher(FetchSettings(retries=0)) as fetcher:
        with pytest.raises(BadInput, match=words):
            await fetcher.get(url)


@pytest.fixture
async def redirector() -> AsyncIterator[str]:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": request.query["to"]})

    app = web.Application()
    app.router.add_get("/go", handler)
    async with serving(app) as base:
        yield base


LOCAL = FetchSettings(allow_loopback=True, retries=0)


def _via(base: str, target: str) -> str:
    from urllib.parse import quote

    return f"{base}/go?to={quote(target, safe='')}"


@pytest.mark.parametrize("host", [*SPELLINGS, *SPECIAL])
async def test_a_redirect_to_any_spelling_is_refused(redirector: str, host: str) -> None:
    # The test server needs loopback allowed, so loopback spellings meet the form check instead.
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(FetchRefused, match=r"not on the public internet|in an unusual form"):
            await fetcher.get(_via(redirector, f"http://{host}/"))


@pytest.mark.parametrize("location", ["http://[::1", "http://a..b/", "http://x\\@10.0.0.1/"])
async def test_a_redirect_to_a_malformed_address_is_a_clear_error(
    redirector: str, location: str
) -> None:
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(FetchError, match="redirected to a malformed address"):
            await fetcher.get(_via(redirector, location))


@pytest.mark.parametrize(
    "url",
    [f"http://{h}/" for h in [*SPELLINGS, *SPECIAL]] + list(MALFORMED),
)
def test_the_command_line_refuses_each_link_with_exit_2(
    url: str, no_connections: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["summarize", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("threadbrief: ") and err.count("\n") == 1 and "internal" not in err


def test_aiohttp_is_pinned_to_the_range_the_guard_was_tested_with() -> None:
    import tomllib

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    (spec,) = [d for d in project["project"]["dependencies"] if d.startswith("aiohttp")]
    low, high = _bounds(spec)
    assert _version(low) <= _version(aiohttp.__version__) < _version(high)
    assert _version(high) <= (3, 15), "a new minor aiohttp needs this suite run against it first"


def _bounds(spec: str) -> tuple[str, str]:
    import re

    low, high = re.search(r">=\s*([\d.]+)", spec), re.search(r"<\s*([\d.]+)", spec)
    assert low and high, f"aiohttp must have a lower and an upper bound: {spec}"
    return low.group(1), high.group(1)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".")[:3] if p.isdigit())


def test_a_link_aiohttp_itself_refuses_is_one_clear_line_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # aiohttp 3.14 refuses some hosts itself, with InvalidUrlClientError, which once escaped as
    # an internal error; the guard refuses all of them first, so the client's refusal is forced.
    async def refuse(self: object, req: aiohttp.ClientRequest, *args: object, **kw: object) -> None:
        raise aiohttp.InvalidUrlClientError(req.url)

    monkeypatch.setattr(aiohttp.TCPConnector, "connect", refuse)
    assert cli.main(["summarize", "http://example.org/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("threadbrief: The link http://example.org/ is not one I can read.")
    assert err.count("\n") == 1 and "internal" not in err
