"""Where a push may go. A push endpoint is a door out of the hub, so the address is checked
when the connection is made (after DNS, so a name that later resolves to 127.0.0.1 or
169.254.169.254 is still refused): loopback, link-local, private, multicast, unspecified and
reserved addresses are refused unless the operator listed them in [push] allowed_addresses.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(allowed: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(a, strict=False) for a in allowed)


def address_allowed(address: str, allowed: tuple[Network, ...]) -> bool:
    """True for a public address, or any address inside an allowed network."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in allowed):
        return True
    return not (ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_multicast
                or ip.is_unspecified or ip.is_reserved or not ip.is_global)


def literal_address(host: str) -> str | None:
    """The host when it is an IP literal (aiohttp skips the resolver for those)."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


class ForbiddenAddress(OSError):
    """Every address a push host resolves to is forbidden."""


class GuardedResolver(AbstractResolver):
    """Resolves like aiohttp's default resolver, then drops every forbidden address; raises
    OSError when none is left, which fails the attempt like an unreachable host."""

    def __init__(self, allowed: tuple[Network, ...]) -> None:
        self._inner = DefaultResolver()
        self._allowed = allowed

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        kept = [r for r in results if address_allowed(r["host"], self._allowed)]
        if not kept:
            raise ForbiddenAddress(f"refused: {host} resolves only to forbidden addresses")
        return kept

    async def close(self) -> None:
        await self._inner.close()


def describe(exc: BaseException) -> str:
    """A short, secret-free reason for the timeline (the guard's own refusal when it is
    somewhere in the chain aiohttp wrapped it in)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ForbiddenAddress):
            return str(seen)[:200]
        seen = seen.__cause__ or seen.__context__
    text: Any = str(exc) or type(exc).__name__
    return str(text)[:200]
