"""Which addresses a user-supplied URL may reach.

A URL given to a public bot must not become a way into the bot's own network: loopback, private
ranges, link-local (cloud metadata at 169.254.169.254), multicast, reserved and unspecified
addresses are refused, in IPv4 and IPv6, including IPv6 forms that embed an IPv4 address
(IPv4-mapped, NAT64, 6to4, Teredo). The check runs on the resolved address that will be connected
to (see `client.GuardedResolver`), so a DNS answer cannot change between check and connection.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from bot.errors import FetchRefused

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SIXTO4 = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class Policy:
    allow_loopback: bool = False
    """Tests opt in to reach 127.0.0.0/8 and ::1; nothing else private is ever allowed."""


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIXTO4:
        return address.sixtofour
    if address in _TEREDO and address.teredo is not None:
        return address.teredo[1]
    return None


def _why_refused(address: IPAddress, policy: Policy) -> str | None:
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_v4(address)
        if inner is not None:
            reason = _why_refused(inner, policy)
            return f"{reason} (inside {address})" if reason else None
    if address.is_loopback:
        return None if policy.allow_loopback else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "an unspecified address"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "a carrier-grade NAT address"
    if address.is_private:
        return "a private address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return None


def check_address(address: str | IPAddress, policy: Policy, *, host: str | None = None) -> None:
    """Raise FetchRefused unless `address` is a public unicast address (or allowed loopback)."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    reason = _why_refused(ip, policy)
    if reason is not None:
        where = f"{host} resolves to {ip}" if host and host != str(ip) else f"{ip}"
        raise FetchRefused(
            f"I won't read that link: {where}, {reason}, which is not on the public internet.",
            hint="Give a link to a public web page.",
        )


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host names directly ("127.0.0.1", "[::1]", "2130706433"), if any."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    # Browsers and some resolvers read "2130706433" and "0x7f000001" as IPv4 addresses too.
    try:
        number = int(bare, 0)
    except ValueError:
        return None
    return ipaddress.IPv4Address(number) if 0 <= number < 2**32 else None
