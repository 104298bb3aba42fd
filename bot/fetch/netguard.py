"""Which addresses a user-supplied URL may reach.

A URL given to a public bot must not become a way into the bot's own network: loopback, private
ranges, link-local (cloud metadata at 169.254.169.254), multicast, reserved, documentation and
other special-use addresses are refused, in IPv4 and IPv6, including IPv6 forms that embed an IPv4
address (IPv4-mapped and -compatible, NAT64, 6to4, Teredo). The special-use ranges are listed here
from IANA's registries rather than taken from `ipaddress.is_global`, whose table differs between
Python versions (3.11 calls 192.0.0.8 and 192.88.99.1 global).

Host names are read here too, never left to the HTTP client: every spelling that `inet_aton` and
browsers accept as an IPv4 address ("10.1", "0177.0.0.1", "017700000001", "0x7f.1") is turned
into the address it names and checked like one, and a host that ends in a number but is no
address at all ("1.2.3.999") is refused rather than handed to a resolver that might guess. The
check also runs on the resolved address that will be connected to (see `client.GuardedResolver`),
so a DNS answer cannot change between check and connection.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from bot.errors import BadInput, FetchRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SIXTO4 = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_COMPATIBLE = ipaddress.ip_network("::/96")
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")

_V4_SPECIAL: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "an unspecified address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a carrier-grade NAT address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "a reserved address"),  # IETF protocol assignments (incl. 192.0.0.8)
    ("192.0.2.0/24", "a documentation address"),
    ("192.88.99.0/24", "a reserved address"),  # 6to4 relay anycast, deprecated
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a reserved address"),  # benchmarking
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("224.0.0.0/4", "a multicast address"),
    ("240.0.0.0/4", "a reserved address"),  # includes 255.255.255.255
)
_V6_SPECIAL: tuple[tuple[str, str], ...] = (
    ("2001::/23", "a reserved address"),  # IETF protocol assignments (Teredo handled first)
    ("2001:db8::/32", "a documentation address"),
    ("3fff::/20", "a documentation address"),
)
V4_SPECIAL = tuple((ipaddress.IPv4Network(net), why) for net, why in _V4_SPECIAL)
V6_SPECIAL = tuple((ipaddress.IPv6Network(net), why) for net, why in _V6_SPECIAL)


@dataclass(frozen=True, slots=True)
class Policy:
    allow_loopback: bool = False
    """Tests opt in to reach 127.0.0.0/8 and ::1; nothing else private is ever allowed."""


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or address in _NAT64_LOCAL or address in _COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIXTO4:
        return address.sixtofour
    if address in _TEREDO and address.teredo is not None:
        return address.teredo[1]
    return None


def _why_refused_v6(address: ipaddress.IPv6Address, policy: Policy) -> str | None:
    if address == ipaddress.IPv6Address("::1"):
        return None if policy.allow_loopback else "a loopback address"
    if address == ipaddress.IPv6Address("::"):
        return "an unspecified address"
    inner = _embedded_v4(address)
    if inner is not None:
        reason = _why_refused(inner, policy)
        if inner.is_loopback and reason is None:
            return "a loopback address written as IPv6"  # only ::1 is opted in
        return f"{reason} ({inner}, written as IPv6)" if reason else None
    if address.is_multicast:
        return "a multicast address"
    if address.is_link_local or address in ipaddress.IPv6Network("fec0::/10"):
        return "a link-local address"
    if address in ipaddress.IPv6Network("fc00::/7"):
        return "a private address"
    if address not in _GLOBAL_UNICAST_V6:
        return "a reserved address"
    for network, why in V6_SPECIAL:
        if address in network:
            return why
    return None


def _why_refused(address: IPAddress, policy: Policy) -> str | None:
    if isinstance(address, ipaddress.IPv6Address):
        return _why_refused_v6(address, policy)
    for network, why in V4_SPECIAL:
        if address in network:
            if why == "a loopback address" and policy.allow_loopback:
                return None
            return why
    return None


def check_address(address: str | IPAddress, policy: Policy, *, host: str | None = None) -> None:
    """Raise FetchRefused unless `address` is a public unicast address (or allowed loopback)."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    reason = _why_refused(ip, policy)
    if reason is not None:
        where = f"{host} resolves to {ip}" if host and host != str(ip) else f"{ip}"
        if host and host != str(ip) and literal_address(host) is not None:
            where = f"{host} is the address {ip}"
        raise FetchRefused(
            f"I won't read that link: {where}, {reason}, which is not on the public internet.",
            hint="Give a link to a public web page.",
        )


_NUMBER = re.compile(r"(?:0[xX][0-9a-fA-F]*|[0-9]+)\Z")


def _inet_number(part: str) -> int:
    """One part of an inet_aton address: decimal, octal (leading 0) or hexadecimal (0x)."""
    if part[:2] in ("0x", "0X"):
        return int(part[2:], 16) if len(part) > 2 else 0
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)  # ValueError on "08": not a number in any base inet_aton reads
    return int(part)


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address `host` spells in any form inet_aton or a browser reads, or None.

    Raises ValueError for a host that ends in a number but names no address ("1.2.3.999",
    "10.0.0.08"): resolvers and HTTP clients disagree on such hosts, so none of them is read.
    """
    name = host[:-1] if host.endswith(".") else host
    parts = name.split(".")
    if not parts or not _NUMBER.match(parts[-1]):
        return None
    if len(parts) > 4 or not all(_NUMBER.match(p) for p in parts):
        raise ValueError(host)
    try:
        numbers = [_inet_number(p) for p in parts]
    except ValueError:
        raise ValueError(host) from None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        raise ValueError(host)
    value = last
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host names directly ("127.0.0.1", "[::1]", "127.1", "2130706433").

    Raises ValueError for a host that looks numeric but is no valid address.
    """
    if host.startswith("[") or ":" in host:
        return ipaddress.IPv6Address(host.strip("[]").split("%", 1)[0])
    return parse_ipv4(host)


_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?\Z")


def check_host_name(raw_host: str) -> None:
    """Refuse a host name no resolver should be asked about, with a message naming the fault.

    `raw_host` is the ASCII (IDNA-encoded) form. Labels must be 1 to 63 letters, digits, hyphens
    or underscores, not starting or ending with a hyphen, 253 characters at most in all, and an
    `xn--` label must decode as punycode.
    """
    name = raw_host[:-1] if raw_host.endswith(".") else raw_host
    hint = "Check the link's host name."
    if not name:
        raise BadInput("This link has no host name.", hint="Give a full https:// link.")
    if len(name) > 253:
        raise BadInput(f"The link's host name is {len(name)} characters long; 253 is the most.")
    for label in name.lower().split("."):
        if not label:
            raise BadInput(
                f"The link's host name {raw_host[:80]} has an empty part (..).", hint=hint
            )
        if len(label) > 63:
            raise BadInput(
                f"A part of the link's host name is {len(label)} characters long; 63 is the most.",
                hint=hint,
            )
        if label.startswith("xn--"):
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                raise BadInput(
                    f"The link's host name has an invalid international part: {label}.",
                    hint=hint,
                ) from None
        if not _LABEL.match(label):
            raise BadInput(
                f"The link's host name has a part that is not a valid name: {label[:63]}.",
                hint=hint,
            )
